"""The replicated accounts table as tests stage it: the generator's customers plus the source's timestamps."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from customer360.lib.generate import generate_customers
from customer360.lib.replication.config import replicated

ACCOUNTS = replicated("accounts").bronze  # bronze.cards_accounts, fed from staging/cards/accounts/
ACCOUNTS_PREFIX = ACCOUNTS.prefix
UPDATED_AT = dt.datetime(2026, 7, 1, 8, 0)


def with_source_timestamps(customers: pa.Table, updated_at: dt.datetime = UPDATED_AT) -> pa.Table:
    """`customers` as the source extract stages them: created_at (the opening day) and updated_at appended."""
    created = customers["account_open_date"].cast(pa.timestamp("us"))
    updated = pa.array([updated_at] * customers.num_rows, pa.timestamp("us"))
    return customers.append_column("created_at", created).append_column("updated_at", updated)


def generated_accounts(rows: int, seed: int, as_of: dt.date, months: int = 3) -> pa.Table:
    return with_source_timestamps(generate_customers(rows, seed=seed, as_of=as_of, months=months))
