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
# Reported only: this name and content failed in an earlier load; it is not parsed or recorded again (load_history
# and bronze_rejects would grow by the same rows every run) until a corrected copy arrives or a retry is asked for.
ALREADY_FAILED = "ALREADY_FAILED"


# A failed file is not tried again as it is (ALREADY_FAILED below): SKIP_FILE then loads the other files, and CONTINUE
# loads its good rows only when asked to retry it.
ON_ERROR_HINT = ("put a corrected copy under the same name (or remove the file) and re-run, or set ON_ERROR "
                 "(C360_ON_ERROR) to SKIP_FILE to load the other files, or to CONTINUE with the bronze asset's run "
                 "config retry_failed_files: true to load its good rows too")
RETRY_HINT = ("a corrected copy under the same name loads; to try this one again as it is (say, under another "
              "ON_ERROR), run the bronze asset with run config retry_failed_files: true")
# What each file of a table came to: a file with the same name and etag (content) that loaded is skipped, as
# Snowflake's load metadata does; one that failed is reported, not tried again, unless asked.
RECORDED_FILES_SQL = (
    "SELECT file_name, file_etag, status, first_error_message FROM bronze.load_history WHERE table_name = ? "
    "ORDER BY last_load_time"
)
_RANK = {LOADED: 2, PARTIALLY_LOADED: 1}  # a file loaded in full, else in part, else its latest failure


class CopyAborted(RuntimeError):
    """ON_ERROR=ABORT_STATEMENT met an error: nothing from this COPY was loaded."""


@dataclass(frozen=True)
class FileLoadResult:
    table_name: str
    file_name: str
    status: str
    row_parsed: int | None  # None: not countable (docs/operating.md: Bad input)
    row_count: int
    error_count: int | None
    file_size: int
    file_etag: str
    first_error_message: str | None = None
    first_error_line_number: int | None = None
    first_error_column_name: str | None = None
    duplicate_count: int | None = None  # loaded rows whose key another row of the file has
    repeated_count: int | None = None  # loaded rows whose key a file loaded earlier had
    # ALREADY_LOADED / ALREADY_FAILED: the outcome load_history holds for the file (None: Snowflake's own load
    # metadata skipped it, and our history has no row). Cleanup deletes only a file recorded as LOADED.
    recorded_status: str | None = None

    def history_row(self, stage_location: str, loaded_at: dt.datetime, run_id: str) -> dict:
        row = asdict(self)
        del row["recorded_status"]
        row.update(stage_location=stage_location, last_load_time=loaded_at, run_id=run_id)
        return row

    @property
    def loaded_in_full(self) -> bool:
        """Every row of the file is in bronze, now or by an earlier load: the only files staging cleanup deletes."""
        return self.status == LOADED or (self.status == ALREADY_LOADED and self.recorded_status == LOADED)


def recorded_outcomes(rows) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(name, etag) -> (status, first error) from RECORDED_FILES_SQL's rows, oldest first."""
    outcomes: dict[tuple[str, str], tuple[str, str | None]] = {}
    for name, etag, status, message in rows:
        kept = outcomes.get((name, etag))
        if kept is None or _RANK.get(status, 0) >= _RANK.get(kept[0], 0):
            outcomes[(name, etag)] = (status, message)
    return outcomes


def triage(table, objects, outcomes: dict, on_error: str, retry_failed: bool) -> tuple[list[FileLoadResult], list]:
    """Split the objects the table accepts into results already known from load_history and files to load.

    Under ABORT_STATEMENT a file that failed before stops the load at once, as its first failure did, without
    parsing or recording it again."""
    known, pending = [], []
    for obj in (o for o in objects if table.accepts(o.key)):
        status, message = outcomes.get((obj.key, obj.etag), (None, None))
        if status in _RANK:
            known.append(_known(table, obj, ALREADY_LOADED, status, None))
        elif status is not None and not retry_failed and _final(status, on_error):
            known.append(_known(table, obj, ALREADY_FAILED, status,
                                f"failed in an earlier load ({status}: {message}); not tried again"))
        else:
            pending.append(obj)
    failed = [r for r in known if r.status == ALREADY_FAILED]
    if failed and on_error == "ABORT_STATEMENT":
        raise CopyAborted(
            f"COPY INTO {table.qualified_name} aborted (ON_ERROR=ABORT_STATEMENT): {failed[0].file_name} "
            f"{failed[0].first_error_message}. Nothing from this load was kept. To continue: {ON_ERROR_HINT}.")
    return known, pending


def _final(recorded: str, on_error: str) -> bool:
    """Whether loading the same bytes again under `on_error` could only fail again. A file skipped whole under
    SKIP_FILE may still hold good rows that CONTINUE loads; any other failure fails again in every mode (a
    LOAD_FAILED under ABORT_STATEMENT loads its good rows under CONTINUE only when asked: retry_failed_files)."""
    return not (on_error == "CONTINUE" and recorded == LOAD_SKIPPED)


