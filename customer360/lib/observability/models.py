"""observability.model_execution_log: one row per dbt node per run, from dbt's run_results.json."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pyarrow as pa

from customer360.lib.observability.quality import ensure_observability_schema
from customer360.lib.resources.warehouse import WarehouseSession


def model_rows(run_results: Mapping, run_id: str) -> list[dict]:
    completed = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    invocation = run_results.get("metadata", {}).get("invocation_id")
    return [
        {
            "run_id": run_id,
            "invocation_id": invocation,
            "unique_id": result["unique_id"],
            "resource_type": result["unique_id"].split(".", 1)[0],
            "status": str(result["status"]),
            "execution_s": result.get("execution_time"),
            "rows_affected": (result.get("adapter_response") or {}).get("rows_affected"),
            "message": (result.get("message") or None),
            "completed_at": completed,
        }
        for result in run_results.get("results", [])
    ]


# Typed, so a batch whose rows_affected are all null (dbt-duckdb incrementals) still inserts.
_SCHEMA = pa.schema([("run_id", pa.string()), ("invocation_id", pa.string()), ("unique_id", pa.string()),
                        ("resource_type", pa.string()), ("status", pa.string()), ("execution_s", pa.float64()),
                        ("rows_affected", pa.int64()), ("message", pa.string()), ("completed_at", pa.timestamp("us"))])


def record_models(session: WarehouseSession, run_results: Mapping, run_id: str) -> int:
    rows = model_rows(run_results, run_id)
    if not rows:
        return 0
    ensure_observability_schema(session)
    return session.insert_rows("observability.model_execution_log", rows, schema=_SCHEMA)
