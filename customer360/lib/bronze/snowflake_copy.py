"""Real `COPY INTO` on Snowflake from the external stages that snowflake_setup/ creates.

The control flow (skip recorded files, whole-file checks, ON_ERROR, recording) is bronze/loader.py's. The checks
matter more here than locally: COPY reads CSV by position and Parquet by name, so a reordered header or a missing
column would load silently wrong. This module supplies one COPY INTO per file (FILES = ('<file>')), a transformation
that adds the lineage columns, and maps COPY's result row (status, rows_parsed, rows_loaded, first error) to the
file's result.

Why one statement per file: each file's rows and its history row commit together (the same per-file atomicity as
the local target), and the lineage columns carry the file name as a literal. Snowflake's own load metadata still
guards every COPY: a file it already loaded is skipped and reported (ALREADY_LOADED) even if our history lost it.
"""

from __future__ import annotations

import datetime as dt
import re

import snowflake.connector.errors

from customer360.lib.bronze.contracts import LINEAGE_COLUMNS, BronzeTable, file_type
from customer360.lib.bronze.loader import BronzeCopy, FileLoad
from customer360.lib.bronze.results import ALREADY_LOADED, LOAD_FAILED, LOAD_SKIPPED, LOADED, FileLoadResult
from customer360.lib.bronze.row_rules import EXACT_NUMERIC, rounding_reason
from customer360.lib.resources.object_store import ObjectStoreResource, StoredObject
from customer360.lib.resources.stages import FILE_FORMATS, sql_literal, stage_for
from customer360.lib.resources.warehouse import WarehouseSession

# Snowflake's message when FILES names only files it has loaded before (fakesnow returns a LOAD_SKIPPED row).
_NOTHING_PROCESSED = "Copy executed with 0 files processed."
_LOADED_BEFORE = "File was loaded before."


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


def _reject_row(result: FileLoadResult) -> dict:
    """Snowflake reports the first error of each file (VALIDATE does not cover transforming COPYs)."""
    return {"line_number": result.first_error_line_number, "column_name": result.first_error_column_name,
            "error_type": "COPY", "reason": f"{result.first_error_message} ({_rows(result.error_count)} not loaded)",
            "raw_record": None}


class SnowflakeTarget:
    """COPY INTO on one Snowflake session, from the external stage that holds each file."""

    def __init__(self, session: WarehouseSession):
        self.session = session

    def prepare(self, table: BronzeTable) -> None:
        """Nothing: snowflake_setup/ creates every table, and DDL inside the load would commit its transaction."""

    def load_file(self, table: BronzeTable, obj: StoredObject, on_error: str, run_id: str, loaded_at) -> FileLoad:
        result = _result(table, obj, self.session.fetchone(copy_statement(table, obj.key, on_error, run_id, loaded_at)),
                         on_error)
        return FileLoad(result, [_reject_row(result)] if result.first_error_message else [])

    def file_failure(self, error: Exception, table: BronzeTable, obj: StoredObject, on_error: str) -> FileLoad | None:
        """A data error is the file's (ABORT_STATEMENT: Snowflake rejected the file and the transaction rolled back
        every file of this load); any other database error names what to fix instead. The connector raises a data
        error as ProgrammingError, DataError or IntegrityError (a NOT NULL violation) by its SQLSTATE; is_file_error
        sorts them, not the class."""
        if not isinstance(error, snowflake.connector.errors.DatabaseError):
            return None
        if not is_file_error(error):
            raise CopyFailed(_not_a_file_problem(table, obj, on_error, error)) from error
        result = FileLoadResult(table_name=table.name, file_name=obj.key, status=LOAD_FAILED, row_parsed=0,
                                row_count=0, error_count=0, file_size=obj.size, file_etag=obj.etag,
                                first_error_message=_reason(table, str(error.msg or error), None))
        return FileLoad(result, [_reject_row(result)])


class SnowflakeCopy(BronzeCopy):
    """The Snowflake target's `bronze_copy` resource."""

    def target(self, session: WarehouseSession, source: ObjectStoreResource) -> SnowflakeTarget:
        return SnowflakeTarget(session)
