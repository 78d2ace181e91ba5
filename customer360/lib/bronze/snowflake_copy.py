"""Real `COPY INTO` on Snowflake from the external stages that snowflake_setup/ creates.

The control flow (skip recorded files, whole-file checks, ON_ERROR, recording) is bronze/loader.py's. The checks
matter more here than locally: COPY reads CSV by position and Parquet by name, so a reordered header or a missing
column would load silently wrong. This module supplies one COPY INTO per stage and file type for up to 1,000 files
(FILES = (...)), a transformation that adds the lineage columns, and maps COPY's result rows (status, rows_parsed,
rows_loaded, first error per file) to the files' results.

Why many files per statement: Snowflake loads them in parallel on the warehouse's threads, where a statement per
file is a round trip and a serial load each. The statement's rows and its files' history rows still commit
together (ABORT_STATEMENT: the whole load at once). Snowflake's own load metadata guards every COPY: a file it
already loaded is skipped and reported (ALREADY_LOADED) even if our history lost it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import snowflake.connector.errors

from customer360.lib.bronze.contracts import LINEAGE_COLUMNS, BronzeTable, file_type
from customer360.lib.bronze.loader import BronzeCopy, FileLoad, TryAgain
from customer360.lib.bronze.results import ALREADY_LOADED, LOAD_FAILED, LOAD_SKIPPED, LOADED, FileLoadResult
from customer360.lib.bronze.row_rules import EXACT_NUMERIC, rounding_reason
from customer360.lib.resources.object_store import ObjectStoreResource, StoredObject
from customer360.lib.resources.stages import FILE_FORMATS, Stage, sql_literal, stage_for
from customer360.lib.resources.warehouse import WarehouseSession

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


FILES_PER_COPY = 1000  # Snowflake's limit for one FILES list


def source_file_sql(stage: Stage) -> str:
    """The landing key of the row's file: METADATA$FILENAME is its path within the stage, to which the stage's
    prefix is added (kept as it is if it already starts with it). The loader checks that every row it loaded names
    one of the statement's files, so a path of another shape fails the load instead of mislabelling its lineage."""
    prefix = sql_literal(stage.prefix)
    return f"IFF(STARTSWITH(METADATA$FILENAME, {prefix}), METADATA$FILENAME, {prefix} || METADATA$FILENAME)"


def copy_statement(table: BronzeTable, keys: Sequence[str], on_error: str, run_id: str, loaded_at: dt.datetime,
                   force: bool = False) -> str:
    """COPY INTO the files `keys` (one stage, one file type) in one statement, typed per the contract, with source
    file, load time and run id as lineage columns; Snowflake loads the files in parallel on the warehouse's threads.

    The load time is the loader's UTC clock written as a literal, never CURRENT_TIMESTAMP(): that is in the session's
    time zone (Snowflake's default is America/Los_Angeles), where the hour after a DST fall-back repeats and the
    incremental models' `_loaded_at` watermark would skip the later of two loads in it. The files of one statement
    share it; silver orders their versions of a key by file name (stg_* models)."""
    stage, relatives = _one_stage(keys)
    kind = file_type(keys[0])
    if kind == "parquet":
        values = [_ruled(table, name, _typed(f"$1:{name}", sql_type)) for name, sql_type in table.columns]
    else:
        values = [_ruled(table, name, _typed(f"${i}", sql_type)) for i, (name, sql_type) in enumerate(table.columns, 1)]
    values += [source_file_sql(stage), f"{sql_literal(loaded_at.isoformat(sep=' '))}::TIMESTAMP_NTZ",
               sql_literal(run_id)]
    columns = ", ".join([*table.column_names, *(name for name, _ in LINEAGE_COLUMNS)])
    return (
        f"COPY INTO {table.qualified_name} ({columns})\n"
        f"FROM (SELECT {', '.join(values)} FROM @{stage.name})\n"
        f"FILES = ({', '.join(sql_literal(relative) for relative in relatives)})\n"
        f"FILE_FORMAT = (FORMAT_NAME = {sql_literal(FILE_FORMATS[kind])})\n"
        f"ON_ERROR = {on_error}" + ("\nFORCE = TRUE" if force else "")
    )


def _stage_name(key: str) -> str:
    """The key's stage, or the key itself when it is under none (the whole-file checks then refuse it)."""
    try:
        return stage_for(key)[0].name
    except ValueError:
        return key


def _one_stage(keys: Sequence[str]) -> tuple[Stage, list[str]]:
    placed = [stage_for(key) for key in keys]
    stages = {stage for stage, _ in placed}
    if len(stages) != 1 or len({file_type(key) for key in keys}) != 1:
        raise ValueError(f"one COPY reads one stage and one file type; got {', '.join(keys[:3])}")
    return placed[0][0], [relative for _, relative in placed]


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


