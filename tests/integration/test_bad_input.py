"""Bad input is never silent: every file under a table's prefix is loaded or recorded, contract rules reject rows
per ON_ERROR, a corrected copy un-sticks the pipeline, and every figure and message says what happened.

Loader behaviour runs on both targets (DuckDB, and Snowflake's COPY on the fakesnow server) where fakesnow can run
it: it has no ON_ERROR = CONTINUE | SKIP_FILE for a COPY, so those modes run on DuckDB, and on fakesnow only where
the loader decides without a COPY (a file rejected whole before COPY). README: Bad input has the whole table.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.parquet as pq
import pytest
from accounts import ACCOUNTS, generated_accounts
from bronze_load import load, load_on_duckdb
from test_snowflake_target import apply_setup

from customer360.defs.quality.checks import evaluate
from customer360.defs.quality.sql_checks import BRONZE_CHECKS
from customer360.lib.bronze.contracts import BRONZE_TRANSACTIONS
from customer360.lib.bronze.results import LOAD_FAILED, LOAD_SKIPPED, LOADED, PARTIALLY_LOADED, CopyAborted
from customer360.lib.replication.config import replicated_tables
from customer360.resources import build_resources
from customer360.settings import settings

AS_OF = dt.date(2026, 6, 30)
TARGETS = ["local", "snowflake"]


@pytest.fixture
def resources(request):
    """(object store, warehouse) of the target named by the test's `target` parameter."""
    target = request.node.callspec.params["target"]
    request.getfixturevalue("snowflake_env" if target == "snowflake" else "c360_env")
    s = settings()
    if target == "snowflake":
        apply_setup(s)
    built = build_resources(s)
    return built["object_store"], built["warehouse"]


def transactions(n: int = 5, **changes) -> pa.Table:
    """n good transactions; `changes` maps column -> {row: value} to break some."""
    columns = {
        "transaction_id": [f"TX{i:04d}" for i in range(n)],
        "customer_id": [f"CUST{i:08d}" for i in range(n)],
        "transaction_date": [dt.datetime(2026, 6, 1, 12)] * n,
        "transaction_amount": [Decimal("12.50")] * n,
        "merchant_name": ["Shell"] * n,
        "merchant_category": ["Gas"] * n,
        "channel": ["Online"] * n,
        "status": ["approved"] * n,
    }
    for column, rows in changes.items():
        for row, value in rows.items():
            columns[column][row] = value
    types = {"transaction_date": pa.timestamp("us"), "transaction_amount": pa.decimal128(12, 2)}
    return pa.table({c: pa.array(v, types.get(c, pa.string())) for c, v in columns.items()})


def put(store, key: str, table: pa.Table | bytes | str):
    if isinstance(table, pa.Table):
        writer = pv.write_csv if key.endswith(".csv") else pq.write_table
        return store.write(key, lambda path: writer(table, path))
    data = table.encode() if isinstance(table, str) else table
    return store.write(key, lambda path: path.write_bytes(data))


def history(session) -> list[tuple]:
    return session.fetchall("SELECT file_name, status, row_parsed, row_count, error_count, first_error_message "
                            "FROM bronze.load_history ORDER BY file_name, last_load_time")


def count(session, table) -> int:
    return session.fetchone(f"SELECT count(*) FROM {table.qualified_name}")[0]


# 1. Ignored files --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", TARGETS)
def test_every_table_loads_csv_and_parquet_alike(target, resources):
    store, warehouse = resources
    put(store, "transactions/historical/batch-1.csv", transactions(3))
    put(store, "transactions/historical/batch-2.parquet", transactions(4).slice(1))
    customers = generated_accounts(6, seed=1, as_of=AS_OF, months=3)
    put(store, "staging/cards/accounts/extract.parquet", customers)
    with warehouse.session() as session:
        loaded = [load(session, t, store, store.list(t.prefix), "ABORT_STATEMENT", "run-1")
                  for t in (BRONZE_TRANSACTIONS, ACCOUNTS)]
        counts = (count(session, BRONZE_TRANSACTIONS), count(session, ACCOUNTS))
    assert [(r.status, r.row_count) for rs in loaded for r in rs] == [(LOADED, 3), (LOADED, 3), (LOADED, 6)]
    assert counts == (6, 6)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("on_error,status", [("CONTINUE", LOAD_FAILED), ("SKIP_FILE", LOAD_SKIPPED)])
