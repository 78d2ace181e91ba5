"""The alerts of report requests (observability.report_requests, lib/reports/requests.py): a request that failed, and
the requests still waiting to start or still running longer than the wait allowed after they were asked for.

A failed request is announced here only when no run alert covers it: a refusal (no run), or a run that ended without
failing (cancelled, killed, gone from the instance). A run that failed is run_failure_alerts' (defs/alerts/sensors.py):
it holds a run Dagster will retry, so a retry that completes the request alerts nobody, and it is one alert per run.
Each failure has a cause of its own: one alert per failed request.

Requests wait too long for one of two causes: none starts (the daemon or its requests sensor is down), or a run takes
too long (a slow report, a run holding the DuckDB file). Each is an incident that holds up every request while it
lasts: one alert per cause for all of its requests, naming how many wait and the oldest, again if it grows to twice as
many, and one "moving again" once none waits too long for that cause (`WaitingWatch`, kept in the sensor's cursor). A
slow run never hides a stopped sensor, and the next incident is news again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from customer360.lib.alerts.ledger import Resolved
from customer360.lib.alerts.message import (
    REQUESTS_MOVING_KEY,
    REQUESTS_WAITING_KEY,
    WAITING_CAUSES,
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
    """The requests' "waiting too long" incidents, one per cause (WAITING_CAUSES): when each was alerted and for how
    many requests; none while nothing waits for that cause."""

    alerted_at: dict[str, str] = field(default_factory=dict)
    alerted_count: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"alerted_at": self.alerted_at, "alerted_count": self.alerted_count}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> WaitingWatch:
        data = data or {}
        at = data.get("alerted_at")
        return cls(dict(at) if isinstance(at, dict) else {}, dict(data.get("alerted_count") or {}))

    def observe(self, found: Sequence[ReportRequest], allowed: dt.timedelta, now: dt.datetime,
                ui_url: str | None) -> list[Alert | Resolved]:
        """The events of this tick's requests (`found`: those requested or running longer than `allowed` count), per
        cause: the incident's alert when it opens, again when as many again wait as were alerted (it is growing), its
        end once none waits too long for that cause, nothing in between."""
        events: list[Alert | Resolved] = []
        for status, cause in ((REQUESTED, "to_start"), (RUNNING, "running")):
            overdue = [request for request in found if request.status == status and now - request.requested_at >= allowed]
            opened = self.alerted_at.get(cause)
            if overdue and (opened is None or len(overdue) >= 2 * self.alerted_count.get(cause, len(overdue))):
                # a new incident clears the last "moving again"; a grown one re-announces past the ledger's window
                events.append(Resolved(f"{REQUESTS_MOVING_KEY}:{cause}" if opened is None else f"{REQUESTS_WAITING_KEY}:{cause}"))
                self.alerted_at[cause], self.alerted_count[cause] = now.isoformat(timespec="minutes"), len(overdue)
                events.append(_waiting(overdue, cause, allowed, now, ui_url))
            elif not overdue and opened is not None:
                events += [Resolved(f"{REQUESTS_WAITING_KEY}:{cause}"), requests_moving(cause, (
                    f"every request that waited longer than {_minutes(allowed)} ({WAIT_SETTING}) "
                    f"{WAITING_CAUSES[cause]} has {'started' if cause == 'to_start' else 'ended'}; alerted at "
                    f"{opened.replace('T', ' ')} UTC"))]
                del self.alerted_at[cause], self.alerted_count[cause]
        return events


def _failed(request: ReportRequest, ui_url: str | None) -> Alert:
    error = request.error or "failed without an error recorded"
    where = f"; its run is {request.run_id}" if request.run_id else "; it never started a run"
    return request_alert(request.request_id, request.report, RequestProblem.FAILED,
                         f"{error}{where} ({_asked(request)})", request.run_id, ui_url)


def _waiting(overdue: Sequence[ReportRequest], cause: str, allowed: dt.timedelta, now: dt.datetime,
             ui_url: str | None) -> Alert:
    """One alert for the requests overdue for one cause: how many, the oldest, and their ids."""
    oldest = min(overdue, key=lambda r: r.requested_at)
    if cause == "to_start":
        what = (f"{len(overdue)} still waiting to start, the oldest request {oldest.request_id} ({oldest.report}) for "
                f"{_minutes(now - oldest.requested_at)}: the requests sensor starts requests while the Dagster daemon "
                "runs (make dev); check that it runs and that report_requests_sensor is on")
    else:
        what = (f"{len(overdue)} still running, the oldest request {oldest.request_id} ({oldest.report}) for "
                f"{_minutes(now - oldest.requested_at)} since it was asked for: see its run {oldest.run_id}")
    ids = sorted(r.request_id for r in overdue)
    named = ", ".join(str(i) for i in ids[:MAX_IDS]) + (f" and {len(ids) - MAX_IDS} more" if len(ids) > MAX_IDS else "")
    detail = (f"{what}. Ids {named}; alerted after {_minutes(allowed)} ({WAIT_SETTING}), once until none waits too long "
              "for this cause (again if twice as many wait)")
    return requests_waiting(len(overdue), cause, detail, oldest.run_id if cause == "running" else None, ui_url)


def _asked(request: ReportRequest) -> str:
    dates = f"{request.date_from or '(default)'} to {request.date_to or '(as-of)'}"
    return f"{dates}, segment {request.segment or 'all'}, asked at {request.requested_at:%Y-%m-%d %H:%M} UTC"


def _minutes(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"
