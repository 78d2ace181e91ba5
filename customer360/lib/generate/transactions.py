"""Generate card transactions, one file-sized chunk of customers at a time (memory stays flat at any scale).

Per customer and month the expected count is segment rate x trend x active share of the month x a personal factor;
counts are Poisson draws, then every attribute of every transaction is drawn in whole-array operations.
Chunk `k` draws from its own generator seeded by (seed, k), so chunks are independent and reproducible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from customer360.lib.generate import profiles as p
from customer360.lib.generate.ids import fixed_width_ids
from customer360.lib.generate.window import history_window

TRANSACTION_STREAM = 2
DAY_STREAM = 4
DAYS_PER_MONTH = 30.44
CUSTOMERS_PER_FILE = 6_250  # 50,000 customers -> 8 files of ~1.7M rows: sized for parallel COPY
_DICT_STRING = pa.dictionary(pa.int32(), pa.string())
TRANSACTION_SCHEMA = pa.schema([
    ("transaction_id", pa.string()),
    ("customer_id", _DICT_STRING),
    ("transaction_date", pa.timestamp("us")),
    ("transaction_amount", pa.decimal128(12, 2)),
    ("merchant_name", _DICT_STRING),
    ("merchant_category", _DICT_STRING),
    ("channel", _DICT_STRING),
    ("status", _DICT_STRING),
])
# Parquet layout of transaction files. Dictionary encoding only where values repeat (not the unique ids, where
# trying it costs ~30 % of the write), statistics only where a reader can prune on them, and row groups of 256k rows
# so DuckDB's COPY reads a ~1.7M-row file with both cores (row groups are its unit of parallel work).
_DICTIONARY_COLUMNS = [f.name for f in TRANSACTION_SCHEMA if pa.types.is_dictionary(f.type)]
_STATISTICS_COLUMNS = ["customer_id", "transaction_date"]
PARQUET_ROW_GROUP = 262_144


def write_transactions_parquet(transactions: pa.Table, path) -> None:
    """Write a transactions table as one Parquet file in the layout bronze loads fastest."""
    pq.write_table(transactions, path, row_group_size=PARQUET_ROW_GROUP, use_dictionary=_DICTIONARY_COLUMNS,
                   write_statistics=_STATISTICS_COLUMNS)


_MERCHANT_NAMES = pa.array([m for c in p.CATEGORIES for m in p.MERCHANTS[c]])
_MERCHANT_COUNT = np.array([len(p.MERCHANTS[c]) for c in p.CATEGORIES])
_MERCHANT_OFFSET = np.concatenate([[0], np.cumsum(_MERCHANT_COUNT)[:-1]])


def _trend(rng: np.random.Generator, segment: np.ndarray, decline: np.ndarray, open_slot: np.ndarray,
           months: int) -> np.ndarray:
    """[customers, months] spend multiplier: Declining customers fade and then stop, New & Growing rise.

    Each Declining customer stops in a month slot of its own, spread over the second half of the history and the
    two months after it (those are still fading at the as-of date), so every cut-off the churn model learns from
    sees customers about to leave. Gradual decliners fade over the four months before they stop (0.8, 0.6, 0.4,
    0.2 of their usual spend); sudden ones give one month's warning at 0.6, then stop.
    """
    slot = np.arange(months)[None, :]
    stop = rng.integers(max(2, months - 9), months + 2, segment.size)[:, None]
    months_to_stop = stop - slot
    gradual = (segment == p.DECLINING) & (decline == "gradual")
    sudden = (segment == p.DECLINING) & (decline == "sudden")
    trend = np.ones((segment.size, months))
    trend = np.where(gradual[:, None] & (months_to_stop <= 4), np.clip(months_to_stop, 0, 5) * 0.2, trend)
    trend = np.where(sudden[:, None] & (months_to_stop == 1), 0.6, trend)
    trend = np.where(sudden[:, None] & (months_to_stop <= 0), 0.0, trend)
    span = np.maximum(months - 1 - open_slot, 1)[:, None]
    growth = 0.4 + 1.2 * np.clip((slot - open_slot[:, None]) / span, 0, 1)
    return np.where((segment == p.NEW_GROWING)[:, None], growth, trend)


def _active_share(open_s: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """[customers, months] share of each month slot on or after the account opened."""
    start, end = edges[:-1][None, :], edges[1:][None, :]
    active = end - np.maximum(start, open_s[:, None])
    return np.clip(active / (end - start), 0, 1)


def _pick(rng: np.random.Generator, mix: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Draw a choice per row from its segment's row of `mix` (inverse CDF in one searchsorted).

    Segment s owns the interval [s, s + 1) of a single sorted key space, so one search serves every segment.
    """
    choices = mix.shape[1]
    bounds = (np.arange(mix.shape[0])[:, None] + np.cumsum(mix, axis=1)).ravel()
    keys = segment + rng.random(segment.size)
    picked = np.searchsorted(bounds, keys, side="right") - segment * choices
    return np.minimum(picked, choices - 1).astype(np.int32)


def _decimal_cents(cents: np.ndarray) -> pa.Array:
    """Exact decimal(12,2) from integer cents: write the 128-bit little-endian values directly."""
    raw = np.zeros((cents.size, 2), dtype=np.int64)
    raw[:, 0] = cents
    return pa.Array.from_buffers(pa.decimal128(12, 2), cents.size, [None, pa.py_buffer(raw)])


def _dict(indices: np.ndarray, values: pa.Array) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)), values)


