"""Report requests (observability.report_requests, lib/reports/requests.py) become report runs, and their runs' ends
flow back into the table.

    requests sensor: every request still `requested`, oldest id first
        ├─ cannot run (unknown report, bad dates, unknown segment)  -> failed with the reason, no run
        └─ can run -> RunRequest(run_key=report-request-<id>, that report's asset, its parameters, tag = the id)
    the report asset (assets.py): requested -> running (a cancelled request stops its run here) -> completed | failed
    run failure / cancel sensors: a run that died before or around the asset fails its request with the first error
    requests sensor, every tick: a request whose runs have all ended without ending it is failed (reconcile)

Exactly once: the run key is the request id, so Dagster launches one run per request however many ticks see it; the
cursor remembers the ids already launched that have not started yet, so a tick does not even ask again; and the
asset's start is a conditional UPDATE, so a second run of one request (a cursor reset, a manual launch) stops before
it writes anything. Pick-up is by status, not `id > cursor`: an id committed after a higher one is not skipped.

Never stuck: the run-status sensors are only the fast path. Their event is lost when their body raises (a busy or
unreachable warehouse: Dagster moves their cursor past the run anyway), and a run cancelled while queued or killed
with its worker sends none that reaches the asset. So every tick of the requests sensor, which retries a tick that
raised because a plain sensor keeps its cursor, looks up the runs of each `running` request and each launched one:
all ended (or none left in the instance) -> the request is failed with the run's first error. A launched request
with no run after LAUNCH_GRACE_S (Dagster dropped the RunRequest, or the queued run was deleted) is asked again.
A launched request cancelled after the pick-up has its queued or starting run cancelled (stop_cancelled).
"""

from __future__ import annotations

import json
import time

import dagster as dg

from customer360.defs.reports.jobs import REPORTS_JOB
from customer360.lib.observability.runs import first_error
from customer360.lib.reports import requests
from customer360.lib.resources.warehouse import Warehouse, WarehouseSession
from customer360.settings import settings

# A request waits at most this long for its tick (and the daemon's sensor loop): the pick-up part of its latency.
REQUESTS_SENSOR_INTERVAL_S = 5
RUN_KEY_PREFIX = "report-request-"
# A launched request's run exists once the daemon has submitted the tick's RunRequests; with none after this long,
# Dagster dropped it (its run key already used, or the queued run deleted), so the request is asked again.
LAUNCH_GRACE_S = 60
# A request's run is failed by the daemon's run monitoring (dagster.yaml) past this: a run whose process died stays
# STARTED, and its request would wait for it forever. A report takes seconds to minutes.
REPORT_RUN_MAX_RUNTIME_S = 2 * 3600


def run_request(request: requests.ReportRequest, checked: requests.Validated) -> dg.RunRequest:
    """The run of one request: only its report's asset, its parameters as the asset's config, the id as a tag."""
    export = checked.export
    config = {**checked.params.as_json_dict(), "requested_by": request.requested_by,
              "export_schema": export.schema if export else "", "export_table": export.table if export else ""}
    op = f"reports__{checked.report.name}"
    return dg.RunRequest(run_key=f"{RUN_KEY_PREFIX}{request.request_id}",
                         asset_selection=[dg.AssetKey(["reports", checked.report.name])],
                         run_config={"ops": {op: {"config": config}}},
                         tags={requests.REQUEST_TAG: str(request.request_id),
                               "dagster/max_runtime": str(REPORT_RUN_MAX_RUNTIME_S)})


def runs_of(instance: dg.DagsterInstance, request_id: int, root: str | None = None) -> list[dg.DagsterRun]:
    """The runs that carry a request (newest first): its run, that run's retries and re-executions (Dagster copies
    the tags), and stray runs; with `root`, only the attempts of that root run."""
    found = instance.get_runs(filters=dg.RunsFilter(tags={requests.REQUEST_TAG: str(request_id)}))
    return [run for run in found if root is None or (run.root_run_id or run.run_id) == root]


def _cursor(cursor: str | None) -> tuple[int, dict[int, float]]:
    """The last id seen and the launched ids with when they were launched (a cursor of a list: launched now)."""
    if not cursor:
        return 0, {}
    values = json.loads(cursor)
    launched = values.get("launched", {})
    if isinstance(launched, list):
        launched = dict.fromkeys(launched, time.time())
    return int(values.get("last_request_id", 0)), {int(k): float(v) for k, v in launched.items()}


