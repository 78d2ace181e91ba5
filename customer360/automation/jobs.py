"""Jobs that select parts of the one graph."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

import dagster as dg

from customer360.assets.bronze import bronze_key
from customer360.assets.observability import LAYER_RECORD_COUNTS
from customer360.assets.source import SOURCE_CARDS_CHANGES
from customer360.assets.streaming import LANDING_STREAMING
from customer360.automation.hooks import RUN_HOOKS
from customer360.bronze.contracts import BRONZE_TRANSACTIONS
from customer360.checks.assets import check_key
from customer360.checks.definitions import FULL_RECONCILIATION, LOAD_RECONCILIATION
from customer360.churn import CHURN_GROUP, FEATURES, PREDICTIONS

# Runs that load bronze or advance the incremental models' `_loaded_at` watermark must not overlap: two increments
# that commit out of watermark order would skip each other's rows. The run queue admits one run with this tag at a
# time (tag_concurrency_limits in the dagster.yaml that `python -m customer360` writes; docs/deployment.md), and the
# streaming sensor starts no increment while one is queued or running.
SERIAL_TAG = "c360/watermark"
SERIAL = {SERIAL_TAG: "transactions"}



@dataclass(frozen=True)
class WithRunnableChecks(dg.AssetSelection):
    """The assets of `assets`, and only those of their checks that can run with them: a check that also reads an
    asset outside the run (a dbt relationships test on fct_transactions reads dim_customer too) is left out, since
    dbt would skip it (`--indirect-selection cautious`) and Dagster would report a declared check that never ran."""

    assets: dg.AssetSelection

    def resolve_inner(self, asset_graph, allow_missing: bool) -> Set[dg.AssetKey]:
        return self.assets.resolve_inner(asset_graph, allow_missing=allow_missing)

    def resolve_checks_inner(self, asset_graph, allow_missing: bool) -> Set[dg.AssetCheckKey]:
        selected = self.resolve_inner(asset_graph, allow_missing)
        return {key for key in self.assets.resolve_checks_inner(asset_graph, allow_missing)
                if all(dep.asset_key in selected for dep in asset_graph.get_check_spec(key).additional_deps)}


REFRESH = dg.AssetSelection.assets(SOURCE_CARDS_CHANGES)
STREAMING = dg.AssetSelection.assets(LANDING_STREAMING)
TRANSACTIONS_LOAD = dg.AssetSelection.assets(bronze_key(BRONZE_TRANSACTIONS))
OBSERVABILITY = dg.AssetSelection.assets(LAYER_RECORD_COUNTS)
DBT_MODELS = dg.AssetSelection.groups("silver", "gold")
# Reports run on their own job (after the nightly build, on demand, at the end of the demo), never inside the builds.
REPORTS = dg.AssetSelection.groups("reports")
# The churn model's features, training and scoring run on their own jobs (weekly training, daily scoring); the
# models that read the predictions (customer_360_profile, the audience) are rebuilt after scoring.
CHURN = dg.AssetSelection.groups(CHURN_GROUP)
SCORING = dg.AssetSelection.assets(FEATURES, PREDICTIONS)
AFTER_SCORING = dg.AssetSelection.assets(PREDICTIONS).downstream(include_self=False) - REPORTS

FULL_GRAPH_JOB = dg.define_asset_job(
    "customer360_full_graph",
    hooks=RUN_HOOKS,
    # The first build reconciles the whole table; the check of this run's own loads would count it all again.
    selection=WithRunnableChecks(dg.AssetSelection.all() - REFRESH - STREAMING - REPORTS - CHURN)
    - dg.AssetSelection.checks(check_key(LOAD_RECONCILIATION)),
    tags=SERIAL,
    description="Generate, land, load bronze, build silver and gold, run every check (the first build).",
)

CUSTOMER_REFRESH_JOB = dg.define_asset_job(
    "customer_refresh",
    hooks=RUN_HOOKS,
    selection=WithRunnableChecks(REFRESH.downstream() - REPORTS - CHURN),
    tags=SERIAL,
    description="Change about 5 % of accounts in the source database, replicate the changed rows and rebuild what "
                "depends on them: SCD2 history in dim_customer comes from running this after the first build.",
)

# What a user whose source is real runs: the staging extracts and everything downstream of them, no simulated change.
REPLICATION = dg.AssetSelection.groups("staging")

SOURCE_REPLICATION_JOB = dg.define_asset_job(
    "source_replication",
    hooks=RUN_HOOKS,
    selection=WithRunnableChecks(REPLICATION.downstream() - REPORTS - CHURN),
    tags=SERIAL,
    description="Replicate what changed in the source database (every table of replication.yaml) and rebuild what "
                "depends on it, nothing more: no simulated account changes (customer_refresh adds those, for the "
                "demo).",
)

STREAMING_DAY_JOB = dg.define_asset_job(
    "streaming_day",
    hooks=RUN_HOOKS,
    selection=STREAMING,
    description="Write one day's new transactions to transactions/streaming/<date>/ (one run per partition).",
)

# The incremental path only: the per-customer marts are full rebuilds, refreshed by the nightly dbt build.
INCREMENTAL_MODELS = dg.AssetSelection.assets(
    dg.AssetKey(["silver", "stg_transactions"]),
    dg.AssetKey(["gold", "fct_transactions"]),
    dg.AssetKey(["gold", "dim_date"]),  # new days must exist before fct_transactions' date key is tested
)

TRANSACTIONS_INCREMENT_JOB = dg.define_asset_job(
    "transactions_increment",
    hooks=RUN_HOOKS,
    # Its rows are reconciled with gold (loaded_transactions_reached_gold), not the whole table (a count of every
    # distinct id in bronze, 3.4 s of each increment at the default scale): the nightly build does that.
    selection=WithRunnableChecks(TRANSACTIONS_LOAD | INCREMENTAL_MODELS) - dg.AssetSelection.checks(check_key(FULL_RECONCILIATION)),
    tags=SERIAL,
    description="COPY new transaction files into bronze (loaded files are skipped), add them to the incremental "
                "facts and run their checks. The streaming sensor starts it.",
)

NIGHTLY_DBT_JOB = dg.define_asset_job(
    "nightly_dbt_build",
    hooks=RUN_HOOKS,
    selection=WithRunnableChecks(DBT_MODELS | OBSERVABILITY),
    tags=SERIAL,
    description="dbt build of every silver and gold model, snapshot and test, then the layer counts.",
)

REPORTS_JOB = dg.define_asset_job(
    "reports",
    hooks=RUN_HOOKS,
    selection=REPORTS,
    description="Every report in the catalogue: CSV, Parquet and an HTML document under reports/<report>/<date>/, "
                "each attempt tracked in observability.report_runs. Parameters in the run config (Launchpad).",
)

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
