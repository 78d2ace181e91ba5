"""The alerts of report requests (observability.report_requests, lib/reports/requests.py): a request that failed, and
one still waiting to start or still running longer than the wait allowed after it was asked for.

A failed request is announced here only when no run alert covers it: a refusal (no run), or a run that ended without
failing (cancelled, killed, gone from the instance). A run that failed is run_failure_alerts' (defs/alerts/sensors.py):
it holds a run Dagster will retry, so a retry that completes the request alerts nobody, and it is one alert per run.

One alert per request and problem (`RequestProblem`: its key never holds how long it has waited, which changes on
every tick). The sensor (defs/alerts/requests.py) reads the requests each tick and hands these to the ledger, which
sends each key once: a request that keeps waiting is the same incident on every tick, and one that waited too long
and then failed is two alerts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from customer360.lib.alerts.message import Alert, RequestProblem, request_alert
from customer360.lib.reports.requests import FAILED, REQUESTED, ReportRequest, failure_announced_by_its_run

WAIT_SETTING = "C360_REQUEST_ALERT_AFTER_MIN"


def request_alerts(found: Sequence[ReportRequest], allowed: dt.timedelta, now: dt.datetime,
                   ui_url: str | None) -> list[Alert]:
    """An alert for each request of `found` (overdue_requests' answer): failed, unless its run's failure is
    run_failure_alerts' to announce (once per run and its retries, nothing when a retry completes it), or waiting
    longer than `allowed`."""
    return [_failed(request, ui_url) if request.status == FAILED else _waiting(request, allowed, now, ui_url)
            for request in found if request.status != FAILED or not failure_announced_by_its_run(request)]


def _failed(request: ReportRequest, ui_url: str | None) -> Alert:
    error = request.error or "failed without an error recorded"
    where = f"; its run is {request.run_id}" if request.run_id else "; it never started a run"
    return request_alert(request.request_id, request.report, RequestProblem.FAILED,
                         f"{error}{where} ({_asked(request)})", request.run_id, ui_url)


def _waiting(request: ReportRequest, allowed: dt.timedelta, now: dt.datetime, ui_url: str | None) -> Alert:
    waited = _minutes(now - request.requested_at)
    if request.status == REQUESTED:
        state = (f"still waiting to start {waited} after it was asked for: the requests sensor starts requests while "
                 "the Dagster daemon runs (make dev); check that it runs and that report_requests_sensor is on")
    else:
        state = f"still running {waited} after it was asked for: see its run {request.run_id}"
    return request_alert(request.request_id, request.report, RequestProblem.WAITING,
                         f"{state} (alerted after {_minutes(allowed)}, {WAIT_SETTING}; {_asked(request)})",
                         request.run_id, ui_url)


def _asked(request: ReportRequest) -> str:
    dates = f"{request.date_from or '(default)'} to {request.date_to or '(as-of)'}"
    return f"{dates}, segment {request.segment or 'all'}, asked at {request.requested_at:%Y-%m-%d %H:%M} UTC"


def _minutes(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"
