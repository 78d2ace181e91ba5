"""COPY INTO on DuckDB: how the local target loads one file, matching Snowflake's contract.

The control flow (skip recorded files, whole-file checks, ON_ERROR, recording) is bronze/loader.py's; this module
parses a file into the table: CSV records read as text and checked against the contract (malformed lines kept by
DuckDB's rejects with their line), Parquet rows checked one by one, so a value that does not convert, or breaks a
rule, rejects its row, not the file.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from customer360.lib.bronze.contracts import LINEAGE_COLUMNS, BronzeTable, file_type
from customer360.lib.bronze.loader import BronzeCopy, FileLoad, TryAgain
from customer360.lib.bronze.results import LOAD_FAILED, LOAD_SKIPPED, LOADED, PARTIALLY_LOADED, FileLoadResult
from customer360.lib.bronze.row_rules import rejected_column_sql, rejected_reason_sql
from customer360.lib.resources.object_store import ObjectStoreResource, StoredObject
from customer360.lib.resources.warehouse import WarehouseSession
from customer360.lib.sql import statements

_REJECTS = "c360_copy_rejects"


@dataclass
class _Parsed:
    """What parsing one file found: rows read, rows inserted, and every rejected record."""

    rows_parsed: int
    rows_loaded: int
    rejects: list[dict] = field(default_factory=list)


def ensure_bronze_schema(conn: duckdb.DuckDBPyConnection, table: BronzeTable) -> None:
    for statement in statements("bronze_control"):
        conn.execute(statement)
    conn.execute(table.create_sql())


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
    # loads: customer360/resources.py) is restored after.
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


def _outcome(table: BronzeTable, obj: StoredObject, parsed: _Parsed, on_error: str) -> FileLoad:
    """The file's result under ON_ERROR with its rejected rows; the loader keeps the rows only when it LOADED or, under
    CONTINUE, PARTIALLY_LOADED."""
    first = parsed.rejects[0] if parsed.rejects else {}
    result = FileLoadResult(
        table_name=table.name, file_name=obj.key, status=LOADED, row_parsed=parsed.rows_parsed,
        row_count=parsed.rows_loaded, error_count=len(parsed.rejects), file_size=obj.size, file_etag=obj.etag,
        first_error_message=first.get("reason"), first_error_line_number=first.get("line_number"),
        first_error_column_name=first.get("column_name"),
    )
    if parsed.rejects and on_error == "CONTINUE":
        result = replace(result, status=PARTIALLY_LOADED if parsed.rows_loaded else LOAD_FAILED)
    elif parsed.rejects:
        # The file is not loaded: every parsed row counts as rejected, so row_parsed = row_count + error_count holds.
        result = replace(result, status=LOAD_SKIPPED if on_error == "SKIP_FILE" else LOAD_FAILED, row_count=0,
                         error_count=parsed.rows_parsed)
    return FileLoad(result, parsed.rejects)


_NOT_UTF8 = "Invalid string encoding found in Parquet file"


class DuckDBTarget:
    """COPY INTO on one DuckDB connection, reading files through the object store's local copies."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, source: ObjectStoreResource):
        self.conn, self.source = conn, source
        self.not_utf8: set[str] = set()  # Parquet files with strings that are not UTF-8: read row by row

    def prepare(self, table: BronzeTable) -> None:
        ensure_bronze_schema(self.conn, table)

    def statements(self, objs: Sequence[StoredObject]) -> list[list[StoredObject]]:
        return [[obj] for obj in objs]  # a file's rows and its history row commit together, or neither

    def load_files(self, table: BronzeTable, objs: Sequence[StoredObject], on_error: str, run_id: str,
                   loaded_at) -> list[FileLoad]:
        return [self._load_file(table, obj, on_error, run_id, loaded_at) for obj in objs]

    def _load_file(self, table: BronzeTable, obj: StoredObject, on_error: str, run_id: str, loaded_at) -> FileLoad:
        lineage = [obj.key, loaded_at, run_id]
        with self.source.local_copy(obj.key) as path:
            if file_type(obj.key) == "csv":
                parsed = _parse_csv(self.conn, table, path, lineage)
            elif obj.key in self.not_utf8:
                parsed = _parse_parquet_not_utf8(self.conn, table, path, lineage)
            else:
                parsed = _parse_parquet(self.conn, table, path, lineage)
        load = _outcome(table, obj, parsed, on_error)
        if parsed.rows_loaded and load.result.status not in (LOADED, PARTIALLY_LOADED):
            # The good rows went in before the rejected ones were counted; ON_ERROR does not keep them.
            self.conn.execute(f"DELETE FROM {table.qualified_name} WHERE _source_file = ? AND _loaded_at = ?",
                              [obj.key, loaded_at])
        return load

    def file_failure(self, error: Exception, table: BronzeTable, objs: Sequence[StoredObject],
                     on_error: str) -> FileLoad | None:
        """DuckDB refuses a Parquet file with a string that is not UTF-8 as a whole, and the failed statement ends the
        transaction: the group is loaded again with that file read row by row."""
        [obj] = objs
        if isinstance(error, duckdb.InvalidInputException) and _NOT_UTF8 in str(error) and obj.key not in self.not_utf8:
            self.not_utf8.add(obj.key)
            raise TryAgain(obj.key)
        return None


class DuckDBCopy(BronzeCopy):
    """The local target's `bronze_copy` resource."""

    def target(self, session: WarehouseSession, source: ObjectStoreResource) -> DuckDBTarget:
        return DuckDBTarget(session.conn, source)


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
