"""Ask in the app and on the command line: the parser (customer360/lib/semantic/ask.py) over the app's read-only
warehouse, as the reader's role.

The role rule of access.py applies as everywhere in the app: a role without the OBSERVABILITY grant gets pipeline
health refused, and on Snowflake every statement runs with the role's own session. The vocabulary's distinct values
come from the warehouse once per Asker (the app keeps one per role for a few minutes).
"""

from __future__ import annotations

import json

from customer360.app.warehouse import AppWarehouse
from customer360.lib.reports.publish import REPORTS_PREFIX
from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.lib.semantic.ask import Answer, Asker
from customer360.settings import Settings


def reports_location(s: Settings) -> str:
    """Where report files land: the object store's location (as resources.object_store_resource builds it)."""
    store = ObjectStoreResource(bucket=s.s3_bucket, local_root=str(s.landing_root) if s.landing_root else None,
                                endpoint_url=s.s3_endpoint_url)
    return store.location + REPORTS_PREFIX


def asker(wh: AppWarehouse) -> Asker:
    return Asker.over(wh.rows, wh.settings.as_of, wh.role.name, wh.role.reads_observability,
                      reports_location(wh.settings))


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
