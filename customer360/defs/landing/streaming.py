"""The streaming feed: one daily partition per day after the history, written to transactions/streaming/<date>/.

    source cards.accounts (as they are now) ──► generate_day(day) ──► transactions/streaming/<day>/part-00000.parquet

A sensor (sensors.py) sees new objects under the prefix, from this asset or any outside producer, and
requests a bronze load; the incremental gold models then add just that day.
"""

import datetime as dt

import dagster as dg
import pyarrow as pa

from customer360.lib.asset_keys import LANDING_STREAMING, SOURCE_CARDS, STREAMING_PREFIX
from customer360.lib.generate import generate_day, write_transactions_parquet
from customer360.lib.resources.object_store import ObjectStoreResource, StoredObject
from customer360.lib.resources.portfolio import PortfolioResource
from customer360.lib.resources.source import SourceDatabaseResource
from customer360.lib.source import cards
from customer360.settings import settings


def streaming_key(day: dt.date, part: int = 0) -> str:
    return f"{STREAMING_PREFIX}{day.isoformat()}/part-{part:05d}.parquet"


def streaming_partitions(as_of: dt.date) -> dg.DailyPartitionsDefinition:
    """Complete days after the generated history: a day's partition exists once the day has ended."""
    return dg.DailyPartitionsDefinition(start_date=(as_of + dt.timedelta(days=1)).isoformat())


def current_accounts(source: SourceDatabaseResource, log=None) -> pa.Table:
    """The accounts as the operational database holds them now; an unseeded source is an error that says what to do."""
    with source.connect(log) as conn:
        accounts = cards.read_accounts(conn) if cards.seeded(conn) else None
    if accounts is None or not accounts.num_rows:
        raise FileNotFoundError("The source database has no card accounts yet: seed it first (make demo, or "
                                "materialize source/cards)")
    return accounts


def land_day(object_store: ObjectStoreResource, accounts: pa.Table, seed: int, day: dt.date) -> tuple[StoredObject, int]:
    """Write `day`'s transactions for `accounts` in the landing zone; return the object and its rows. The same seed,
    accounts and day write the same bytes, so landing a day twice loads once."""
    transactions = generate_day(accounts, seed, day)
    stored = object_store.write(streaming_key(day), lambda path: write_transactions_parquet(transactions, path))
    return stored, transactions.num_rows


def build_streaming_asset(as_of: dt.date) -> dg.AssetsDefinition:
    @dg.asset(
        key=LANDING_STREAMING,
        deps=[SOURCE_CARDS],
        partitions_def=streaming_partitions(as_of),
        group_name="landing",
        kinds={"python", "s3"},
    )
    def landing_transactions_streaming(
        context: dg.AssetExecutionContext, portfolio: PortfolioResource, object_store: ObjectStoreResource,
        source: SourceDatabaseResource,
    ) -> dg.MaterializeResult:
        """One day of new transactions for the accounts in the operational database as they are now."""
        day = dt.date.fromisoformat(context.partition_key)
        accounts = current_accounts(source, context.log)
        stored, rows = land_day(object_store, accounts, portfolio.seed, day)
        return dg.MaterializeResult(metadata={
            "dagster/row_count": rows,
            "object": f"{object_store.location}{stored.key}",
            "accounts": accounts.num_rows,
        })

    return landing_transactions_streaming


@dg.definitions
def streaming_defs() -> dg.Definitions:
    """The streaming asset: its daily partitions end at C360_AS_OF."""
    return dg.Definitions(assets=[build_streaming_asset(settings().as_of)])
