"""Two sensors tell people when something fails, through the `alerts` resource (Slack, e-mail; docs/alerts.md):

    run_failure_alerts          every job's failed runs (one per run and its retries) and recoveries
    check_and_freshness_alerts  failed blocking checks and the churn model's gates (and their passing again),
                                freshness policy violations and recoveries

(Report requests that failed or waited too long: requests.py beside this, which reads the requests table.)

Plain sensors reading Dagster's event log, not `run_failure_sensor`: each keeps its own cursor, which also holds
what must survive a tick (the ledger of recent alerts, the undelivered queue, held runs). The first tick starts
from the newest event, so turning alerts on does not replay history; with no channel configured the cursor still
moves on and nothing is sent.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable

import dagster as dg

from customer360.defs.alerts.delivery import ALERT_INTERVAL_S, deliver
from customer360.lib.alerts.checks import CheckWatch
from customer360.lib.alerts.ledger import Resolved
from customer360.lib.alerts.message import Alert, freshness_changed
from customer360.lib.alerts.resource import AlertsResource
from customer360.lib.alerts.runs import FinishedRun, RunWatch
from customer360.lib.churn import CANDIDATE
from customer360.lib.observability.runs import first_error
from customer360.lib.reports.requests import CANCELLED_TAG

BATCH = 500  # events read per type and tick; the rest on the next tick
RUN_EVENTS = (dg.DagsterEventType.RUN_FAILURE, dg.DagsterEventType.RUN_SUCCESS)
# Checks are read from each finished run (a check is evaluated inside a run); freshness changes as they come.
CHECK_EVENTS = (*RUN_EVENTS, dg.DagsterEventType.FRESHNESS_STATE_CHANGE)
# Run tags Dagster sets on run retries (public names, as the UI shows them).
WILL_RETRY, ROOT_RUN, RETRY_NUMBER, PARTITION = ("dagster/will_retry", "dagster/root_run_id", "dagster/retry_number",
                                                 "dagster/partition")


def _fetch(instance: dg.DagsterInstance, event_type: dg.DagsterEventType, after, limit: int, ascending: bool = True):
    """(records, cursor after them). Run status changes through Dagster's own reader of them (their storage ids are
    global even on the default, run-sharded SQLite storage); freshness changes are asset events, stored alike."""
    if event_type in RUN_EVENTS:
        result = instance.fetch_run_status_changes(event_type, limit=limit, cursor=after, ascending=ascending)
        return result.records, result.cursor if result.records else after
    with warnings.catch_warnings():
        # Deprecated for Dagster 2.0; 1.13 has no other public reader of freshness changes: revisit on upgrade.
        warnings.simplefilter("ignore", DeprecationWarning)
        records = instance.get_event_records(dg.EventRecordsFilter(event_type=event_type, after_cursor=after),
                                             limit=limit, ascending=ascending)
    return records, records[-1].storage_id if records else after


def _newest(instance: dg.DagsterInstance, event_type: dg.DagsterEventType):
    """The cursor that starts after the newest event of `event_type` (None before any: from the start)."""
    return _fetch(instance, event_type, None, limit=1, ascending=False)[1]


def _new_records(instance: dg.DagsterInstance, state: dict, event_types) -> list[dg.EventLogRecord]:
    """The events of `event_types` after the cursor of each, oldest first; the cursor moves past them."""
    found = []
    for event_type in event_types:
        records, state["after"][event_type.value] = _fetch(instance, event_type, state["after"][event_type.value], BATCH)
        found += records
    return sorted(found, key=lambda record: record.storage_id)


def _tick(context: dg.SensorEvaluationContext, alerts: AlertsResource, event_types,
          decide: Callable[[dict, list[dg.EventLogRecord], float], list[Alert | Resolved]]) -> dg.SkipReason:
    """Read the cursor, turn the new events into alerts (`decide`), send them, keep the state in the cursor."""
    instance, now, started = context.instance, time.time(), time.monotonic()
    if not context.cursor:
        context.update_cursor(json.dumps({"after": {t.value: _newest(instance, t) for t in event_types}}))
        return dg.SkipReason("watching from now on: earlier events are not alerted")
    state = json.loads(context.cursor)
    events = decide(state, _new_records(instance, state, event_types), now)
    return deliver(context, alerts, state, events, now, started)


def finished_run(instance: dg.DagsterInstance, record: dg.EventLogRecord) -> FinishedRun | None:
    """The run an event ended, as the alert rules read it; None: nothing to announce (gone from the instance, or a
    run that stopped only because its report request was cancelled after the pick-up: a user's cancel)."""
    run = instance.get_run_by_id(record.run_id)
    if run is None or run.tags.get(CANCELLED_TAG) == "true":
        return None
    failed = record.event_log_entry.dagster_event_type == dg.DagsterEventType.RUN_FAILURE
    return FinishedRun(
        run_id=run.run_id, job_name=run.job_name, partition=run.tags.get(PARTITION), failed=failed,
        will_retry=failed and run.tags.get(WILL_RETRY, "").lower() == "true", root_run_id=run.tags.get(ROOT_RUN),
        retry_number=int(run.tags.get(RETRY_NUMBER, "0")), error=first_error(instance, run.run_id) if failed else None,
        undecided=failed and WILL_RETRY not in run.tags and instance.run_retries_enabled,
        assets=tuple(sorted("/".join(key.path) for key in run.asset_selection or ())))


def _decisions(instance: dg.DagsterInstance, watch: RunWatch, ui_url: str | None) -> list[Alert]:
    """Runs held before Dagster decided whether to retry them, once it has (its dagster/will_retry tag)."""
    found = []
    for run_id in watch.undecided():
        run = instance.get_run_by_id(run_id)
        tag = (run.tags.get(WILL_RETRY) if run else "false") or ""
        if tag:
            found += watch.decided(run_id, tag.lower() == "true", ui_url, lambda failed: first_error(instance, failed))
    return found


def _run_alerts(instance: dg.DagsterInstance, ui_url: str | None):
    def decide(state: dict, records: list[dg.EventLogRecord], now: float) -> list[Alert | Resolved]:
        watch = RunWatch.from_json(state.get("runs"))
        found = []
        for record in records:
            if (run := finished_run(instance, record)) is not None:
                found += watch.observe(run, ui_url, now)
        found += _decisions(instance, watch, ui_url)
        found += watch.expire(ui_url, now, lambda failed: first_error(instance, failed))
        state["runs"] = watch.to_json()
        return found
    return decide


@dg.sensor(minimum_interval_seconds=ALERT_INTERVAL_S, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Alerts (Slack, e-mail) when a run of any job fails, once per run and its retries, and once "
                       "when the same job, over the same assets and partition, succeeds again.")
def run_failure_alerts(context: dg.SensorEvaluationContext, alerts: AlertsResource):
    return _tick(context, alerts, RUN_EVENTS, _run_alerts(context.instance, alerts.ui_url))


def _check_alerts(instance: dg.DagsterInstance, ui_url: str | None):
    def decide(state: dict, records: list[dg.EventLogRecord], now: float) -> list[Alert | Resolved]:
        watch = CheckWatch.from_json(state.get("checks"))
        found: list[Alert | Resolved] = []
        for record in records:
            event = record.event_log_entry.dagster_event
            if event.event_type == dg.DagsterEventType.FRESHNESS_STATE_CHANGE:
                found += _freshness(event.asset_freshness_state_change_data, ui_url)
                continue
            evaluations = instance.get_records_for_run(record.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
            for evaluation in evaluations.records:
                check = evaluation.event_log_entry.dagster_event.asset_check_evaluation_data
                found += watch.observe(list(check.asset_key.path), check.check_name, check.passed, check.blocking,
                                       check.description, record.run_id, ui_url, gate=check.asset_key == CANDIDATE)
        state["checks"] = watch.to_json()
        return found
    return decide


def _freshness(change, ui_url: str | None) -> list[Alert | Resolved]:
    """Breaking the policy is an alert, and so is leaving FAIL (to PASS or WARN); each ends the other's incident."""
    new, previous, path = change.new_state.value, change.previous_state.value, list(change.key.path)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(change.state_change_timestamp))
    if new == "FAIL":
        alert = freshness_changed(path, True, f"stale by its freshness policy since {when} (was {previous})", ui_url)
    elif previous == "FAIL" and new in ("PASS", "WARN"):
        alert = freshness_changed(path, False, f"fresh again since {when} (now {new})", ui_url)
    else:
        return []
    return [Resolved(freshness_changed(path, new != "FAIL", "", ui_url).key), alert]


@dg.sensor(minimum_interval_seconds=ALERT_INTERVAL_S, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Alerts (Slack, e-mail) when a blocking check or a churn gate fails (once per check within "
                       "2 h) and once when it passes again, and when an asset breaks or meets its freshness policy "
                       "again.")
def check_and_freshness_alerts(context: dg.SensorEvaluationContext, alerts: AlertsResource):
    return _tick(context, alerts, CHECK_EVENTS, _check_alerts(context.instance, alerts.ui_url))
