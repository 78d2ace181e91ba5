"""Whole-file checks both loaders make before COPY, so both targets treat the same file the same way.

Snowflake's COPY with a transformation reads CSV by position (a file whose header names the columns in another order
loads them into the wrong columns) and Parquet by name (a missing column loads as NULL). Neither is what the table's
contract means, so a file whose header or columns do not match the contract is rejected whole, before any row loads,
with a reason that says what was expected and what was found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from customer360.bronze.contracts import BronzeTable

# Enough for any header line of ours; a longer first line is not a header we can match anyway.
_HEADER_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileProblem:
    reason: str
    raw_record: str | None = None
    rows_parsed: int = 0  # rows the file holds, where that is known without parsing them (Parquet metadata)


def csv_header_problem(handle: BinaryIO, expected: Sequence[str]) -> FileProblem | None:
    """Why the file cannot be read as this table's CSV at all: empty, not UTF-8, or another header."""
    first = handle.read(_HEADER_BYTES).split(b"\n", 1)[0]
    if not first.strip():
        return FileProblem("file is empty: expected a header line " + ",".join(expected))
    try:
        header = first.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        return FileProblem("header is not UTF-8 text; re-export the file as UTF-8", first[:200].decode("latin-1"))
    found = [name.strip().strip('"').strip().lower() for name in header.split(",")]
    if found != list(expected):
        return FileProblem(f"header mismatch: expected {','.join(expected)} but found {header}", header)
    return None


def parquet_problem(handle: BinaryIO, expected: Sequence[str]) -> FileProblem | None:
    """Why the file cannot be read as this table's Parquet at all: unreadable, or a contract column missing."""
    try:
        metadata = pq.read_metadata(handle)
    except (pa.ArrowException, OSError) as error:
        return FileProblem(f"not a readable Parquet file ({error}); re-export or re-upload it")
    present = set(metadata.schema.names)
    missing = [name for name in expected if name not in present]
    if missing:
        return FileProblem(f"missing columns {', '.join(missing)}; found {', '.join(sorted(present))}",
                           rows_parsed=metadata.num_rows)
    return None


def file_problem(table: BronzeTable, handle: BinaryIO) -> FileProblem | None:
    check = csv_header_problem if table.file_format == "csv" else parquet_problem
    return check(handle, table.column_names)