def _known(table, obj, status: str, recorded: str, message: str | None) -> FileLoadResult:
    return FileLoadResult(table_name=table.name, file_name=obj.key, status=status, row_parsed=0, row_count=0,
                          error_count=0, file_size=obj.size, file_etag=obj.etag, first_error_message=message,
                          recorded_status=recorded)


def results_table(results: list[FileLoadResult]) -> dg.TableMetadataValue:
    """Per-file results as a Dagster table, the same columns COPY INTO returns."""
    columns = ["file_name", "status", "row_parsed", "row_count", "error_count", "first_error_message"]
    schema = dg.TableSchema(columns=[
        dg.TableColumn(name, "int" if name.startswith(("row", "error_c")) else "string") for name in columns
    ])
    records = [dg.TableRecord({c: getattr(r, c) for c in columns}) for r in results]
    return dg.MetadataValue.table(records, schema=schema)


def duplicates_sql(table, files: int) -> str:
    """Per file of one load statement of `files` files (bind: loaded_at, run_id, loaded_at, run_id): how many of its
    rows repeat a key within the file, and how many repeat a key loaded before it (by an earlier statement, or by a
    file earlier in this statement's name order). Silver keeps one row per key either way; these counts say the
    input repeated itself.

    Earlier rows are only looked up between the statement's smallest and largest key: keys that grow with time (ids
    from a sequence, as ours and most sources') then let the warehouse skip every block of other loads by its min/max
    (DuckDB's zone maps, Snowflake's micro-partition pruning), where scanning all of bronze for each file made a
    load of n files cost n²/2 file scans. Which file of the statement had a key first is a group by over every key
    of the statement, so it is only asked of a statement of several files (one file per statement on DuckDB, where
    it would triple the query)."""
    key, name = table.key, table.qualified_name
    this_load = "_loaded_at = ? AND _run_id = ?"
    firsts, first_file, earlier_in_statement = "", "", ""
    if files > 1:
        firsts = "firsts AS (SELECT k, min(f) AS first_file FROM this_load GROUP BY k),"
        first_file = "JOIN firsts fi ON fi.k = l.k"
        earlier_in_statement = " OR fi.first_file < l.f"
    return f"""
        WITH this_load AS (SELECT _source_file AS f, {key} AS k FROM {name} WHERE {this_load}),
        bounds AS (SELECT min(k) AS lo, max(k) AS hi FROM this_load), {firsts}
        earlier AS (SELECT DISTINCT {key} AS k FROM {name}, bounds
                    WHERE {key} >= bounds.lo AND {key} <= bounds.hi AND NOT ({this_load}))
        SELECT l.f, count(*) - count(DISTINCT l.k), count_if(e.k IS NOT NULL{earlier_in_statement})
        FROM this_load l {first_file} LEFT JOIN earlier e ON e.k = l.k
        GROUP BY l.f"""


def with_duplicates(result: FileLoadResult, row) -> FileLoadResult:
    within, earlier = row
    return replace(result, duplicate_count=int(within or 0), repeated_count=int(earlier or 0))


def utc_now() -> dt.datetime:
    """Load time per file (UTC, naive): silver orders a key's versions by it, so each file gets its own."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def describe(result: FileLoadResult) -> str:
    """One line a user can act on: the file, its outcome and, for a rejected row or file, where and why."""
    if result.status == ALREADY_FAILED:
        return f"{result.file_name}: {result.status}, {result.first_error_message}. To load it: {RETRY_HINT}"
    if result.status == ALREADY_LOADED and result.recorded_status is None:
        return (f"{result.file_name}: {result.status} by Snowflake's load metadata, though bronze.load_history has no "
                "row for it: nothing was loaded or recorded. If its rows are missing from bronze, load it with "
                "COPY ... FORCE = TRUE by hand, or put it again under a new name")
    parsed = "an unknown number of" if result.row_parsed is None else f"{result.row_parsed:,}"
    line = f"{result.file_name}: {result.status}, {result.row_count:,} of {parsed} rows loaded"
    if result.first_error_message:
        where = "".join([f" line {result.first_error_line_number}" if result.first_error_line_number else "",
                         f" column {result.first_error_column_name}" if result.first_error_column_name else ""])
        rejected = "" if result.error_count is None else f"{result.error_count:,} rejected; "
        line += f" ({rejected}first:{where or ' the file'}: {result.first_error_message})"
    return line


def log_known(log, results: list[FileLoadResult]) -> None:
    """Files that failed before are named in every run's log (they are not recorded again)."""
    for result in results:
        if result.status == ALREADY_FAILED:
            log_result(log, result)


def log_result(log, result: FileLoadResult) -> None:
    """Every file's outcome in the run log; a file not fully loaded is a warning that says why."""
    if log is not None:
        known = result.status == LOADED or (result.status == ALREADY_LOADED and result.recorded_status is not None)
        (log.info if known else log.warning)(describe(result))
