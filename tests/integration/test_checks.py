"""The SQL checks as plain functions on a DuckDB connection: they pass on good data and fail on bad."""

import datetime as dt

import duckdb
import pytest

from customer360.checks.assets import evaluate
from customer360.checks.definitions import BRONZE_CHECKS, GOLD_CHECKS, VOLUME_CHECKS
from customer360.resources.warehouse import DuckDBSession

[VOLUME] = VOLUME_CHECKS
AMOUNT_POSITIVE = next(c for c in BRONZE_CHECKS if c.name == "amount_positive")


@pytest.fixture
def conn():
    with duckdb.connect() as connection:
        connection.execute("CREATE SCHEMA bronze")
        connection.execute("CREATE TABLE bronze.bronze_transactions (transaction_id VARCHAR, "
                           "transaction_date TIMESTAMP, transaction_amount DECIMAL(12,2))")
        yield DuckDBSession(connection)


def add_day(conn, day: dt.date, rows: int, amount: str = "10.00") -> None:
    conn.execute("INSERT INTO bronze.bronze_transactions SELECT 'T' || i, ?::TIMESTAMP, CAST(? AS DECIMAL(12,2)) "
                 "FROM range(?) t(i)", [day, amount, rows])


def history(conn, days: int = 28) -> None:
    for offset in range(days, 0, -1):
        add_day(conn, dt.date(2026, 7, 1) - dt.timedelta(days=offset), 1000 + (offset % 5) * 10)


def test_a_day_like_its_history_passes_the_volume_check(conn):
    history(conn)
    add_day(conn, dt.date(2026, 7, 1), 1015)
    record = evaluate(conn, VOLUME)
    assert record.passed and record.observed_value < 3


def test_a_day_far_from_its_history_fails_the_volume_check_as_a_warning(conn):
    history(conn)
    add_day(conn, dt.date(2026, 7, 1), 400)
    record = evaluate(conn, VOLUME)
    assert not record.passed and record.observed_value > 3 and record.severity == "WARN"


def test_a_non_positive_amount_fails_the_blocking_amount_check(conn):
    add_day(conn, dt.date(2026, 7, 1), 5)
    assert evaluate(conn, AMOUNT_POSITIVE).passed
    add_day(conn, dt.date(2026, 7, 1), 2, amount="-3.00")
    record = evaluate(conn, AMOUNT_POSITIVE)
    assert not record.passed and record.observed_value == 2 and AMOUNT_POSITIVE.blocking


def test_a_missing_amount_fails_the_blocking_amount_check(conn):
    add_day(conn, dt.date(2026, 7, 1), 5)
    conn.execute("INSERT INTO bronze.bronze_transactions VALUES ('T-null', '2026-07-01', NULL)")
    record = evaluate(conn, AMOUNT_POSITIVE)
    assert not record.passed and record.observed_value == 1


def test_lifetime_spend_is_reconciled_with_facts_up_to_as_of_only(conn):
    [lifetime] = [c for c in GOLD_CHECKS if c.name == "lifetime_spend_matches_facts"]
    conn.execute("CREATE SCHEMA gold")
    conn.execute("CREATE TABLE gold.customer_360_profile AS SELECT 30.00 AS lifetime_value")
    conn.execute("CREATE TABLE gold.fct_transactions (transaction_date DATE, transaction_amount DECIMAL(12,2), "
                 "is_approved BOOLEAN)")
    conn.execute("INSERT INTO gold.fct_transactions VALUES ('2026-06-30', 30.00, true), "
                 "('2026-07-01', 99.00, true), ('2026-06-01', 5.00, false)")  # a streamed day after as-of
    assert evaluate(conn, lifetime, as_of="2026-06-30").passed
    assert not evaluate(conn, lifetime, as_of="2026-07-01").passed
    with pytest.raises(ValueError, match="pass as_of"):
        evaluate(conn, lifetime)