def _results(table: BronzeTable, objs: Sequence[StoredObject], rows: Sequence[tuple],
             on_error: str) -> list[FileLoadResult]:
    """Map COPY's result rows (file, status, rows_parsed, rows_loaded, error_limit, errors_seen, first_error,
    first_error_line, first_error_character, first_error_column_name) to a result per file, in the order of `objs`.
    A row names its file by its full URL; a file with no row (Snowflake's load metadata skipped it silently, or
    "Copy executed with 0 files processed.") is ALREADY_LOADED. A row that names none of the files stops the load:
    its rows would otherwise commit with no history row."""
    by_file = {}
    relatives = {obj.key: stage_for(obj.key)[1] for obj in objs}
    for row in rows:
        if len(row) >= 10:
            obj = _file_of(str(row[0]), objs, relatives)
            if obj is None:
                raise RuntimeError(f"COPY INTO {table.qualified_name} reported {row[0]}, none of the files it was given "
                                   f"({', '.join(list(relatives.values())[:3])}...); this statement's rows were not kept")
            by_file[obj.key] = row
    return [_result(table, obj, by_file.get(obj.key), on_error) for obj in objs]


def _file_of(reported: str, objs: Sequence[StoredObject], relatives: dict[str, str]) -> StoredObject | None:
    """The file a result row or an error names: the one whose path within its stage ends the reported URL (the
    longest, when one path ends another)."""
    matches = [obj for obj in objs if reported == relatives[obj.key] or reported.endswith("/" + relatives[obj.key])]
    return max(matches, key=lambda obj: len(obj.key), default=None)


def _result(table: BronzeTable, obj: StoredObject, row: tuple | None, on_error: str) -> FileLoadResult:
    base = FileLoadResult(table_name=table.name, file_name=obj.key, status=ALREADY_LOADED, row_parsed=0,
                          row_count=0, error_count=0, file_size=obj.size, file_etag=obj.etag)
    if row is None or (row[1] == LOAD_SKIPPED and row[6] == _LOADED_BEFORE):
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
        self.alone: set[str] = set()  # files that get a COPY of their own, to name the one a failed COPY met
        self.retrying = False  # a COPY was rolled back in this load: FORCE, so load metadata skips none of its files

    def prepare(self, table: BronzeTable) -> None:
        """Nothing: snowflake_setup/ creates every table, and DDL inside the load would commit its transaction."""

    def statements(self, objs: Sequence[StoredObject]) -> list[list[StoredObject]]:
        """Consecutive files of one stage and file type, up to FILES_PER_COPY per COPY, in the files' order (the
        order of their load times); a file to be named alone after a failed COPY gets a COPY of its own."""
        statements: list[list[StoredObject]] = []
        kind = None
        for obj in objs:
            this = (_stage_name(obj.key), file_type(obj.key))
            if obj.key in self.alone or this != kind or len(statements[-1]) >= FILES_PER_COPY \
                    or statements[-1][-1].key in self.alone:
                statements.append([])
            statements[-1].append(obj)
            kind = this
        return statements

    def load_files(self, table: BronzeTable, objs: Sequence[StoredObject], on_error: str, run_id: str,
                   loaded_at) -> list[FileLoad]:
        statement = copy_statement(table, [obj.key for obj in objs], on_error, run_id, loaded_at, force=self.retrying)
        return [FileLoad(result, [_reject_row(result)] if result.first_error_message else [])
                for result in _results(table, objs, self.session.fetchall(statement), on_error)]

    def file_failure(self, error: Exception, table: BronzeTable, objs: Sequence[StoredObject],
                     on_error: str) -> FileLoad | None:
        """A data error is a file's (ABORT_STATEMENT: Snowflake rejected the file and the transaction rolled back
        every file of this load); any other database error names what to fix instead. The connector raises a data
        error as ProgrammingError, DataError or IntegrityError (a NOT NULL violation) by its SQLSTATE; is_file_error
        sorts them, not the class. When the error does not name one of a multi-file COPY's files (Snowflake's says
        "File '<path>'"), the load is tried again with that COPY's files one per COPY, which names it."""
        if not isinstance(error, snowflake.connector.errors.DatabaseError):
            return None
        if not is_file_error(error):
            raise CopyFailed(_not_a_file_problem(table, objs[0], on_error, error)) from error
        named = re.search(r"File '([^']+)'", str(error.msg or error))
        relatives = {obj.key: stage_for(obj.key)[1] for obj in objs}
        obj = _file_of(named.group(1), objs, relatives) if named else (objs[0] if len(objs) == 1 else None)
        if obj is None:
            # The rolled-back COPY kept nothing; FORCE keeps Snowflake's load metadata from skipping its files now.
            self.alone.update(relatives)
            self.retrying = True
            raise TryAgain(f"{len(objs)} files")
        result = FileLoadResult(table_name=table.name, file_name=obj.key,
                                status=LOAD_SKIPPED if on_error == "SKIP_FILE" else LOAD_FAILED, row_parsed=0,
                                row_count=0, error_count=0, file_size=obj.size, file_etag=obj.etag,
                                first_error_message=_reason(table, str(error.msg or error), None))
        return FileLoad(result, [_reject_row(result)])


class SnowflakeCopy(BronzeCopy):
    """The Snowflake target's `bronze_copy` resource."""

    def target(self, session: WarehouseSession, source: ObjectStoreResource) -> SnowflakeTarget:
        return SnowflakeTarget(session)
