"""One staging asset per replicated table (replication.yaml): staging/<schema>_<table> extracts from the source into
batch files. The bronze domain COPYs them into bronze/<schema>_<table> and applies the cleanup mode."""

import dagster as dg

from customer360.lib.asset_keys import SOURCE_CARDS, SOURCE_CARDS_CHANGES, staging_key
from customer360.lib.replication.config import ReplicatedTable, replicated_tables
from customer360.lib.replication.extract import StagingOptions, extract
from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.lib.resources.source import SourceDatabaseResource, StagingResource

ALL_SOURCE_COLUMNS_REPLICATED = "all_source_columns_replicated"


def _staging_asset(table: ReplicatedTable) -> dg.AssetsDefinition:
    key = staging_key(table.asset_name)
    how = (f"rows whose {table.cursor} moved since the last extract" if table.incremental
           else "every row, every run (full refresh)")

    @dg.asset(
        key=key,
        deps=[SOURCE_CARDS, SOURCE_CARDS_CHANGES],
        group_name="staging",
        kinds={"postgres", "s3"},
        description=(f"{table.qualified_source} from the operational database to {table.prefix} as batch files: "
                     f"{how}. CSV below C360_STAGING_CSV_MAX_ROWS rows, Parquet above (replication.yaml)."),
        check_specs=[dg.AssetCheckSpec(
            ALL_SOURCE_COLUMNS_REPLICATED, asset=key,
            description=f"Every column of {table.qualified_source} is in its replication.yaml contract (a new source "
                        "column is recorded and not staged until the contract lists it).")],
    )
    def _stage(context: dg.AssetExecutionContext, source: SourceDatabaseResource, staging: StagingResource,
               object_store: ObjectStoreResource):
        with source.connect(context.log) as conn:
            result = extract(conn, table, object_store,
                             StagingOptions(csv_max_rows=staging.csv_max_rows, batch_rows=staging.batch_rows), log=context.log,
                             run_id=context.run.run_id)
        yield dg.MaterializeResult(metadata={
            "dagster/row_count": result.rows,
            "files": len(result.files),
            "file_format": result.file_format or "none",
            "bytes": sum(f.size for f in result.files),
            "cursor_from": str(result.cursor_from), "cursor_to": str(result.cursor_to),
            "rows_per_second": round(result.rows_per_second),
            "seconds": round(result.seconds, 3),
            "recovered_files_deleted": len(result.recovered_files),
            "unchanged_since_last_extract": result.unchanged,
            "new_source_columns": ", ".join(result.new_source_columns) or "none",
            "prefix": f"{object_store.location}{table.prefix}",
        })
        yield dg.AssetCheckResult(
            check_name=ALL_SOURCE_COLUMNS_REPLICATED, asset_key=key, passed=not result.new_source_columns,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"new_source_columns": ", ".join(result.new_source_columns) or "none"},
            description=None if not result.new_source_columns else
            "Add the columns to replication.yaml (and the bronze table) to load them; until then they are dropped.")

    return _stage


@dg.definitions
def replication_defs() -> dg.Definitions:
    return dg.Definitions(assets=[_staging_asset(table) for table in replicated_tables()])
