"""Assembles the Customer 360 graph. No logic here: see the modules each line names."""

from __future__ import annotations

import dagster as dg

from customer360.assets.bronze import bronze_assets
from customer360.assets.churn import CHURN_ASSETS
from customer360.assets.conventions import with_conventions
from customer360.assets.dbt import build_dbt_assets
from customer360.assets.landing import landing_transactions_historical
from customer360.assets.observability import layer_record_counts
from customer360.assets.reports import report_assets
from customer360.assets.semantic import semantic_model
from customer360.assets.source import source_cards, source_cards_changes
from customer360.assets.streaming import build_streaming_asset
from customer360.automation.hooks import RUN_HOOKS
from customer360.automation.jobs import (
    CHURN_SCORING_JOB,
    CHURN_TRAINING_JOB,
    CUSTOMER_REFRESH_JOB,
    FULL_GRAPH_JOB,
    NIGHTLY_DBT_JOB,
    REPORTS_JOB,
    SOURCE_REPLICATION_JOB,
    STREAMING_DAY_JOB,
    TRANSACTIONS_INCREMENT_JOB,
)
from customer360.automation.schedules import CHURN_TRAINING_SCHEDULE, NIGHTLY_DBT_SCHEDULE, STREAMING_DAY_SCHEDULE
from customer360.automation.sensors import (
    churn_scoring_after_nightly_build,
    record_failed_runs,
    record_successful_runs,
    reports_after_nightly_build,
    streaming_files_sensor,
)
from customer360.checks.assets import build_asset_checks
from customer360.replication.assets import replication_assets
from customer360.resources.build import build_resources
from customer360.settings import settings


@dg.definitions
def defs() -> dg.Definitions:
    s = settings()
    warehouse_kind = "snowflake" if s.snowflake else "duckdb"
    return dg.Definitions(
        # Every step records its run when it decides it (automation/hooks.py), in the jobs and in the UI's ad hoc
        # materializations alike.
        assets=[asset.with_hooks(set(RUN_HOOKS)) for asset in with_conventions([
            source_cards,
            source_cards_changes,
            *replication_assets(warehouse_kind, s.staging_cleanup),
            landing_transactions_historical,
            build_streaming_asset(s.as_of),
            *bronze_assets(warehouse_kind),
            build_dbt_assets(s),
            layer_record_counts,
            semantic_model,
            *report_assets(s),
            *CHURN_ASSETS,
        ], s)],
        asset_checks=[check.with_hooks(set(RUN_HOOKS)) for check in build_asset_checks()],
        jobs=[FULL_GRAPH_JOB, CUSTOMER_REFRESH_JOB, SOURCE_REPLICATION_JOB, STREAMING_DAY_JOB,
              TRANSACTIONS_INCREMENT_JOB, NIGHTLY_DBT_JOB, REPORTS_JOB, CHURN_TRAINING_JOB, CHURN_SCORING_JOB],
        schedules=[STREAMING_DAY_SCHEDULE, NIGHTLY_DBT_SCHEDULE, CHURN_TRAINING_SCHEDULE],
        sensors=[streaming_files_sensor, record_successful_runs, record_failed_runs, reports_after_nightly_build,
                 churn_scoring_after_nightly_build],
        resources=build_resources(s),
        # DuckDB allows one writing process: run its steps one after another in the run's process. Snowflake
        # takes concurrent sessions, so independent steps run in parallel processes.
        executor=dg.multiprocess_executor if s.snowflake else dg.in_process_executor,
    )
