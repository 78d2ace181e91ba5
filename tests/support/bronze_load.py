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
