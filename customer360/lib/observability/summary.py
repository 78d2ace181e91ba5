"""Row counts per table of every layer: what `make demo` prints and what tests reconcile."""

from __future__ import annotations

from customer360.lib.resources.warehouse import WarehouseSession

LAYERS = ("bronze", "silver", "gold", "observability")


def table_counts(session: WarehouseSession, only: set[str] | None = None) -> dict[str, int]:
    """{'schema.table': rows} for every base table in the layer schemas (or those of them in `only`), in layer
    order."""
    found = session.fetchall(
        "SELECT lower(table_schema), lower(table_name) FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
    )
    wanted = [(s, t) for s, t in found if s in LAYERS and (only is None or f"{s}.{t}" in only)]
    tables = sorted(wanted, key=lambda t: (LAYERS.index(t[0]), t[1]))
    return {f"{s}.{t}": session.fetchone(f"SELECT count(*) FROM {s}.{t}")[0] for s, t in tables}


def format_counts(counts: dict[str, int]) -> str:
    width = max((len(name) for name in counts), default=10)
    return "\n".join(f"  {name:<{width}}  {rows:>12,}" for name, rows in counts.items())
