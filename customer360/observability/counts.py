"""observability.layer_record_counts: per run, layer and table - rows, keys (distinct, null, duplicate), time span."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from customer360.observability.quality import ensure_observability_schema


@dataclass(frozen=True)
class MeasuredTable:
    layer: str
    table: str
    key: str
    event_time: str


MEASURED_TABLES = (
    MeasuredTable("bronze", "bronze.bronze_customers", "customer_id", "_loaded_at"),
    MeasuredTable("bronze", "bronze.bronze_transactions", "transaction_id", "transaction_date"),
    MeasuredTable("silver", "silver.customers_snapshot", "dbt_scd_id", "dbt_valid_from"),
    MeasuredTable("gold", "gold.dim_customer", "customer_version_key", "valid_from"),
    MeasuredTable("gold", "gold.fct_transactions", "transaction_id", "transaction_at"),
    MeasuredTable("gold", "gold.customer_360_profile", "customer_id", "last_transaction_date"),
)


def _exists(conn: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, table = qualified.split(".")
    found = conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                         [schema, table]).fetchone()[0]
    return found > 0


def measure_layers(conn: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple]:
    """Measure every table that exists now and append the rows; return them."""
    ensure_observability_schema(conn)
    measured_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = []
    for t in (m for m in MEASURED_TABLES if _exists(conn, m.table)):
        count, distinct, nulls, low, high = conn.execute(
            f"SELECT count(*), count(DISTINCT {t.key}), count(*) - count({t.key}), "
            f"CAST(min({t.event_time}) AS TIMESTAMP), CAST(max({t.event_time}) AS TIMESTAMP) FROM {t.table}"
        ).fetchone()
        duplicates = count - nulls - distinct
        rows.append((run_id, t.layer, t.table, t.key, count, distinct, nulls, duplicates, low, high, measured_at))
    conn.executemany(
        "INSERT INTO observability.layer_record_counts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return rows
