"""Churn training (weekly, past its gates) and scoring (after each nightly build), then the marts that show it."""

from __future__ import annotations

import dagster as dg

from customer360.lib.asset_keys import NIGHTLY_DBT_BUILD
from customer360.lib.churn import FEATURES, PREDICTIONS, registry
from customer360.lib.job_selection import CHURN, REPORTS, WithRunnableChecks
from customer360.lib.observability.hooks import RUN_HOOKS
from customer360.lib.resources.object_store import ObjectStoreResource

# The models that read the predictions (customer_360_profile, the audience) are rebuilt after scoring.
SCORING = dg.AssetSelection.assets(FEATURES, PREDICTIONS)
AFTER_SCORING = dg.AssetSelection.assets(PREDICTIONS).downstream(include_self=False) - REPORTS

CHURN_TRAINING_JOB = dg.define_asset_job(
    "churn_training",
    hooks=RUN_HOOKS,
    selection=WithRunnableChecks(CHURN | AFTER_SCORING),
    description="Rebuild the churn features, train a candidate model, promote it if it passes its blocking gates, "
                "score every active customer and rebuild the marts that show the score. Weekly, and in `make demo`.",
)

CHURN_SCORING_JOB = dg.define_asset_job(
    "churn_scoring",
    hooks=RUN_HOOKS,
    selection=WithRunnableChecks(SCORING | AFTER_SCORING),
    description="Rebuild the churn features and score them with the promoted model (no training), then the marts "
                "that show the score. Started after each nightly build.",
)

# Sunday after the nightly build; a candidate that fails its gates leaves the promoted model in place.
CHURN_TRAINING_SCHEDULE = dg.ScheduleDefinition(
    job=CHURN_TRAINING_JOB,
    cron_schedule="0 4 * * 0",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Retrain the churn model on the latest cut-offs; promoted only past its quality gates.",
)


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitor_all_code_locations=False,
                      request_job=CHURN_SCORING_JOB, default_status=dg.DefaultSensorStatus.RUNNING,
                      description="Scores every active customer with the promoted churn model once the nightly dbt "
                                  "build has succeeded; skips until a model has been promoted (churn_training).")
def churn_scoring_after_nightly_build(context: dg.RunStatusSensorContext, object_store: ObjectStoreResource):
    if context.dagster_run.job_name != NIGHTLY_DBT_BUILD:  # the transform domain's job, watched by name
        return dg.SkipReason(f"{context.dagster_run.job_name} is not {NIGHTLY_DBT_BUILD}")
    if registry.current(object_store) is None:
        return dg.SkipReason("no churn model promoted yet: run the churn_training job once (make demo does)")
    return dg.RunRequest(run_key=f"churn-scoring-after-{context.dagster_run.run_id}")
