"""The streaming feed: one daily partition per day after the history, written to transactions/streaming/<date>/.

    landed customers (latest extract) ──► generate_day(day) ──► transactions/streaming/<day>/part-00000.parquet

A sensor (automation/sensors.py) sees new objects under the prefix, from this asset or any outside producer, and
requests a bronze load; the incremental gold models then add just that day.
"""

import datetime as dt

import dagster as dg

from customer360.assets.landing import CUSTOMERS_KEY, CUSTOMERS_REFRESH_KEY, LANDING_CUSTOMERS, read_customers_csv
from customer360.generate import generate_day, write_transactions_parquet
from customer360.resources.object_store import ObjectStoreResource
from customer360.resources.portfolio import PortfolioResource

STREAMING_PREFIX = "transactions/streaming/"
LANDING_STREAMING = dg.AssetKey(["landing", "transactions_streaming"])


def streaming_key(day: dt.date, part: int = 0) -> str:
    return f"{STREAMING_PREFIX}{day.isoformat()}/part-{part:05d}.parquet"


def streaming_partitions(as_of: dt.date) -> dg.DailyPartitionsDefinition:
    """Complete days after the generated history: a day's partition exists once the day has ended."""
    return dg.DailyPartitionsDefinition(start_date=(as_of + dt.timedelta(days=1)).isoformat())


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
        keys = {o.key for o in object_store.list("customers/")}
        latest = CUSTOMERS_REFRESH_KEY if CUSTOMERS_REFRESH_KEY in keys else CUSTOMERS_KEY
        with object_store.local_copy(latest) as path:
            customers = read_customers_csv(path)
        transactions = generate_day(customers, portfolio.seed, day)
        stored = object_store.write(streaming_key(day), lambda path: write_transactions_parquet(transactions, path))
        return dg.MaterializeResult(metadata={
            "dagster/row_count": transactions.num_rows,
            "object": f"{object_store.location}{stored.key}",
            "customers_from": latest,
        })

    return landing_transactions_streaming
