"""Schedules: the streaming day after midnight, the nightly dbt build after it, churn retraining weekly."""

from __future__ import annotations

import dagster as dg

from customer360.automation.jobs import CHURN_TRAINING_JOB, NIGHTLY_DBT_JOB, STREAMING_DAY_JOB

# Each day's partition, shortly after the day ends (the sensor then loads its file).
STREAMING_DAY_SCHEDULE = dg.build_schedule_from_partitioned_job(
    STREAMING_DAY_JOB, hour_of_day=0, minute_of_hour=15, default_status=dg.DefaultScheduleStatus.RUNNING
)

NIGHTLY_DBT_SCHEDULE = dg.ScheduleDefinition(
    job=NIGHTLY_DBT_JOB,
    cron_schedule="0 2 * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Rebuild every silver and gold model and run every dbt test (the marts the increments skip).",
)

# Sunday after the nightly build; a candidate that fails its gates leaves the promoted model in place.
CHURN_TRAINING_SCHEDULE = dg.ScheduleDefinition(
    job=CHURN_TRAINING_JOB,
    cron_schedule="0 4 * * 0",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Retrain the churn model on the latest cut-offs; promoted only past its quality gates.",
)
