"""observability.data_quality_metrics: one row per check result, from Dagster checks and dbt tests alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from customer360.lib.resources.warehouse import WarehouseSession
from customer360.lib.sql import apply_locally


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
    """Create the observability schema on the local target (snowflake_setup/07 and 12 on Snowflake)."""
    apply_locally(session, "observability")
    apply_locally(session, "report_requests_local")


def record_checks(session: WarehouseSession, records: Sequence[CheckRecord]) -> None:
    if not records:
        return
    ensure_observability_schema(session)
    session.insert_rows("observability.data_quality_metrics", [asdict(r) for r in records])
