"""COPY INTO semantics on DuckDB: load history, per-file results, ON_ERROR modes, rejects."""

import datetime as dt
import subprocess
import sys

import duckdb
import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.parquet as pq
import pytest
from accounts import ACCOUNTS, ACCOUNTS_PREFIX, generated_accounts
from bronze_load import load_on_duckdb

from customer360.lib.bronze.contracts import BRONZE_TRANSACTIONS
from customer360.lib.bronze.results import (
    ALREADY_LOADED,
    LOAD_FAILED,
    LOAD_SKIPPED,
    LOADED,
    PARTIALLY_LOADED,
    CopyAborted,
)
from customer360.lib.generate import generate_transactions
from customer360.lib.resources.object_store import ObjectStoreResource

AS_OF = dt.date(2026, 6, 30)
HEADER = ",".join(ACCOUNTS.column_names)
GOOD_ROW = ("CUST{n:08d},Ann,Lee,ann{n}@example.com,40,NY,Albany,Employed,Standard,10000,2020-01-01,Budget-Conscious,,"
            "2020-01-01 00:00:00,2026-07-01 08:00:00")


@pytest.fixture
def store(tmp_path):
    return ObjectStoreResource(bucket="landing", local_root=str(tmp_path / "lake"))


@pytest.fixture
def conn(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        yield connection


def put_text(store, key: str, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return store.write(key, lambda path: path.write_bytes(data))


def customers_csv(rows: int, start: int = 1) -> str:
    return "\n".join([HEADER, *(GOOD_ROW.format(n=n) for n in range(start, start + rows))]) + "\n"


def load(conn, store, table, on_error="ABORT_STATEMENT", run_id="run-1"):
    return load_on_duckdb(conn, table, store, store.list(table.prefix), on_error, run_id)


def count(conn, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_copy_loads_generated_files_with_lineage_and_per_file_results(conn, store):
    customers = generated_accounts(300, seed=1, as_of=AS_OF, months=3)
    store.write(f"{ACCOUNTS_PREFIX}accounts.csv", lambda path: pv.write_csv(customers, path))
    parts = list(generate_transactions(customers, 1, AS_OF, 3, customers_per_file=100))
    for i, part in enumerate(parts):
        store.write(f"transactions/historical/part-{i:05d}.parquet", lambda path, t=part: pq.write_table(t, path))

    customer_results = load(conn, store, ACCOUNTS)
    txn_results = load(conn, store, BRONZE_TRANSACTIONS)

    assert [(r.status, r.row_count) for r in customer_results] == [(LOADED, 300)]
    assert [r.row_count for r in txn_results] == [p.num_rows for p in parts]
    assert all(r.status == LOADED and r.row_parsed == r.row_count for r in txn_results)
    assert count(conn, "bronze.bronze_transactions") == sum(p.num_rows for p in parts)
    lineage = conn.execute(
        "SELECT DISTINCT _source_file, _run_id FROM bronze.bronze_transactions ORDER BY 1").fetchall()
    assert lineage == [(f"transactions/historical/part-{i:05d}.parquet", "run-1") for i in range(len(parts))]
    history = conn.execute(
        "SELECT table_name, file_name, status, row_count FROM bronze.load_history ORDER BY file_name").fetchall()
    assert len(history) == 1 + len(parts)


def test_copy_skips_files_already_in_load_history(conn, store):
    put_text(store, "staging/cards/accounts/a.csv", customers_csv(5))
    assert [r.status for r in load(conn, store, ACCOUNTS)] == [LOADED]

    second = load(conn, store, ACCOUNTS, run_id="run-2")

    assert [(r.status, r.row_count) for r in second] == [(ALREADY_LOADED, 0)]
    assert count(conn, "bronze.cards_accounts") == 5
    assert count(conn, "bronze.load_history") == 1


def test_only_the_new_file_is_loaded_when_a_file_is_added(conn, store):
    put_text(store, "staging/cards/accounts/a.csv", customers_csv(5))
    load(conn, store, ACCOUNTS)
    put_text(store, "staging/cards/accounts/b.csv", customers_csv(3, start=100))

    results = {r.file_name: r.status for r in load(conn, store, ACCOUNTS, run_id="run-2")}

    assert results == {"staging/cards/accounts/a.csv": ALREADY_LOADED, "staging/cards/accounts/b.csv": LOADED}
    assert count(conn, "bronze.cards_accounts") == 8


def test_a_file_rewritten_with_new_content_is_loaded_again(conn, store):
    put_text(store, "staging/cards/accounts/a.csv", customers_csv(5))
    load(conn, store, ACCOUNTS)
    put_text(store, "staging/cards/accounts/a.csv", customers_csv(6))

    assert [r.status for r in load(conn, store, ACCOUNTS)] == [LOADED]
    assert count(conn, "bronze.cards_accounts") == 11


def _bad_file() -> str:
    rows = customers_csv(4).splitlines()
    rows[2] = rows[2].replace(",40,", ",forty,")  # line 3: unparsable age
    rows.append("CUST99999999,only,three")  # line 6: wrong column count
    return "\n".join(rows) + "\n"


def test_abort_statement_loads_nothing_and_names_file_line_and_reason(conn, store):
    put_text(store, "staging/cards/accounts/a_good.csv", customers_csv(5))
    put_text(store, "staging/cards/accounts/b_bad.csv", _bad_file())

    with pytest.raises(CopyAborted, match=r"staging/cards/accounts/b_bad.csv line 3 column age"
                                          r".*SKIP_FILE to load the other files.*CONTINUE"):
        load(conn, store, ACCOUNTS)

    assert count(conn, "bronze.cards_accounts") == 0
    history = conn.execute("SELECT file_name, status, row_parsed, row_count, error_count FROM bronze.load_history"
                           ).fetchall()
    assert history == [("staging/cards/accounts/b_bad.csv", LOAD_FAILED, 5, 0, 5)]


def test_continue_loads_good_rows_and_keeps_every_rejected_row(conn, store):
    put_text(store, "staging/cards/accounts/b_bad.csv", _bad_file())

    [result] = load(conn, store, ACCOUNTS, on_error="CONTINUE")

    assert (result.status, result.row_parsed, result.row_count, result.error_count) == (PARTIALLY_LOADED, 5, 3, 2)
    assert count(conn, "bronze.cards_accounts") == 3
    rejects = conn.execute(
        "SELECT file_name, line_number, column_name, reason, raw_record FROM bronze.bronze_rejects ORDER BY 2"
    ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rejects] == [("staging/cards/accounts/b_bad.csv", 3, "age"),
                                                     ("staging/cards/accounts/b_bad.csv", 6, None)]
    assert "forty" in rejects[0][4] and rejects[0][3] == "value 'forty' is not a valid INTEGER"
    assert rejects[1][3] == "3 columns, expected 15"  # readable, no engine excerpt


def test_skip_file_skips_the_bad_file_and_loads_the_others(conn, store):
    put_text(store, "staging/cards/accounts/a_good.csv", customers_csv(5))
    put_text(store, "staging/cards/accounts/b_bad.csv", _bad_file())

    results = {r.file_name: r for r in load(conn, store, ACCOUNTS, on_error="SKIP_FILE")}

    assert results["staging/cards/accounts/a_good.csv"].status == LOADED
    skipped = results["staging/cards/accounts/b_bad.csv"]
    assert (skipped.status, skipped.row_count, skipped.error_count) == (LOAD_SKIPPED, 0, 5)
    assert count(conn, "bronze.cards_accounts") == 5


def test_a_skipped_file_is_tried_again_on_the_next_load(conn, store):
    put_text(store, "staging/cards/accounts/b_bad.csv", _bad_file())
    load(conn, store, ACCOUNTS, on_error="SKIP_FILE")

    [again] = load(conn, store, ACCOUNTS, on_error="CONTINUE")

    assert again.status == PARTIALLY_LOADED


@pytest.mark.parametrize("content, reason", [
    ("", "file is empty"),
    ("id,name\nC1,x\n", "header mismatch"),
])
def test_unreadable_csv_files_fail_with_a_reason(conn, store, content, reason):
    put_text(store, "staging/cards/accounts/x.csv", content)

    [result] = load(conn, store, ACCOUNTS, on_error="CONTINUE")

    assert result.status == LOAD_FAILED and reason in result.first_error_message
    assert conn.execute("SELECT reason FROM bronze.bronze_rejects").fetchone()[0].startswith(reason)


def test_a_truncated_parquet_file_is_rejected_and_the_others_load(conn, store):
    good = pa.table({c: [v] for c, v in zip(BRONZE_TRANSACTIONS.column_names, [
        "T1", "CUST00000001", dt.datetime(2026, 1, 1), 12.5, "Shell", "Gas", "Online", "approved"], strict=False)})
    store.write("transactions/historical/good.parquet", lambda path: pq.write_table(good, path))
    store.write("transactions/historical/bad.parquet",
                lambda path: (pq.write_table(good, path), path.write_bytes(path.read_bytes()[:40])))

    results = {r.file_name.rsplit("/", 1)[1]: r for r in load(conn, store, BRONZE_TRANSACTIONS, "SKIP_FILE")}

    assert results["good.parquet"].status == LOADED
    assert results["bad.parquet"].status == LOAD_SKIPPED
    assert "Parquet" in results["bad.parquet"].first_error_message
    assert count(conn, "bronze.bronze_transactions") == 1


def test_parsed_rows_always_equal_loaded_plus_rejected(conn, store):
    put_text(store, "staging/cards/accounts/a_good.csv", customers_csv(5))
    put_text(store, "staging/cards/accounts/b_bad.csv", _bad_file())
    put_text(store, "staging/cards/accounts/c_empty.csv", "")
    for mode in ("SKIP_FILE", "CONTINUE"):
        load(conn, store, ACCOUNTS, on_error=mode)

    rows = conn.execute("SELECT row_parsed, row_count, error_count FROM bronze.load_history").fetchall()

    assert len(rows) == 5 and all(parsed == loaded + rejected for parsed, loaded, rejected in rows)


def test_rows_that_are_not_utf8_are_rejected_with_the_encoding_reason(conn, store):
    text = customers_csv(3).encode()
    broken = text.replace(b"Albany", b"Alb\xe9ny", 1)  # latin-1 byte in row 1 (line 2)
    put_text(store, "staging/cards/accounts/latin1.csv", broken)

    [result] = load(conn, store, ACCOUNTS, on_error="CONTINUE")

    assert (result.status, result.row_count, result.error_count) == (PARTIALLY_LOADED, 2, 1)
    assert result.first_error_line_number == 2 and "utf-8" in result.first_error_message.lower()


def test_duplicate_rows_across_files_all_stay_in_bronze_each_with_its_source_file(conn, store):
    put_text(store, "staging/cards/accounts/a.csv", customers_csv(3))
    put_text(store, "staging/cards/accounts/b.csv", customers_csv(2, start=2))  # CUST2 and CUST3 again

    load(conn, store, ACCOUNTS)

    rows = conn.execute("SELECT customer_id, count(*), count(DISTINCT _source_file) FROM bronze.cards_accounts "
                        "GROUP BY 1 ORDER BY 1").fetchall()
    assert rows == [("CUST00000001", 1, 1), ("CUST00000002", 2, 2), ("CUST00000003", 2, 2)]


def _hold(path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(path)], stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_held_warehouse_is_waited_for_with_a_log_line_then_fails_naming_the_holder(tmp_path, caplog):
    from customer360.lib.resources.warehouse import LocalWarehouse, WarehouseLocked

    path = tmp_path / "warehouse.duckdb"
    holder = _hold(path)
    try:
        with pytest.raises(WarehouseLocked, match=rf"stayed locked by PID {holder.pid} .* for 1 s.*C360_LOCK_WAIT_S"):
            with LocalWarehouse(database=str(path), lock_wait_s=1).session():
                pass
    finally:
        holder.kill()
        holder.wait()
    assert any(f"held by PID {holder.pid}" in r.getMessage() and "waiting for its lock" in r.getMessage()
               for r in caplog.records)


def test_a_warehouse_released_within_the_wait_is_used(tmp_path):
    import threading

    from customer360.lib.resources.warehouse import LocalWarehouse

    path = tmp_path / "warehouse.duckdb"
    holder = _hold(path)
    threading.Timer(1.0, holder.kill).start()
    try:
        with LocalWarehouse(database=str(path), lock_wait_s=30).session() as session:
            assert session.fetchone("SELECT 42") == (42,)
    finally:
        holder.wait()


def test_a_csv_load_leaves_the_sessions_insertion_order_setting_as_it_was(conn, store):
    conn.execute("SET preserve_insertion_order = false")  # the pipeline's sessions bulk-load without it
    put_text(store, "staging/cards/accounts/a.csv", customers_csv(3))
    load(conn, store, ACCOUNTS)
    assert conn.execute("SELECT current_setting('preserve_insertion_order')").fetchall() == [(False,)]
