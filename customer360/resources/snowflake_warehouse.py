"""The Snowflake warehouse: dagster-snowflake's resource with the `session()` every target offers.

Imported only when C360_TARGET=snowflake (resources/build.py), so local runs do not pay for importing the SDK.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import pyarrow as pa
import snowflake.connector.errors
from dagster_snowflake import SnowflakeResource

from customer360.resources.warehouse import SNOWFLAKE, RetriedConnect, SqlTransactions


class SnowflakeSession(SqlTransactions):
    dialect = SNOWFLAKE

    def __init__(self, conn):
        self.conn = conn
        self.cursor = conn.cursor()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(sql, list(params) or None)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self.cursor.execute(sql, list(params) or None).fetchall()

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        return self.cursor.execute(sql, list(params) or None).fetchone()

    def fetch_arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        """The result as an Arrow table (the connector's fetch_arrow_all), column names lower case."""
        cursor = self.cursor.execute(sql, list(params) or None)
        table = cursor.fetch_arrow_all(force_return_table=True)
        return table.rename_columns([name.lower() for name in table.column_names])

    def insert_rows(self, table: str, rows: Sequence[Mapping[str, Any]], schema: pa.Schema | None = None) -> int:
        """Append rows with one array-bound INSERT (the connector sends all rows in one request)."""
        if not rows:
            return 0
        columns = list(rows[0])
        placeholders = ", ".join("?" for _ in columns)
        self.cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
            [[row.get(c) for c in columns] for row in rows],
        )
        return len(rows)


class SnowflakeWarehouse(RetriedConnect, SnowflakeResource):
    """Snowflake through dagster-snowflake's resource; statements use qmark (`?`) binding, as DuckDB does."""

    @contextmanager
    def session(self) -> Iterator[SnowflakeSession]:
        errors = (snowflake.connector.errors.OperationalError, snowflake.connector.errors.DatabaseError)
        with self._connected(errors, f"account {self.account}") as conn:
            yield SnowflakeSession(conn)
