"""observability.report_runs: each attempt's transitions, each committed as it happens.

pending -> uploading -> completed | failed. A process killed between two transitions leaves the last one written, so
a crash mid-upload reads `uploading` (never `completed`) until a sweep (reports/publish.py) sees its Dagster run has
ended and marks it `abandoned`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from customer360.lib.observability.quality import ensure_observability_schema
from customer360.lib.resources.warehouse import WarehouseSession

PENDING, UPLOADING, COMPLETED, FAILED, ABANDONED = "pending", "uploading", "completed", "failed", "abandoned"
_ERROR_CHARS = 4000  # error_message keeps the start of a long error (the whole one is in the run's log)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Attempt:
    """Which row a transition updates: one report in one Dagster run."""

    execution_id: str
    run_id: str
    report: str


def start(session: WarehouseSession, attempt: Attempt, parameters: dict, requested_by: str,
          export_table: str | None, run_by: str | None = None) -> None:
    """The attempt's first row: `requested_by` as claimed, `run_by` who the run's tags say ran it."""
    ensure_observability_schema(session)
    now = _now()
    row = {
        "execution_id": attempt.execution_id, "run_id": attempt.run_id, "report": attempt.report,
        "parameters": json.dumps(parameters, sort_keys=True), "requested_by": requested_by, "run_by": run_by,
        "status": PENDING,
        "export_table": export_table, "upload_attempts": 0,
        "started_at": now, "updated_at": now,
    }
    session.insert_rows("observability.report_runs", [{k: v for k, v in row.items() if v is not None}])


def refused(session: WarehouseSession, attempt: Attempt, parameters: dict, requested_by: str,
            error: BaseException, run_by: str | None = None) -> None:
    """An attempt whose parameters were refused before any query ran: its one row, failed with the reason, so the
    latest attempt of the report is this one and says why it did not run."""
    start(session, attempt, parameters, requested_by, None, run_by)
    failed(session, attempt, error, 0)


def uploading(session: WarehouseSession, attempt: Attempt, row_count: int) -> None:
    _update(session, attempt, UPLOADING, row_count=row_count)


def completed(session: WarehouseSession, attempt: Attempt, keys: list[str], upload_attempts: int,
              uploaded_at: dt.datetime) -> None:
    _update(session, attempt, COMPLETED, object_keys=json.dumps(keys), upload_attempts=upload_attempts,
            uploaded_at=uploaded_at)


def failed(session: WarehouseSession, attempt: Attempt, error: BaseException, upload_attempts: int) -> None:
    message = f"{type(error).__name__}: {error}"[:_ERROR_CHARS]
    _update(session, attempt, FAILED, error_message=message, upload_attempts=upload_attempts, object_keys="[]")


def abandoned(session: WarehouseSession, attempt: Attempt, reason: str) -> None:
    _update(session, attempt, ABANDONED, error_message=reason[:_ERROR_CHARS], object_keys="[]")


def unfinished(session: WarehouseSession) -> list[dict]:
    """Attempts still `pending` or `uploading`: running now, or left so by a run that died."""
    ensure_observability_schema(session)
    return [row for row in rows(session) if row["status"] in (PENDING, UPLOADING)]


def _update(session: WarehouseSession, attempt: Attempt, status: str, **columns) -> None:
    columns = {"status": status, **columns, "updated_at": _now()}
    assignments = ", ".join(f"{name} = ?" for name in columns)
    session.execute(f"UPDATE observability.report_runs SET {assignments} WHERE run_id = ? AND report = ?",
                    [*columns.values(), attempt.run_id, attempt.report])


def rows(session: WarehouseSession, report: str | None = None) -> list[dict]:
    """The attempts, newest first (for tests, the CLI and the example query of docs/operating.md)."""
    names = ["execution_id", "run_id", "report", "parameters", "requested_by", "run_by", "status", "row_count",
             "object_keys", "export_table", "upload_attempts", "started_at", "uploaded_at", "error_message"]
    where, params = ("WHERE report = ?", [report]) if report else ("", [])
    found = session.fetchall(f"SELECT {', '.join(names)} FROM observability.report_runs {where} "
                             "ORDER BY started_at DESC, report", params)
    return [dict(zip(names, row, strict=True)) for row in found]
