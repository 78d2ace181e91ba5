"""The `cards` schema of the operational database: what the generator seeds and how accounts change.

    cards.accounts             one row per card account (the customer), created_at/updated_at; a trigger moves
                               updated_at on every UPDATE, as the operational application's ORM would
    cards.credit_limit_events  append-only: the opening limit and every change (event_id is a sequence)
    cards.card_products        reference data, two rows (fees and rates per card type)

Seeding is additive: accounts already there are never rewritten, so re-materializing the seed after a refresh keeps
the changes (and the sequence behind credit_limit_events is never reset under replication's cursor).
"""

from __future__ import annotations

import adbc_driver_postgresql.dbapi as adbc
import pyarrow as pa
import pyarrow.compute as pc

from customer360.lib.generate import CUSTOMER_SCHEMA
from customer360.lib.generate.refresh import generate_customer_refresh

SCHEMA = "cards"

DDL = (
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.card_products (
        card_type     varchar PRIMARY KEY,
        annual_fee    numeric(8,2) NOT NULL,
        reward_rate   numeric(5,4) NOT NULL,
        purchase_apr  numeric(5,4) NOT NULL,
        updated_at    timestamptz NOT NULL DEFAULT clock_timestamp())""",
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.accounts (
        customer_id        varchar PRIMARY KEY,
        first_name         varchar NOT NULL,
        last_name          varchar NOT NULL,
        email              varchar NOT NULL,
        age                integer,
        state              varchar(2),
        city               varchar,
        employment_status  varchar,
        card_type          varchar NOT NULL,
        credit_limit       integer NOT NULL,
        account_open_date  date NOT NULL,
        customer_segment   varchar NOT NULL,
        decline_type       varchar,
        created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at         timestamptz NOT NULL DEFAULT clock_timestamp())""",
    f"CREATE INDEX IF NOT EXISTS accounts_updated_at ON {SCHEMA}.accounts (updated_at)",
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.credit_limit_events (
        event_id     bigserial PRIMARY KEY,
        customer_id  varchar NOT NULL REFERENCES {SCHEMA}.accounts (customer_id),
        old_limit    integer,
        new_limit    integer NOT NULL,
        changed_at   timestamptz NOT NULL DEFAULT clock_timestamp())""",
    f"""CREATE OR REPLACE FUNCTION {SCHEMA}.touch_updated_at() RETURNS trigger AS $$
        BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$ LANGUAGE plpgsql""",
    f"DROP TRIGGER IF EXISTS accounts_touch ON {SCHEMA}.accounts",
    f"""CREATE TRIGGER accounts_touch BEFORE UPDATE ON {SCHEMA}.accounts
        FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.touch_updated_at()""",
)

CARD_PRODUCTS = pa.table({
    "card_type": ["Standard", "Premium"],
    "annual_fee": pa.array(["0.00", "95.00"]).cast(pa.decimal128(8, 2)),
    "reward_rate": pa.array(["0.0100", "0.0200"]).cast(pa.decimal128(5, 4)),
    "purchase_apr": pa.array(["0.2299", "0.2099"]).cast(pa.decimal128(5, 4)),
})
ACCOUNT_COLUMNS = CUSTOMER_SCHEMA.names
TRACKED_UPDATES = ("customer_segment", "decline_type", "credit_limit", "card_type", "state")


def create_schema(conn: adbc.Connection) -> None:
    with conn.cursor() as cur:
        for statement in DDL:
            cur.execute(statement)


def _stage(cur, name: str, table: pa.Table) -> None:
    """`table` as a temporary table `name` for this transaction (ADBC's bulk COPY, no row-by-row inserts)."""
    cur.execute(f"DROP TABLE IF EXISTS {name}")
    cur.adbc_ingest(name, table, mode="create", temporary=True)


def seed(conn: adbc.Connection, customers: pa.Table) -> int:
    """Insert the accounts (and their opening credit-limit events) not there yet; return how many were new.

    One transaction: a failure leaves the database as it was."""
    create_schema(conn)
    columns = ", ".join(ACCOUNT_COLUMNS)
    opened = pc.cast(customers["account_open_date"], pa.timestamp("us", tz="UTC"))
    with conn.cursor() as cur:
        _stage(cur, "seed_accounts", customers.append_column("created_at", opened))
        _stage(cur, "seed_products", CARD_PRODUCTS)
        cur.execute(f"INSERT INTO {SCHEMA}.card_products (card_type, annual_fee, reward_rate, purchase_apr) "
                    "SELECT card_type, annual_fee, reward_rate, purchase_apr FROM seed_products "
                    "ON CONFLICT (card_type) DO NOTHING")
        cur.execute(f"INSERT INTO {SCHEMA}.accounts ({columns}, created_at) SELECT {columns}, created_at "
                    "FROM seed_accounts ON CONFLICT (customer_id) DO NOTHING "
                    "RETURNING customer_id, credit_limit, created_at")
        inserted = cur.fetch_arrow_table()
        if inserted.num_rows:
            _stage(cur, "seed_opened", inserted)
            cur.execute(f"INSERT INTO {SCHEMA}.credit_limit_events (customer_id, old_limit, new_limit, changed_at) "
                        "SELECT customer_id, NULL, credit_limit, created_at FROM seed_opened ORDER BY customer_id")
    conn.commit()
    return inserted.num_rows


def seeded(conn: adbc.Connection) -> bool:
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'accounts'",
                    parameters=(SCHEMA,))
        return cur.fetchone() is not None


def read_accounts(conn: adbc.Connection) -> pa.Table:
    """Every account with the generator's column types, in customer_id order (what transactions are generated for)."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {', '.join(ACCOUNT_COLUMNS)} FROM {SCHEMA}.accounts ORDER BY customer_id")
        return cur.fetch_arrow_table().cast(CUSTOMER_SCHEMA)


def apply_changes(conn: adbc.Connection, seed_value: int) -> int:
    """UPDATE about 5 % of accounts in one tracked attribute (segment, credit limit, card type or state), as the
    operational system would; a limit change also appends a credit_limit_events row. Returns the accounts changed.

    Which accounts change depends on the seed and on how many limit changes came before, so each refresh of the same
    history changes the same accounts and the next refresh changes others."""
    before = read_accounts(conn)
    with conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {SCHEMA}.credit_limit_events WHERE old_limit IS NOT NULL")
        earlier_changes = int(cur.fetchone()[0])
    after = generate_customer_refresh(before, seed_value + 7919 * earlier_changes)
    differs = pc.or_(
        pc.or_(pc.not_equal(before["customer_segment"], after["customer_segment"]),
               pc.not_equal(before["credit_limit"], after["credit_limit"])),
        pc.or_(pc.not_equal(before["card_type"], after["card_type"]), pc.not_equal(before["state"], after["state"])))
    changed = after.filter(differs).select(["customer_id", *TRACKED_UPDATES])
    if not changed.num_rows:
        return 0
    assignments = ", ".join(f"{c} = c.{c}" for c in TRACKED_UPDATES)
    with conn.cursor() as cur:
        _stage(cur, "account_changes", changed)
        cur.execute(f"INSERT INTO {SCHEMA}.credit_limit_events (customer_id, old_limit, new_limit) "
                    f"SELECT a.customer_id, a.credit_limit, c.credit_limit FROM {SCHEMA}.accounts a "
                    "JOIN account_changes c USING (customer_id) WHERE a.credit_limit <> c.credit_limit "
                    "ORDER BY a.customer_id")
        cur.execute(f"UPDATE {SCHEMA}.accounts a SET {assignments} FROM account_changes c "
                    "WHERE a.customer_id = c.customer_id")
    conn.commit()
    return changed.num_rows
