"""Real `COPY INTO` on Snowflake from the external stages that snowflake_setup/ creates.

    landing objects ──► skip files whose (name, etag) is already in bronze.load_history
                   ──► check the CSV header / Parquet columns against the contract (bronze/file_checks.py): COPY
                       reads CSV by position and Parquet by name, so a reordered header or a missing column
                       would load silently wrong; such a file is rejected whole, per ON_ERROR, as on DuckDB
                   ──► one COPY INTO per file (FILES = ('<file>')), a transformation that adds the lineage columns
                   ──► COPY's result row (status, rows_parsed, rows_loaded, first error) becomes the file's result
                   ──► bronze rows + load_history row commit together (ABORT_STATEMENT: the whole load at once)

Why one statement per file: each file's rows and its history row commit together (the same per-file atomicity as
the local target), and the lineage columns carry the file name as a literal. Snowflake's own load metadata still
guards every COPY: a file it already loaded is skipped and reported (ALREADY_LOADED) even if our history lost it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import snowflake.connector.errors

from customer360.lib.bronze.contracts import LINEAGE_COLUMNS, BronzeTable, file_type
from customer360.lib.bronze.file_checks import file_problem, key_problem
from customer360.lib.bronze.results import (
    ALREADY_LOADED,
    LOAD_FAILED,
    LOAD_SKIPPED,
    LOADED,
    ON_ERROR_HINT,
    RECORDED_FILES_SQL,
    CopyAborted,
    FileLoadResult,
    duplicates_sql,
    log_known,
    log_result,
    recorded_outcomes,
    triage,
    utc_now,
    with_duplicates,
)
from customer360.lib.bronze.row_rules import EXACT_NUMERIC, rounding_reason
from customer360.lib.resources.object_store import ObjectStoreResource, StoredObject
from customer360.lib.resources.warehouse import WarehouseSession

# Snowflake's message when FILES names only files it has loaded before (fakesnow returns a LOAD_SKIPPED row).
_NOTHING_PROCESSED = "Copy executed with 0 files processed."
_LOADED_BEFORE = "File was loaded before."


@dataclass(frozen=True)
class Stage:
    name: str  # bronze.<stage>, created by snowflake_setup/04_file_formats_stages.sql
    prefix: str  # the landing prefix the stage's URL points at


# Longest prefix first: a key belongs to the most specific stage.
STAGES = (
    Stage("bronze.transaction_stage_historical", "transactions/historical/"),
    Stage("bronze.transaction_stage_streaming", "transactions/streaming/"),
    Stage("bronze.replication_stage", "staging/"),
    Stage("bronze.report_stage", "reports/"),  # report results, COPYed into export tables (reports/export.py)
)
FILE_FORMATS = {"csv": "bronze.c360_csv", "parquet": "bronze.c360_parquet"}


def stage_for(key: str) -> tuple[Stage, str]:
    """The stage holding `key` and the key's path relative to it."""
    for stage in STAGES:
        if key.startswith(stage.prefix):
            return stage, key[len(stage.prefix):]
    raise ValueError(f"{key} is under no external stage; stages cover {', '.join(s.prefix for s in STAGES)}")


def sql_literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _ruled(table: BronzeTable, column: str, value: str) -> str:
    """The column's value, or NULL where it breaks a contract rule: the column is NOT NULL (06_bronze_tables.sql),
    so COPY rejects that row per ON_ERROR, as it rejects a missing key."""
    accepted = dict(table.accepted)
    if column in table.required:
        return f"IFF(TRIM({value}) = '', NULL, {value})"
    if column in table.positive:
        return f"IFF({value} > 0, {value}, NULL)"
    if column in accepted:
        allowed = ", ".join(sql_literal(v) for v in accepted[column])
        return f"IFF(TRIM({value}) IN ({allowed}), {value}, NULL)"
    return value


def _typed(value: str, sql_type: str) -> str:
    """The file's value in the column's type. COPY rounds a value an exact numeric type cannot hold as written
    (12500.5 into INTEGER): such a value is made to fail conversion instead, with a message that says so, so COPY
    rejects its row per ON_ERROR, as the local target does (bronze/row_rules.py)."""
    typed = f"{value}::{sql_type}"
    if not EXACT_NUMERIC.fullmatch(sql_type):
        return typed
    unchanged = f"{value}::DOUBLE = {typed}::DOUBLE"  # every contract number fits a double's 15 digits
    return f"IFF({unchanged}, {typed}, ({value}::VARCHAR || ' {rounding_reason(sql_type)}')::{sql_type})"


