"""Report requests that failed or waited too long are announced in Slack and by e-mail (docs/alerts.md).

    every tick: observability.report_requests
        ├─ failed since the last tick read (a few minutes of overlap), with no failed run to announce it (refused,
        │  or its run cancelled, killed or gone: lib/alerts/requests.py)  -> "request 7 (monthly_spend) failed"
        └─ requested or running longer than C360_REQUEST_ALERT_AFTER_MIN after it was asked for
               first tick with any                                       -> "31 report requests waiting" (one)
               first tick with none after that                           -> "no report request waits too long"
    -> the outbox, as the other alert sensors' (delivery.py): one alert per failed request, one per waiting incident

Whether the waiting incident is open is kept in the cursor (`waiting`), so the requests that keep waiting, or cross
the wait while it lasts, are neither sent nor logged again on each tick. Failures are read from a watermark kept in
the cursor, so turning alerts on does not replay every failed request; the watermark moves only after a read that
worked (a busy or unreachable warehouse loses nothing: the queue of undelivered alerts is still retried on that
tick). With no channel configured the warehouse is not read and the watermark moves on.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import dagster as dg

from customer360.defs.alerts.delivery import ALERT_INTERVAL_S, deliver
from customer360.lib.alerts.requests import WaitingWatch, failure_alerts
from customer360.lib.alerts.resource import AlertsResource
from customer360.lib.reports.requests import overdue_requests
from customer360.lib.resources.warehouse import Warehouse

# Failures are read from the last read minus this: a request failed in a transaction that committed after the last
# read with an earlier updated_at is still seen. Shorter than the ledger's window, which drops the repeats.
FAILED_OVERLAP = dt.timedelta(minutes=10)
# DuckDB: a run that holds the file is waited for this long, not the pipeline's two minutes (a tick has 60 s).
READ_LOCK_WAIT_S = 5.0


def _now() -> dt.datetime:
    """As the requests table writes its times: UTC, without a zone."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _briefly(warehouse: Warehouse) -> Warehouse:
    if hasattr(warehouse, "lock_wait_s"):
        return warehouse.model_copy(update={"lock_wait_s": READ_LOCK_WAIT_S, "connect_retries": 0})
    return warehouse


@dg.sensor(minimum_interval_seconds=ALERT_INTERVAL_S, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Alerts (Slack, e-mail) once when a report request fails with no failed run to announce it "
                       "(refused, or its run cancelled or gone; a failed run is run_failure_alerts'), and once for "
                       "all the requests waiting to start or running longer than C360_REQUEST_ALERT_AFTER_MIN after "
                       "they were asked for (and once when none does any more).")
def report_request_alerts(context: dg.SensorEvaluationContext, alerts: AlertsResource,
                          warehouse: dg.ResourceParam[Warehouse]):
    now, wall, started = _now(), time.time(), time.monotonic()
    if not context.cursor:
        context.update_cursor(json.dumps({"failed_since": now.isoformat(), "watching_since": now.isoformat()}))
        return dg.SkipReason("watching from now on: requests failed earlier are not alerted")
    state = json.loads(context.cursor)
    if not alerts.configured:
        state["failed_since"] = now.isoformat()
        return deliver(context, alerts, state, [], wall, started)
    # The overlap never reaches back before the first tick: earlier failures are history.
    since = max(dt.datetime.fromisoformat(state["failed_since"]) - FAILED_OVERLAP,
                dt.datetime.fromisoformat(state.get("watching_since", state["failed_since"])))
    allowed = dt.timedelta(minutes=alerts.request_alert_after_min)
    try:
        with _briefly(warehouse).session() as session:
            found = overdue_requests(session, allowed, now, failed_since=since)
    except Exception as error:  # noqa: BLE001 - a busy or unreachable warehouse: read again next tick, send the queue now
        context.log.warning(f"Could not read observability.report_requests ({type(error).__name__}: {error}); the "
                            "next tick reads it again")
        return deliver(context, alerts, state, [], wall, started, note="report requests not read (warehouse busy or "
                                                                       "unreachable: see the tick's log); ")
    state["failed_since"] = now.isoformat()
    watch = WaitingWatch.from_json(state.get("waiting"))
    events = [*failure_alerts(found, alerts.ui_url), *watch.observe(found, allowed, now, alerts.ui_url)]
    state["waiting"] = watch.to_json()
    return deliver(context, alerts, state, events, wall, started)
