"""Per-file COPY results, shaped like Snowflake's COPY INTO output and COPY_HISTORY rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, replace

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


def duplicates_sql(table) -> str:
    """How many rows of one load (bind: file, loaded_at, file, loaded_at) repeat a key within the file, and how many
    repeat a key loaded before. Silver keeps one row per key either way; these counts say the input repeated itself.

    Earlier rows are only looked up between this file's smallest and largest key: keys that grow with time (ids from
    a sequence, as ours and most sources') then let the warehouse skip every block of other files by its min/max
    (DuckDB's zone maps, Snowflake's micro-partition pruning), where scanning all of bronze for each file made a
    load of n files cost n²/2 file scans."""
    key, name = table.key, table.qualified_name
    this_load = "_source_file = ? AND _loaded_at = ?"
    return f"""
        WITH this_file AS (SELECT {key} AS k FROM {name} WHERE {this_load}),
        bounds AS (SELECT min(k) AS lo, max(k) AS hi FROM this_file)
        SELECT (SELECT count(*) - count(DISTINCT k) FROM this_file),
               (SELECT count(*) FROM this_file WHERE k IN (
                   SELECT {key} FROM {name}
                   WHERE {key} >= (SELECT lo FROM bounds) AND {key} <= (SELECT hi FROM bounds)
                     AND NOT ({this_load})))"""


def with_duplicates(result: FileLoadResult, row) -> FileLoadResult:
    within, earlier = row
    return replace(result, duplicate_count=int(within or 0), repeated_count=int(earlier or 0))


def utc_now() -> dt.datetime:
    """Load time per file (UTC, naive): silver orders a key's versions by it, so each file gets its own."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def describe(result: FileLoadResult) -> str:
    """One line a user can act on: the file, its outcome and, for a rejected row or file, where and why."""
    parsed = "an unknown number of" if result.row_parsed is None else f"{result.row_parsed:,}"
    line = f"{result.file_name}: {result.status}, {result.row_count:,} of {parsed} rows loaded"
    if result.first_error_message:
        where = "".join([f" line {result.first_error_line_number}" if result.first_error_line_number else "",
                         f" column {result.first_error_column_name}" if result.first_error_column_name else ""])
        rejected = "" if result.error_count is None else f"{result.error_count:,} rejected; "
        line += f" ({rejected}first:{where or ' the file'}: {result.first_error_message})"
    return line


def log_result(log, result: FileLoadResult) -> None:
    """Every file's outcome in the run log; a file not fully loaded is a warning that says why."""
    if log is not None:
        (log.info if result.status in (LOADED, ALREADY_LOADED) else log.warning)(describe(result))
