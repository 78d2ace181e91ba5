import datetime as dt
import io

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from customer360.lib.generate import generate_customers, generate_transactions, history_window
from customer360.lib.generate.ids import fixed_width_ids

AS_OF = dt.date(2026, 6, 30)
MONTHS = 18


@pytest.fixture(scope="module")
def portfolio():
    customers = generate_customers(5_000, seed=11, as_of=AS_OF, months=MONTHS)
    transactions = pa.concat_tables(generate_transactions(customers, 11, AS_OF, MONTHS, customers_per_file=2_000))
    joined = transactions.cast(pa.schema([(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                                          for f in transactions.schema]))
    return customers, joined


def test_volume_scales_to_about_13_5_million_rows_at_the_reference_scale(portfolio):
    _, transactions = portfolio
    per_customer_18_months = transactions.num_rows / 5_000
    assert 13.5e6 * 0.9 <= per_customer_18_months * 50_000 <= 13.5e6 * 1.1


def test_ids_are_unique_and_formatted(portfolio):
    _, transactions = portfolio
    ids = transactions["transaction_id"]
    assert pc.count_distinct(ids).as_py() == transactions.num_rows
    assert all(len(i) == 15 and i.startswith("TXN") for i in ids.slice(0, 1000).to_pylist())


def test_nobody_transacts_before_opening_or_after_the_as_of_date(portfolio):
    customers, transactions = portfolio
    opened = dict(zip(customers["customer_id"].to_pylist(), customers["account_open_date"].to_pylist(), strict=False))
    first = pc.min(transactions["transaction_date"]).as_py()
    last = pc.max(transactions["transaction_date"]).as_py()
    assert first >= dt.datetime.combine(history_window(AS_OF, MONTHS)[0].astype("datetime64[D]").item(),
                                        dt.time())
    assert last < dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time())
    earliest = pa.TableGroupBy(transactions, "customer_id").aggregate([("transaction_date", "min")])
    for cid, when in zip(earliest["customer_id"].to_pylist(), earliest["transaction_date_min"].to_pylist(), strict=False):
        assert when.date() >= opened[cid]


def test_about_97_percent_are_approved_and_amounts_are_positive(portfolio):
    _, transactions = portfolio
    approved = pc.sum(pc.equal(transactions["status"], "approved")).as_py() / transactions.num_rows
    assert 0.96 <= approved <= 0.98
    assert pc.min(transactions["transaction_amount"]).as_py() > 0
    assert set(transactions["channel"].unique().to_pylist()) == {"Online", "In-Store", "Mobile"}


def _monthly_spend(customers, transactions, segment: str) -> np.ndarray:
    ids = pc.filter(customers["customer_id"], pc.equal(customers["customer_segment"], segment))
    rows = transactions.filter(pc.is_in(transactions["customer_id"], ids))
    month = pc.strftime(rows["transaction_date"], "%Y-%m")
    table = pa.table({"month": month, "amount": rows["transaction_amount"].cast(pa.float64())})
    by_month = table.group_by("month").aggregate([("amount", "sum")]).sort_by("month")
    return by_month["amount_sum"].to_numpy()


def test_declining_spend_falls_and_new_customers_spend_rises(portfolio):
    customers, transactions = portfolio
    declining = _monthly_spend(customers, transactions, "Declining")
    assert declining[-2:].mean() < 0.5 * declining[1:7].mean()
    growing = _monthly_spend(customers, transactions, "New & Growing")
    assert growing[-3:].mean() > 2 * growing[2:5].mean()


def _parquet_bytes(table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def test_same_seed_and_date_give_the_same_bytes():
    customers = generate_customers(300, seed=3, as_of=AS_OF, months=4)
    runs = [[_parquet_bytes(t) for t in generate_transactions(customers, 3, AS_OF, 4, customers_per_file=100)]
            for _ in range(2)]
    assert runs[0] == runs[1] and len(runs[0]) == 3
    other = [_parquet_bytes(t) for t in generate_transactions(customers, 4, AS_OF, 4, customers_per_file=100)]
    assert other != runs[0]


def test_fixed_width_ids_pad_every_digit_group():
    ids = fixed_width_ids("TXN", np.array([0, 1_234_567, 999_999_999_999]), 12).to_pylist()
    assert ids == ["TXN000000000000", "TXN000001234567", "TXN999999999999"]
    with pytest.raises(ValueError, match="10\\*\\*8"):
        fixed_width_ids("CUST", np.array([100_000_000]), 8)


def test_history_window_has_one_edge_per_month_and_ends_after_the_as_of_day():
    edges = history_window(dt.date(2026, 3, 31), 2).astype("datetime64[D]").tolist()
    assert edges == [dt.date(2026, 2, 1), dt.date(2026, 3, 1), dt.date(2026, 4, 1)]


def test_a_streaming_day_is_reproducible_in_time_order_and_only_for_open_accounts():
    from customer360.lib.generate import generate_day

    customers = generate_customers(2_000, seed=3, as_of=AS_OF, months=6)
    day = AS_OF + dt.timedelta(days=1)
    first, again = generate_day(customers, 3, day), generate_day(customers, 3, day)
    assert first.equals(again) and first.num_rows > 0
    times = first["transaction_date"].to_pylist()
    assert times == sorted(times) and times[0].date() == day == times[-1].date()
    ids = first["transaction_id"].to_pylist()
    assert len(set(ids)) == len(ids) and ids[0].startswith("TXS" + day.strftime("%Y%m%d"))
    assert generate_day(customers, 3, day + dt.timedelta(days=1))["transaction_id"][0].as_py() != ids[0]
