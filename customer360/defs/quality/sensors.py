"""Every finished run, however it was started, is written to observability.pipeline_run_metadata when the daemon
runs (the run hooks record the runs started without it)."""

from __future__ import annotations

import dagster as dg

from customer360.lib.observability.runs import record_run
from customer360.lib.resources.warehouse import Warehouse


def _record(context: dg.RunStatusSensorContext, warehouse: Warehouse) -> None:
    with warehouse.session() as session:
        record_run(session, context.instance, context.dagster_run.run_id)


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitor_all_code_locations=False,
                      default_status=dg.DefaultSensorStatus.RUNNING,
                      description="Writes each successful run to observability.pipeline_run_metadata.")
def record_successful_runs(context: dg.RunStatusSensorContext, warehouse: dg.ResourceParam[Warehouse]):
    _record(context, warehouse)


@dg.run_failure_sensor(monitor_all_code_locations=False, default_status=dg.DefaultSensorStatus.RUNNING,
                       description="Writes each failed run, with its first error, to pipeline_run_metadata.")
def record_failed_runs(context: dg.RunFailureSensorContext, warehouse: dg.ResourceParam[Warehouse]):
    _record(context, warehouse)
