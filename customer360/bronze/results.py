"""Per-file COPY results, shaped like Snowflake's COPY INTO output and COPY_HISTORY rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import dagster as dg

LOADED = "LOADED"
PARTIALLY_LOADED = "PARTIALLY_LOADED"
LOAD_FAILED = "LOAD_FAILED"
LOAD_SKIPPED = "LOAD_SKIPPED"
ALREADY_LOADED = "ALREADY_LOADED"  # reported only; a file skipped this way writes no history row (as Snowflake)


ON_ERROR_HINT = "fix or remove the file and re-run, or set ON_ERROR (C360_ON_ERROR) to CONTINUE or SKIP_FILE"
# The files a table holds: a file with the same name and etag (content) is skipped, as Snowflake's load metadata does.
LOADED_FILES_SQL = (
    "SELECT file_name, file_etag FROM bronze.load_history WHERE table_name = ? AND status IN "
    f"('{LOADED}', '{PARTIALLY_LOADED}')"
)


class CopyAborted(RuntimeError):
    """ON_ERROR=ABORT_STATEMENT met an error: nothing from this COPY was loaded."""


@dataclass(frozen=True)
class FileLoadResult:
    table_name: str
    file_name: str
    status: str
    row_parsed: int | None  # None: not countable (README: Bad input)
    row_count: int
    error_count: int | None
    file_size: int
    file_etag: str
    first_error_message: str | None = None
    first_error_line_number: int | None = None
    first_error_column_name: str | None = None
    duplicate_count: int | None = None  # loaded rows whose key another row of the file has
    repeated_count: int | None = None  # loaded rows whose key a file loaded earlier had

    def history_row(self, stage_location: str, loaded_at: dt.datetime, run_id: str) -> dict:
        row = asdict(self)
        row.update(stage_location=stage_location, last_load_time=loaded_at, run_id=run_id)
        return row


def results_table(results: list[FileLoadResult]) -> dg.TableMetadataValue:
    """Per-file results as a Dagster table, the same columns COPY INTO returns."""
    columns = ["file_name", "status", "row_parsed", "row_count", "error_count", "first_error_message"]
    schema = dg.TableSchema(columns=[
        dg.TableColumn(name, "int" if name.startswith(("row", "error_c")) else "string") for name in columns
    ])
    records = [dg.TableRecord({c: getattr(r, c) for c in columns}) for r in results]
    return dg.MetadataValue.table(records, schema=schema)


def utc_now() -> dt.datetime:
    """Load time per file (UTC, naive): silver orders a key's versions by it, so each file gets its own."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def log_result(log, result: FileLoadResult) -> None:
    if log is not None:
        log.info(f"{result.file_name}: {result.status}, {result.row_count:,} of {result.row_parsed:,} rows loaded")
