import datetime as dt
import io

import numpy as np
import pyarrow.compute as pc
import pyarrow.csv as pv
import pytest

from customer360.lib.generate import generate_customers, history_window
from customer360.lib.generate.profiles import SEGMENTS

AS_OF = dt.date(2026, 6, 30)
SEGMENT_RANGES = {
    "High-Value Travelers": (0.10, 0.15),
    "Stable Mid-Spenders": (0.40, 0.50),
    "Budget-Conscious": (0.20, 0.25),
    "New & Growing": (0.10, 0.15),
    "Declining": (0.05, 0.10),
}


@pytest.fixture(scope="module")
def customers():
    return generate_customers(20_000, seed=42, as_of=AS_OF, months=18)


def test_customer_ids_are_sequential_and_formatted(customers):
    ids = customers["customer_id"].to_pylist()
    assert ids[0] == "CUST00000001" and ids[-1] == "CUST00020000"
    assert len(set(ids)) == len(ids)


def test_segment_shares_fall_in_the_business_ranges(customers):
    counts = {row["values"]: row["counts"] for row in pc.value_counts(customers["customer_segment"]).to_pylist()}
    assert set(counts) == set(SEGMENTS)
    for segment, (low, high) in SEGMENT_RANGES.items():
        assert low <= counts[segment] / customers.num_rows <= high, segment


def test_attributes_stay_in_their_domains(customers):
    age = customers["age"].to_numpy()
    assert age.min() >= 22 and age.max() <= 75
    limit = customers["credit_limit"].to_numpy()
    assert limit.min() >= 5_000 and limit.max() <= 50_000 and (limit % 1_000 == 0).all()
    assert set(customers["card_type"].to_pylist()) == {"Standard", "Premium"}
    emails = customers["email"].to_pylist()
    assert len(set(emails)) == len(emails) and all("@" in e for e in emails)


def test_decline_type_is_set_exactly_for_declining_customers(customers):
    declining = pc.equal(customers["customer_segment"], "Declining").to_numpy(zero_copy_only=False)
    decline = np.array(customers["decline_type"].to_pylist(), dtype=object)
    assert set(decline[declining]) == {"gradual", "sudden"}
    assert all(d is None for d in decline[~declining])


def test_new_and_growing_customers_opened_inside_the_window_and_others_before(customers):
    start = history_window(AS_OF, 18)[0].astype("datetime64[D]").item()
    opened = np.array(customers["account_open_date"].to_pylist())
    new = pc.equal(customers["customer_segment"], "New & Growing").to_numpy(zero_copy_only=False)
    assert all(start <= d <= AS_OF for d in opened[new])
    assert all(d < start for d in opened[~new])


def _csv_bytes(table) -> bytes:
    sink = io.BytesIO()
    pv.write_csv(table, sink)
    return sink.getvalue()


def test_same_seed_and_date_give_the_same_bytes_and_another_seed_does_not():
    first = _csv_bytes(generate_customers(2_000, seed=5, as_of=AS_OF, months=6))
    assert first == _csv_bytes(generate_customers(2_000, seed=5, as_of=AS_OF, months=6))
    assert first != _csv_bytes(generate_customers(2_000, seed=6, as_of=AS_OF, months=6))
