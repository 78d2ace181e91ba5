"""The alerts of report requests (observability.report_requests, lib/reports/requests.py): a request that failed, and
the requests still waiting to start or still running longer than the wait allowed after they were asked for.

A failed request is announced here only when no run alert covers it: a refusal (no run), or a run that ended without
failing (cancelled, killed, gone from the instance). A run that failed is run_failure_alerts' (defs/alerts/sensors.py):
it holds a run Dagster will retry, so a retry that completes the request alerts nobody, and it is one alert per run.
Each failure has a cause of its own: one alert per failed request.

Requests that wait too long share one cause (the daemon or its requests sensor is down, a long run holds the DuckDB
file), which holds up every request filed while it lasts: one alert for all of them, naming how many wait and the
oldest, and one "moving again" once none waits too long (`WaitingWatch`, kept in the sensor's cursor). Requests that
cross the wait while the incident lasts add nothing; the next incident is news again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from customer360.lib.alerts.ledger import Resolved
from customer360.lib.alerts.message import (
    REQUESTS_MOVING_KEY,
    REQUESTS_WAITING_KEY,
    Alert,
    RequestProblem,
    request_alert,
    requests_moving,
    requests_waiting,
)
from customer360.lib.reports.requests import FAILED, REQUESTED, RUNNING, ReportRequest, failure_announced_by_its_run

WAIT_SETTING = "C360_REQUEST_ALERT_AFTER_MIN"
MAX_IDS = 10  # ids named in a waiting alert; the rest are counted


def failure_alerts(found: Sequence[ReportRequest], ui_url: str | None) -> list[Alert]:
    """An alert for each failed request of `found` (overdue_requests' answer), unless its run's failure is
    run_failure_alerts' to announce (once per run and its retries, nothing when a retry completes it)."""
    return [_failed(request, ui_url) for request in found
            if request.status == FAILED and not failure_announced_by_its_run(request)]


@dataclass
class WaitingWatch:
    """Whether the requests' "waiting too long" incident is open: when it was alerted, None while none waits."""

    alerted_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"alerted_at": self.alerted_at}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> WaitingWatch:
        return cls((data or {}).get("alerted_at"))

    def observe(self, found: Sequence[ReportRequest], allowed: dt.timedelta, now: dt.datetime,
                ui_url: str | None) -> list[Alert | Resolved]:
        """The events of this tick's requests (`found`: those requested or running longer than `allowed` count): the
        incident's one alert when it opens, its end once none waits too long, nothing in between."""
        overdue = [request for request in found
                   if request.status in (REQUESTED, RUNNING) and now - request.requested_at >= allowed]
        if overdue and self.alerted_at is None:
            self.alerted_at = now.isoformat(timespec="minutes")
            return [Resolved(REQUESTS_MOVING_KEY), _waiting(overdue, allowed, now, ui_url)]
        if not overdue and self.alerted_at is not None:
            moving = requests_moving(f"every request that waited longer than {_minutes(allowed)} ({WAIT_SETTING}) has "
                                     f"started or ended; alerted at {self.alerted_at.replace('T', ' ')} UTC")
            self.alerted_at = None
            return [Resolved(REQUESTS_WAITING_KEY), moving]
        return []


def _failed(request: ReportRequest, ui_url: str | None) -> Alert:
    error = request.error or "failed without an error recorded"
    where = f"; its run is {request.run_id}" if request.run_id else "; it never started a run"
    return request_alert(request.request_id, request.report, RequestProblem.FAILED,
                         f"{error}{where} ({_asked(request)})", request.run_id, ui_url)


def _waiting(overdue: Sequence[ReportRequest], allowed: dt.timedelta, now: dt.datetime, ui_url: str | None) -> Alert:
    """One alert for every overdue request: how many, by state, the oldest of each, and their ids."""
    parts, run_id = [], None
    if to_start := [r for r in overdue if r.status == REQUESTED]:
        oldest = min(to_start, key=lambda r: r.requested_at)
        parts.append(f"{len(to_start)} still waiting to start, the oldest request {oldest.request_id} "
                     f"({oldest.report}) for {_minutes(now - oldest.requested_at)}: the requests sensor starts "
                     "requests while the Dagster daemon runs (make dev); check that it runs and that "
                     "report_requests_sensor is on")
    if still_running := [r for r in overdue if r.status == RUNNING]:
        oldest = min(still_running, key=lambda r: r.requested_at)
        run_id = oldest.run_id
        parts.append(f"{len(still_running)} still running, the oldest request {oldest.request_id} ({oldest.report}) "
                     f"for {_minutes(now - oldest.requested_at)} since it was asked for: see its run {oldest.run_id}")
    ids = sorted(r.request_id for r in overdue)
    named = ", ".join(str(i) for i in ids[:MAX_IDS]) + (f" and {len(ids) - MAX_IDS} more" if len(ids) > MAX_IDS else "")
    detail = (f"{'; '.join(parts)}. Ids {named}; alerted after {_minutes(allowed)} ({WAIT_SETTING}), once for all the "
              "requests waiting until none waits too long")
    return requests_waiting(len(overdue), detail, run_id, ui_url)


def _asked(request: ReportRequest) -> str:
    dates = f"{request.date_from or '(default)'} to {request.date_to or '(as-of)'}"
    return f"{dates}, segment {request.segment or 'all'}, asked at {request.requested_at:%Y-%m-%d %H:%M} UTC"


def _minutes(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"
