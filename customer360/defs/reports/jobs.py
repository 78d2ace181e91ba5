"""The reports job, run on demand and after every successful nightly build."""

from __future__ import annotations

import dagster as dg

from customer360.lib.asset_keys import NIGHTLY_DBT_BUILD
from customer360.lib.job_selection import REPORTS
from customer360.lib.observability.hooks import RUN_HOOKS

REPORTS_JOB = dg.define_asset_job(
    "reports",
    hooks=RUN_HOOKS,
    selection=REPORTS,
    description="Every report in the catalogue: CSV, Parquet and an HTML document under reports/<report>/<date>/, "
                "each attempt tracked in observability.report_runs. Parameters in the run config (Launchpad).",
)


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitor_all_code_locations=False,
                      request_job=REPORTS_JOB, default_status=dg.DefaultSensorStatus.RUNNING,
                      description="Runs every report once the nightly dbt build has succeeded (whenever it ends), "
                                  "on the data that build produced.")
def reports_after_nightly_build(context: dg.RunStatusSensorContext):
    # The nightly build is the transform domain's job: watched by name, so this domain imports nothing of it.
    if context.dagster_run.job_name != NIGHTLY_DBT_BUILD:
        return dg.SkipReason(f"{context.dagster_run.job_name} is not {NIGHTLY_DBT_BUILD}")
    return dg.RunRequest(run_key=f"reports-after-{context.dagster_run.run_id}")
