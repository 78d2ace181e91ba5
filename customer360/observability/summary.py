"""Row counts per table of every layer: what `make demo` prints and what tests reconcile."""

from __future__ import annotations

import duckdb

LAYERS = ("bronze", "silver", "gold", "observability")


def table_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """{'schema.table': rows} for every base table in the layer schemas, in layer order."""
    tables = conn.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' AND table_schema IN (SELECT unnest(?)) ORDER BY table_schema, table_name",
        [list(LAYERS)],
    ).fetchall()
    tables.sort(key=lambda t: (LAYERS.index(t[0]), t[1]))
    return {f"{s}.{t}": conn.execute(f"SELECT count(*) FROM {s}.{t}").fetchone()[0] for s, t in tables}


def format_counts(counts: dict[str, int]) -> str:
    width = max((len(name) for name in counts), default=10)
    return "\n".join(f"  {name:<{width}}  {rows:>12,}" for name, rows in counts.items())
