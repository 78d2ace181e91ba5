"""The Snowflake warehouse: dagster-snowflake's resource with the `session()` every target offers.

Imported only when C360_TARGET=snowflake (customer360/resources.py), so local runs do not pay for importing the SDK.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import pyarrow as pa
import snowflake.connector.errors
from dagster_snowflake import SnowflakeResource

from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.lib.resources.stages import FILE_FORMATS, sql_literal, stage_for
from customer360.lib.resources.warehouse import SNOWFLAKE, RetriedConnect, SqlTransactions, WarehouseLoginRefused


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

    def append_parquet(self, table: str, names: Sequence[str], store: ObjectStoreResource, key: str,
                       fields: Sequence[tuple[str, str]], constants: Sequence[Any]) -> None:
        """COPY the staged Parquet file's `fields` (name, SQL type), then the `constants`, into the columns `names`.
        FORCE: a file loaded before is loaded again (the caller replaces what an earlier copy of it added), where
        Snowflake's load metadata would skip it."""
        stage, relative = stage_for(key)
        values = [*(f"$1:{name}::{sql_type}" for name, sql_type in fields), *map(_literal, constants)]
        self.execute(f"COPY INTO {table} ({', '.join(names)})\n"
                     f"FROM (SELECT {', '.join(values)} FROM @{stage.name})\n"
                     f"FILES = ({sql_literal(relative)})\n"
                     f"FILE_FORMAT = (FORMAT_NAME = {sql_literal(FILE_FORMATS['parquet'])})\n"
                     f"FORCE = TRUE")


def _literal(value: Any) -> str:
    """A constant of a COPY's transformation, which takes no bound parameters."""
    if isinstance(value, dt.datetime):
        return f"{sql_literal(value.isoformat(sep=' '))}::TIMESTAMP_NTZ"
    return sql_literal(str(value))


# Snowflake's login service answers a login it refuses with a 39xxxx code (390100 wrong user or password, 390144
# a key pair not registered for the user, 390189/390201 a role not granted, 394300-394306 a bad JWT), and the
# connector marks a rejected credential SQLSTATE 28000. That answer is final: a retry repeats it, and every failed
# password login counts towards locking the user out (a password policy's PASSWORD_MAX_RETRIES, 5 by default, then
# PASSWORD_LOCKOUT_TIME_MINS, 15), which the step's retries alone would reach, and then fail a fixed password too.
_LOGIN_REFUSED_CODES = range(390000, 400000)
_CREDENTIAL_REJECTED = "28000"


def login_refused(error: BaseException) -> bool:
    """Whether Snowflake answered the login and refused it (as opposed to not answering)."""
    errno = getattr(error, "errno", None) or 0
    return getattr(error, "sqlstate", None) == _CREDENTIAL_REJECTED or errno in _LOGIN_REFUSED_CODES


class SnowflakeWarehouse(RetriedConnect, SnowflakeResource):
    """Snowflake through dagster-snowflake's resource; statements use qmark (`?`) binding, as DuckDB does."""

    @property
    def reads_while_dbt_runs(self) -> bool:
        """Yes: a session reads each model's table as soon as dbt reports it built."""
        return True

    def _refused(self, error: Exception, where: str) -> WarehouseLoginRefused | None:
        if not login_refused(error):
            return None
        said = " ".join(str(error).split())
        return WarehouseLoginRefused(
            f"Snowflake refused the login ({where}, user {self.user}, role {self.role}): {said}. Not retried: the "
            "answer would not change, and repeated failed logins lock the user out for a while. Check "
            "SNOWFLAKE_USER, SNOWFLAKE_PASSWORD (or the key pair: SNOWFLAKE_PRIVATE_KEY_PATH / SNOWFLAKE_PRIVATE_KEY) "
            "and SNOWFLAKE_ROLE; `python -m customer360 check-connection` explains this error. Then re-run: loads "
            "are idempotent."
        )

    @contextmanager
    def session(self) -> Iterator[SnowflakeSession]:
        errors = (snowflake.connector.errors.OperationalError, snowflake.connector.errors.DatabaseError)
        with self._connected(errors, f"account {self.account}") as conn:
            yield SnowflakeSession(conn)
