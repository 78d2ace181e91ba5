"""Hooks every job carries: each run records itself in observability.pipeline_run_metadata, however it was started.

The run-status sensors record runs when the daemon runs (`make dev`), and the demo records its own; a run started any
other way (`dagster job execute`, a script, the UI without the daemon) has nothing that runs when it ends. So every
step's hook asks whether the run is now decided: a failed step fails the run (recorded at once, with the error the
code raised), and the step that finishes the plan records the run's outcome. With the daemon the sensors rewrite the
row once the run has ended (same run id, one row).
"""

from __future__ import annotations

import dagster as dg

from customer360.lib.observability.runs import record_run

HOOK_LOCK_WAIT_S = 5.0  # a step that failed waiting for the DuckDB lock must not wait as long again to say so


def _record(context: dg.HookContext, failing: bool) -> None:
    warehouse = context.resources.warehouse
    if hasattr(warehouse, "lock_wait_s"):
        warehouse = warehouse.model_copy(update={"lock_wait_s": HOOK_LOCK_WAIT_S, "connect_retries": 0})
    try:
        with warehouse.session() as session:
            record_run(session, context.instance, context.run_id, failing=failing)
    except Exception as error:  # noqa: BLE001 - the step's own outcome is what the run reports
        context.log.warning(f"Could not record the run in observability.pipeline_run_metadata: {error}")


def _plan_finished(context: dg.HookContext) -> bool:
    """Whether every step the run planned has ended (this one included): the run's outcome is decided."""
    instance = context.instance
    run = instance.get_run_by_id(context.run_id)
    if run is None or run.execution_plan_snapshot_id is None:
        return False
    planned = set(instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id).step_keys_to_execute)
    ended = {stats.step_key for stats in instance.get_run_step_stats(context.run_id) if stats.end_time}
    return planned <= ended | {context.step_key}


@dg.failure_hook(required_resource_keys={"warehouse"})
def record_failed_run(context: dg.HookContext) -> None:
    _record(context, failing=True)


@dg.success_hook(required_resource_keys={"warehouse"})
def record_finished_run(context: dg.HookContext) -> None:
    if _plan_finished(context):
        _record(context, failing=False)


RUN_HOOKS = frozenset({record_failed_run, record_finished_run})
