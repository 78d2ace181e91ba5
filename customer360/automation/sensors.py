"""Sensors: new streaming files start a bronze load; every finished run is recorded in observability; a nightly
build starts the reports and the churn scoring."""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from customer360.assets.streaming import STREAMING_PREFIX
from customer360.automation.jobs import CHURN_SCORING_JOB, NIGHTLY_DBT_JOB, REPORTS_JOB, TRANSACTIONS_INCREMENT_JOB
from customer360.churn import registry
from customer360.observability.runs import record_run
from customer360.resources.object_store import ObjectStoreResource, StoredObject
from customer360.resources.warehouse import Warehouse

IN_FLIGHT = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
             dg.DagsterRunStatus.STARTED]


def increments_in_flight(instance: dg.DagsterInstance) -> tuple[str, str] | None:
    """(run id, status) of an increment that is queued or running, if any: a second one must not start beside it."""
    runs = instance.get_runs(dg.RunsFilter(job_name=TRANSACTIONS_INCREMENT_JOB.name, statuses=IN_FLIGHT), limit=1)
    return (runs[0].run_id, runs[0].status.value) if runs else None


def new_objects(listed: list[StoredObject], cursor: str | None) -> tuple[list[StoredObject], str]:
    """Objects not seen before (by key and content) and the cursor that remembers all seen ones."""
    seen: dict[str, str] = json.loads(cursor) if cursor else {}
    fresh = [o for o in listed if seen.get(o.key) != o.etag]
    seen.update({o.key: o.etag for o in fresh})
    return fresh, json.dumps(seen, sort_keys=True)


# Freshness (docs/performance.md): a file waits for the next tick. The daemon's sensor loop runs every 5 s, so an
# interval of 1 s lets every loop evaluate this sensor (an interval of 5 s skipped every other one: 5-10 s waits).
# A tick is one listing of transactions/streaming/ (a LIST request on S3): every 5 s is ~17,000 requests a day.
STREAMING_SENSOR_INTERVAL_S = 1


@dg.sensor(
    job=TRANSACTIONS_INCREMENT_JOB,
    minimum_interval_seconds=STREAMING_SENSOR_INTERVAL_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=f"Watches {STREAMING_PREFIX} (local lake or S3) and starts a bronze load when files appear, "
                "from the streaming schedule or any outside producer. Its cursor remembers every file it saw.",
)
def streaming_files_sensor(context: dg.SensorEvaluationContext, object_store: ObjectStoreResource):
    busy = increments_in_flight(context.instance)
    if busy:  # the cursor stays: the files are picked up on the first tick after that run
        return dg.SkipReason(f"transactions_increment run {busy[0]} is {busy[1]}; new files wait for it to finish")
    fresh, cursor = new_objects(
        object_store.list(STREAMING_PREFIX), context.cursor  # every file: bronze loads or records each one
    )
    if not fresh:
        return dg.SkipReason(f"no new files under {STREAMING_PREFIX}")
    keys = sorted(o.key for o in fresh)
    run_key = hashlib.sha1("\n".join(f"{o.key}:{o.etag}" for o in fresh).encode()).hexdigest()
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=run_key, tags={"c360/new_files": str(len(keys)),
                                                           "c360/first_file": keys[0]})],
        cursor=cursor,
    )


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


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[NIGHTLY_DBT_JOB],
                      request_job=REPORTS_JOB, default_status=dg.DefaultSensorStatus.RUNNING,
                      description="Runs every report once the nightly dbt build has succeeded (whenever it ends), "
                                  "on the data that build produced.")
def reports_after_nightly_build(context: dg.RunStatusSensorContext):
    return dg.RunRequest(run_key=f"reports-after-{context.dagster_run.run_id}")


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[NIGHTLY_DBT_JOB],
                      request_job=CHURN_SCORING_JOB, default_status=dg.DefaultSensorStatus.RUNNING,
                      description="Scores every active customer with the promoted churn model once the nightly dbt "
                                  "build has succeeded; skips until a model has been promoted (churn_training).")
def churn_scoring_after_nightly_build(context: dg.RunStatusSensorContext, object_store: ObjectStoreResource):
    if registry.current(object_store) is None:
        return dg.SkipReason("no churn model promoted yet: run the churn_training job once (make demo does)")
    return dg.RunRequest(run_key=f"churn-scoring-after-{context.dagster_run.run_id}")
