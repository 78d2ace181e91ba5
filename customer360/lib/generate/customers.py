"""Generate the customer portfolio: one vectorized pass, no per-row Faker calls."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from customer360.lib.generate import profiles as p
from customer360.lib.generate.ids import fixed_width_ids
from customer360.lib.generate.pools import EMAIL_DOMAINS, build_pools
from customer360.lib.generate.window import history_window

CUSTOMER_SCHEMA = pa.schema([
    ("customer_id", pa.string()),
    ("first_name", pa.string()),
    ("last_name", pa.string()),
    ("email", pa.string()),
    ("age", pa.int32()),
    ("state", pa.string()),
    ("city", pa.string()),
    ("employment_status", pa.string()),
    ("card_type", pa.string()),
    ("credit_limit", pa.int32()),
    ("account_open_date", pa.date32()),
    ("customer_segment", pa.string()),
    ("decline_type", pa.string()),
])
EMPLOYMENT = ("Employed", "Self-Employed", "Retired", "Student", "Unemployed")
CUSTOMER_STREAM = 1  # seed stream id: customers and transactions draw from independent generators
TENURED_MAX_YEARS = 12


def _segments(rng: np.random.Generator, count: int) -> np.ndarray:
    """Segment per customer in exact target proportions (largest remainder), shuffled: shares hold at any scale."""
    exact = p.SEGMENT_SHARES * count
    sizes = np.floor(exact).astype(int)
    sizes[np.argsort(sizes - exact)[: count - sizes.sum()]] += 1
    return rng.permutation(np.repeat(np.arange(len(p.SEGMENTS)), sizes))


def _employment(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    u = rng.random(age.size)
    status = np.where(u < 0.78, 0, np.where(u < 0.93, 1, 4))  # Employed / Self-Employed / Unemployed
    status = np.where((age >= 62) & (rng.random(age.size) < 0.65), 2, status)
    return np.where((age < 26) & (rng.random(age.size) < 0.35), 3, status)


def _open_dates(rng: np.random.Generator, segment: np.ndarray, window_start: dt.date, as_of: dt.date) -> np.ndarray:
    start = np.datetime64(window_start, "D")
    window_days = (np.datetime64(as_of, "D") - start).astype(int) + 1
    # Tenured customers opened 30 days to 12 years before the window; New & Growing inside its first three quarters.
    tenured = start - rng.integers(30, 365 * TENURED_MAX_YEARS, segment.size).astype("timedelta64[D]")
    newcomer = start + (rng.random(segment.size) * window_days * 0.75).astype("timedelta64[D]")
    return np.where(segment == p.NEW_GROWING, newcomer, tenured)


def generate_customers(count: int, seed: int, as_of: dt.date, months: int) -> pa.Table:
    """`count` customers; the same (count, seed, as_of, months) always gives the same table."""
    rng = np.random.default_rng([seed, CUSTOMER_STREAM])
    pools = build_pools(seed)
    segment = _segments(rng, count)
    age = np.clip(np.rint(rng.normal(p.AGE_MEAN[segment], p.AGE_SD[segment])), 22, 75).astype(np.int32)
    first = pools.first_names.sample(rng, count)
    last = pools.last_names.sample(rng, count)
    numbers = np.arange(1, count + 1)
    domain = pa.array(EMAIL_DOMAINS).take(rng.integers(0, len(EMAIL_DOMAINS), count))
    local_part = pc.binary_join_element_wise(
        pc.utf8_lower(first), pc.utf8_lower(last), pc.cast(pa.array(numbers), pa.string()), "."
    )
    email = pc.binary_join_element_wise(pc.replace_substring_regex(local_part, r"[^a-z0-9.]", ""), domain, "@")
    premium = rng.random(count) < p.PREMIUM_SHARE[segment]
    low, high = p.CREDIT_LIMIT_K[segment, 0], p.CREDIT_LIMIT_K[segment, 1]
    credit_limit = (rng.integers(low, high + 1) * 1000).astype(np.int32)
    window_start = history_window(as_of, months)[0].astype("datetime64[D]").item()
    declining = segment == p.DECLINING
    decline = np.where(rng.random(count) < 0.6, "gradual", "sudden")
    columns = [
        fixed_width_ids("CUST", numbers, 8),
        first,
        last,
        email,
        pa.array(age),
        pools.states.sample(rng, count),
        pools.cities.sample(rng, count),
        pa.array(EMPLOYMENT).take(_employment(rng, age)),
        pa.array(np.where(premium, "Premium", "Standard")),
        pa.array(credit_limit),
        pa.array(_open_dates(rng, segment, window_start, as_of)).cast(pa.date32()),
        pa.array(p.SEGMENTS).take(segment),
        pa.array(np.where(declining, decline, None), pa.string()),
    ]
    return pa.Table.from_arrays(columns, schema=CUSTOMER_SCHEMA)
