"""A slice of a built gold layer (every row of a few customers) copied into another warehouse, so the same rows can
be queried on DuckDB and on fakesnow and the answers compared.

fakesnow inserts row by row; a COPY of Parquet from a file:// stage is one statement, so the Snowflake side loads
that way (as production loads bronze)."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from customer360.lib.reports.export import sql_type
from customer360.lib.resources.warehouse import DUCKDB

# Relations the app and the semantic model read; those with customer_id keep only the sampled customers' rows.
SAMPLED = ("gold.marketing_customer_audience", "gold.customer_360_profile", "gold.fct_transactions",
           "gold.fct_transactions_as_of",
           "gold.monthly_customer_spending", "gold.metric_mom_spend_change", "gold.dim_merchant_category")


def sample(warehouse: Path, customers: int = 30) -> dict[str, pa.Table]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        ids = [r[0] for r in conn.execute("SELECT customer_id FROM gold.marketing_customer_audience ORDER BY "
                                          "customer_id LIMIT ?", [customers]).fetchall()]
        tables = {}
        for relation in SAMPLED:
            columns = [r[0] for r in conn.execute(f"DESCRIBE {relation}").fetchall()]
            where = f" WHERE customer_id IN ({', '.join('?' for _ in ids)})" if "customer_id" in columns else ""
            table = conn.sql(f"SELECT * FROM {relation}{where}", params=ids if where else None).to_arrow_table()
            # DuckDB's HUGEINT counts arrive as decimal(38,0): plain integers on both engines.
            tables[relation] = table.cast(pa.schema(
                [pa.field(f.name, pa.int64()) if pa.types.is_decimal(f.type) and f.type.scale == 0 else f
                 for f in table.schema]))
    return tables


def load(session, tables: dict[str, pa.Table], folder: Path) -> None:
    """Create each relation (types from Arrow) and fill it: Arrow on DuckDB, COPY of Parquet on Snowflake."""
    session.execute("CREATE SCHEMA IF NOT EXISTS gold")
    session.execute("CREATE SCHEMA IF NOT EXISTS observability")
    folder.mkdir(parents=True, exist_ok=True)
    if session.dialect != DUCKDB:
        session.execute(f"CREATE OR REPLACE STAGE gold.sample_rows URL = '{folder.as_uri()}/'")
    for relation, table in tables.items():
        columns = ", ".join(f"{f.name} {sql_type(f.type)}" for f in table.schema)
        session.execute(f"CREATE OR REPLACE TABLE {relation} ({columns})")
        if session.dialect == DUCKDB:
            session.insert_rows(relation, table.to_pylist(), table.schema)
        else:
            name = relation.replace(".", "_") + ".parquet"
            pq.write_table(table, folder / name)
            session.execute(f"COPY INTO {relation} FROM @gold.sample_rows FILES = ('{name}') "
                            "FILE_FORMAT = (TYPE = PARQUET) MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE")


def normalized(rows) -> list[tuple]:
    """Rows comparable across engines: numbers to 2 decimals, dates as ISO days, the rest as text."""
    def value(v):
        if isinstance(v, (decimal.Decimal, float, int)) and not isinstance(v, bool):
            return round(float(v), 2)
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat()[:10]
        return v
    return [tuple(value(v) for v in row) for row in rows]
