"""Bronze: landing objects loaded into typed raw tables with COPY INTO semantics.

The load itself is the `bronze_copy` resource (lib/bronze/loader.py): COPY INTO semantics once, with the target's
engine chosen by the wiring (DuckDB locally, Snowflake's external stages in production). Both return the same
per-file results and write the same bronze.load_history and bronze.bronze_rejects.
"""


from collections.abc import Callable

import dagster as dg

from customer360.lib.asset_keys import LANDING_STREAMING, LANDING_TRANSACTIONS, bronze_key, staging_key
from customer360.lib.bronze.contracts import BRONZE_TRANSACTIONS, LINEAGE_COLUMNS, BronzeTable
from customer360.lib.bronze.loader import BronzeCopy
from customer360.lib.bronze.results import ALREADY_FAILED, ALREADY_LOADED, FileLoadResult, results_table
from customer360.lib.replication.cleanup import clean_up
from customer360.lib.replication.config import replicated_tables
from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.lib.resources.portfolio import PortfolioResource
from customer360.lib.resources.warehouse import Warehouse
from customer360.settings import ON_ERROR_MODES, settings

AfterLoad = Callable[[list[FileLoadResult], ObjectStoreResource, object], dict]


class BronzeLoadConfig(dg.Config):
    on_error: str | None = None  # ABORT_STATEMENT | CONTINUE | SKIP_FILE; None = the portfolio default
    # A file that failed before (same name and content) is reported, not parsed or recorded again, unless this is set.
    retry_failed_files: bool = False


def load_metadata(results: list[FileLoadResult]) -> dict:
    """The figures of one load. A file whose rows cannot be counted (another file type, an unreadable Parquet file)
    has no error_count: it adds nothing to rows_rejected and is counted in files_with_uncountable_rows instead."""
    fresh = [r for r in results if r.status not in (ALREADY_LOADED, ALREADY_FAILED)]
    return {
        "rows_loaded": sum(r.row_count for r in fresh),
        "rows_rejected": sum(r.error_count for r in fresh if r.error_count is not None),
        "files_with_uncountable_rows": sum(r.error_count is None for r in fresh),
        "files_loaded": len(fresh),
        "files_already_loaded": sum(r.status == ALREADY_LOADED for r in results),
        "files_failed_before": sum(r.status == ALREADY_FAILED for r in results),
    }


def table_metadata(table: BronzeTable) -> dict:
    """The table's name and typed columns from its contract, as the UI shows them (with NOT NULL where a rule needs a
    value)."""
    columns = [dg.TableColumn(name, sql_type.lower(), constraints=dg.TableColumnConstraints(
        nullable=name not in table.not_null)) for name, sql_type in (*table.columns, *LINEAGE_COLUMNS)]
    return {"dagster/table_name": table.qualified_name,
            "dagster/column_schema": dg.TableSchema(columns=columns)}


def bronze_asset(table: BronzeTable, upstream: list[dg.AssetKey], kind: str,
                 after_load: AfterLoad | None = None) -> dg.AssetsDefinition:
    """The bronze table's asset; `after_load(results, object_store)` may act on the loaded files (staging cleanup)
    and returns metadata to add."""
    @dg.asset(
        key=bronze_key(table.name),
        deps=upstream,
        group_name="bronze",
        kinds={kind},
        metadata=table_metadata(table),
        description=(
            f"COPY INTO {table.qualified_name} from landing objects under {table.prefix} (CSV or Parquet). "
            "Files already in bronze.load_history (same name and content) are skipped, so re-runs never duplicate."
            + (f" Files under {table.listed_prefix} in a folder no table reads are recorded here as failed."
               if table.listed_prefix else "")
        ),
    )
    def _load(
        context: dg.AssetExecutionContext,
        config: BronzeLoadConfig,
        portfolio: PortfolioResource,
        object_store: ObjectStoreResource,
        warehouse: dg.ResourceParam[Warehouse],
        bronze_copy: dg.ResourceParam[BronzeCopy],
    ) -> dg.MaterializeResult:
        on_error = (config.on_error or portfolio.on_error).upper()
        if on_error not in ON_ERROR_MODES:
            raise dg.Failure(f"on_error={on_error!r} is not one of {', '.join(ON_ERROR_MODES)}; pick one")
        objects = object_store.list(table.listing)
        with warehouse.session() as session:
            results = bronze_copy.copy_into(session, table, object_store, objects, on_error, context.run.run_id,
                                            log=context.log, retry_failed=config.retry_failed_files)
            total = session.fetchone(f"SELECT count(*) FROM {table.qualified_name}")[0]
        extra = after_load(results, object_store, context.log) if after_load else {}
        return dg.MaterializeResult(metadata={**extra,
            "dagster/row_count": total,
            **load_metadata(results),
            "on_error": on_error,
            "copy_results": results_table(results),
        })

    return _load


def _cleanup(mode: str) -> AfterLoad:
    def after_load(results, object_store, log) -> dict:
        deleted = clean_up(mode, object_store, results)
        if deleted:
            log.info(f"staging cleanup ({mode}): deleted {len(deleted)} loaded files")
        return {"staging_cleanup": mode, "staged_files_deleted": len(deleted)}
    return after_load


def bronze_assets(warehouse_kind: str, cleanup: str) -> list[dg.AssetsDefinition]:
    """Every bronze table, tagged with the warehouse it loads into (duckdb or snowflake) for the UI: transactions
    from the landing zone, and each replicated table (replication.yaml) from its staging files, which are then
    cleaned up as `cleanup` (C360_STAGING_CLEANUP) says."""
    return [
        bronze_asset(BRONZE_TRANSACTIONS, [LANDING_TRANSACTIONS, LANDING_STREAMING], warehouse_kind),
        *(bronze_asset(table.bronze, [staging_key(table.asset_name)], warehouse_kind, after_load=_cleanup(cleanup))
          for table in replicated_tables()),
    ]


@dg.definitions
def bronze_defs() -> dg.Definitions:
    s = settings()
    return dg.Definitions(assets=bronze_assets("snowflake" if s.snowflake else "duckdb", s.staging_cleanup))
