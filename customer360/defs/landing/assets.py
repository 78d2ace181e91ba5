"""Landing: generated card transactions written as objects to the landing zone.

    the portfolio source/cards was seeded with ──► generate_transactions ──► transactions/historical/part-NNNNN.parquet

History is generated for the accounts as the generator seeded them (the same seed makes the same accounts), not as
they are after later changes: history happened before those changes, and the same seed always lands the same bytes,
so a re-run loads nothing twice. Every transaction's customer is an account replication delivers to bronze.
"""


import time
from concurrent.futures import Future, ThreadPoolExecutor

import dagster as dg
import pyarrow as pa

from customer360.lib.asset_keys import LANDING_TRANSACTIONS, SOURCE_CARDS
from customer360.lib.generate import generate_customers, generate_transactions, write_transactions_parquet
from customer360.lib.resources.object_store import ObjectStoreResource, StoredObject
from customer360.lib.resources.portfolio import PortfolioResource

HISTORICAL_PREFIX = "transactions/historical/"


def historical_key(part: int) -> str:
    return f"{HISTORICAL_PREFIX}part-{part:05d}.parquet"


def _store_part(object_store: ObjectStoreResource, part: int, chunk: pa.Table) -> tuple[StoredObject, int]:
    stored = object_store.write(historical_key(part), lambda path: write_transactions_parquet(chunk, path))
    return stored, chunk.num_rows


@dg.asset(key=LANDING_TRANSACTIONS, deps=[SOURCE_CARDS], group_name="landing", kinds={"python", "s3"})
def landing_transactions_historical(
    context: dg.AssetExecutionContext, portfolio: PortfolioResource, object_store: ObjectStoreResource
) -> dg.MaterializeResult:
    """Historical transactions as Parquet parts under transactions/historical/, one part per 6,250 customers.

    Parts from an earlier, larger run that this run did not write are removed, so the prefix holds one dataset.
    """
    started = time.perf_counter()
    customers = generate_customers(portfolio.customers, portfolio.seed, portfolio.as_of_date, portfolio.months)
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