def test_a_file_of_another_type_is_recorded_as_failed_never_ignored(target, on_error, status, resources):
    store, warehouse = resources
    put(store, "transactions/historical/export.json", '{"transaction_id": "T1"}')
    with warehouse.session() as session:
        [result] = load(session, BRONZE_TRANSACTIONS, store, store.list("transactions/"), on_error, "run-1")
        rows = history(session)
        rejects = session.fetchall("SELECT file_name, error_type, reason FROM bronze.bronze_rejects")
    assert (result.status, result.row_parsed, result.error_count) == (status, None, None)
    assert rows == [("transactions/historical/export.json", status, None, 0, None, result.first_error_message)]
    assert "unsupported file type (.json)" in result.first_error_message
    assert rejects[0][0] == "transactions/historical/export.json"


@pytest.mark.parametrize("target", TARGETS)
def test_a_file_of_another_type_aborts_the_load_under_abort_statement(target, resources):
    store, warehouse = resources
    put(store, "staging/cards/accounts/notes.txt", "nothing to load")
    with warehouse.session() as session:
        with pytest.raises(CopyAborted, match=r"staging/cards/accounts/notes.txt.*unsupported file type \(.txt\)"):
            load(session, ACCOUNTS, store, store.list("staging/cards/accounts/"), "ABORT_STATEMENT", "run-1")
        assert [r[:2] for r in history(session)] == [("staging/cards/accounts/notes.txt", LOAD_FAILED)]


@pytest.mark.parametrize("target", TARGETS)
def test_a_file_outside_the_stage_folders_is_refused_alike_on_both_targets(target, resources):
    """Snowflake's stages read transactions/historical/ and transactions/streaming/ only: a good file elsewhere under
    transactions/ is refused on both targets, recorded with the folders to move it to (it used to load locally and,
    on Snowflake, fail every later load of the table without a history row)."""
    store, warehouse = resources
    key = "transactions/backfill/2026-06.parquet"
    put(store, key, transactions(3))
    with warehouse.session() as session:
        with pytest.raises(CopyAborted, match=r"transactions/backfill/2026-06.parquet: not in a folder "
                                              r"bronze.bronze_transactions loads from: transactions/historical/, "
                                              r"transactions/streaming/ .*move the file into one of them"):
            load(session, BRONZE_TRANSACTIONS, store, store.list("transactions/"), "ABORT_STATEMENT", "run-1")
        [result] = load(session, BRONZE_TRANSACTIONS, store, store.list("transactions/"), "SKIP_FILE", "run-2",
                        retry_failed=True)  # a file that failed before is tried again only when asked
        assert (result.status, result.row_count, count(session, BRONZE_TRANSACTIONS)) == (LOAD_SKIPPED, 0, 0)
        assert [r[:2] for r in history(session)] == [(key, LOAD_FAILED), (key, LOAD_SKIPPED)]


# 2. Rule-breaking rows, and the corrected copy that un-sticks the pipeline -----------------------------------------

BROKEN = {"transaction_id": {0: None}, "customer_id": {1: ""}, "transaction_amount": {2: Decimal("-4.00")},
          "status": {3: "pending"}}


@pytest.mark.parametrize("target", TARGETS)
def test_rule_breaking_rows_abort_the_load_and_a_corrected_copy_loads(target, resources):
    store, warehouse = resources
    key = "transactions/streaming/2026-07-01/partner.parquet"
    put(store, key, transactions(6, **BROKEN))
    with warehouse.session() as session:
        with pytest.raises(CopyAborted, match=r"partner.parquet( line 1 column)?.*transaction_id.*missing"):
            load(session, BRONZE_TRANSACTIONS, store, store.list("transactions/"), "ABORT_STATEMENT", "run-1")
        assert count(session, BRONZE_TRANSACTIONS) == 0  # nothing poisons bronze
        put(store, key, transactions(6))  # the producer sends a corrected copy under the same name
        [result] = load(session, BRONZE_TRANSACTIONS, store, store.list("transactions/"), "ABORT_STATEMENT", "run-2")
        checks = [evaluate(session, c) for c in BRONZE_CHECKS if c.asset[1] == "bronze_transactions" and c.blocking]
        rows = count(session, BRONZE_TRANSACTIONS)
    assert (result.status, result.row_count, rows) == (LOADED, 6, 6)
    assert checks and all(c.passed for c in checks)  # the pipeline is no longer stopped


