"""Whole-file checks both loaders make before COPY, so both targets treat the same file the same way.

Snowflake's COPY with a transformation reads CSV by position (a file whose header names the columns in another order
loads them into the wrong columns) and Parquet by name (a missing column loads as NULL, another column not at all).
None of that is what the table's contract means, so a file whose header or columns do not match the contract is
rejected whole, before any row loads, with a reason that says what was expected and what was found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from customer360.lib.bronze.contracts import FILE_TYPES, BronzeTable, file_type

# Enough for any header line of ours; a longer first line is not a header we can match anyway.
_HEADER_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileProblem:
    reason: str
    raw_record: str | None = None
    rows_parsed: int | None = 0  # rows the file holds where known without parsing them; None: unknowable


def _records_after_header(handle: BinaryIO, start: bytes) -> int:
    """Lines after the first (a record per line), reading on from `start`, the bytes already read."""
    lines, last = start.count(b"\n"), start[-1:]
    while block := handle.read(1 << 20):
        lines, last = lines + block.count(b"\n"), block[-1:]
    return max(lines - 1 + (last not in (b"\n", b"")), 0)


def csv_header_problem(handle: BinaryIO, expected: Sequence[str]) -> FileProblem | None:
    """Why the file cannot be read as this table's CSV at all: empty, not UTF-8, or another header. The rows of a
    rejected file are counted (one record per line), so its history says how many rows it held."""
    start = handle.read(_HEADER_BYTES)
    first = start.split(b"\n", 1)[0]
    if not first.strip():
        return FileProblem("file is empty: expected a header line " + ",".join(expected),
                           rows_parsed=_records_after_header(handle, start) if start.strip() else 0)
    try:
        header = first.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        return FileProblem("header is not UTF-8 text; re-export the file as UTF-8", first[:200].decode("latin-1"),
                           rows_parsed=_records_after_header(handle, start))
    found = [name.strip().strip('"').strip().lower() for name in header.split(",")]
    if found != list(expected):
        return FileProblem(f"header mismatch: expected {','.join(expected)} but found {header}", header,
                           rows_parsed=_records_after_header(handle, start))
    return None


def parquet_problem(handle: BinaryIO, expected: Sequence[str]) -> FileProblem | None:
    """Why the file cannot be read as this table's Parquet at all: unreadable, a contract column missing, or a column
    the contract does not have. COPY reads Parquet by name, so another column would load nothing and its values would
    be dropped without a word; a CSV header with another column is rejected the same way."""
    try:
        metadata = pq.read_metadata(handle)
        present = metadata.schema.to_arrow_schema().names  # top-level columns, as COPY matches them
    except (pa.ArrowException, OSError) as error:  # no footer: how many rows it held cannot be known
        return FileProblem(f"not a readable Parquet file ({error}); re-export or re-upload it", rows_parsed=None)
    missing = [name for name in expected if name not in present]
    if missing:
        return FileProblem(f"missing columns {', '.join(missing)}; found {', '.join(sorted(present))}",
                           rows_parsed=metadata.num_rows)
    outside = [name for name in present if name not in expected]
    if outside:
        return FileProblem(f"columns outside the table's contract: {', '.join(outside)} (their values would be "
                           f"dropped); the contract has {', '.join(expected)}. Add them to the contract "
                           "(bronze/contracts.py, or replication.yaml) or write the file without them",
                           rows_parsed=metadata.num_rows)
    return None


def file_problem(table: BronzeTable, kind: str, handle: BinaryIO) -> FileProblem | None:
    """Why this csv or parquet file cannot be loaded into `table` at all, or None."""
    check = csv_header_problem if kind == "csv" else parquet_problem
    return check(handle, table.column_names)


def key_problem(table: BronzeTable, key: str) -> FileProblem | None:
    """Why the object cannot be loaded into `table`, whatever it holds: it lies outside the folders the warehouse's
    stages read, or it is of another type. Such a file is recorded as failed, never ignored."""
    if table.strays(key):
        folders = ", ".join(sorted((table.prefix, *table.others)))
        return FileProblem(f"in a folder no bronze table loads from; under {table.listed_prefix} the tables read "
                           f"{folders} (replication.yaml); move the file into one of them, or delete it",
                           rows_parsed=None)
    if not key.startswith(table.read_prefixes):
        return FileProblem(f"not in a folder {table.qualified_name} loads from: {', '.join(table.read_prefixes)} (the "
                           "external stages of snowflake_setup/04); move the file into one of them", rows_parsed=None)
    return unsupported(key) if file_type(key) is None else None


def unsupported(key: str) -> FileProblem:
    found = key.rsplit("/", 1)[-1]
    extension = "." + found.rsplit(".", 1)[1] if "." in found else "no extension"
    return FileProblem(f"unsupported file type ({extension}): a table loads {' and '.join(FILE_TYPES)} files; move "
                       "or delete it, or convert it", rows_parsed=None)
