"""The nightly dbt build of every silver and gold model, and its schedule."""

from __future__ import annotations

import dagster as dg

from customer360.lib.asset_keys import GOLD, LAYER_RECORD_COUNTS, NIGHTLY_DBT_BUILD, SILVER
from customer360.lib.job_selection import SERIAL, WithRunnableChecks
from customer360.lib.observability.hooks import RUN_HOOKS

NIGHTLY_DBT_JOB = dg.define_asset_job(
    NIGHTLY_DBT_BUILD,
    hooks=RUN_HOOKS,
    selection=WithRunnableChecks(dg.AssetSelection.groups(SILVER, GOLD) | dg.AssetSelection.assets(LAYER_RECORD_COUNTS)),
    tags=SERIAL,
    description="dbt build of every silver and gold model, snapshot and test, then the layer counts.",
)

NIGHTLY_DBT_SCHEDULE = dg.ScheduleDefinition(
    job=NIGHTLY_DBT_JOB,
    cron_schedule="0 2 * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Rebuild every silver and gold model and run every dbt test (the marts the increments skip).",
)
