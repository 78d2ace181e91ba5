"""The warehouse of each target behind one small session interface.

Checks, observability writes and counts speak plain SQL through a `WarehouseSession`, so they run unchanged on
DuckDB (local) and Snowflake (production). What differs per target is a method of the session (how a stored Parquet
file is appended to a table) or a resource of its own (the bronze load: `bronze_copy`, bronze/loader.py).

Both resources are the Dagster integrations (dagster-duckdb, dagster-snowflake) with a `session()` added. The
Snowflake one lives in resources/snowflake_warehouse.py and is imported only for that target: dagster-snowflake and
the Snowflake SDK take ~8 s to import, which every local `dagster` command and run would otherwise pay.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any, Protocol

import dagster as dg
import duckdb
import pyarrow as pa
from dagster_duckdb import DuckDBResource
from pydantic import Field

from customer360.lib.resources.object_store import ObjectStoreResource

DUCKDB = "duckdb"
SNOWFLAKE = "snowflake"


class WarehouseSession(Protocol):
    dialect: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]: ...

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple | None: ...

    def fetch_arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table: ...

    def insert_rows(self, table: str, rows: Sequence[Mapping[str, Any]], schema: pa.Schema | None = None) -> int: ...

    def append_parquet(self, table: str, names: Sequence[str], store: ObjectStoreResource, key: str,
                       fields: Sequence[tuple[str, str]], constants: Sequence[Any]) -> None: ...

    def transaction(self): ...


class Warehouse(Protocol):
    """What assets, checks and sensors ask of the `warehouse` resource."""

    reads_while_dbt_runs: bool

    def session(self): ...


class SqlTransactions:
    """Explicit transactions in the SQL both engines share; subclasses provide `execute`."""

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All statements inside commit together or not at all (DDL does not belong inside: Snowflake commits it)."""
        self.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")


class DuckDBSession(SqlTransactions):
    dialect = DUCKDB

    def __init__(self, conn):
        self.conn = conn  # the raw connection, for the DuckDB COPY emulation

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(sql, list(params)).fetchall()

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self.conn.execute(sql, list(params)).fetchall()

    def fetch_arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        """The result as an Arrow table, column names lower case (as on Snowflake)."""
        table = self.conn.sql(sql, params=list(params)).to_arrow_table()
        return table.rename_columns([name.lower() for name in table.column_names])

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        # Fetch fully: DuckDB 2.0 refuses the next statement while a result is only partly read.
        rows = self.conn.execute(sql, list(params)).fetchall()
        return rows[0] if rows else None

    def insert_rows(self, table: str, rows: Sequence[Mapping[str, Any]], schema: pa.Schema | None = None) -> int:
        """Append rows by column name through Arrow (one statement, whatever the row count)."""
        if not rows:
            return 0
        view = "c360_insert_rows"
        self.conn.register(view, pa.Table.from_pylist(list(rows), schema=schema))
        try:
            self.conn.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {view}")
        finally:
            self.conn.unregister(view)
        return len(rows)

    def append_parquet(self, table: str, names: Sequence[str], store: ObjectStoreResource, key: str,
                       fields: Sequence[tuple[str, str]], constants: Sequence[Any]) -> None:
        """Append the stored Parquet file's `fields` (name, SQL type), then the `constants`, as the columns `names`."""
        selected = ", ".join([*(f'"{name}"' for name, _ in fields), *("?" for _ in constants)])
        with store.local_copy(key) as path:
            self.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {selected} FROM read_parquet(?)",
                         [*constants, str(path)])


class WarehouseUnavailable(RuntimeError):
    """The warehouse could not be reached after every retry of the step."""


class WarehouseLoginRefused(RuntimeError):
    """The warehouse answered and refused the login (user, password, key, role): no retry can change that."""


