"""Bronze: landing objects loaded into typed raw tables with COPY INTO semantics (see bronze/duckdb_copy.py)."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from customer360.assets.landing import LANDING_CUSTOMERS, LANDING_CUSTOMERS_REFRESH, LANDING_TRANSACTIONS
from customer360.assets.streaming import LANDING_STREAMING
from customer360.bronze.contracts import BRONZE_CUSTOMERS, BRONZE_TRANSACTIONS, BronzeTable
from customer360.bronze.duckdb_copy import copy_into
from customer360.bronze.results import ALREADY_LOADED, results_table
from customer360.resources.object_store import ObjectStoreResource
from customer360.resources.portfolio import PortfolioResource
from customer360.settings import ON_ERROR_MODES


class BronzeLoadConfig(dg.Config):
    on_error: str | None = None  # ABORT_STATEMENT | CONTINUE | SKIP_FILE; None = the portfolio default


def bronze_key(table: BronzeTable) -> dg.AssetKey:
    return dg.AssetKey(["bronze", table.name])


def _bronze_asset(table: BronzeTable, upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=bronze_key(table),
        deps=upstream,
        group_name="bronze",
        kinds={"duckdb"},
        description=(
            f"COPY INTO {table.qualified_name} from landing objects under {table.prefix} ({table.file_format}). "
            "Files already in bronze.load_history (same name and content) are skipped, so re-runs never duplicate."
        ),
    )
    def _load(
        context: dg.AssetExecutionContext,
        config: BronzeLoadConfig,
        portfolio: PortfolioResource,
        object_store: ObjectStoreResource,
        warehouse: DuckDBResource,
    ) -> dg.MaterializeResult:
        on_error = (config.on_error or portfolio.on_error).upper()
        if on_error not in ON_ERROR_MODES:
            raise dg.Failure(f"on_error={on_error!r} is not one of {', '.join(ON_ERROR_MODES)}; pick one")
        objects = object_store.list(table.prefix)
        with warehouse.get_connection() as conn:
            results = copy_into(conn, table, object_store, objects, on_error, context.run_id, log=context.log)
            total = conn.execute(f"SELECT count(*) FROM {table.qualified_name}").fetchone()[0]
        fresh = [r for r in results if r.status != ALREADY_LOADED]
        return dg.MaterializeResult(metadata={
            "dagster/row_count": total,
            "rows_loaded": sum(r.row_count for r in fresh),
            "rows_rejected": sum(r.error_count for r in fresh),
            "files_loaded": len(fresh),
            "files_already_loaded": len(results) - len(fresh),
            "on_error": on_error,
            "copy_results": results_table(results),
        })

    return _load


bronze_customers = _bronze_asset(BRONZE_CUSTOMERS, [LANDING_CUSTOMERS, LANDING_CUSTOMERS_REFRESH])
bronze_transactions = _bronze_asset(BRONZE_TRANSACTIONS, [LANDING_TRANSACTIONS, LANDING_STREAMING])
