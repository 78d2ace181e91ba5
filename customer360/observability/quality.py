"""observability.data_quality_metrics: one row per check result, from Dagster checks and dbt tests alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import duckdb
import pyarrow as pa

from customer360.sql import statements


@dataclass(frozen=True)
class CheckRecord:
    check_name: str
    asset_key: str
    passed: bool
    severity: str
    observed_value: float | None
    threshold: float | None
    description: str | None
    run_id: str | None
    checked_at: dt.datetime


def ensure_observability_schema(conn: duckdb.DuckDBPyConnection) -> None:
    for statement in statements("observability"):
        conn.execute(statement)


def record_checks(conn: duckdb.DuckDBPyConnection, records: Sequence[CheckRecord]) -> None:
    if not records:
        return
    ensure_observability_schema(conn)
    conn.register("c360_check_rows", pa.Table.from_pylist([asdict(r) for r in records]))
    conn.execute("INSERT INTO observability.data_quality_metrics BY NAME SELECT * FROM c360_check_rows")
    conn.unregister("c360_check_rows")