class RetriedConnect(dg.ConfigurableResource):
    """A failed connect makes Dagster retry the whole step (RetryRequested) a few times, then fail it by name.

    Only connection failures are retried: a step that reached the warehouse and failed on bad data fails at once,
    and so does a login the warehouse refused (`_refused`), which a retry would only repeat."""

    connect_retries: int = Field(default=3, ge=0, description="Step retries when the warehouse cannot be reached.")
    connect_retry_wait_s: float = Field(default=10.0, ge=0, description="Seconds between those retries.")

    def _unreachable(self, error: Exception, where: str) -> dg.RetryRequested:
        message = (f"Cannot connect to the warehouse ({where}): {error}. The step is retried up to "
                   f"{self.connect_retries} times, {self.connect_retry_wait_s:g} s apart; if it still fails, check "
                   "that the warehouse is reachable and the credentials are valid, then re-run (loads are idempotent).")
        failure = WarehouseUnavailable(message)
        failure.__cause__ = error
        retry = dg.RetryRequested(max_retries=self.connect_retries, seconds_to_wait=self.connect_retry_wait_s)
        retry.__cause__ = failure
        return retry

    def _refused(self, error: Exception, where: str) -> WarehouseLoginRefused | None:
        """The error to fail with at once if `error` is the warehouse refusing the login, else None (retry)."""
        return None

    @contextmanager
    def _connected(self, unreachable: tuple[type[Exception], ...], where: str) -> Iterator[Any]:
        """The integration's connection; a failure to open it (only that) becomes a step retry, unless the warehouse
        refused the login."""
        with ExitStack() as stack:
            try:
                conn = stack.enter_context(self.get_connection())
            except unreachable as error:
                if refused := self._refused(error, where):
                    raise refused from error
                raise self._unreachable(error, where)  # noqa: B904 - the cause is set inside
            yield conn


class WarehouseLocked(Exception):
    """Another process held the DuckDB file for longer than the configured wait."""


_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")
LOCK_POLL_S = 0.5


def lock_holder(error: Exception) -> str:
    """Who holds the lock, as DuckDB's error names it: "PID 1234 (/usr/bin/python3)"."""
    found = _HOLDER.search(str(error))
    return f"PID {found.group(2)} ({found.group(1)})" if found else "another process"


class LocalWarehouse(RetriedConnect, DuckDBResource):
    """The embedded DuckDB file (dagster-duckdb's resource). DuckDB lets one process open the file for writing: while
    another holds it (an analyst's DuckDB CLI, a notebook, the app), a session waits up to `lock_wait_s`, says so in
    the log, then fails naming the holder."""

    lock_wait_s: float = Field(default=120.0, ge=0, description="Seconds to wait for a warehouse file another "
                                                                 "process holds (C360_LOCK_WAIT_S).")

    @property
    def reads_while_dbt_runs(self) -> bool:
        """No: dbt's process holds the DuckDB file until it exits, so the asset reads after it."""
        return False

    def _connect_when_free(self) -> duckdb.DuckDBPyConnection:
        log = dg.get_dagster_logger()
        deadline, waiting_since = time.monotonic() + self.lock_wait_s, None
        while True:
            try:
                conn = duckdb.connect(self.database, read_only=False, config=self.connection_config)
                if waiting_since is not None:
                    log.info(f"Got the warehouse lock after {time.monotonic() - waiting_since:.1f} s")
                return conn
            except duckdb.IOException as error:
                if "lock" not in str(error).lower():
                    raise
                if waiting_since is None:
                    waiting_since = time.monotonic()
                    log.warning(f"The warehouse {self.database} is held by {lock_holder(error)}: waiting for its "
                                f"lock (up to {self.lock_wait_s:g} s, C360_LOCK_WAIT_S)")
                if time.monotonic() >= deadline:
                    raise WarehouseLocked(
                        f"The warehouse {self.database} stayed locked by {lock_holder(error)} for "
                        f"{self.lock_wait_s:g} s. DuckDB lets one process write the file: close that process's "
                        "connection (a DuckDB CLI, a notebook, the app, another run) or raise C360_LOCK_WAIT_S, then "
                        "re-run; loads are idempotent."
                    ) from None
                time.sleep(LOCK_POLL_S)

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        conn = self._connect_when_free()
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def session(self) -> Iterator[DuckDBSession]:
        with self._connected((duckdb.IOException,), self.database) as conn:
            # current_timestamp casts to TIMESTAMP in UTC, as on Snowflake (session TIMEZONE = UTC), whatever the
            # machine's zone. Set here, not in connection_config: ICU (time zones) loads only after connecting.
            conn.execute("SET TimeZone = 'UTC'")
            yield DuckDBSession(conn)
