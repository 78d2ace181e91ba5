"""Load a report's result into a named warehouse table, with the attempt's metadata columns.

Idempotent per execution: one transaction deletes the execution's earlier rows and adds this attempt's, so a re-run
of the same execution (Dagster re-execution keeps the root run id) replaces its rows, never duplicates them. On
Snowflake the rows come from the staged Parquet file through COPY (no row inserts); locally DuckDB reads the same file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pyarrow as pa

from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.lib.resources.warehouse import WarehouseSession

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
METADATA_COLUMNS = (("execution_id", "VARCHAR"), ("uploaded_at", "TIMESTAMP"), ("requested_by", "VARCHAR"))


class ExportError(ValueError):
    """The export target is invalid or does not fit the result; the message says what to change."""


@dataclass(frozen=True)
class ExportTarget:
    schema: str
    table: str

    @classmethod
    def parse(cls, schema: str, table: str) -> ExportTarget | None:
        """None when no export is asked; both names plain identifiers (they become SQL text, so nothing else)."""
        schema, table = schema.strip(), table.strip()
        if not schema and not table:
            return None
        if not (schema and table):
            raise ExportError("export_schema and export_table go together: give both (e.g. reporting, "
                              "segment_performance) or neither")
        for name, value in (("export_schema", schema), ("export_table", table)):
            if not _IDENTIFIER.match(value):
                raise ExportError(f"{name}={value!r} is not a plain identifier: use letters, digits and _, "
                                  "starting with a letter")
        return cls(schema.lower(), table.lower())

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"


def sql_type(arrow: pa.DataType) -> str:
    """The column type both engines accept for an Arrow type of a report result."""
    if pa.types.is_boolean(arrow):
        return "BOOLEAN"
    if pa.types.is_integer(arrow):
        return "BIGINT"
    if pa.types.is_floating(arrow):
        return "DOUBLE"
    if pa.types.is_decimal(arrow):
        return f"DECIMAL({min(arrow.precision, 38)}, {arrow.scale})"
    if pa.types.is_date(arrow):
        return "DATE"
    if pa.types.is_timestamp(arrow):
        return "TIMESTAMP"
    return "VARCHAR"


def _columns(schema: pa.Schema) -> list[tuple[str, str]]:
    return [(field.name.lower(), sql_type(field.type)) for field in schema] + list(METADATA_COLUMNS)


def _ensure_table(session: WarehouseSession, target: ExportTarget, columns: list[tuple[str, str]]) -> None:
    """Create the schema and table if missing; an existing table must have the result's columns, by name."""
    session.execute(f"CREATE SCHEMA IF NOT EXISTS {target.schema}")
    session.execute(f"CREATE TABLE IF NOT EXISTS {target.qualified} ("
                    + ", ".join(f"{name} {kind}" for name, kind in columns) + ")")
    found = [row[0].lower() for row in session.fetchall(
        "SELECT column_name FROM information_schema.columns WHERE lower(table_schema) = ? AND lower(table_name) = ? "
        "ORDER BY ordinal_position", [target.schema, target.table])]
    wanted = [name for name, _ in columns]
    if sorted(found) != sorted(wanted):
        raise ExportError(f"{target.qualified} exists with columns {', '.join(found)}, but this report writes "
                          f"{', '.join(wanted)}; export to a new table, or drop or rename the old one")


def export(session: WarehouseSession, store: ObjectStoreResource, target: ExportTarget, parquet_key: str,
           schema: pa.Schema, execution_id: str, uploaded_at: dt.datetime, requested_by: str) -> int:
    """Replace the execution's rows in `target` with the result stored at `parquet_key`; return the rows now there."""
    columns = _columns(schema)
    _ensure_table(session, target, columns)
    with session.transaction():
        session.execute(f"DELETE FROM {target.qualified} WHERE execution_id = ?", [execution_id])
        session.append_parquet(target.qualified, [name for name, _ in columns], store, parquet_key,
                               [(field.name, sql_type(field.type)) for field in schema],
                               [execution_id, uploaded_at, requested_by])
    return session.fetchone(f"SELECT count(*) FROM {target.qualified} WHERE execution_id = ?", [execution_id])[0]
