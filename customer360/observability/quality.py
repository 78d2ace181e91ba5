"""observability.data_quality_metrics: one row per check result, from Dagster checks and dbt tests alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from customer360.resources.warehouse import SNOWFLAKE, WarehouseSession
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


def ensure_observability_schema(session: WarehouseSession) -> None:
    """Create the observability schema on the local target. On Snowflake, snowflake_setup/ owns the DDL (the
    pipeline's role need not create schemas, and re-running DDL each write would be noise in the query history)."""
    if session.dialect == SNOWFLAKE:
        return
    for statement in statements("observability"):
        session.execute(statement)


def record_checks(session: WarehouseSession, records: Sequence[CheckRecord]) -> None:
    if not records:
        return
    ensure_observability_schema(session)
    session.insert_rows("observability.data_quality_metrics", [asdict(r) for r in records])