@pytest.mark.parametrize("on_error", ["CONTINUE", "SKIP_FILE"])
def test_rule_breaking_rows_are_rejected_one_by_one_with_line_column_and_reason(c360_env, on_error):
    resources = build_resources(settings())
    store, warehouse = resources["object_store"], resources["warehouse"]
    put(store, "transactions/historical/part.parquet", transactions(6, **BROKEN))
    with warehouse.session() as session:
        [result] = load(session, BRONZE_TRANSACTIONS, store, store.list("transactions/"), on_error, "run-1")
        rejects = session.fetchall("SELECT line_number, column_name, reason FROM bronze.bronze_rejects "
                                   "ORDER BY line_number")
        rows = count(session, BRONZE_TRANSACTIONS)
    assert rejects == [
        (1, "transaction_id", "transaction_id is missing: every row needs it"),
        (2, "customer_id", "customer_id is missing: every row needs it"),
        (3, "transaction_amount", "transaction_amount must be above 0, found -4.00"),
        (4, "status", "value 'pending' is not one of approved, declined"),
    ]
    if on_error == "CONTINUE":
        assert (result.status, result.row_count, result.error_count, rows) == (PARTIALLY_LOADED, 2, 4, 2)
    else:
        assert (result.status, result.row_count, result.error_count, rows) == (LOAD_SKIPPED, 0, 6, 0)


# 3. CONTINUE rejects Parquet rows, not files ------------------------------------------------------------------------

def test_continue_loads_the_good_rows_of_a_parquet_file_with_an_unparsable_value(c360_env):
    resources = build_resources(settings())
    store, warehouse = resources["object_store"], resources["warehouse"]
    table = transactions(4).set_column(2, "transaction_date", pa.array(
        ["2026-06-01 12:00:00", "not a timestamp", "2026-06-02 09:30:00", "2026-06-03 10:00:00"]))
    put(store, "transactions/historical/text-dates.parquet", table)
    with warehouse.session() as session:
        [result] = load(session, BRONZE_TRANSACTIONS, store, store.list("transactions/"), "CONTINUE", "run-1")
        reject = session.fetchone("SELECT line_number, column_name, reason, raw_record FROM bronze.bronze_rejects")
    assert (result.status, result.row_parsed, result.row_count, result.error_count) == (PARTIALLY_LOADED, 4, 3, 1)
    assert reject[:3] == (2, "transaction_date", "value 'not a timestamp' is not a valid TIMESTAMP")
    assert "TX0001" in reject[3]


# 4. row_parsed counts what could be read; NULL when it cannot be known ---------------------------------------------

@pytest.mark.parametrize("target", TARGETS)
def test_row_parsed_counts_a_rejected_files_rows_or_is_null_when_unknowable(target, resources):
    store, warehouse = resources
    header = ",".join(ACCOUNTS.column_names[::-1])
    put(store, "staging/cards/accounts/reordered.csv", header + "\n" + "x\n" * 7)
    good = transactions(5)
    stored = put(store, "transactions/historical/truncated.parquet", good)
    put(store, "transactions/historical/truncated.parquet", pq_bytes(good)[:60])
    with warehouse.session() as session:
        [csv_result] = load(session, ACCOUNTS, store, store.list("staging/cards/accounts/"), "SKIP_FILE", "run-1")
        [parquet] = load(session, BRONZE_TRANSACTIONS, store, store.list("transactions/"), "SKIP_FILE", "run-1")
    assert stored.size > 60
    assert (csv_result.status, csv_result.row_parsed, csv_result.error_count) == (LOAD_SKIPPED, 7, 7)
    assert (parquet.status, parquet.row_parsed, parquet.error_count) == (LOAD_SKIPPED, None, None)
    assert "not a readable Parquet file" in parquet.first_error_message


@pytest.mark.parametrize("target", TARGETS)
def test_a_staging_folder_no_table_reads_is_recorded_by_one_table_naming_the_folders_read(target, resources):
    """A file under staging/ in no replicated table's folder (a mistyped or retired one) used to lie there unloaded
    without a trace. The first replicated table records it per ON_ERROR, naming the folders the tables read; no other
    table loads or records it."""
    store, warehouse = resources
    key = "staging/cards/accounts_backfill/extract.parquet"
    put(store, key, generated_accounts(3, seed=1, as_of=AS_OF, months=3))
    others = [t.bronze for t in replicated_tables() if t.bronze != ACCOUNTS]
    with warehouse.session() as session:
        for table in others:
            assert load(session, table, store, store.list(table.listing), "CONTINUE", "run-0") == []
        with pytest.raises(CopyAborted, match=r"accounts_backfill/extract.parquet: in a folder no bronze table loads "
                                              r"from; under staging/ the tables read staging/cards/accounts/, "):
            load(session, ACCOUNTS, store, store.list(ACCOUNTS.listing), "ABORT_STATEMENT", "run-1")
        [result] = load(session, ACCOUNTS, store, store.list(ACCOUNTS.listing), "CONTINUE", "run-2",
                        retry_failed=True)
        assert (result.status, result.row_count, count(session, ACCOUNTS)) == (LOAD_FAILED, 0, 0)
        assert all(t.prefix in result.first_error_message for t in (ACCOUNTS, *others))
        assert [r[:2] for r in history(session)] == [(key, LOAD_FAILED), (key, LOAD_FAILED)]
        # Recorded once: the next load reports it without recording it again.
        [again] = load(session, ACCOUNTS, store, store.list(ACCOUNTS.listing), "CONTINUE", "run-3")
        assert len(history(session)) == 2 and "failed in an earlier load" in again.first_error_message


