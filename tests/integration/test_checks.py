"""The SQL checks as plain functions on a DuckDB connection: they pass on good data and fail on bad."""

import datetime as dt

import duckdb
import pytest

from customer360.defs.quality.checks import evaluate
from customer360.defs.quality.sql_checks import BRONZE_CHECKS, GOLD_CHECKS, VOLUME_CHECKS
from customer360.lib.resources.warehouse import DuckDBSession

[VOLUME] = VOLUME_CHECKS
AMOUNT_POSITIVE = next(c for c in BRONZE_CHECKS if c.name == "amount_positive")


@pytest.fixture
def conn():
    with duckdb.connect() as connection:
        connection.execute("CREATE SCHEMA bronze")
        connection.execute("CREATE TABLE bronze.bronze_transactions (transaction_id VARCHAR, "
                           "transaction_date TIMESTAMP, transaction_amount DECIMAL(12,2), _source_file VARCHAR, "
                           "_run_id VARCHAR DEFAULT 'run-1')")
        yield DuckDBSession(connection)


def add_day(conn, day: dt.date, rows: int, amount: str = "10.00", run_id: str = "run-1") -> None:
    conn.execute("INSERT INTO bronze.bronze_transactions BY POSITION (transaction_id, transaction_date, transaction_amount, "
                 "_source_file, _run_id) SELECT 'T' || i, ?::TIMESTAMP, CAST(? AS DECIMAL(12,2)), "
                 "'transactions/history.parquet', ? FROM range(?) t(i)", [day, amount, run_id, rows])


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
    conn.execute("INSERT INTO bronze.bronze_transactions VALUES ('T-null', '2026-07-01', NULL, 't/x.parquet', 'run-1')")
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


def test_a_failing_blocking_check_names_the_files_that_hold_the_offending_rows(conn):
    conn.execute("INSERT INTO bronze.bronze_transactions VALUES ('T1', '2026-07-01', 5.00, 'transactions/a.parquet', 'r'), "
                 "('T2', '2026-07-01', -1.00, 'transactions/streaming/b.parquet', 'r'), "
                 "('T3', '2026-07-01', NULL, 'transactions/streaming/c.parquet', 'r')")
    record = evaluate(conn, AMOUNT_POSITIVE)
    assert not record.passed and record.description.endswith(
        "Files: transactions/streaming/b.parquet, transactions/streaming/c.parquet.")


def test_duplicate_input_warns_and_names_the_files_load_history_counted(conn):
    from customer360.lib.sql import statements

    [duplicates] = [c for c in BRONZE_CHECKS if c.name == "input_has_no_duplicate_transactions"]
    for statement in statements("bronze_control"):
        conn.execute(statement)
    conn.insert_rows("bronze.load_history", [
        {"table_name": "bronze_transactions", "file_name": name, "stage_location": "x", "last_load_time": dt.datetime(2026, 7, 1),
         "status": "LOADED", "row_parsed": 10, "row_count": 10, "error_count": 0, "duplicate_count": within,
         "repeated_count": earlier}
        for name, within, earlier in (("t/a.parquet", 0, 0), ("t/b.parquet", 2, 0), ("t/c.parquet", 0, 3))])
    record = evaluate(conn, duplicates)
    assert (record.passed, record.observed_value, record.severity) == (False, 5.0, "WARN")
    assert record.description.endswith("Files: t/b.parquet, t/c.parquet.")


