"""The streaming feed: one daily partition per day after the history, written to transactions/streaming/<date>/.

    landed customers (latest extract) ──► generate_day(day) ──► transactions/streaming/<day>/part-00000.parquet

A sensor (automation/sensors.py) sees new objects under the prefix, from this asset or any outside producer, and
requests a bronze load; the incremental gold models then add just that day.
"""

import datetime as dt

import dagster as dg

from customer360.assets.landing import CUSTOMERS_KEY, CUSTOMERS_REFRESH_KEY, LANDING_CUSTOMERS, read_customers_csv
from customer360.generate import generate_day, write_transactions_parquet
from customer360.resources.object_store import ObjectStoreResource, StoredObject
from customer360.resources.portfolio import PortfolioResource

STREAMING_PREFIX = "transactions/streaming/"
LANDING_STREAMING = dg.AssetKey(["landing", "transactions_streaming"])


def streaming_key(day: dt.date, part: int = 0) -> str:
    return f"{STREAMING_PREFIX}{day.isoformat()}/part-{part:05d}.parquet"


def streaming_partitions(as_of: dt.date) -> dg.DailyPartitionsDefinition:
    """Complete days after the generated history: a day's partition exists once the day has ended."""
    return dg.DailyPartitionsDefinition(start_date=(as_of + dt.timedelta(days=1)).isoformat())


def land_day(object_store: ObjectStoreResource, seed: int, day: dt.date) -> tuple[StoredObject, int, str]:
    """Write `day`'s transactions for the customers of the latest extract in the landing zone; return the object,
    its rows and the extract used. The same seed and day write the same bytes, so landing a day twice loads once."""
    keys = {o.key for o in object_store.list("customers/")}
    if not keys & {CUSTOMERS_KEY, CUSTOMERS_REFRESH_KEY}:
        raise FileNotFoundError(f"No customers extract under {object_store.location}customers/: land the portfolio "
                                "first (make demo, or materialize landing/customers)")
    latest = CUSTOMERS_REFRESH_KEY if CUSTOMERS_REFRESH_KEY in keys else CUSTOMERS_KEY
    with object_store.local_copy(latest) as path:
        customers = read_customers_csv(path)
    transactions = generate_day(customers, seed, day)
    stored = object_store.write(streaming_key(day), lambda path: write_transactions_parquet(transactions, path))
    return stored, transactions.num_rows, latest


def build_streaming_asset(as_of: dt.date) -> dg.AssetsDefinition:
    @dg.asset(
        key=LANDING_STREAMING,
        deps=[LANDING_CUSTOMERS],
        partitions_def=streaming_partitions(as_of),
        group_name="landing",
        kinds={"python", "s3"},
    )
    def landing_transactions_streaming(
        context: dg.AssetExecutionContext, portfolio: PortfolioResource, object_store: ObjectStoreResource
    ) -> dg.MaterializeResult:
        """One day of new transactions for current customers (the latest customers extract in the landing zone)."""
        day = dt.date.fromisoformat(context.partition_key)
        stored, rows, latest = land_day(object_store, portfolio.seed, day)
        return dg.MaterializeResult(metadata={
            "dagster/row_count": rows,
            "object": f"{object_store.location}{stored.key}",
            "customers_from": latest,
        })

    return landing_transactions_streaming
