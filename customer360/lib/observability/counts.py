"""observability.layer_record_counts: per run, layer and table - rows, keys (distinct, null, duplicate), time span."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from customer360.lib.observability.quality import ensure_observability_schema
from customer360.lib.resources.warehouse import WarehouseSession


@dataclass(frozen=True)
class MeasuredTable:
    layer: str
    table: str
    key: str
    event_time: str


MEASURED_TABLES = (
    MeasuredTable("bronze", "bronze.cards_accounts", "customer_id", "updated_at"),
    MeasuredTable("bronze", "bronze.cards_credit_limit_events", "event_id", "changed_at"),
    MeasuredTable("bronze", "bronze.bronze_transactions", "transaction_id", "transaction_date"),
    MeasuredTable("silver", "silver.customers_snapshot", "dbt_scd_id", "dbt_valid_from"),
    MeasuredTable("gold", "gold.dim_customer", "customer_version_key", "valid_from"),
    MeasuredTable("gold", "gold.fct_transactions", "transaction_id", "transaction_at"),
    MeasuredTable("gold", "gold.customer_360_profile", "customer_id", "last_transaction_date"),
)


def _existing(session: WarehouseSession) -> set[str]:
    found = session.fetchall("SELECT lower(table_schema), lower(table_name) FROM information_schema.tables")
    return {f"{schema}.{table}" for schema, table in found}


def _measure_sql(t: MeasuredTable) -> str:
    """Rows, nulls and the time span in one scan; distinct keys counted with GROUP BY, which spills to disk, not
    count(DISTINCT), which DuckDB holds in memory. Grouping the keys alone (no per-key min/max) keeps the grouping
    small (make bench measures it)."""
    return f"""
        SELECT count(*),
               (SELECT count(*) FROM (SELECT {t.key} FROM {t.table} WHERE {t.key} IS NOT NULL GROUP BY 1) keys),
               count(*) - count({t.key}), CAST(min({t.event_time}) AS TIMESTAMP), CAST(max({t.event_time}) AS TIMESTAMP)
        FROM {t.table}"""


def measure_layers(session: WarehouseSession, run_id: str) -> list[dict]:
    """Measure every table that exists now and append the rows; return them."""
    ensure_observability_schema(session)
    measured_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    existing = _existing(session)
    rows = []
    for t in (m for m in MEASURED_TABLES if m.table in existing):
        count, distinct, nulls, low, high = session.fetchone(_measure_sql(t))
        rows.append({
            "run_id": run_id, "layer": t.layer, "table_name": t.table, "key_column": t.key, "row_count": count,
            "distinct_keys": distinct, "null_keys": nulls, "duplicate_keys": count - nulls - distinct,
            "min_event_time": low, "max_event_time": high, "measured_at": measured_at,
        })
    session.insert_rows("observability.layer_record_counts", rows)
    return rows
