"""New streaming files start a bronze load (the transactions_increment job)."""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from customer360.lib.asset_keys import STREAMING_PREFIX, TRANSACTIONS_INCREMENT
from customer360.lib.resources.object_store import ObjectStoreResource, StoredObject

IN_FLIGHT = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
             dg.DagsterRunStatus.STARTED]


def increments_in_flight(instance: dg.DagsterInstance) -> tuple[str, str] | None:
    """(run id, status) of an increment that is queued or running, if any: a second one must not start beside it."""
    runs = instance.get_runs(dg.RunsFilter(job_name=TRANSACTIONS_INCREMENT, statuses=IN_FLIGHT), limit=1)
    return (runs[0].run_id, runs[0].status.value) if runs else None


def new_objects(listed: list[StoredObject], cursor: str | None) -> tuple[list[StoredObject], str]:
    """Objects not seen before (by key and content) and the cursor that remembers all seen ones."""
    seen: dict[str, str] = json.loads(cursor) if cursor else {}
    fresh = [o for o in listed if seen.get(o.key) != o.etag]
    seen.update({o.key: o.etag for o in fresh})
    return fresh, json.dumps(seen, sort_keys=True)


# Freshness (docs/performance.md): a file waits for the next tick. An interval shorter than the daemon's sensor loop
# lets every loop evaluate this sensor (an interval equal to it skips every other loop). A tick is one listing of
# transactions/streaming/ (a LIST request on S3).
STREAMING_SENSOR_INTERVAL_S = 1


@dg.sensor(
    job_name=TRANSACTIONS_INCREMENT,
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
