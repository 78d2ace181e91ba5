"""The app's connection to the warehouse: read-only and short-lived, so the app never blocks the pipeline.

DuckDB lets one process write the file, and a process that has it open read-only keeps writers out. So each page
render opens the file read-only, runs its queries, and closes it (well under a second; a pipeline step waiting for
the lock gets it then); while a pipeline step holds the write lock the open is retried for a few seconds
(tenacity), then the page says the warehouse is busy. On Snowflake there is no such
lock: one connection per role and app process, as that role's own user (C360_APP_SNOWFLAKE_USER_<ROLE>, or
C360_APP_SNOWFLAKE_USER for C360_APP_ROLE; each holds only its role) with secondary roles off, on the readers'
warehouse; it runs one SELECT per statement, nothing else.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import dagster as dg
import duckdb
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

from customer360.app.access import AppRole, read_only_statement, role
from customer360.lib.reports import requests
from customer360.lib.resources.warehouse import WarehouseLocked
from customer360.resources import warehouse_resource
from customer360.settings import APP_PASSWORD, APP_PRIVATE_KEY_PATH, APP_USER, Settings

if TYPE_CHECKING:
    import pandas as pd

BUSY_WAIT_S = 8
# The only statement the app sends that is not a SELECT: the procedure of snowflake_setup/12, its values bound.
REQUEST_REPORT_CALL = "CALL OBSERVABILITY.REQUEST_REPORT(?, ?, ?, ?)"


class WarehouseUnavailable(RuntimeError):
    """The app cannot read the warehouse; the message says why and what to do."""


class _Locked(Exception):
    pass


class AppWarehouse:
    """Runs the app's queries (`?` placeholders, values bound) and returns pandas frames, column names lower case."""

    def __init__(self, s: Settings, role_name: str | None = None):
        if s.app_login is not None and not role_name:
            raise ValueError("with the app's login, a warehouse is opened for a logged-in identity's role only")
        self.settings = s
        self.role: AppRole = role(role_name or s.app_role)  # the logged-in identity's role, else C360_APP_ROLE
        self.dialect = "snowflake" if s.snowflake else "duckdb"
        self._snowflake = None
        self._local = threading.local()  # the DuckDB connection of the page render running on this thread
        self.busy_wait_s: float = BUSY_WAIT_S  # how long a query waits for a pipeline step's write lock

    @property
    def where(self) -> str:
        sf = self.settings.snowflake
        return (f"Snowflake {sf.account}/{sf.database} as {self.role.name}" if sf
                else f"DuckDB {self.settings.warehouse_path} (rule of role {self.role.name})")

    def check(self) -> None:
        """Fail with what to do when the gold layer cannot be read (no warehouse, not built, no grant)."""
        try:
            self.query("SELECT COUNT(*) AS customers FROM gold.marketing_customer_audience")
        except WarehouseUnavailable:
            raise
        except Exception as error:  # noqa: BLE001 - the engine's own error is quoted
            raise WarehouseUnavailable(
                f"The gold layer cannot be read from {self.where}: {str(error).splitlines()[0]}. Build it with "
                "`make demo` (or the customer360_full_graph job), or on Snowflake check that the role has been "
                "granted the gold marts (a dbt build grants them).") from None

    def query(self, sql: str, params: Sequence[Any] = ()) -> "pd.DataFrame":
        frame = self._snowflake_query(sql, params) if self.settings.snowflake else self._duckdb_query(sql, params)
        frame.columns = [str(c).lower() for c in frame.columns]
        return frame

    def rows(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        """Column names (lower case) and rows as the engine returns them (dates, Decimals), not a frame: for Ask,
        whose answers keep a day a day and an amount exact."""
        if self.settings.snowflake:
            cursor = self._connection().cursor()
            try:
                cursor.execute(read_only_statement(sql), list(params) or None)
                return [d[0].lower() for d in cursor.description], [tuple(r) for r in cursor.fetchall()]
            finally:
                cursor.close()
        shared = getattr(self._local, "conn", None)
        conn = shared if shared is not None else self._open()
        try:
            cursor = conn.execute(sql, list(params))
            return [d[0].lower() for d in cursor.description], cursor.fetchall()
        finally:
            if shared is None:
                conn.close()

    # --- DuckDB: a read-only connection per page render (or per query outside one) ------------------------------
    @contextmanager
    def reading(self) -> Iterator[None]:
        """Queries inside share one read-only connection (opened once per page, not per query), closed at the end: a
        page render holds the file only while it queries. Per thread, since Streamlit renders sessions in parallel."""
        if self.settings.snowflake or getattr(self._local, "conn", None) is not None:
            yield
            return
        self._local.conn = self._open()
        try:
            yield
        finally:
            self._local.conn.close()
            self._local.conn = None

    def _duckdb_query(self, sql: str, params: Sequence[Any]) -> "pd.DataFrame":
        shared = getattr(self._local, "conn", None)
        if shared is not None:
            return shared.execute(sql, list(params)).df()
        conn = self._open()
        try:
            return conn.execute(sql, list(params)).df()
        finally:
            conn.close()

    def _open(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection; while a pipeline step holds the write lock, retried for `busy_wait_s`."""
        path = self.settings.warehouse_path
        if not path.exists():
            raise WarehouseUnavailable(f"No warehouse at {path}. Build it first with `make demo` (or point C360_HOME at "
                                       "the home that holds one), then reload this page.")
        try:
            for attempt in Retrying(retry=retry_if_exception_type(_Locked), stop=stop_after_delay(self.busy_wait_s),
                                    wait=wait_fixed(0.25), reraise=True):
                with attempt:
                    return self._connect(str(path))
        except _Locked:
            raise WarehouseUnavailable(f"The warehouse {path} is being written by a pipeline run (DuckDB lets one "
                                       f"process write it). Tried for {self.busy_wait_s:g} s; reload in a moment.") from None
        raise AssertionError("unreachable: Retrying returns or raises")

    @staticmethod
    def _connect(path: str) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(path, read_only=True, config={"memory_limit": "512MB"})
        except duckdb.IOException as error:
            if "lock" in str(error).lower():
                raise _Locked() from error
            raise

    # --- Snowflake: one connection as the app's own user, holding the app's role and nothing else ----------------
    def _connection(self):
        if self._snowflake is None:
            import snowflake.connector.errors

            from customer360.resources import snowflake_warehouse

            # The pipeline's resource (account, warehouse, timeouts) with the app's own login: never the pipeline's
            # user, whose DATA_ENGINEER would be active as a secondary role and see PII in clear.
            resource = snowflake_warehouse(self.settings, **app_login(self.settings, self.role.name))
            self._opened = resource.process_config_and_initialize().get_connection()
            try:
                connection = self._opened.__enter__()
            except snowflake.connector.errors.Error as error:
                raise WarehouseUnavailable(f"Cannot connect to Snowflake as {self.role.name}: {error}. Check the "
                                           f"SNOWFLAKE_* settings and that the role's app user holds "
                                           f"{self.role.name}.") from None
            try:
                _drop_secondary_roles(connection, self.role.name)
            except snowflake.connector.errors.Error as error:
                connection.close()
                raise WarehouseUnavailable(f"The app's Snowflake session as {self.role.name} could not drop its "
                                           f"secondary roles ({error}); it will not read with them.") from None
            self._snowflake = connection  # kept only once it reads with its primary role alone
        return self._snowflake

    def _snowflake_query(self, sql: str, params: Sequence[Any]) -> "pd.DataFrame":
        cursor = self._connection().cursor()
        try:
            cursor.execute(read_only_statement(sql), list(params) or None)
            return cursor.fetch_pandas_all()
        finally:
            cursor.close()

    def connection(self):
        """The Snowflake connection (Cortex Analyst's REST calls use its session token)."""
        return self._connection()

    # --- The one write: a report request ------------------------------------------------------------------------
    def request_report(self, report: str, date_from: str, date_to: str, segment: str, requested_by: str) -> int:
        """File a report request; its id (see `file_request`)."""
        return self.file_request(report, date_from, date_to, segment, requested_by).request_id

    def file_request(self, report: str, date_from: str, date_to: str, segment: str,
                     requested_by: str) -> requests.ReportRequest:
        """File a report request; the request as filed. On Snowflake the role calls OBSERVABILITY.REQUEST_REPORT (it
        validates and inserts as its owner: the role itself writes nothing) and reads the row back from
        V_REPORT_REQUESTS; locally a short write session files it through the same validation
        (lib/reports/requests.py). Refused (the role may not, or the request cannot run): RequestRefused with the
        reason; a busy warehouse: WarehouseUnavailable."""
        if not self.role.requests_reports:
            raise requests.RequestRefused(f"the role {self.role.name} may not request reports (it has no grant on "
                                          "OBSERVABILITY.REQUEST_REPORT); ask someone whose role may, or a data "
                                          "engineer")
        if self.settings.snowflake:
            return self._read_back(self._call_request_report(report, date_from, date_to, segment))
        # DuckDB opens a file once per process in one mode: the page's read-only connection closes for the write.
        shared = getattr(self._local, "conn", None)
        if shared is not None:
            shared.close()
        try:
            # As long as a page waits for a read, not the pipeline's two minutes: someone is waiting for the answer.
            writer = warehouse_resource(self.settings, lock_wait_s=self.busy_wait_s, connect_retries=0)
            with writer.session() as session:
                return requests.file_request(session, report, date_from, date_to, segment, requested_by,
                                             self.settings.as_of_now)
        except (dg.RetryRequested, duckdb.ConnectionException, WarehouseLocked) as busy:
            raise WarehouseUnavailable(f"The warehouse is busy ({busy.__cause__ or busy}): another page or a pipeline "
                                       "run holds it. Ask again in a moment.") from None
        finally:
            if shared is not None:
                self._local.conn = self._open()

    def _read_back(self, request_id: int) -> requests.ReportRequest:
        """The request the procedure filed, as the reader roles see it (the view has no error text: none yet)."""
        columns = [c if c != "error" else "NULL AS error" for c in requests.COLUMNS
                   if c not in ("request_key", "idempotency_key")]
        _, rows = self.rows(f"SELECT {', '.join(columns)} FROM observability.v_report_requests WHERE request_id = ?",
                            [request_id])
        return requests.from_row(rows[0])

    def _call_request_report(self, report: str, date_from: str, date_to: str, segment: str) -> int:
        import snowflake.connector.errors

        cursor = self._connection().cursor()
        try:
            cursor.execute(REQUEST_REPORT_CALL, [report, date_from, date_to, segment])
            [(request_id,)] = cursor.fetchall()
        except snowflake.connector.errors.ProgrammingError as error:
            raise requests.RequestRefused(str(error.msg)) from None
        finally:
            cursor.close()
        return int(request_id)


def app_login(s: Settings, role_name: str) -> dict[str, Any]:
    """The resource fields the app logs in with as `role_name`: that role's own user and secret, no secondary roles.

    A reader role must not log in as the pipeline's user: that user holds DATA_ENGINEER, and Snowflake's default
    DEFAULT_SECONDARY_ROLES = ('ALL') activates it beside the primary role, unmasking PII and authorizing every read.
    With the app's login each role has a user of its own (C360_APP_SNOWFLAKE_USER_<ROLE>); the unsuffixed user is
    C360_APP_ROLE's."""
    sf = s.snowflake
    assert sf is not None
    own = {role: (user, auth) for role, user, auth in sf.app_role_users}
    # C360_APP_ROLE may use the unsuffixed user; any other role (with the login) only its own.
    suffix = "" if role_name not in own and role_name == s.app_role else f"_{role_name}"
    user, auth = own.get(role_name) or ((sf.app_user, sf.app_auth) if not suffix else (None, None))
    fix = (f"create a Snowflake user that holds only {role_name} and set {APP_USER}{suffix} and "
           f"{APP_PASSWORD}{suffix} (or {APP_PRIVATE_KEY_PATH}{suffix}) (docs/production.md: Who sees what)")
    if not user or not auth:
        raise WarehouseUnavailable(f"The app on Snowflake reads as {role_name} with a user of its own, and "
                                   f"{APP_USER}{suffix} or its secret is not set; {fix}.")
    if role_name != "DATA_ENGINEER" and user.upper() == sf.user.upper():
        raise WarehouseUnavailable(f"{APP_USER}{suffix}={user!r} is the pipeline's user (SNOWFLAKE_USER), which "
                                   f"holds DATA_ENGINEER and would read unmasked as {role_name}; {fix}.")
    keypair = auth == "keypair"
    return {"user": user, "role": role_name, "schema": "GOLD", "connect_retries": 0,
            "password": None if keypair else dg.EnvVar(APP_PASSWORD + suffix),
            "private_key_path": dg.EnvVar(APP_PRIVATE_KEY_PATH + suffix) if keypair else None,
            "private_key": None, "private_key_password": None}


def _drop_secondary_roles(connection: Any, role_name: str) -> None:
    """USE SECONDARY ROLES NONE, then check it held: the session reads with its primary role alone."""
    cursor = connection.cursor()
    try:
        cursor.execute("USE SECONDARY ROLES NONE")
        cursor.execute("SELECT CURRENT_SECONDARY_ROLES()")
        [(value,)] = cursor.fetchall()
    finally:
        cursor.close()
    active = json.loads(value or "{}").get("roles", "")
    if active:
        connection.close()
        raise WarehouseUnavailable(f"The app's Snowflake session as {role_name} still has secondary roles ({active}) "
                                   "after USE SECONDARY ROLES NONE, so it could read what the role may not; the app "
                                   "will not read. Set the user's DEFAULT_SECONDARY_ROLES = () and check its grants.")