def test_the_increment_reconciles_exactly_the_transactions_its_run_loaded_with_gold(conn):
    from customer360.defs.quality.sql_checks import LOAD_RECONCILIATION

    conn.execute("INSERT INTO bronze.bronze_transactions SELECT 'T' || i, '2026-07-01', 5.00, "
                 "'transactions/historical/a.parquet', 'first-build' FROM range(100) t(i)")
    conn.execute("INSERT INTO bronze.bronze_transactions SELECT ' T' || i, '2026-07-02', 5.00, "  # ids as sent: untrimmed
                 "'transactions/streaming/2026-07-02/b.parquet', 'increment' FROM range(100, 110) t(i)")
    conn.execute("CREATE SCHEMA gold")
    # An earlier load missing from gold is the full reconciliation's to find (the nightly build), not this run's.
    conn.execute("CREATE TABLE gold.fct_transactions AS SELECT 'T' || i AS transaction_id FROM range(50, 110) t(i)")
    record = evaluate(conn, LOAD_RECONCILIATION, run_id="increment")
    assert (record.passed, record.observed_value, record.threshold) == (True, 10.0, 10.0)

    conn.execute("DELETE FROM gold.fct_transactions WHERE transaction_id = 'T105'")
    record = evaluate(conn, LOAD_RECONCILIATION, run_id="increment")
    assert (record.passed, record.observed_value, record.threshold) == (False, 9.0, 10.0)
    assert record.description.endswith("Files: transactions/streaming/2026-07-02/b.parquet.")

    conn.execute("INSERT INTO gold.fct_transactions VALUES ('T105'), ('T106')")  # one back, one twice
    assert not evaluate(conn, LOAD_RECONCILIATION, run_id="increment").passed
    assert evaluate(conn, LOAD_RECONCILIATION, run_id="a run that loaded nothing").passed
    with pytest.raises(ValueError, match="pass run_id"):
        evaluate(conn, LOAD_RECONCILIATION)


def test_the_increments_checks_read_only_the_rows_its_run_loaded_and_other_runs_the_whole_table(conn):
    history(conn)
    add_day(conn, dt.date(2026, 6, 20), 1, amount="-1.00")  # an earlier run's bad row: the nightly build's to find
    add_day(conn, dt.date(2026, 7, 1), 1015, run_id="increment-1")
    assert not evaluate(conn, AMOUNT_POSITIVE).passed
    assert evaluate(conn, AMOUNT_POSITIVE, run_id="increment-1", increment=True).passed
    add_day(conn, dt.date(2026, 7, 1), 2, amount="0.00", run_id="increment-2")
    record = evaluate(conn, AMOUNT_POSITIVE, run_id="increment-2", increment=True)
    assert not record.passed and record.observed_value == 2

    # The volume rule judges the newest day the run's rows reach, against the whole table's 28 days before it.
    full, scoped = evaluate(conn, VOLUME), evaluate(conn, VOLUME, run_id="increment-1", increment=True)
    assert scoped.passed == full.passed and scoped.observed_value == full.observed_value < 3
    add_day(conn, dt.date(2026, 7, 2), 400, run_id="increment-3")
    scoped = evaluate(conn, VOLUME, run_id="increment-3", increment=True)
    assert not scoped.passed and scoped.observed_value == evaluate(conn, VOLUME).observed_value > 3
    nothing = evaluate(conn, VOLUME, run_id="loaded-nothing", increment=True)
    assert nothing.passed and nothing.observed_value is None


def test_the_increment_warns_about_its_own_transactions_without_a_customer_only(conn):
    has_customer = next(c for c in BRONZE_CHECKS if c.name == "transaction_has_customer")
    conn.execute("ALTER TABLE bronze.bronze_transactions ADD COLUMN customer_id VARCHAR DEFAULT 'C1'")
    conn.execute("CREATE TABLE bronze.cards_accounts (customer_id VARCHAR)")
    conn.execute("INSERT INTO bronze.cards_accounts VALUES ('C1')")
    add_day(conn, dt.date(2026, 7, 1), 3)
    conn.execute("INSERT INTO bronze.bronze_transactions VALUES ('T9', '2026-06-01', 5, 'old.parquet', 'old-run', 'C404')")
    assert evaluate(conn, has_customer).observed_value == 1
    assert evaluate(conn, has_customer, run_id="run-1", increment=True).passed
    conn.execute("INSERT INTO bronze.bronze_transactions VALUES ('T8', '2026-07-01', 5, 'new.parquet', 'run-1', 'C405')")
    assert evaluate(conn, has_customer, run_id="run-1", increment=True).observed_value == 1
