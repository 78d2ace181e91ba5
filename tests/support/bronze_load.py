"""COPY INTO outside a Dagster run, through the target's `bronze_copy` resource as the bronze asset uses it."""

from customer360.lib.bronze.duckdb_copy import DuckDBCopy
from customer360.lib.bronze.loader import BronzeCopy
from customer360.lib.resources.warehouse import SNOWFLAKE, DuckDBSession


def bronze_copy(session) -> BronzeCopy:
    if session.dialect == SNOWFLAKE:
        from customer360.lib.bronze.snowflake_copy import SnowflakeCopy  # the SDK only in the tests that need it

        return SnowflakeCopy()
    return DuckDBCopy()


def load(session, table, store, objects, on_error, run_id, log=None, retry_failed=False):
    """COPY INTO `table` on whichever warehouse the session belongs to."""
    return bronze_copy(session).copy_into(session, table, store, objects, on_error, run_id, log=log,
                                          retry_failed=retry_failed)


def load_on_duckdb(conn, table, store, objects, on_error, run_id, log=None):
    """COPY INTO `table` on a bare DuckDB connection."""
    return DuckDBCopy().copy_into(DuckDBSession(conn), table, store, objects, on_error, run_id, log=log)


class CountingSession:
    """A warehouse session that keeps every statement it sends (one round trip each; an insert of many rows is one
    array-bound statement), so tests and benchmarks count what a load costs without timing it."""

    TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")

    def __init__(self, session):
        self.session, self.dialect, self.sent = session, session.dialect, []
        self.conn = getattr(session, "conn", None)

    def _sent(self, sql: str) -> None:
        self.sent.append(" ".join(sql.split()))

    def __getattr__(self, name):
        """execute, fetchall, fetchone, fetch_arrow: the statement is kept, then sent."""
        if name not in ("execute", "fetchall", "fetchone", "fetch_arrow"):
            raise AttributeError(name)

        def send(sql, params=()):
            self._sent(sql)
            return getattr(self.session, name)(sql, params)

        return send

    def insert_rows(self, table, rows, schema=None):
        if rows:
            self._sent(f"INSERT INTO {table} ({len(rows)} rows)")
        return self.session.insert_rows(table, rows, schema)

    def append_parquet(self, table, names, store, key, fields, constants):
        self._sent(f"APPEND {table} FROM {key}")
        return self.session.append_parquet(table, names, store, key, fields, constants)

    def transaction(self):
        return type(self.session).transaction(self)

    @property
    def statements(self) -> list[str]:
        """What was sent apart from transaction control."""
        return [sql for sql in self.sent if not sql.upper().startswith(self.TRANSACTION_CONTROL)]

    @property
    def copies(self) -> list[str]:
        return [sql for sql in self.sent if sql.upper().startswith("COPY INTO")]