def _ended_without_it(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str:
    ended = requests.run_ended_without_it(run.run_id, run.status.value)
    if run.status == dg.DagsterRunStatus.CANCELED:
        return _cancelled(instance, run, ended)
    return first_error(instance, run.run_id) or ended


def _cancelled(instance: dg.DagsterInstance, run: dg.DagsterRun, why: str) -> str:
    """Why a request whose run was cancelled (terminated) failed: `why` first, then the step's error if any. A
    terminated step logs a failure (DagsterExecutionInterruptedError), but the run ends CANCELED, which no run alert
    announces: the request's alert does, and it knows such a failure by the cancel leading the reason."""
    error = first_error(instance, run.run_id)
    return f"{why}: {error}" if error else why


def reconcile_running(session: WarehouseSession, instance: dg.DagsterInstance,
                      log: dg.DagsterLogManager | None = None) -> list[int]:
    """Fail every `running` request whose run and its retries have all ended, or are no longer in the instance: the
    event that should have ended it was lost. Returns the ids failed."""
    failed = []
    for request in requests.running(session):
        attempts = runs_of(instance, request.request_id, request.run_id)
        if any(not run.is_finished for run in attempts):
            continue
        why = (_ended_without_it(instance, attempts[0]) if attempts
               else requests.run_not_in_instance(request.run_id))
        requests.failed(session, request.request_id, why, run_id=request.run_id)  # a no-op if it ended meanwhile
        failed.append(request.request_id)
        if log:
            log.warning(f"Report request {request.request_id} was running with no run left: failed ({why[:200]})")
    return failed


def _launched_state(instance: dg.DagsterInstance, request_id: int, launched_at: float, now: float) -> str:
    """`waiting` (its run is queued or running, or not submitted yet), `ended` (every run of it ended before it
    started the report) or `lost` (no run after LAUNCH_GRACE_S: ask again)."""
    attempts = runs_of(instance, request_id)
    if any(not run.is_finished for run in attempts):
        return "waiting"
    if attempts:
        return "ended"
    return "lost" if now - launched_at > LAUNCH_GRACE_S else "waiting"


def stop_cancelled(session: WarehouseSession, instance: dg.DagsterInstance, launched: dict[int, float],
                   waiting_ids: set[int], now: float, log: dg.DagsterLogManager | None = None) -> dict[int, float]:
    """Cancel the runs of launched requests that were cancelled after the pick-up (their run queued or starting), so
    the run ends CANCELED instead of starting and failing; a run that still starts stops at its claim, tagged so that
    no alert announces it. Returns the cancelled requests whose run does not exist yet: looked at again next tick."""
    again = {}
    for request_id, launched_at in launched.items():
        if request_id in waiting_ids:
            continue
        request = requests.get(session, request_id)
        if request is None or request.status != requests.CANCELLED:
            continue
        attempts = runs_of(instance, request_id)
        if not attempts and now - launched_at <= LAUNCH_GRACE_S:
            again[request_id] = launched_at  # the daemon has not submitted its run yet
        for run in attempts:
            if not run.is_finished and run.status != dg.DagsterRunStatus.CANCELING:
                instance.run_coordinator.cancel_run(run.run_id)
                if log:
                    log.info(f"Report request {request_id} was cancelled after its pick-up: its run {run.run_id} "
                             f"({run.status.value}) is cancelled")
    return again


def pick_up(session: WarehouseSession, instance: dg.DagsterInstance, cursor: str | None,
            log: dg.DagsterLogManager | None = None, now: float | None = None) -> tuple[list[dg.RunRequest], str]:
    """The runs to launch for the waiting requests and the next cursor; requests that cannot run are failed here,
    and so are requests whose runs all ended without ending them (see the module's docstring)."""
    now = time.time() if now is None else now
    last, launched = _cursor(cursor)
    reconcile_running(session, instance, log)
    waiting = requests.waiting(session)
    cancelled_early = stop_cancelled(session, instance, launched, {r.request_id for r in waiting}, now, log)
    as_of, segments = settings().as_of, None
    shared = requests.shared_ids(session) if waiting else set()
    runs, still_waiting = [], dict(cancelled_early)
    for request in waiting:
        if request.request_id in shared:
            requests.refuse_shared_id(session, request.request_id)
            if log:
                log.warning(f"Report request id {request.request_id} is held by more than one row: refused")
            continue
        if request.request_id in launched:
            state = _launched_state(instance, request.request_id, launched[request.request_id], now)
            if state == "waiting":
                still_waiting[request.request_id] = launched[request.request_id]
                continue
            if state == "ended":
                run = runs_of(instance, request.request_id)[0]
                requests.failed(session, request.request_id, _ended_without_it(instance, run),
                                run_id=run.root_run_id or run.run_id)
                if log:
                    log.warning(f"Report request {request.request_id}: its run {run.run_id} ended before it started")
                continue
        try:
            if request.segment and segments is None:
                segments = requests.segments_of(session)
            checked = requests.validate(request.report, request.date_from, request.date_to, request.segment,
                                        as_of, segments, request.export_table)
        except requests.RequestRefused as refused:
            requests.failed(session, request.request_id, f"refused: {refused}")
            if log:
                log.warning(f"Report request {request.request_id} refused: {refused}")
            continue
        requests.record_launch(session, request.request_id, checked.params)
        runs.append(run_request(request, checked))
        still_waiting[request.request_id] = now
    last = max([r.request_id for r in waiting] + [last])
    return runs, json.dumps({"last_request_id": last, "launched": {str(k): v for k, v in sorted(still_waiting.items())}})


@dg.sensor(
    job=REPORTS_JOB,
    minimum_interval_seconds=REQUESTS_SENSOR_INTERVAL_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Runs each report request of observability.report_requests (SQL, CLI, HTTP API, app) once, oldest "
                "first, with its parameters; fails a request that cannot run with the reason and starts no run.",
)
def report_requests_sensor(context: dg.SensorEvaluationContext, warehouse: dg.ResourceParam[Warehouse]):
    with warehouse.session() as session:
        runs, cursor = pick_up(session, context.instance, context.cursor, context.log)
    if not runs:
        return dg.SensorResult(skip_reason=dg.SkipReason("no new report request"), cursor=cursor)
    return dg.SensorResult(run_requests=runs, cursor=cursor)


def fail_request_of(instance: dg.DagsterInstance, run: dg.DagsterRun, warehouse: Warehouse,
                    why: str = "its run failed") -> int | None:
    """Fail the request a finished run carried, if it has not ended yet; returns its id (None: not a request's run).

    Not while another attempt of the same root run (a run retry, a re-execution) is queued or running: that attempt
    claims the request again and ends it itself. A run-status event can reach this sensor after the retry claimed
    the request (its tick is every 30 s), and failing it then would leave a report the retry wrote `failed`.
    `why`: the reason when the run logged no error; a cancelled run's reason always leads with the cancel."""
    request_id = run.tags.get(requests.REQUEST_TAG)
    if request_id is None:
        return None
    root = run.root_run_id or run.run_id
    if any(not other.is_finished for other in runs_of(instance, int(request_id), root) if other.run_id != run.run_id):
        return int(request_id)
    with warehouse.session() as session:
        reason = (_cancelled(instance, run, requests.run_cancelled(run.run_id))
                  if run.status == dg.DagsterRunStatus.CANCELED
                  else first_error(instance, run.run_id) or why)
        requests.failed(session, int(request_id), reason, run_id=root)
    return int(request_id)


@dg.run_failure_sensor(monitor_all_code_locations=False, monitored_jobs=[REPORTS_JOB],
                       default_status=dg.DefaultSensorStatus.RUNNING,
                       description="Fails the report request of a failed reports run (one that died before its "
                                   "report could record it), with the run's first error.")
def report_request_failed_runs(context: dg.RunFailureSensorContext, warehouse: dg.ResourceParam[Warehouse]):
    fail_request_of(context.instance, context.dagster_run, warehouse)


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.CANCELED, monitor_all_code_locations=False,
                      monitored_jobs=[REPORTS_JOB], default_status=dg.DefaultSensorStatus.RUNNING,
                      description="Fails the report request of a reports run that was cancelled (terminated).")
def report_request_cancelled_runs(context: dg.RunStatusSensorContext, warehouse: dg.ResourceParam[Warehouse]):
    fail_request_of(context.instance, context.dagster_run, warehouse)
