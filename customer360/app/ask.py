"""Ask in the app and on the command line: the parser (customer360/lib/semantic/ask.py) over the app's read-only
warehouse, as the reader's role.

The role rule of access.py applies as everywhere in the app: a role without the OBSERVABILITY grant gets pipeline
health refused, and on Snowflake every statement runs with the role's own session. The vocabulary's distinct values
come from the warehouse once per Asker (the app keeps one per role for a few minutes).

A report request ("Generate a sales report for last quarter") is filed as the Reports page files one
(AppWarehouse.file_request: the role rule, then lib/reports/requests.file_request's validation, or Snowflake's
REQUEST_REPORT procedure), by `filer`, which the caller passes to each `ask`: the Asker is shared by a role's
sessions, the person asking is not.
"""

from __future__ import annotations

import datetime as dt
import json

from customer360.app.warehouse import REQUEST_REPORT_CALL, AppWarehouse, WarehouseUnavailable
from customer360.lib.reports import requests
from customer360.lib.reports.publish import REPORTS_PREFIX
from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.lib.semantic.ask import Answer, Asker
from customer360.lib.semantic.report_requests import Filed, FileRequest, NotFiled
from customer360.lib.semantic.understanding import ReportRequest
from customer360.settings import Settings

# The SQL way in on DuckDB (docs/reports.md: From SQL), which Ask shows as the statement of a request it filed.
LOCAL_INSERT = ("INSERT INTO observability.report_requests (report, date_from, date_to, segment, requested_by) "
                "VALUES (?, ?, ?, ?, ?)")


def reports_location(s: Settings) -> str:
    """Where report files land: the object store's location (as resources.object_store_resource builds it)."""
    store = ObjectStoreResource(bucket=s.s3_bucket, local_root=str(s.landing_root) if s.landing_root else None,
                                endpoint_url=s.s3_endpoint_url)
    return store.location + REPORTS_PREFIX


def asker(wh: AppWarehouse) -> Asker:
    return Asker.over(wh.rows, wh.settings.as_of, wh.role.name, wh.role.reads_observability,
                      reports_location(wh.settings))


def filer(wh: AppWarehouse, requested_by: str) -> FileRequest:
    """Files a request Ask understood, as `requested_by`, through the warehouse's one write; NotFiled says why not
    and what to do (the role may not, the request cannot run, the warehouse is busy)."""

    def file(request: ReportRequest) -> Filed:
        values = (request.report, _day(request.date_from), _day(request.date_to), request.segment)
        try:
            filed = wh.file_request(*values, requested_by)
        except requests.RequestRefused as refused:
            raise NotFiled(f"The request was refused: {refused}.") from None
        except WarehouseUnavailable as busy:
            raise NotFiled(f"{busy} Nothing was filed: ask again, or file it from a shell with the command below "
                           "(it waits for the warehouse).") from None
        if wh.dialect == "snowflake":
            sql, params = REQUEST_REPORT_CALL, values
        else:
            sql, params = LOCAL_INSERT, (filed.report, filed.date_from, filed.date_to, filed.segment or "",
                                         filed.requested_by)
        return Filed(filed.request_id, filed.report, _date(filed.date_from), _date(filed.date_to),
                     filed.segment or "", filed.status, sql, tuple(params))

    return file


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def as_text(answer: Answer, shown_rows: int = 50) -> str:
    """An answer for a terminal: what was understood, the rows as a table, the SQL with its bound values."""
    shaped = answer.as_json()
    if answer.status == "clarify":
        return "\n".join([f"Clarify: {answer.interpretation}", "Did you mean:",
                          *(f"  - {reading}" for reading in answer.suggestions)])
    if answer.status == "refused":
        return "\n".join([f"Refused: {answer.interpretation}",
                          *(["Try:", *(f"  - {s}" for s in answer.suggestions)] if answer.suggestions else [])])
    lines = [answer.interpretation, f"(chart: {answer.chart})", ""]
    table = [shaped["columns"]] + [[_cell(v) for v in row] for row in shaped["rows"][:shown_rows]]
    widths = [max(len(str(r[i])) for r in table) for i in range(len(shaped["columns"]))]
    lines += ["  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in table]
    more = len(shaped["rows"]) - shown_rows
    lines.append(f"({len(shaped['rows']):,} row{'s' if len(shaped['rows']) != 1 else ''}"
                 + (f", first {shown_rows} shown; --json gives all" if more > 0 else "") + ")")
    lines += ["", f"SQL: {answer.sql}", f"Bound values: {json.dumps(shaped['params'])}"]
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4f}" if abs(value) < 1 else f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)
