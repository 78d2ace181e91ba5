"""One day of streaming transactions per run, on a schedule shortly after the day ends."""

from __future__ import annotations

import dagster as dg

from customer360.lib.asset_keys import LANDING_STREAMING
from customer360.lib.observability.hooks import RUN_HOOKS

STREAMING_DAY_JOB = dg.define_asset_job(
    "streaming_day",
    hooks=RUN_HOOKS,
    selection=dg.AssetSelection.assets(LANDING_STREAMING),
    description="Write one day's new transactions to transactions/streaming/<date>/ (one run per partition).",
)

# Each day's partition, shortly after the day ends (the streaming sensor then loads its file).
STREAMING_DAY_SCHEDULE = dg.build_schedule_from_partitioned_job(
    STREAMING_DAY_JOB, hour_of_day=0, minute_of_hour=15, default_status=dg.DefaultScheduleStatus.RUNNING
)
