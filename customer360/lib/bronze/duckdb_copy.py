"""COPY INTO semantics on DuckDB, matching Snowflake's contract.

    landing objects ──► skip files whose (name, etag) is already in bronze.load_history
                   ──► parse each new file (CSV rejects kept per line; Parquet checked against the contract)
                   ──► ON_ERROR decides: load all / load good rows / skip the file / abort the statement
                   ──► bronze rows + load_history row + bronze_rejects rows commit together

Why a re-run is safe: the load-history row commits in the same transaction as the file's rows, so a file is either
loaded and recorded, or neither; the next COPY skips exactly the recorded files. ABORT_STATEMENT wraps the whole
statement in one transaction (all or nothing); CONTINUE and SKIP_FILE commit file by file.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from customer360.lib.bronze.contracts import LINEAGE_COLUMNS, BronzeTable, file_type
from customer360.lib.bronze.file_checks import file_problem, key_problem
from customer360.lib.bronze.results import (
    LOAD_FAILED,
    LOAD_SKIPPED,
    LOADED,
    ON_ERROR_HINT,
    PARTIALLY_LOADED,
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
from customer360.lib.bronze.row_rules import rejected_column_sql, rejected_reason_sql
from customer360.lib.resources.object_store import StoredObject
from customer360.lib.sql import statements

_REJECTS = "c360_copy_rejects"


class ObjectSource(Protocol):
    location: str

    def local_copy(self, key: str): ...


@dataclass
class _Parsed:
    """What parsing one file found: rows read, rows inserted, and every rejected record."""

    rows_parsed: int | None  # None: the file's rows cannot be counted (no Parquet footer, not a table file)
    rows_loaded: int
    rejects: list[dict] = field(default_factory=list)
    file_error: bool = False


class _FileRejected(Exception):
    def __init__(self, result: FileLoadResult, rejects: list[dict]):
        super().__init__(result.first_error_message)
        self.result, self.rejects = result, rejects


def ensure_bronze_schema(conn: duckdb.DuckDBPyConnection, table: BronzeTable) -> None:
    for statement in statements("bronze_control"):
        conn.execute(statement)
    conn.execute(table.create_sql())


@contextmanager
def _transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    conn.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _recorded(conn: duckdb.DuckDBPyConnection, table: BronzeTable) -> dict:
    return recorded_outcomes(conn.execute(RECORDED_FILES_SQL, [table.name]).fetchall())


def _file_error(message: str, rows_parsed: int | None = 0, raw: str | None = None) -> _Parsed:
    reject = {"line_number": None, "column_name": None, "error_type": "FILE", "reason": message, "raw_record": raw}
    return _Parsed(rows_parsed=rows_parsed, rows_loaded=0, rejects=[reject], file_error=True)


def _rule_select(table: BronzeTable, source: str, line: str) -> str:
    """Every row of `source` with its line, the column and reason of the first contract rule it breaks (NULL for a
    good row) and its values as one text (the raw record of a rejected row)."""
    raw = "concat_ws(',', " + ", ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in table.column_names) + ")"
    return (f"SELECT *, {line} AS c360_line, {rejected_column_sql(table)} AS c360_column, "
            f"{rejected_reason_sql(table)} AS c360_reason, {raw} AS c360_raw FROM {source}")


def _insert_checked(conn, table: BronzeTable, checked: str, params: list, lineage: list,
                    rows: int) -> tuple[int, list[dict]]:
    """Insert the rows that keep every rule, typed; return how many and the rows that break one. `rows` is how many
    the source holds: when every one was inserted, none broke a rule and the source is not read a second time."""
    casts = ", ".join(f"TRY_CAST({name} AS {sql_type})" for name, sql_type in table.columns)
    select = f"{casts}, c360_file, ?::TIMESTAMP, ? FROM ({checked}) checked WHERE c360_reason IS NULL"
    columns = ", ".join([*table.column_names, *(name for name, _ in LINEAGE_COLUMNS)])
    inserted = conn.execute(f"INSERT INTO {table.qualified_name} ({columns}) SELECT {select}",
                            [*lineage[1:], *params]).fetchall()[0][0]
    if inserted == rows:
        return inserted, []
    broken = conn.sql(
        f"SELECT c360_line AS line_number, c360_column AS column_name, 'RULE' AS error_type, c360_reason AS reason, "
        f"c360_raw AS raw_record FROM ({checked}) checked WHERE c360_reason IS NOT NULL ORDER BY c360_line",
        params=params,
    ).to_arrow_table().to_pylist()
    return inserted, broken


def _parse_parquet(conn, table: BronzeTable, path: Path, lineage: list) -> _Parsed:
    """Rows checked one by one: a value that does not convert, or breaks a rule, rejects its row, not the file."""
    source = "(SELECT *, ? AS c360_file FROM read_parquet(?, file_row_number = true)) file"
    checked = _rule_select(table, source, "file_row_number + 1")
    rows = conn.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchall()[0][0]  # the footer's count
    inserted, broken = _insert_checked(conn, table, checked, [lineage[0], str(path)], lineage, rows)
    return _Parsed(rows_parsed=inserted + len(broken), rows_loaded=inserted, rejects=broken)


def _parse_csv(conn, table: BronzeTable, path: Path, lineage: list) -> _Parsed:
    """Records read as text in file order (malformed ones kept by DuckDB's rejects with their line), then checked
    against the contract like Parquet rows."""
    columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in table.column_names) + "}"
    reader = (
        f"read_csv(?, header = true, auto_detect = false, columns = {columns}, encoding = 'utf-8', "
        f"store_rejects = true, rejects_table = '{_REJECTS}', rejects_scan = '{_REJECTS}_scan')"
    )
    for temp in (_REJECTS, f"{_REJECTS}_scan"):
        conn.execute(f"DROP TABLE IF EXISTS {temp}")
    # Record numbers follow the file only while insertion order is kept; the session's own setting (off, for bulk
    # loads: resources/build.py) is restored after.
    kept = conn.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    conn.execute("SET preserve_insertion_order = true")
    try:
        conn.execute(f"CREATE OR REPLACE TEMP TABLE c360_staged AS "
                     f"SELECT *, row_number() OVER () AS c360_record FROM {reader}", [str(path)])
    finally:
        conn.execute(f"SET preserve_insertion_order = {'true' if kept else 'false'}")
    malformed = conn.sql(
        f"SELECT line AS line_number, arg_min(column_name, column_idx) AS column_name, "
        f"CAST(arg_min(error_type, column_idx) AS VARCHAR) AS error_type, "
        f"string_agg(DISTINCT error_message, '; ') AS reason, any_value(csv_line) AS raw_record "
        f"FROM {_REJECTS} GROUP BY line ORDER BY line"
    ).to_arrow_table().to_pylist()
    source = "(SELECT *, ? AS c360_file FROM c360_staged) staged"
    staged = conn.execute("SELECT count(*) FROM c360_staged").fetchall()[0][0]
    inserted, broken = _insert_checked(conn, table, _rule_select(table, source, "c360_record"), [lineage[0]],
                                       lineage, staged)
    conn.execute("DROP TABLE c360_staged")
    _place_on_lines(broken, [m["line_number"] for m in malformed])
    rejects = sorted([*map(_readable, malformed, [len(table.columns)] * len(malformed)), *broken],
                     key=lambda r: r["line_number"])
    return _Parsed(rows_parsed=inserted + len(rejects), rows_loaded=inserted, rejects=rejects)


def _place_on_lines(records: list[dict], malformed_lines: list[int]) -> None:
    """Turn record numbers into line numbers: the header is line 1 and every malformed line before a record moves
    it down one (one record per line; a quoted field spanning lines would shift this)."""
    for record in records:
        line = record["line_number"] + 1
        for taken in sorted(malformed_lines):
            if taken <= line:
                line += 1
        record["line_number"] = line


def _readable(reject: dict, expected_columns: int) -> dict:
    """DuckDB's reject reasons in the user's terms: counts of columns, the encoding, no engine excerpts."""
    kind = reject["error_type"]
    if kind in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
        found = len(next(csv.reader([reject["raw_record"] or ""]), []))
        return {**reject, "column_name": None, "reason": f"{found} columns, expected {expected_columns}"}
    if kind == "INVALID UNICODE" or "unicode" in (reject["reason"] or "").lower():
        return {**reject, "reason": "not UTF-8 text; re-export the file as UTF-8"}
    return {**reject, "reason": (reject["reason"] or kind).split("\n")[0]}


def _outcome(table: BronzeTable, obj: StoredObject, parsed: _Parsed, on_error: str) -> tuple[FileLoadResult, bool]:
    """The file's result under ON_ERROR, and whether its inserted rows are kept."""
    first = parsed.rejects[0] if parsed.rejects else {}
    result = FileLoadResult(
        table_name=table.name, file_name=obj.key, status=LOADED, row_parsed=parsed.rows_parsed,
        row_count=parsed.rows_loaded, error_count=len(parsed.rejects) if not parsed.file_error else 0,
        file_size=obj.size, file_etag=obj.etag, first_error_message=first.get("reason"),
        first_error_line_number=first.get("line_number"), first_error_column_name=first.get("column_name"),
    )
    if not parsed.rejects:
        return result, True
    if on_error == "CONTINUE" and not parsed.file_error:
        status = PARTIALLY_LOADED if parsed.rows_loaded else LOAD_FAILED
        return replace(result, status=status), parsed.rows_loaded > 0
    # The file is not loaded: every parsed row counts as rejected, so row_parsed = row_count + error_count holds.
    status = LOAD_SKIPPED if on_error == "SKIP_FILE" else LOAD_FAILED
    return replace(result, status=status, row_count=0, error_count=parsed.rows_parsed), False


def _record(conn, results: Sequence[FileLoadResult], rejects: Sequence[dict], location: str, run_id: str,
            loaded_at: dt.datetime) -> None:
    history = pa.Table.from_pylist([r.history_row(location, loaded_at, run_id) for r in results])
    conn.register("c360_history_rows", history)
    conn.execute("INSERT INTO bronze.load_history BY NAME SELECT * FROM c360_history_rows")
    conn.unregister("c360_history_rows")
    if rejects:
        rows = pa.Table.from_pylist([{**r, "rejected_at": loaded_at, "run_id": run_id} for r in rejects])
        conn.register("c360_reject_rows", rows)
        conn.execute("INSERT INTO bronze.bronze_rejects BY NAME SELECT * FROM c360_reject_rows")
        conn.unregister("c360_reject_rows")


def _load_file(conn, table, source, obj, on_error, run_id, loaded_at, log=None, not_utf8=False) -> FileLoadResult:
    """Load one file inside the caller's transaction; raise _FileRejected if its rows must not stay. `not_utf8`: the
    Parquet file has strings that are not UTF-8, which DuckDB refuses for the whole file (read it row by row)."""
    lineage = [obj.key, loaded_at, run_id]
    problem = key_problem(table, obj.key)
    if problem:
        parsed = _file_error(problem.reason, rows_parsed=problem.rows_parsed)
    else:
        kind = file_type(obj.key)
        with source.local_copy(obj.key) as path:
            with path.open("rb") as handle:
                problem = file_problem(table, kind, handle)
            if problem:
                parsed = _file_error(problem.reason, rows_parsed=problem.rows_parsed, raw=problem.raw_record)
            else:
                parse = _parse_csv if kind == "csv" else _parse_parquet_not_utf8 if not_utf8 else _parse_parquet
                parsed = parse(conn, table, path, lineage)
    result, keep = _outcome(table, obj, parsed, on_error)
    if keep:
        counts = conn.execute(duplicates_sql(table), [obj.key, loaded_at, obj.key, loaded_at]).fetchall()[0]
        result = with_duplicates(result, counts)
    rejects = [{"table_name": table.name, "file_name": obj.key, **r} for r in parsed.rejects]
    if not keep:
        raise _FileRejected(result, rejects)
    _record(conn, [result], rejects, source.location, run_id, loaded_at)
    if on_error == "ABORT_STATEMENT" and log is not None:
        log.info(f"{obj.key}: {result.row_count:,} rows staged; they commit with the whole load (ABORT_STATEMENT)")
    return result


def copy_into(
    conn: duckdb.DuckDBPyConnection,
    table: BronzeTable,
    source: ObjectSource,
    objects: Sequence[StoredObject],
    on_error: str,
    run_id: str,
    log=None,
    retry_failed: bool = False,
) -> list[FileLoadResult]:
    """COPY INTO `table` from the `objects` it accepts; return one result per file, already-loaded ones included.
    A file that failed before is loaded again only with `retry_failed`."""
    ensure_bronze_schema(conn, table)
    results, pending = triage(table, objects, _recorded(conn, table), on_error, retry_failed)
    log_known(log, results)
    # ABORT_STATEMENT: one transaction for the statement; otherwise one per file.
    groups = [pending] if on_error == "ABORT_STATEMENT" else [[o] for o in pending]
    not_utf8: set[str] = set()
    for group in groups:
        try:
            loaded = _load_group(conn, table, source, group, on_error, run_id, log, not_utf8)
        except _FileRejected as rejected:
            with _transaction(conn):
                _record(conn, [rejected.result], rejected.rejects, source.location, run_id, utc_now())
            results.append(rejected.result)
            log_result(log, rejected.result)
            if on_error == "ABORT_STATEMENT":
                raise CopyAborted(_abort_message(table, rejected.result)) from None
            continue
        for result in loaded:
            log_result(log, result)
        results.extend(loaded)
    return results


_NOT_UTF8 = "Invalid string encoding found in Parquet file"


def _load_group(conn, table, source, group, on_error, run_id, log, not_utf8: set[str]) -> list[FileLoadResult]:
    """Load `group` in one transaction. DuckDB refuses a Parquet file with a string that is not UTF-8 as a whole, and
    the failed statement ends the transaction: the group is loaded again with that file read row by row."""
    while True:
        current = None
        try:
            with _transaction(conn):
                loaded = []
                for current in group:
                    loaded.append(_load_file(conn, table, source, current, on_error, run_id, utc_now(), log,
                                             not_utf8=current.key in not_utf8))
                return loaded
        except duckdb.InvalidInputException as error:
            if _NOT_UTF8 not in str(error) or current is None or current.key in not_utf8:
                raise
            not_utf8.add(current.key)


def _parse_parquet_not_utf8(conn, table: BronzeTable, path: Path, lineage: list) -> _Parsed:
    """A Parquet file with strings that are not UTF-8: its rows read with pyarrow (which does not check), each row
    holding such a string rejected with its line and column, as Snowflake's COPY rejects it, and the other rows
    checked and inserted as usual."""
    rows = pq.read_table(path)
    bad: dict[int, str] = {}
    for name in rows.column_names:
        if pa.types.is_string(rows.schema.field(name).type) or pa.types.is_large_string(rows.schema.field(name).type):
            for line, value in enumerate(rows.column(name).cast(pa.binary()).to_pylist()):
                if value is not None and not _is_utf8(value):
                    bad.setdefault(line, name)
    numbered = rows.append_column("file_row_number", pa.array(range(rows.num_rows), pa.int64()))
    good = numbered.filter(pa.array([i not in bad for i in range(rows.num_rows)]))
    conn.register("c360_parquet_rows", good)
    try:
        checked = _rule_select(table, "(SELECT *, ? AS c360_file FROM c360_parquet_rows) file", "file_row_number + 1")
        inserted, broken = _insert_checked(conn, table, checked, [lineage[0]], lineage, good.num_rows)
    finally:
        conn.unregister("c360_parquet_rows")
    encoding = [{"line_number": line + 1, "column_name": name, "error_type": "INVALID UNICODE",
                 "reason": f"{name} is not UTF-8 text; re-export the file as UTF-8",
                 "raw_record": _raw_text(rows.slice(line, 1))} for line, name in sorted(bad.items())]
    rejects = sorted([*encoding, *broken], key=lambda r: r["line_number"])
    return _Parsed(rows_parsed=rows.num_rows, rows_loaded=inserted, rejects=rejects)


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _raw_text(row: pa.Table) -> str:
    """One row's values as text, bytes that are not UTF-8 shown as the replacement character."""
    values = []
    for column in row.columns:
        value = column.cast(pa.binary()).to_pylist()[0] if pa.types.is_string(column.type) else column[0].as_py()
        values.append("" if value is None else value.decode("utf-8", "replace") if isinstance(value, bytes)
                      else str(value))
    return ",".join(values)


def _abort_message(table: BronzeTable, result: FileLoadResult) -> str:
    where = f" line {result.first_error_line_number}" if result.first_error_line_number else ""
    column = f" column {result.first_error_column_name}" if result.first_error_column_name else ""
    return (
        f"COPY INTO {table.qualified_name} aborted (ON_ERROR=ABORT_STATEMENT): {result.file_name}{where}{column}: "
        f"{result.first_error_message}. Nothing from this load was kept; rejected rows are in bronze.bronze_rejects. "
        f"To continue: {ON_ERROR_HINT}."
    )

