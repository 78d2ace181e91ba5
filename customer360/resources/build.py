"""Resources for the chosen target, built from Settings (the only input)."""

from __future__ import annotations

from dagster_duckdb import DuckDBResource

from customer360.resources.dbt import dbt_cli, dbt_project
from customer360.resources.object_store import ObjectStoreResource
from customer360.resources.portfolio import PortfolioResource
from customer360.settings import Settings


def build_resources(s: Settings) -> dict:
    s.home.mkdir(parents=True, exist_ok=True)
    local_lake = None if s.s3_endpoint_url else str(s.lake_root)
    return {
        "portfolio": PortfolioResource(
            customers=s.customers, months=s.months, seed=s.seed, as_of=s.as_of.isoformat(), on_error=s.on_error
        ),
        "object_store": ObjectStoreResource(bucket=s.s3_bucket, local_root=local_lake, endpoint_url=s.s3_endpoint_url),
        # Bounded so the whole graph fits the 3 GB budget; DuckDB spills larger work to disk.
        "warehouse": DuckDBResource(database=str(s.warehouse_path), connection_config={"memory_limit": "1536MB"}),
        "dbt": dbt_cli(dbt_project(s.dbt_target, s.dbt_vars_json()), s.dbt_target),
    }
