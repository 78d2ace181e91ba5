"""The operational source: the generator seeds the `cards` database and later changes accounts in it.

    generate_customers ──► source/cards (INSERT the accounts not there yet) ──► source/cards_changes (UPDATE ~5 %)

Locally they stand in for the operational application. Against C360_SOURCE_DSN (production) they write nothing: the
database is the system of record, and the assets only report its row counts, unless C360_SOURCE_WRITABLE=true marks it
as a test instance the generator may fill.
"""


import dagster as dg

from customer360.lib.asset_keys import SOURCE_CARDS, SOURCE_CARDS_CHANGES
from customer360.lib.generate import generate_customers
from customer360.lib.resources.portfolio import PortfolioResource
from customer360.lib.resources.source import SourceDatabaseResource
from customer360.lib.source import cards


def _row_counts(conn) -> dict[str, int]:
    with conn.cursor() as cur:
        cur.execute(f"SELECT (SELECT count(*) FROM {cards.SCHEMA}.accounts), "
                    f"(SELECT count(*) FROM {cards.SCHEMA}.credit_limit_events)")
        accounts, events = cur.fetchone()
    return {"accounts": int(accounts), "credit_limit_events": int(events)}


def _report_only(context: dg.AssetExecutionContext, source: SourceDatabaseResource) -> dg.MaterializeResult:
    """The system of record is not the generator's to write: report what it holds, change nothing."""
    context.log.info(f"The source at {source.where()} is the system of record (C360_SOURCE_DSN): nothing written; "
                     "set C360_SOURCE_WRITABLE=true only for a test database the generator may fill")
    with source.connect(context.log) as conn:
        counts = _row_counts(conn) if cards.seeded(conn) else {"accounts": 0, "credit_limit_events": 0}
    return dg.MaterializeResult(metadata={"dagster/row_count": counts["accounts"],
                                          "credit_limit_events": counts["credit_limit_events"],
                                          "written_by_generator": False})


@dg.asset(key=SOURCE_CARDS, group_name="source", kinds={"python", "postgres"})
def source_cards(context: dg.AssetExecutionContext, portfolio: PortfolioResource,
                 source: SourceDatabaseResource) -> dg.MaterializeResult:
    """The `cards` schema of the operational PostgreSQL, seeded with the generated portfolio: accounts not there yet
    are inserted with their opening credit-limit event; existing accounts are left as they are (changes survive)."""
    if not source.generator_may_write:
        return _report_only(context, source)
    customers = generate_customers(portfolio.customers, portfolio.seed, portfolio.as_of_date, portfolio.months)
    with source.connect(context.log) as conn:
        added = cards.seed(conn, customers)
        counts = _row_counts(conn)
    return dg.MaterializeResult(metadata={
        "dagster/row_count": counts["accounts"], "accounts_added": added,
        "credit_limit_events": counts["credit_limit_events"], "written_by_generator": True,
    })


@dg.asset(key=SOURCE_CARDS_CHANGES, deps=[SOURCE_CARDS], group_name="source", kinds={"python", "postgres"})
def source_cards_changes(context: dg.AssetExecutionContext, portfolio: PortfolioResource,
                         source: SourceDatabaseResource) -> dg.MaterializeResult:
    """A day of account maintenance in the operational database: about 5 % of accounts change segment, credit limit,
    card type or state (UPDATEs that move updated_at; limit changes append credit_limit_events). Replication then
    stages just those rows, and dim_customer's SCD2 history records the change."""
    if not source.generator_may_write:
        return _report_only(context, source)
    with source.connect(context.log) as conn:
        changed = cards.apply_changes(conn, portfolio.seed)
        counts = _row_counts(conn)
    return dg.MaterializeResult(metadata={"dagster/row_count": counts["accounts"], "accounts_changed": changed,
                                          "written_by_generator": True})
