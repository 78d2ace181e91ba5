"""observability.pipeline_run_metadata: one row per finished run, read from the Dagster instance.

Written by the run-status sensors (defs/quality/sensors.py) when the daemon runs (`make dev`), by
`python -m customer360 demo` for the runs it starts from the CLI, and from inside every job's run by its hooks
(hooks.py), so a run started any other way (`dagster job execute`, no daemon) is recorded too. The error
kept is the one user code raised, not Dagster's wrapper around it.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from customer360.lib.observability.quality import ensure_observability_schema
from customer360.lib.resources.warehouse import WarehouseSession

ROWS_LOADED = "rows_loaded"


def _utc(timestamp: float | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).replace(tzinfo=None) if timestamp else None


# What Dagster wraps a step's own error in: "Error occurred while executing op ...", "Exceeded max_retries of 3".
_WRAPPERS = ("Dagster", "RetryRequested")


def real_error(error) -> str:
    """The error the code raised (its cause chain unwrapped from Dagster's wrappers), saying when retries ran out."""
    retried = False
    while error.cause is not None and (error.cls_name or "").startswith(_WRAPPERS):
        retried = retried or error.cls_name == "RetryRequested"
        error = error.cause
    return error.message.strip() + (" (after its retries)" if retried else "")


def first_error(instance: dg.DagsterInstance, run_id: str) -> str | None:
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        error = entry.dagster_event.step_failure_data.error
        if error is not None:
            return f"{entry.step_key}: {real_error(error)}"[:2000]
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_FAILURE):
        return (entry.user_message or "run failed")[:2000]
    return None


def _failed(instance: dg.DagsterInstance, run_id: str) -> bool:
    return bool(instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE))


def run_row(instance: dg.DagsterInstance, run_id: str, failing: bool = False) -> dict:
    """The pipeline_run_metadata row of a finished run. Recorded from inside the run (hooks.py), it is
    still STARTED in the instance: its status is then the one it will end with (FAILURE once a step failed, or
    `failing`), and it ends now."""
    run = instance.get_run_by_id(run_id)
    status = run.status
    if not run.is_finished:
        failed = failing or _failed(instance, run_id)
        status = dg.DagsterRunStatus.FAILURE if failed else dg.DagsterRunStatus.SUCCESS
    stats = instance.get_run_stats(run_id)
    rows, assets = 0, 0
    for record in instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records:
        assets += 1
        loaded = record.event_log_entry.asset_materialization.metadata.get(ROWS_LOADED)
        rows += int(loaded.value) if loaded is not None else 0
    started = _utc(stats.start_time)
    ended = _utc(stats.end_time) if run.is_finished else dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return {
        "run_id": run_id,
        "job_name": run.job_name,
        "status": status.value,
        "started_at": started,
        "ended_at": ended,
        "duration_s": (ended - started).total_seconds() if started and ended else None,
        "rows_processed": rows,
        "assets_materialized": assets,
        "error_message": first_error(instance, run_id) if status != dg.DagsterRunStatus.SUCCESS else None,
        "recorded_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
    }


def record_run(session: WarehouseSession, instance: dg.DagsterInstance, run_id: str, failing: bool = False) -> dict:
    """Write (or rewrite) the run's row; safe to call twice for the same run."""
    ensure_observability_schema(session)
    row = run_row(instance, run_id, failing)
    with session.transaction():
        session.execute("DELETE FROM observability.pipeline_run_metadata WHERE run_id = ?", [run_id])
        session.insert_rows("observability.pipeline_run_metadata", [row])
    return row