def _table(ids: pa.Array, cust: np.ndarray, customers: pa.Table, ts: np.ndarray, seg: np.ndarray,
           rng: np.random.Generator) -> pa.Table:
    """Transactions for customer rows `cust` at epoch seconds `ts`; every other attribute drawn per segment."""
    category = _pick(rng, p.CATEGORY_MIX, seg)
    ticket = p.CATEGORY_TICKET[category] * p.SEGMENT_TICKET_FACTOR[seg]
    noise = rng.normal(-p.TICKET_SIGMA**2 / 2, p.TICKET_SIGMA, seg.size)
    cents = np.maximum(np.rint(ticket * np.exp(noise) * 100), 100).astype(np.int64)
    merchant = _MERCHANT_OFFSET[category] + (rng.random(seg.size) * _MERCHANT_COUNT[category]).astype(np.int64)
    channel = _pick(rng, p.CHANNEL_MIX, seg)
    declined = rng.random(seg.size) >= p.APPROVAL_RATE
    columns = [
        ids,
        _dict(cust, customers["customer_id"].combine_chunks()),
        pa.array(ts * 1_000_000, pa.int64()).view(pa.timestamp("us")),
        _decimal_cents(cents),
        _dict(merchant, _MERCHANT_NAMES),
        _dict(category, pa.array(p.CATEGORIES)),
        _dict(channel, pa.array(p.CHANNELS)),
        _dict(declined.astype(np.int32), pa.array(["approved", "declined"])),
    ]
    return pa.Table.from_arrays(columns, schema=TRANSACTION_SCHEMA)


def _segments_of(customers: pa.Table) -> np.ndarray:
    return pc.index_in(customers["customer_segment"], pa.array(p.SEGMENTS)).to_numpy(zero_copy_only=False)


def _chunk(customers: pa.Table, chunk_no: int, seed: int, edges: np.ndarray) -> pa.Table:
    rng = np.random.default_rng([seed, TRANSACTION_STREAM, chunk_no])
    months = edges.size - 1
    segment = _segments_of(customers)
    decline = customers["decline_type"].to_numpy(zero_copy_only=False)
    open_s = customers["account_open_date"].to_numpy().astype("datetime64[s]")
    open_slot = np.clip(np.searchsorted(edges, open_s, side="right") - 1, 0, months - 1)
    personal = np.exp(rng.normal(-0.045, 0.3, segment.size))
    rate = (p.MONTHLY_TXNS[segment] * personal)[:, None] * _trend(rng, segment, decline, open_slot, months)
    # Month-major cells: rows come out grouped by month (good zone maps for date filters) with no sort.
    slot_days = (np.diff(edges).astype(np.int64) / 86_400)[None, :]  # months are 28-31 days: rate is per day
    counts = rng.poisson(rate * slot_days / DAYS_PER_MONTH * _active_share(open_s, edges)).T
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    slot, cust = np.divmod(cell, segment.size)
    start = np.maximum(edges[slot], open_s[cust]).astype(np.int64)
    length = edges[slot + 1].astype(np.int64) - start
    ts = start + (rng.random(cell.size) * length).astype(np.int64)
    ids = fixed_width_ids("TXN", chunk_no * 1_000_000_000 + np.arange(cell.size), 12)
    return _table(ids, cust, customers, ts, segment[cust], rng)


def generate_transactions(
    customers: pa.Table,
    seed: int,
    as_of: dt.date,
    months: int,
    customers_per_file: int = CUSTOMERS_PER_FILE,
) -> Iterator[pa.Table]:
    """Yield one table of transactions per `customers_per_file` customers, sorted by time within the chunk.

    `customers` needs customer_id, customer_segment, account_open_date and decline_type (the landed customers file).
    """
    edges = history_window(as_of, months)
    for chunk_no, start in enumerate(range(0, customers.num_rows, customers_per_file)):
        yield _chunk(customers.slice(start, customers_per_file), chunk_no, seed, edges)


# Where each segment's spend stands at the end of the history: the level a new day continues from. A Declining
# customer stops in one of the 11 month slots from 9 before the last to 1 after it (_trend): at the as-of date 10 in
# 11 have stopped and the rest spend 0.2 (gradual) or 0.6 (sudden) of their usual, so on average 0.02 and 0.05.
_END_OF_HISTORY_LEVEL = {"gradual": 0.2 / 11, "sudden": 0.6 / 11}
_GROWING_END_LEVEL = 1.6


def generate_day(customers: pa.Table, seed: int, day: dt.date) -> pa.Table:
    """One day of new transactions for `customers` (those open by then), continuing each segment's trend.

    Ids are `TXS` + the day + a 7-digit sequence, so a day's rows never collide with history or another day.
    """
    rng = np.random.default_rng([seed, DAY_STREAM, day.toordinal()])
    segment = _segments_of(customers)
    decline = customers["decline_type"].to_numpy(zero_copy_only=False)
    level = np.where(segment == p.NEW_GROWING, _GROWING_END_LEVEL, 1.0)
    for kind, value in _END_OF_HISTORY_LEVEL.items():
        level = np.where((segment == p.DECLINING) & (decline == kind), value, level)
    opened = customers["account_open_date"].to_numpy().astype("datetime64[D]") <= np.datetime64(day, "D")
    counts = rng.poisson(p.MONTHLY_TXNS[segment] * level * opened / DAYS_PER_MONTH)
    day_start = np.datetime64(day, "s").astype(np.int64)
    unsorted = day_start + (rng.random(int(counts.sum())) * 86_400).astype(np.int64)
    order = np.argsort(unsorted, kind="stable")  # a day's file is in time order, as a feed would send it
    cust, ts = np.repeat(np.arange(segment.size), counts)[order], unsorted[order]
    day_number = int(day.strftime("%Y%m%d")) * 10_000_000
    ids = fixed_width_ids("TXS", day_number + np.arange(cust.size), 15)
    return _table(ids, cust, customers, ts, segment[cust], rng)