def copy_statement(table: BronzeTable, key: str, on_error: str, run_id: str, loaded_at: dt.datetime) -> str:
    """COPY INTO one file, typed per the contract, with source file, load time and run id as lineage columns.

    The load time is the loader's UTC clock written as a literal, never CURRENT_TIMESTAMP(): that is in the session's
    time zone (Snowflake's default is America/Los_Angeles), where the hour after a DST fall-back repeats and the
    incremental models' `_loaded_at` watermark would skip the later of two loads in it."""
    stage, relative = stage_for(key)
    kind = file_type(key)
    if kind == "parquet":
        values = [_ruled(table, name, _typed(f"$1:{name}", sql_type)) for name, sql_type in table.columns]
    else:
        values = [_ruled(table, name, _typed(f"${i}", sql_type)) for i, (name, sql_type) in enumerate(table.columns, 1)]
    values += [sql_literal(key), f"{sql_literal(loaded_at.isoformat(sep=' '))}::TIMESTAMP_NTZ", sql_literal(run_id)]
    columns = ", ".join([*table.column_names, *(name for name, _ in LINEAGE_COLUMNS)])
    return (
        f"COPY INTO {table.qualified_name} ({columns})\n"
        f"FROM (SELECT {', '.join(values)} FROM @{stage.name})\n"
        f"FILES = ({sql_literal(relative)})\n"
        f"FILE_FORMAT = (FORMAT_NAME = {sql_literal(FILE_FORMATS[kind])})\n"
        f"ON_ERROR = {on_error}"
    )


class CopyFailed(RuntimeError):
    """COPY INTO failed for a reason that is not the file's (a grant, a dropped stage, a lost session)."""


def is_file_error(error: snowflake.connector.errors.DatabaseError) -> bool:
    """A problem with the file's bytes, which COPY turns into a file outcome: Snowflake's data errors are the
    100xxx codes and SQLSTATE class 22 (data exception); a file gone from the stage is 91016."""
    errno, sqlstate = error.errno or 0, error.sqlstate or ""
    return 100000 <= errno < 200000 or errno == 91016 or sqlstate.startswith("22")


def _not_a_file_problem(table: BronzeTable, obj: StoredObject, on_error: str,
                        error: snowflake.connector.errors.DatabaseError) -> str:
    kept = ("Nothing from this load was kept" if on_error == "ABORT_STATEMENT" else
            "Files committed before it in this run stay loaded (bronze.load_history lists them)")
    stage, _ = stage_for(obj.key)
    said = " ".join(str(error).split()).rstrip(".")  # "002003 (02000): SQL compilation error: ..."
    return (f"COPY INTO {table.qualified_name} from @{stage.name} failed at {obj.key}, not because of the file: "
            f"Snowflake error {said}. {kept}; nothing was recorded "
            f"for {obj.key}. Check that the pipeline role has USAGE on the stage, its file format and storage "
            "integration (snowflake_setup/02 and 04) and that the stage exists, then re-run.")


def _recorded(session: WarehouseSession, table: BronzeTable) -> dict:
    return recorded_outcomes(session.fetchall(RECORDED_FILES_SQL, [table.name]))


def _result(table: BronzeTable, obj: StoredObject, row: tuple | None, on_error: str) -> FileLoadResult:
    """Map COPY's result row (file, status, rows_parsed, rows_loaded, error_limit, errors_seen, first_error,
    first_error_line, first_error_character, first_error_column_name) to our per-file result."""
    base = FileLoadResult(table_name=table.name, file_name=obj.key, status=ALREADY_LOADED, row_parsed=0,
                          row_count=0, error_count=0, file_size=obj.size, file_etag=obj.etag)
    if row is None or len(row) < 10 or (row[1] == LOAD_SKIPPED and row[6] == _LOADED_BEFORE):
        return base  # Snowflake's load metadata already has this file
    _, status, parsed, loaded, _, errors, first_error, line, _, column = row[:10]
    parsed, loaded = int(parsed or 0), int(loaded or 0)
    if status == LOAD_FAILED and on_error == "SKIP_FILE":
        status = LOAD_SKIPPED
    # A file not (fully) loaded: every parsed row not loaded counts as rejected, so parsed = loaded + rejected.
    return FileLoadResult(
        table_name=table.name, file_name=obj.key, status=status, row_parsed=parsed, row_count=loaded,
        error_count=parsed - loaded if status != LOADED else int(errors or 0), file_size=obj.size,
        file_etag=obj.etag, first_error_message=_reason(table, first_error, column), first_error_line_number=line,
        first_error_column_name=column,
    )


class _RejectedBeforeCopy(Exception):
    def __init__(self, result: FileLoadResult):
        super().__init__(result.first_error_message)
        self.result = result


def _check_file(source: ObjectStoreResource, table: BronzeTable, obj: StoredObject,
                on_error: str) -> FileLoadResult | None:
    """The file's result if it fails the whole-file checks (then it is never sent to COPY), else None."""
    problem = key_problem(table, obj.key)
    if problem is None:
        with source.open(obj.key) as handle:
            problem = file_problem(table, file_type(obj.key), handle)
    if problem is None:
        return None
    return FileLoadResult(
        table_name=table.name, file_name=obj.key, status=LOAD_SKIPPED if on_error == "SKIP_FILE" else LOAD_FAILED,
        row_parsed=problem.rows_parsed, row_count=0, error_count=problem.rows_parsed, file_size=obj.size,
        file_etag=obj.etag, first_error_message=problem.reason,
    )


