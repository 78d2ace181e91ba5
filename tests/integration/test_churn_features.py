"""The churn feature mart on hand-made facts: labels follow the reference definition, the population is the active
customers, and nothing after a cut-off reaches its features (dbt builds ml_churn_features over tables made here)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from customer360.settings import DBT_PROJECT_DIR, dbt_vars_json

AS_OF = dt.date(2026, 8, 15)
VALIDATION = AS_OF - dt.timedelta(days=60)  # 2026-06-16
TRAIN = [AS_OF - dt.timedelta(days=d) for d in (210, 180, 150, 120)]
LABEL_COLUMNS = {"label_transactions", "label_spend", "churned"}


def _every(days: int, start: dt.date, end: dt.date, amount: float, customer: str) -> list[tuple]:
    rows, day = [], start
    while day <= end:
        rows.append((customer, day, amount))
        day += dt.timedelta(days=days)
    return rows


START = dt.date(2025, 10, 1)
FACTS = [
    *_every(10, START, AS_OF, 100, "STEADY"),
    # stops 6 days before the validation cut-off: nothing in the 60 days after it
    *_every(10, START, dt.date(2026, 6, 10), 100, "STOPS"),
    # 100 every 10 days up to the validation cut-off, then 10: 30 a month against a 300 baseline (< 30 %)
    *_every(10, START, VALIDATION, 100, "DROPS"), *_every(10, VALIDATION + dt.timedelta(days=4), AS_OF, 10, "DROPS"),
    # halves after the validation cut-off: 150 a month against 300 is above 30 %, so not churned
    *_every(10, START, VALIDATION, 100, "HALVES"), *_every(20, VALIDATION + dt.timedelta(days=4), AS_OF, 100, "HALVES"),
    # silent since January: no row at the validation cut-off (nothing left to predict)
    *_every(10, START, dt.date(2026, 1, 10), 100, "SILENT"),
]
CUSTOMERS = ["STEADY", "STOPS", "DROPS", "HALVES", "SILENT"]


def _build(tmp_path: Path, facts: list[tuple], name: str) -> list[dict]:
    """Build ml_churn_features over `facts` in a fresh warehouse; its rows as dicts."""
    warehouse = tmp_path / f"{name}.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("CREATE SCHEMA gold")
        conn.execute("CREATE SCHEMA silver")
        conn.execute("CREATE TABLE silver.merchant_categories (merchant_category VARCHAR, spending_type VARCHAR)")
        conn.execute("INSERT INTO silver.merchant_categories VALUES ('Groceries', 'Essential')")
        conn.execute("CREATE TABLE gold.dim_customer (customer_id VARCHAR, age INTEGER, state VARCHAR, "
                     "employment_status VARCHAR, card_type VARCHAR, credit_limit DECIMAL(12,2), "
                     "account_open_date DATE, customer_segment VARCHAR, version_number INTEGER)")
        for customer in CUSTOMERS:
            conn.execute("INSERT INTO gold.dim_customer VALUES (?, 40, 'NY', 'Employed', 'Standard', 10000, "
                         "'2025-09-01', 'Stable Mid-Spenders', 1)", [customer])
        # a later version (a raised limit in July) must not reach any cut-off's features
        conn.execute("INSERT INTO gold.dim_customer VALUES ('STEADY', 40, 'NY', 'Employed', 'Premium', 50000, "
                     "'2025-09-01', 'Stable Mid-Spenders', 2)")
        conn.execute("CREATE TABLE gold.fct_transactions (customer_id VARCHAR, transaction_date TIMESTAMP, "
                     "transaction_amount DECIMAL(12,2), is_approved BOOLEAN, merchant_category VARCHAR, "
                     "channel VARCHAR)")
        conn.executemany("INSERT INTO gold.fct_transactions VALUES (?, ?, ?, true, 'Groceries', 'Online')", facts)
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [str(dbt), "run", "--select", "ml_churn_features", "--vars", dbt_vars_json(str(warehouse), AS_OF.isoformat()),
         "--target-path", str(tmp_path / f"target-{name}")],
        cwd=DBT_PROJECT_DIR, env={**os.environ, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)},
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        cursor = conn.execute("SELECT * FROM gold.ml_churn_features ORDER BY customer_id, feature_date")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def features(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("churn-features"), FACTS, "full")


def _row(rows, customer, feature_date):
    [row] = [r for r in rows if r["customer_id"] == customer and r["feature_date"] == feature_date]
    return row


def test_cut_offs_are_four_training_one_validation_and_the_as_of_date(features):
    dates = {(r["split"], r["feature_date"]) for r in features}
    assert dates == {*(("train", d) for d in TRAIN), ("validation", VALIDATION), ("score", AS_OF)}


def test_labels_follow_the_reference_definition(features):
    churned = {r["customer_id"]: r["churned"] for r in features if r["split"] == "validation"}
    # no transaction in the 60 days after; under 30 % of the baseline; half the baseline is not churn
    assert churned == {"STEADY": False, "STOPS": True, "DROPS": True, "HALVES": False}
    drops = _row(features, "DROPS", VALIDATION)
    assert drops["label_spend"] == 6 * 10 and drops["monthly_baseline"] == 900 / 3
    # SILENT's last purchase (January 10) is within 90 days of the first three training cut-offs: churned at each
    assert {(r["customer_id"], r["feature_date"]) for r in features if r["split"] == "train" and r["churned"]} == \
           {("SILENT", d) for d in TRAIN[:3]}
    assert all(r["churned"] is None and r["label_spend"] is None for r in features if r["split"] == "score")


def test_customers_silent_for_90_days_are_not_rows(features):
    assert {r["customer_id"] for r in features if r["split"] == "validation"} == {"STEADY", "STOPS", "DROPS", "HALVES"}
    assert {r["feature_date"] for r in features if r["customer_id"] == "SILENT"} == set(TRAIN[:3])
    # STOPS last bought in June, within 90 days of as-of: still scored, with the days since that purchase
    last = max(day for customer, day, _ in FACTS if customer == "STOPS")
    assert _row(features, "STOPS", AS_OF)["days_since_last_transaction"] == (AS_OF - last).days


def test_nothing_after_a_cut_off_reaches_its_features(features, tmp_path):
    """Rebuild with every transaction after the validation cut-off removed: the validation and training rows keep
    every feature; only their labels change."""
    before = [f for f in FACTS if f[1] <= VALIDATION]
    truncated = _build(tmp_path, before, "truncated")
    for split in ("train", "validation"):
        full = {(r["customer_id"], r["feature_date"]): r for r in features if r["split"] == split}
        cut = {(r["customer_id"], r["feature_date"]): r for r in truncated if r["split"] == split}
        assert full.keys() == cut.keys()
        for key, row in full.items():
            assert {k: v for k, v in row.items() if k not in LABEL_COLUMNS} == \
                   {k: v for k, v in cut[key].items() if k not in LABEL_COLUMNS}, key
    assert _row(truncated, "STEADY", VALIDATION)["churned"] is True  # the label did read the removed window


def test_customer_attributes_come_from_the_first_version(features):
    steady = _row(features, "STEADY", VALIDATION)
    assert (steady["credit_limit"], steady["card_type"]) == (10000, "Standard")
    assert steady["spend_90d"] == 9 * 100 and steady["days_since_last_transaction"] <= 10