@pytest.mark.parametrize("target", TARGETS)
def test_a_parquet_file_with_a_column_outside_the_contract_is_rejected_whole_naming_it(target, resources):
    """COPY reads Parquet by name: a column the contract does not have would load nothing, its values dropped
    without a word. The file is rejected whole, as a CSV whose header has another column is, and a copy without the
    column loads."""
    store, warehouse = resources
    key = "transactions/historical/with-points.parquet"
    put(store, key, transactions(4).append_column("loyalty_points", pa.array([10, 20, 30, 40])))
    with warehouse.session() as session:
        with pytest.raises(CopyAborted, match=r"with-points.parquet: columns outside the table's contract: "
                                              r"loyalty_points \(their values would be dropped\)"):
            load(session, BRONZE_TRANSACTIONS, store, store.list("transactions/"), "ABORT_STATEMENT", "run-1")
        assert [r[:3] for r in history(session)] == [(key, LOAD_FAILED, 4)]
        assert count(session, BRONZE_TRANSACTIONS) == 0
        put(store, key, transactions(4))
        [result] = load(session, BRONZE_TRANSACTIONS, store, store.list("transactions/"), "ABORT_STATEMENT", "run-2")
        assert (result.status, result.row_count, count(session, BRONZE_TRANSACTIONS)) == (LOADED, 4, 4)


def pq_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


# 5. Messages --------------------------------------------------------------------------------------------------------

class Log:
    def __init__(self):
        self.lines = []

    def info(self, line):
        self.lines.append(("info", line))

    def warning(self, line):
        self.lines.append(("warning", line))


def test_the_run_log_gives_every_rejected_files_reason_in_plain_words(c360_env):
    resources = build_resources(settings())
    store, warehouse = resources["object_store"], resources["warehouse"]
    header = ",".join(ACCOUNTS.column_names)
    good = ("CUST00000001,Ann,Lee,ann@example.com,40,NY,Albany,Employed,Standard,10000,2020-01-01,Declining,,"
            "2020-01-01 00:00:00,2026-07-01 08:00:00")
    put(store, "staging/cards/accounts/short-row.csv", "\n".join([header, good, good.replace("01,", "02,", 1),
                                                     "CUST00000003,Bo,Li,bo@x.com"]) + "\n")
    put(store, "staging/cards/accounts/zz.txt", "?")
    log = Log()
    with warehouse.session() as session:
        load_on_duckdb(session.conn, ACCOUNTS, store, store.list("staging/cards/accounts/"), "CONTINUE", "run-1", log=log)
        reasons = [r for (r,) in session.fetchall("SELECT reason FROM bronze.bronze_rejects")]
    warnings = [line for level, line in log.lines if level == "warning"]
    assert warnings[0] == ("staging/cards/accounts/short-row.csv: PARTIALLY_LOADED, 2 of 3 rows loaded (1 rejected; first: line 4:"
                           " 4 columns, expected 15)")
    assert "staging/cards/accounts/zz.txt: LOAD_FAILED" in warnings[1] and "unsupported file type (.txt)" in warnings[1]
    assert not any("LINE 1" in r or "CAST(" in r for r in reasons)


# 6. Duplicates in the input -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", TARGETS)
def test_duplicates_within_and_across_files_are_counted_per_file_and_named_by_a_warning(target, resources):
    store, warehouse = resources
    first = transactions(4, transaction_id={3: "TX0000"})  # TX0000 twice in the file
    second = transactions(3).slice(1)  # TX0001 and TX0002 again, in a later file
    put(store, "transactions/historical/a.parquet", first)
    put(store, "transactions/historical/b.parquet", second)
    [warning] = [c for c in BRONZE_CHECKS if c.name == "input_has_no_duplicate_transactions"]
    with warehouse.session() as session:
        for key in ("transactions/historical/a.parquet", "transactions/historical/b.parquet"):
            load(session, BRONZE_TRANSACTIONS, store, [store.head(key)], "ABORT_STATEMENT", "run-1")
        counts = session.fetchall("SELECT file_name, duplicate_count, repeated_count FROM bronze.load_history "
                                  "ORDER BY file_name")
        record = evaluate(session, warning)
    assert counts == [("transactions/historical/a.parquet", 1, 0), ("transactions/historical/b.parquet", 0, 2)]
    assert (record.passed, record.severity, record.observed_value) == (False, "WARN", 3.0)
    assert record.description.endswith("Files: transactions/historical/a.parquet, transactions/historical/b.parquet.")
