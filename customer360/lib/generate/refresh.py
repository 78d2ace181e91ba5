"""Account changes: the same customers, a seeded share of them changed in an SCD2-tracked attribute.

source/cards.py applies the difference to the operational database as UPDATEs (replication then stages just those
rows); the attributes tracked as slowly changing dimensions are segment, credit limit, card type and state.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from customer360.lib.generate import profiles as p

REFRESH_STREAM = 3
REFRESH_SHARE = 0.05
TRACKED = ("customer_segment", "credit_limit", "card_type", "state")


def _other(rng: np.random.Generator, values: np.ndarray, choices: np.ndarray) -> np.ndarray:
    """A different value from `choices` for each row (shift by 1..len-1 positions in the choice list)."""
    position = np.searchsorted(choices, values)
    shift = rng.integers(1, choices.size, values.size)
    return choices[(position + shift) % choices.size]


def generate_customer_refresh(customers: pa.Table, seed: int, share: float = REFRESH_SHARE) -> pa.Table:
    """`customers` with about `share` of rows changed in exactly one tracked attribute (same seed, same changes)."""
    rng = np.random.default_rng([seed, REFRESH_STREAM])
    n = customers.num_rows
    changed = rng.random(n) < share
    which = rng.integers(0, len(TRACKED), n)
    columns = {name: customers[name].to_numpy(zero_copy_only=False).copy() for name in customers.column_names}

    pick = changed & (which == 0)
    segments = np.array(sorted(p.SEGMENTS), dtype=object)
    columns["customer_segment"][pick] = _other(rng, columns["customer_segment"][pick].astype(str), segments.astype(str))
    declining = columns["customer_segment"] == "Declining"
    new_type = np.where(rng.random(n) < 0.6, "gradual", "sudden")
    columns["decline_type"] = np.where(
        pick, np.where(declining, new_type, None), columns["decline_type"]
    ).astype(object)

    pick = changed & (which == 1)
    limits = np.arange(5_000, 50_001, 1_000)
    columns["credit_limit"][pick] = _other(rng, columns["credit_limit"][pick], limits)

    pick = changed & (which == 2)
    columns["card_type"][pick] = np.where(columns["card_type"][pick] == "Premium", "Standard", "Premium")

    pick = changed & (which == 3)
    states = np.unique(columns["state"].astype(str))
    if states.size > 1:
        columns["state"][pick] = _other(rng, columns["state"][pick].astype(str), states)

    arrays = [pa.array(columns[f.name], f.type) for f in customers.schema]
    return pa.Table.from_arrays(arrays, schema=customers.schema)


def changed_customers(before: pa.Table, after: pa.Table) -> int:
    """How many customers differ in a tracked attribute between two extracts in the same order."""
    differs = np.zeros(before.num_rows, dtype=bool)
    for name in TRACKED:
        differs |= ~pc.equal(before[name], after[name]).to_numpy(zero_copy_only=False)
    return int(differs.sum())
