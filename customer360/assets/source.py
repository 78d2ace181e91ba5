"""The operational source: the generator seeds the `cards` database and later changes accounts in it.

    generate_customers ──► source/cards (INSERT the accounts not there yet) ──► source/cards_changes (UPDATE ~5 %)

In production the source is the real operational database (C360_SOURCE_DSN) and these two assets are not run: the
application writes it. Locally they stand in for that application.
"""


import dagster as dg

from customer360.generate import generate_customers
from customer360.resources.portfolio import PortfolioResource
from customer360.resources.source import SourceDatabaseResource
from customer360.source import cards

SOURCE_CARDS = dg.AssetKey(["source", "cards"])
SOURCE_CARDS_CHANGES = dg.AssetKey(["source", "cards_changes"])


def _row_counts(conn) -> dict[str, int]:
    with conn.cursor() as cur:
        cur.execute(f"SELECT (SELECT count(*) FROM {cards.SCHEMA}.accounts), "
                    f"(SELECT count(*) FROM {cards.SCHEMA}.credit_limit_events)")
        accounts, events = cur.fetchone()
    return {"accounts": int(accounts), "credit_limit_events": int(events)}


@dg.asset(key=SOURCE_CARDS, group_name="source", kinds={"python", "postgres"})
def source_cards(context: dg.AssetExecutionContext, portfolio: PortfolioResource,
                 source: SourceDatabaseResource) -> dg.MaterializeResult:
    """The `cards` schema of the operational PostgreSQL, seeded with the generated portfolio: accounts not there yet
    are inserted with their opening credit-limit event; existing accounts are left as they are (changes survive)."""
    customers = generate_customers(portfolio.customers, portfolio.seed, portfolio.as_of_date, portfolio.months)
    with source.connect(context.log) as conn:
        added = cards.seed(conn, customers)
        counts = _row_counts(conn)
    return dg.MaterializeResult(metadata={
        "dagster/row_count": counts["accounts"], "accounts_added": added,
        "credit_limit_events": counts["credit_limit_events"],
    })


@dg.asset(key=SOURCE_CARDS_CHANGES, deps=[SOURCE_CARDS], group_name="source", kinds={"python", "postgres"})
def source_cards_changes(context: dg.AssetExecutionContext, portfolio: PortfolioResource,
                         source: SourceDatabaseResource) -> dg.MaterializeResult:
    """A day of account maintenance in the operational database: about 5 % of accounts change segment, credit limit,
    card type or state (UPDATEs that move updated_at; limit changes append credit_limit_events). Replication then
    stages just those rows, and dim_customer's SCD2 history records the change."""
    with source.connect(context.log) as conn:
        changed = cards.apply_changes(conn, portfolio.seed)
        counts = _row_counts(conn)
    return dg.MaterializeResult(metadata={"dagster/row_count": counts["accounts"], "accounts_changed": changed})
