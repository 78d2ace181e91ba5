"""DDL kept as SQL files, read by name, so the same statements serve code, review and snowflake_setup/.

The bronze control tables, the observability schema and the model outputs are written once, in snowflake_setup/, in SQL that both
DuckDB and Snowflake accept; the local target applies the same files.
"""

from __future__ import annotations

from pathlib import Path

from customer360.lib.paths import ROOT
from customer360.lib.resources.warehouse import SNOWFLAKE, WarehouseSession

SETUP_DIR = ROOT / "snowflake_setup"
SHARED = {
    "bronze_control": SETUP_DIR / "05_bronze_control.sql",
    "observability": SETUP_DIR / "07_observability.sql",
    "model_outputs": SETUP_DIR / "10_model_outputs.sql",
    # Local only: Snowflake's report_requests (snowflake_setup/12) is written in a dialect DuckDB does not take.
    "report_requests_local": Path(__file__).parent / "report_requests_local.sql",
}


def split_statements(text: str) -> list[str]:
    """The `;`-separated statements of a SQL text. Whole-line `--` comments are dropped first, so prose in them may
    use any punctuation; the files keep no `;` inside string literals. A `$$ ... $$` body (a procedure's) is one
    piece of its statement, whatever `;` it holds."""
    code = "\n".join(line for line in text.splitlines() if not line.strip().startswith("--"))
    statements, current = [], ""
    for index, part in enumerate(code.split("$$")):
        if index % 2:  # inside $$ ... $$
            current += f"$${part}$$"
            continue
        first, *rest = part.split(";")
        if rest:
            statements += [current + first, *rest[:-1]]
            current = rest[-1]
        else:
            current += first
    return [s.strip() for s in [*statements, current] if s.strip()]


def statements(name: str) -> list[str]:
    """The statements of a shared DDL file (see SHARED)."""
    return split_statements(SHARED[name].read_text())


def apply_locally(session: WarehouseSession, name: str) -> None:
    """Apply a shared DDL file (see SHARED) on the local target. On Snowflake, snowflake_setup/ owns the DDL (the
    pipeline's role need not create schemas, and re-running DDL each write would be noise in the query history)."""
    if session.dialect == SNOWFLAKE:
        return
    for statement in statements(name):
        session.execute(statement)
