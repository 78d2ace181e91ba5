"""No row is lost (issue 34): the bronze loader and staging cleanup under odd files, on both targets (DuckDB, and
Snowflake's COPY on the fakesnow server).

fakesnow has no ON_ERROR = CONTINUE | SKIP_FILE for a COPY (tests/support/fakesnow_server.py): on it those modes run
where the loader decides without a COPY (a file rejected whole before COPY), as in test_bad_input.py.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pyarrow as pa
import pytest
import test_bad_input
from accounts import ACCOUNTS, generated_accounts
from bronze_load import load
from test_bad_input import TARGETS, history, put, transactions

from customer360.lib.asset_keys import bronze_key
from customer360.lib.bronze.contracts import BRONZE_TRANSACTIONS
from customer360.lib.bronze.results import (
    ALREADY_FAILED,
    ALREADY_LOADED,
    LOAD_FAILED,
    LOAD_SKIPPED,
    LOADED,
    PARTIALLY_LOADED,
    CopyAborted,
    FileLoadResult,
)
from customer360.lib.replication.cleanup import clean_up
from customer360.settings import settings

AS_OF = dt.date(2026, 6, 30)
resources = test_bad_input.resources  # (object store, warehouse) of the test's `target`


def rejects(session) -> int:
    return session.fetchone("SELECT count(*) FROM bronze.bronze_rejects")[0]


# 3. Cleanup deletes only files loaded in full -----------------------------------------------------------------------

@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("mode", ["after_each", "after_all"])
def test_a_partly_loaded_file_is_kept_by_cleanup_on_every_later_run(target, mode, resources):
    """A PARTIALLY_LOADED file came back as "already loaded" on the next run and was deleted with its rejected rows.
    Cleanup now follows the outcome load_history records: the file stays until someone fixes it."""
    store, warehouse = resources
    staged = put(store, "staging/cards/accounts/cards_accounts_batch0_x.parquet",
                 generated_accounts(4, seed=1, as_of=AS_OF, months=3))
    with warehouse.session() as session:
        load(session, ACCOUNTS, store, [], "CONTINUE", "run-0")  # the control tables (on DuckDB)
        # What a CONTINUE load of a file with one bad row records (fakesnow cannot run CONTINUE itself).
        partial = FileLoadResult(table_name=ACCOUNTS.name, file_name=staged.key, status=PARTIALLY_LOADED,
                                 row_parsed=4, row_count=3, error_count=1, file_size=staged.size,
                                 file_etag=staged.etag, first_error_message="card_type is missing")
        session.insert_rows("bronze.load_history", [partial.history_row(store.location, dt.datetime(2026, 7, 1),
                                                                        "run-1")])
        [again] = load(session, ACCOUNTS, store, store.list(ACCOUNTS.prefix), "CONTINUE", "run-2")
    assert (again.status, again.recorded_status) == (ALREADY_LOADED, PARTIALLY_LOADED)
    assert clean_up(mode, store, [again]) == [] and store.exists(staged.key)


def test_a_file_loaded_in_full_is_cleaned_up_on_a_later_run_and_a_partial_one_never(c360_env):
    from customer360.resources import build_resources

    built = build_resources(settings())
    store, warehouse = built["object_store"], built["warehouse"]
    good = put(store, "staging/cards/accounts/good.parquet", generated_accounts(3, seed=1, as_of=AS_OF, months=3))
    bad = generated_accounts(3, seed=2, as_of=AS_OF, months=3)
    partial = put(store, "staging/cards/accounts/partial.parquet", bad.set_column(
        bad.schema.get_field_index("card_type"), "card_type",
        pa.array(bad.column("card_type").to_pylist()[:-1] + ["Gold"])))
    with warehouse.session() as session:
        first = load(session, ACCOUNTS, store, store.list(ACCOUNTS.prefix), "CONTINUE", "run-1")
        assert sorted(r.status for r in first) == [LOADED, PARTIALLY_LOADED]
        later = load(session, ACCOUNTS, store, store.list(ACCOUNTS.prefix), "CONTINUE", "run-2")
    assert clean_up("after_each", store, later) == [good.key]
    assert [o.key for o in store.list(ACCOUNTS.prefix)] == [partial.key]


# 5. A file whose rows cannot be counted fails no run ----------------------------------------------------------------

@pytest.mark.parametrize("target", TARGETS)
def test_a_file_whose_rows_cannot_be_counted_is_recorded_and_the_bronze_asset_succeeds(target, resources):
    """error_count is NULL for such a file (another type, an unreadable Parquet file): the asset used to fail with
    "unsupported operand type(s) for +" after the history row committed, on every later run too."""
    from customer360.definitions import defs

    store, warehouse = resources
    put(store, "transactions/historical/export.json", '{"transaction_id": "T1"}')
    job, instance = defs().resolve_implicit_global_asset_job_def(), dg.DagsterInstance.ephemeral()
    config = {"ops": {"bronze__bronze_transactions": {"config": {"on_error": "SKIP_FILE"}}}}
    # Its checks run too and look for accounts this test does not load: only the asset's own step is asserted.
    runs = [job.execute_in_process(asset_selection=[bronze_key(BRONZE_TRANSACTIONS.name)], instance=instance,
                                   run_config=config, raise_on_error=False) for _ in range(2)]
    assert all(r.is_node_success("bronze__bronze_transactions") for r in runs)
    first, second = (r.asset_materializations_for_node("bronze__bronze_transactions")[0].metadata for r in runs)
    assert (first["files_loaded"].value, first["rows_rejected"].value) == (1, 0)
    assert first["files_with_uncountable_rows"].value == 1
    assert (second["files_loaded"].value, second["files_failed_before"].value) == (0, 1)


# 9. A failed file is recorded once ----------------------------------------------------------------------------------

@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("on_error,status", [("CONTINUE", LOAD_FAILED), ("SKIP_FILE", LOAD_SKIPPED)])
def test_a_failed_file_is_recorded_once_and_tried_again_when_asked_or_corrected(target, on_error, status, resources):
    """load_history and bronze_rejects grew by the same rows on every run. A failed (name, content) is now recorded
    once and reported on later runs; it is tried again with retry_failed, and a corrected copy loads."""
    store, warehouse = resources
    key = "staging/cards/accounts/reordered.csv"
    header = ",".join(ACCOUNTS.column_names[::-1])
    put(store, key, header + "\n" + "x\n" * 3)
    with warehouse.session() as session:
        for run in ("run-1", "run-2", "run-3"):
            [result] = load(session, ACCOUNTS, store, store.list(ACCOUNTS.prefix), on_error, run)
        assert (result.status, result.recorded_status) == (ALREADY_FAILED, status)
        assert "header mismatch" in result.first_error_message
        assert [r[:2] for r in history(session)] == [(key, status)] and rejects(session) == 1

        [retried] = load(session, ACCOUNTS, store, store.list(ACCOUNTS.prefix), on_error, "run-4", retry_failed=True)
        assert retried.status == status and len(history(session)) == 2 and rejects(session) == 2

        put(store, key, generated_accounts(2, seed=1, as_of=AS_OF, months=3))  # a corrected copy, same name
        # (ABORT_STATEMENT: fakesnow runs no COPY under the other modes; the copy is new content either way)
        [fixed] = load(session, ACCOUNTS, store, store.list(ACCOUNTS.prefix), "ABORT_STATEMENT", "run-5")
        assert (fixed.status, fixed.row_count) == (LOADED, 2)


@pytest.mark.parametrize("target", TARGETS)
def test_a_file_that_failed_before_still_stops_an_abort_statement_load_without_a_new_record(target, resources):
    store, warehouse = resources
    put(store, "staging/cards/accounts/notes.txt", "nothing to load")
    with warehouse.session() as session:
        for run in ("run-1", "run-2"):
            with pytest.raises(CopyAborted, match=r"notes.txt.*unsupported file type \(.txt\)"):
                load(session, ACCOUNTS, store, store.list(ACCOUNTS.prefix), "ABORT_STATEMENT", run)
        assert [r[:2] for r in history(session)] == [("staging/cards/accounts/notes.txt", LOAD_FAILED)]
        assert rejects(session) == 1


# 7. A value is stored as written or rejected ------------------------------------------------------------------------

@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_a_value_the_column_would_round_is_rejected_never_stored_changed(target, kind, resources):
    """A Parquet double 12500.5 loaded into the INTEGER credit_limit as 12500 (LOADED, no reject), a CSV '12500.5'
    as 12501. Such a row is rejected per ON_ERROR on both targets; a whole number written as 12500.0 still loads."""
    store, warehouse = resources
    accounts = generated_accounts(3, seed=1, as_of=AS_OF, months=3)
    limits = pa.array([12500.0, 12500.5, 9000.0], pa.float64())
    key = f"staging/cards/accounts/limits.{kind}"
    put(store, key, accounts.set_column(accounts.schema.get_field_index("credit_limit"), "credit_limit", limits))
    with warehouse.session() as session:
        with pytest.raises(CopyAborted, match=r"limits.*12500.5'? cannot be stored as INTEGER without rounding"):
            load(session, ACCOUNTS, store, store.list(ACCOUNTS.prefix), "ABORT_STATEMENT", "run-1")
        assert session.fetchone(f"SELECT count(*) FROM {ACCOUNTS.qualified_name}")[0] == 0


@pytest.mark.parametrize("amount,loads", [("12.505", False), ("12.5", True), ("0012.50", True)])
def test_a_csv_amount_with_more_decimals_than_its_column_is_rejected_under_continue(c360_env, amount, loads):
    from customer360.resources import build_resources

    built = build_resources(settings())
    store, warehouse = built["object_store"], built["warehouse"]
    header = ",".join(BRONZE_TRANSACTIONS.column_names)
    rows = [f"TX{i},CUST{i:08d},2026-06-01 12:00:00,{a},Shell,Gas,Online,approved" for i, a in enumerate(["7.25", amount])]
    put(store, "transactions/historical/amounts.csv", "\n".join([header, *rows]) + "\n")
    with warehouse.session() as session:
        [result] = load(session, BRONZE_TRANSACTIONS, store, store.list("transactions/"), "CONTINUE", "run-1")
        stored = [float(a) for (a,) in session.fetchall("SELECT transaction_amount FROM bronze.bronze_transactions "
                                                        "ORDER BY transaction_id")]
    if loads:
        assert (result.status, stored) == (LOADED, [7.25, 12.5])
    else:
        assert (result.status, result.first_error_line_number, stored) == (PARTIALLY_LOADED, 3, [7.25])
        assert result.first_error_message == "value '12.505' cannot be stored as DECIMAL(12,2) without rounding"


# 6. A Parquet string that is not UTF-8 ------------------------------------------------------------------------------

def not_utf8_transactions() -> pa.Table:
    """Three transactions, the second with a merchant written in Latin-1 (Café)."""
    names = pa.array([b"Shell", b"Caf\xe9", b"Tesco"], pa.binary()).view(pa.string())
    return transactions(3).set_column(4, "merchant_name", names)


# Local target only: Snowflake's COPY rejects such a value itself, a data error (100xxx) the loader records per
# ON_ERROR (snowflake_copy.is_file_error); fakesnow, DuckDB underneath, answers it with HTTP 500 instead.
@pytest.mark.parametrize("target", ["local"])
def test_a_parquet_file_with_a_string_that_is_not_utf8_aborts_the_load_naming_its_row(target, resources):
    """It escaped the loader as a DuckDB error: no history row, and every rerun failed the same way."""
    store, warehouse = resources
    key = "transactions/historical/latin1.parquet"
    put(store, key, not_utf8_transactions())
    with warehouse.session() as session:
        with pytest.raises(CopyAborted, match=r"latin1.parquet.*(merchant_name is not UTF-8|UTF8)"):
            load(session, BRONZE_TRANSACTIONS, store, store.list("transactions/"), "ABORT_STATEMENT", "run-1")
        assert [r[:3] for r in history(session)] == [(key, LOAD_FAILED, 3)]
        assert session.fetchone("SELECT line_number, column_name FROM bronze.bronze_rejects") == (2, "merchant_name")


@pytest.mark.parametrize("on_error,status,loaded", [("CONTINUE", PARTIALLY_LOADED, 2), ("SKIP_FILE", LOAD_SKIPPED, 0)])
def test_a_parquet_row_that_is_not_utf8_is_rejected_and_the_files_after_it_load(c360_env, on_error, status, loaded):
    from customer360.resources import build_resources

    built = build_resources(settings())
    store, warehouse = built["object_store"], built["warehouse"]
    put(store, "transactions/historical/a-latin1.parquet", not_utf8_transactions())
    put(store, "transactions/historical/b-good.parquet", transactions(2).set_column(
        0, "transaction_id", pa.array(["TX9000", "TX9001"])))
    with warehouse.session() as session:
        results = load(session, BRONZE_TRANSACTIONS, store, store.list("transactions/"), on_error, "run-1")
        reject = session.fetchone("SELECT line_number, column_name, reason, raw_record FROM bronze.bronze_rejects")
        rows = session.fetchone("SELECT count(*) FROM bronze.bronze_transactions")[0]
    assert [(r.status, r.row_parsed, r.row_count) for r in results] == [(status, 3, loaded), (LOADED, 2, 2)]
    assert reject[:3] == (2, "merchant_name", "merchant_name is not UTF-8 text; re-export the file as UTF-8")
    assert "TX0001" in reject[3] and "Caf\ufffd" in reject[3]
    assert rows == loaded + 2