def _rows(count: int | None) -> str:
    return "an unknown number of rows" if count is None else f"{count:,} rows"


_NOT_NULL = "NULL result in a non-nullable column"


def _reason(table: BronzeTable, message: str | None, column: str | None) -> str | None:
    """Snowflake's message for a row that broke a contract rule (the COPY made its value NULL) in the rule's terms;
    Snowflake names the column as `TABLE["COLUMN":n]`."""
    named = re.search(r'\["?(\w+)"?:\d+\]', column or message or "")
    if not message or _NOT_NULL not in message or not named:
        return message
    name = named.group(1).lower()
    accepted = dict(table.accepted)
    if name in table.positive:
        return f"{name} is missing or not above 0"
    if name in accepted:
        return f"{name} is missing or not one of {', '.join(accepted[name])}"
    return f"{name} is missing: every row needs it" if name in table.required else message


def _reject_row(result: FileLoadResult, run_id: str, at: dt.datetime) -> dict:
    """Snowflake reports the first error of each file (VALIDATE does not cover transforming COPYs)."""
    return {"table_name": result.table_name, "file_name": result.file_name,
            "line_number": result.first_error_line_number, "column_name": result.first_error_column_name,
            "error_type": "COPY", "reason": f"{result.first_error_message} ({_rows(result.error_count)} not loaded)",
            "raw_record": None, "rejected_at": at, "run_id": run_id}


def _record(session: WarehouseSession, result: FileLoadResult, location: str, run_id: str,
            at: dt.datetime) -> None:
    session.insert_rows("bronze.load_history", [result.history_row(location, at, run_id)])
    if result.first_error_message:
        session.insert_rows("bronze.bronze_rejects", [_reject_row(result, run_id, at)])


def copy_into_snowflake(
    session: WarehouseSession,
    table: BronzeTable,
    objects: Sequence[StoredObject],
    on_error: str,
    run_id: str,
    source: ObjectStoreResource,
    log=None,
    retry_failed: bool = False,
) -> list[FileLoadResult]:
    """COPY INTO `table` from the staged `objects` it accepts; one result per file, already-loaded ones included.
    A file that failed before is loaded again only with `retry_failed`."""
    location = source.location
    results, pending = triage(table, objects, _recorded(session, table), on_error, retry_failed)
    log_known(log, results)
    groups = [pending] if on_error == "ABORT_STATEMENT" else [[o] for o in pending]
    for group in groups:
        current = group[0] if group else None
        try:
            with session.transaction():
                for current in group:
                    rejected = _check_file(source, table, current, on_error)
                    if rejected and on_error == "ABORT_STATEMENT":
                        raise _RejectedBeforeCopy(rejected)
                    if rejected:
                        _record(session, rejected, location, run_id, utc_now())
                        results.append(rejected)
                        log_result(log, rejected)
                        continue
                    loaded_at = utc_now()
                    row = session.fetchone(copy_statement(table, current.key, on_error, run_id, loaded_at))
                    result = _result(table, current, row, on_error)
                    if result.row_count:
                        counts = session.fetchone(duplicates_sql(table),
                                                  [current.key, loaded_at, current.key, loaded_at])
                        result = with_duplicates(result, counts)
                    if result.status != ALREADY_LOADED:
                        _record(session, result, location, run_id, loaded_at)
                    results.append(result)
                    log_result(log, result)
        # DatabaseError: the connector raises a data error as ProgrammingError, DataError or IntegrityError (a NOT
        # NULL violation) by its SQLSTATE; is_file_error sorts them, not the class.
        except (snowflake.connector.errors.DatabaseError, _RejectedBeforeCopy) as error:
            if isinstance(error, _RejectedBeforeCopy):
                failed = error.result
            elif is_file_error(error):
                # ABORT_STATEMENT: Snowflake rejected the file; the transaction rolled back every file of this load.
                failed = FileLoadResult(table_name=table.name, file_name=current.key, status=LOAD_FAILED,
                                        row_parsed=0, row_count=0, error_count=0, file_size=current.size,
                                        file_etag=current.etag,
                                        first_error_message=_reason(table, str(error.msg or error), None))
            else:
                raise CopyFailed(_not_a_file_problem(table, current, on_error, error)) from error
            with session.transaction():
                _record(session, failed, location, run_id, utc_now())
            log_result(log, failed)
            raise CopyAborted(
                f"COPY INTO {table.qualified_name} aborted (ON_ERROR={on_error}): {current.key}: {failed.first_error_message}. "
                f"Nothing from this load was kept. To continue: {ON_ERROR_HINT}."
            ) from None
    return results

