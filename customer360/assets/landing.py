"""Landing: generated customers and transactions written as objects to the landing zone.

    generate_customers ──► customers/customers.csv ──► generate_customer_refresh ──► customers/customers_refresh.csv
    customers.csv ──► generate_transactions ──► transactions/historical/part-00000.parquet, part-00001, ...

Transactions are generated from the landed customers file (not a second in-memory copy), so the files agree.
"""


import time
from concurrent.futures import Future, ThreadPoolExecutor

import dagster as dg
import pyarrow as pa
import pyarrow.csv as pv

from customer360.generate import (
    CUSTOMER_SCHEMA,
    generate_customers,
    generate_transactions,
    write_transactions_parquet,
)
from customer360.generate.refresh import changed_customers, generate_customer_refresh
from customer360.resources.object_store import ObjectStoreResource, StoredObject
from customer360.resources.portfolio import PortfolioResource

CUSTOMERS_KEY = "customers/customers.csv"
CUSTOMERS_REFRESH_KEY = "customers/customers_refresh.csv"
HISTORICAL_PREFIX = "transactions/historical/"
LANDING_CUSTOMERS = dg.AssetKey(["landing", "customers"])
LANDING_CUSTOMERS_REFRESH = dg.AssetKey(["landing", "customers_refresh"])
LANDING_TRANSACTIONS = dg.AssetKey(["landing", "transactions_historical"])


def historical_key(part: int) -> str:
    return f"{HISTORICAL_PREFIX}part-{part:05d}.parquet"


def read_customers_csv(path) -> pa.Table:
    """The landed customers file with the generator's column types."""
    types = {field.name: field.type for field in CUSTOMER_SCHEMA}
    return pv.read_csv(path, convert_options=pv.ConvertOptions(column_types=types, strings_can_be_null=True))


@dg.asset(key=LANDING_CUSTOMERS, group_name="landing", kinds={"python", "s3"})
def landing_customers(portfolio: PortfolioResource, object_store: ObjectStoreResource) -> dg.MaterializeResult:
    """The customer portfolio as one CSV object (customers/customers.csv), generated from the portfolio's seed."""
    started = time.perf_counter()
    customers = generate_customers(portfolio.customers, portfolio.seed, portfolio.as_of_date, portfolio.months)
    stored = object_store.write(CUSTOMERS_KEY, lambda path: pv.write_csv(customers, path))
    return dg.MaterializeResult(metadata={
        "dagster/row_count": customers.num_rows,
        "object": f"{object_store.location}{stored.key}",
        "bytes": stored.size,
        "seconds": round(time.perf_counter() - started, 2),
    })


@dg.asset(key=LANDING_CUSTOMERS_REFRESH, deps=[LANDING_CUSTOMERS], group_name="landing", kinds={"python", "s3"})
def landing_customers_refresh(portfolio: PortfolioResource, object_store: ObjectStoreResource) -> dg.MaterializeResult:
    """A later full extract of the customers feed (customers/customers_refresh.csv) in which a seeded 5 % of
    customers changed segment, credit limit, card type or state: what gives dim_customer real SCD2 history.

    Materialize it after the first build (the `customer_refresh` job) so the snapshot sees the two states apart.
    """
    with object_store.local_copy(CUSTOMERS_KEY) as path:
        customers = read_customers_csv(path)
    refreshed = generate_customer_refresh(customers, portfolio.seed)
    stored = object_store.write(CUSTOMERS_REFRESH_KEY, lambda path: pv.write_csv(refreshed, path))
    return dg.MaterializeResult(metadata={
        "dagster/row_count": refreshed.num_rows,
        "customers_changed": changed_customers(customers, refreshed),
        "object": f"{object_store.location}{stored.key}",
    })


def _store_part(object_store: ObjectStoreResource, part: int, chunk: pa.Table) -> tuple[StoredObject, int]:
    stored = object_store.write(historical_key(part), lambda path: write_transactions_parquet(chunk, path))
    return stored, chunk.num_rows


@dg.asset(key=LANDING_TRANSACTIONS, deps=[LANDING_CUSTOMERS], group_name="landing", kinds={"python", "s3"})
def landing_transactions_historical(
    context: dg.AssetExecutionContext, portfolio: PortfolioResource, object_store: ObjectStoreResource
) -> dg.MaterializeResult:
    """Historical transactions as Parquet parts under transactions/historical/, one part per 6,250 customers.

    Parts from an earlier, larger run that this run did not write are removed, so the prefix holds one dataset.
    """
    started = time.perf_counter()
    with object_store.local_copy(CUSTOMERS_KEY) as path:
        customers = read_customers_csv(path)
    chunks = generate_transactions(customers, portfolio.seed, portfolio.as_of_date, portfolio.months)
    written: list[tuple[StoredObject, int]] = []
    # The next part is generated while the previous one is written (Parquet encoding releases the GIL): on two
    # cores the landing takes about as long as generation alone. One write in flight keeps two parts in memory.
    def finish(write: Future) -> None:
        stored, count = write.result()
        written.append((stored, count))
        context.log.info(f"{stored.key}: {count:,} rows, {stored.size / 1e6:.1f} MB")

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="c360-landing") as writer:
        in_flight: Future | None = None
        for part, chunk in enumerate(chunks):
            if in_flight is not None:
                finish(in_flight)
            in_flight = writer.submit(_store_part, object_store, part, chunk)
        if in_flight is not None:
            finish(in_flight)
    rows = sum(count for _, count in written)
    keep = {stored.key for stored, _ in written}
    for stale in object_store.list(HISTORICAL_PREFIX):
        if stale.key not in keep:
            object_store.delete(stale.key)
            context.log.info(f"removed stale {stale.key}")
    return dg.MaterializeResult(metadata={
        "dagster/row_count": rows,
        "files": len(written),
        "bytes": sum(stored.size for stored, _ in written),
        "prefix": f"{object_store.location}{HISTORICAL_PREFIX}",
        "seconds": round(time.perf_counter() - started, 2),
    })
