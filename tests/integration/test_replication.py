"""Replication from a real PostgreSQL (a throwaway server under the test's home) through staging files into bronze."""

from __future__ import annotations

import datetime as dt
import os

import duckdb
import pyarrow.parquet as pq
import pytest
from bronze_load import load_on_duckdb

from customer360.lib.bronze.results import LOADED, CopyAborted
from customer360.lib.generate import generate_customers
from customer360.lib.replication import extract as extract_module
from customer360.lib.replication.cleanup import clean_up
from customer360.lib.replication.config import ReplicationConfigError, parse, replicated
from customer360.lib.replication.extract import SchemaDriftError, StagingOptions, extract, read_state
from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.lib.source import cards
from customer360.lib.source.connection import SourceDsn, SourceUnavailable, connection
from customer360.lib.source.local_server import LocalPostgres

AS_OF = dt.date(2026, 6, 30)
ACCOUNTS = replicated("accounts")
EVENTS = replicated("credit_limit_events")
PRODUCTS = replicated("card_products")
CUSTOMERS = 300


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    source = LocalPostgres(tmp_path_factory.mktemp("source") / "home")
    source.start()
    yield source
    source.stop()


@pytest.fixture
def conn(server):
    """A freshly seeded `cards` schema for each test."""
    with connection(server.dsn(), autocommit=False) as c:
        with c.cursor() as cur:
            cur.execute("DROP SCHEMA IF EXISTS cards CASCADE")
        c.commit()
        cards.seed(c, generate_customers(CUSTOMERS, seed=5, as_of=AS_OF, months=3))
        yield c


@pytest.fixture
def store(tmp_path):
    return ObjectStoreResource(bucket="c360-test", local_root=str(tmp_path / "lake"))


def execute(conn, *statements):
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
    conn.commit()


def staged_rows(store, table) -> int:
    total = 0
    for obj in store.list(table.prefix):
        with store.local_copy(obj.key) as path:
            total += (pq.read_metadata(path).num_rows if obj.key.endswith(".parquet")
                      else sum(1 for _ in path.open()) - 1)
    return total


def load_bronze(store, table, on_error="ABORT_STATEMENT", run_id="run-1"):
    warehouse = duckdb.connect()
    return warehouse, load_on_duckdb(warehouse, table.bronze, store, store.list(table.prefix), on_error, run_id)


def test_a_first_extract_stages_every_row_and_the_next_only_the_changed_ones(conn, store):
    first = extract(conn, ACCOUNTS, store)
    assert (first.rows, first.file_format, len(first.files)) == (CUSTOMERS, "csv", 1)
    assert first.files[0].key.startswith("staging/cards/accounts/cards_accounts_batch0_")
    assert extract(conn, ACCOUNTS, store).rows == 0  # nothing moved: nothing staged

    changed = cards.apply_changes(conn, seed_value=5)
    second = extract(conn, ACCOUNTS, store)
    assert changed > 0 and second.rows == changed

    warehouse, results = load_bronze(store, ACCOUNTS)
    assert [r.status for r in results] == [LOADED, LOADED]
    assert warehouse.execute("select count(*) from bronze.cards_accounts").fetchone()[0] == CUSTOMERS + changed
    # The latest version of each account in bronze is the source's row as it is now.
    latest = warehouse.execute("""select customer_id, customer_segment, credit_limit, card_type, state
        from bronze.cards_accounts qualify row_number() over (partition by customer_id order by updated_at desc) = 1
        order by 1""").fetchall()
    with conn.cursor() as cur:
        cur.execute("select customer_id, customer_segment, credit_limit, card_type, state from cards.accounts order by 1")
        assert latest == cur.fetchall()


def test_every_table_of_the_config_replicates_in_its_mode(conn, store):
    events, products = extract(conn, EVENTS, store), extract(conn, PRODUCTS, store)
    assert (events.rows, products.rows) == (CUSTOMERS, 2)  # one opening event per account; both products
    cards.apply_changes(conn, seed_value=5)
    with conn.cursor() as cur:
        cur.execute("select count(*) from cards.credit_limit_events where old_limit is not null")
        limit_changes = cur.fetchone()[0]
    assert extract(conn, EVENTS, store).rows == limit_changes  # append-only, integer cursor
    unchanged = extract(conn, PRODUCTS, store)  # full refresh of a table nobody changed: no copy of the same rows
    assert (unchanged.rows, unchanged.files, unchanged.unchanged) == (0, [], True)
    execute(conn, "UPDATE cards.card_products SET annual_fee = 99 WHERE card_type = 'Premium'")
    assert extract(conn, PRODUCTS, store).rows == 2  # any change: every row again
    assert len(store.list(PRODUCTS.prefix)) == 2
    assert read_state(store, EVENTS)["cursor"] == CUSTOMERS + limit_changes


def test_large_extracts_are_parquet_batches_under_one_timestamp(conn, store):
    result = extract(conn, ACCOUNTS, store, StagingOptions(csv_max_rows=100, batch_rows=120))
    assert result.file_format == "parquet" and [pq.read_metadata(store.local_copy(f.key).__enter__()).num_rows
                                                 for f in result.files] == [120, 120, 60]
    stamps = {f.key.rsplit("_", 1)[-1] for f in result.files}
    assert len(stamps) == 1 and [f.key.split("_batch")[1][0] for f in result.files] == ["0", "1", "2"]
    warehouse, _ = load_bronze(store, ACCOUNTS)
    assert warehouse.execute("select count(distinct customer_id) from bronze.cards_accounts").fetchone()[0] == CUSTOMERS


def test_rows_sharing_the_last_cursor_value_are_neither_lost_nor_repeated(conn, store):
    tie = "2030-01-01 00:00:00+00"
    execute(conn, "ALTER TABLE cards.accounts DISABLE TRIGGER accounts_touch",
            f"UPDATE cards.accounts SET updated_at = '{tie}' WHERE customer_id <= 'CUST00000010'")
    first = extract(conn, ACCOUNTS, store)
    assert first.rows == CUSTOMERS and len(read_state(store, ACCOUNTS)["keys_at_cursor"]) == 10
    # A row committed later with the same cursor value as the last extract's newest rows.
    execute(conn, f"UPDATE cards.accounts SET updated_at = '{tie}', state = 'ZZ' WHERE customer_id = 'CUST00000200'")
    second = extract(conn, ACCOUNTS, store)
    assert second.rows == 1 and staged_rows(store, ACCOUNTS) == CUSTOMERS + 1


def test_a_crash_mid_extract_then_rerun_stages_every_row_once(conn, store, monkeypatch):
    options = StagingOptions(csv_max_rows=10_000, batch_rows=100)
    real_write, written = extract_module._write, []

    def crash_after_the_first_file(*args):
        if written:
            raise KeyboardInterrupt("killed")  # what a kill between two files leaves: one file, no new state
        written.append(real_write(*args))
        return written[-1]

    monkeypatch.setattr(extract_module, "_write", crash_after_the_first_file)
    with pytest.raises(KeyboardInterrupt):
        extract(conn, ACCOUNTS, store, options)
    assert len(store.list(ACCOUNTS.prefix)) == 1 and read_state(store, ACCOUNTS)["pending"]
    monkeypatch.setattr(extract_module, "_write", real_write)

    rerun = extract(conn, ACCOUNTS, store, options)
    assert rerun.recovered_files == [written[0].key]  # the crashed run's file is gone
    assert rerun.rows == CUSTOMERS and len(rerun.files) == 3 and "pending" not in read_state(store, ACCOUNTS)
    assert staged_rows(store, ACCOUNTS) == CUSTOMERS
    warehouse, _ = load_bronze(store, ACCOUNTS)
    assert warehouse.execute("select count(*), count(distinct customer_id) from bronze.cards_accounts").fetchone() == (
        CUSTOMERS, CUSTOMERS)


@pytest.mark.parametrize("mode, left", [("keep", 3), ("after_each", 0), ("after_all", 0)])
def test_cleanup_modes_delete_staged_files_only_once_bronze_has_them(conn, store, mode, left):
    extract(conn, ACCOUNTS, store, StagingOptions(batch_rows=100))
    _, results = load_bronze(store, ACCOUNTS)
    assert len(clean_up(mode, store, results)) == 3 - left
    assert len(store.list(ACCOUNTS.prefix)) == left


@pytest.mark.parametrize("mode, left", [("after_each", 1), ("after_all", 2)])
def test_a_file_that_did_not_load_whole_is_never_cleaned_up(conn, store, mode, left):
    extract(conn, ACCOUNTS, store)
    execute(conn, "UPDATE cards.accounts SET card_type = 'Gold' WHERE customer_id = 'CUST00000003'",
            "UPDATE cards.accounts SET state = 'ZZ' WHERE customer_id = 'CUST00000004'")
    extract(conn, ACCOUNTS, store)
    _, results = load_bronze(store, ACCOUNTS, on_error="CONTINUE")
    assert sorted(r.status for r in results) == [LOADED, "PARTIALLY_LOADED"]
    clean_up(mode, store, results)
    assert len(store.list(ACCOUNTS.prefix)) == left


def test_a_source_row_that_breaks_the_bronze_contract_is_handled_per_on_error(conn, store):
    execute(conn, "UPDATE cards.accounts SET card_type = 'Gold' WHERE customer_id = 'CUST00000007'")
    [staged] = extract(conn, ACCOUNTS, store).files
    with pytest.raises(CopyAborted, match=staged.key):
        load_bronze(store, ACCOUNTS)
    warehouse, [result] = load_bronze(store, ACCOUNTS, on_error="CONTINUE")
    assert (result.row_count, result.error_count) == (CUSTOMERS - 1, 1)
    assert warehouse.execute("select count(*) from bronze.bronze_rejects").fetchone()[0] == 1


def test_a_new_source_column_is_recorded_and_not_staged(conn, store):
    execute(conn, "ALTER TABLE cards.accounts ADD COLUMN loyalty_tier varchar DEFAULT 'gold'")
    result = extract(conn, ACCOUNTS, store)
    assert result.new_source_columns == ["loyalty_tier"] and result.rows == CUSTOMERS
    with store.local_copy(result.files[0].key) as path:
        assert path.open().readline().strip().replace('"', "").split(",") == ACCOUNTS.bronze.column_names
    assert read_state(store, ACCOUNTS)["last_extract"]["new_source_columns"] == ["loyalty_tier"]


def test_a_contract_column_gone_from_the_source_stops_the_extract_by_name(conn, store):
    execute(conn, "ALTER TABLE cards.accounts DROP COLUMN city")
    with pytest.raises(SchemaDriftError, match=r"cards.accounts no longer has city.*replication.yaml"):
        extract(conn, ACCOUNTS, store)
    assert store.list(ACCOUNTS.prefix) == [] and read_state(store, ACCOUNTS) == {}


def test_an_unreachable_source_is_retried_then_named_without_its_password():
    from conftest import free_port

    port = free_port()
    dsn = SourceDsn.parse(f"postgresql://c360:hunter2-secret@127.0.0.1:{port}/cards")  # pragma: allowlist secret
    with pytest.raises(SourceUnavailable) as failure:
        connection(dsn, attempts=2).__enter__()
    message = str(failure.value)
    assert f"127.0.0.1:{port}/cards as c360 after 2 attempts" in message and "C360_SOURCE_DSN" in message
    assert "hunter2" not in message and "hunter2" not in repr(dsn.uri)


def test_a_wrong_password_is_not_retried_and_not_shown(server):
    dsn = SourceDsn(server.dsn().uri, "wrong-password")  # pragma: allowlist secret
    with pytest.raises(SourceUnavailable, match="password authentication failed") as failure:
        connection(dsn, attempts=5).__enter__()
    assert "after 5 attempts" not in str(failure.value) and "wrong-password" not in str(failure.value)


@pytest.mark.parametrize("entry, problem", [
    ("mode: sometimes\n    primary_key: id\n    columns: {id: INTEGER}", "mode is 'sometimes'"),
    ("mode: incremental\n    primary_key: id\n    columns: {id: INTEGER}", "cursor None must name one of its columns"),
    ("mode: full-refresh\n    primary_key: nope\n    columns: {id: INTEGER}", "primary_key 'nope' is not one of"),
    ("mode: full-refresh\n    primary_key: id\n    columns: {id: INTEGER}\n    required: [other]", "other"),
])
def test_a_wrong_config_entry_is_named(entry, problem):
    with pytest.raises(ReplicationConfigError, match=problem):
        parse(f"schema: cards\ntables:\n  things:\n    {entry}\n")


def test_adding_a_table_is_a_config_entry(c360_env, monkeypatch):
    """A new entry in replication.yaml appears as its own staging and bronze assets (and its bronze DDL)."""
    from customer360.defs.bronze.assets import bronze_assets
    from customer360.defs.source.replication import replication_defs
    from customer360.lib.replication import config
    from customer360.setup_runner import replicated_bronze_ddl

    text = config.CONFIG_PATH.read_text() + ("  branches:\n    mode: full-refresh\n    primary_key: branch_id\n"
                                             "    columns: {branch_id: VARCHAR, city: VARCHAR}\n")
    monkeypatch.setattr(config, "replicated_tables", lambda: parse(text))
    monkeypatch.setattr("customer360.defs.source.replication.replicated_tables", lambda: parse(text))
    monkeypatch.setattr("customer360.defs.bronze.assets.replicated_tables", lambda: parse(text))
    monkeypatch.setattr("customer360.setup_runner.replicated_tables", lambda: parse(text), raising=False)
    keys = {key.to_user_string() for asset in [*replication_defs().assets, *bronze_assets("duckdb", "keep")]
            for key in asset.keys}
    assert {"staging/cards_branches", "bronze/cards_branches"} <= keys
    assert "CREATE TABLE IF NOT EXISTS bronze.cards_branches" in replicated_bronze_ddl()


def test_the_assets_replicate_load_and_clean_up_as_configured(c360_env, monkeypatch):
    """source/cards → staging/cards_accounts → bronze/cards_accounts in Dagster, with C360_STAGING_CLEANUP=after_all."""
    import dagster as dg

    from customer360.definitions import defs
    from customer360.resources import warehouse_resource
    from customer360.settings import settings

    monkeypatch.setenv("C360_STAGING_CLEANUP", "after_all")
    selection = [dg.AssetKey(k) for k in (["source", "cards"], ["staging", "cards_accounts"],
                                          ["bronze", "cards_accounts"])]
    job = defs().resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(asset_selection=selection, instance=dg.DagsterInstance.ephemeral())
    assert result.success
    staged = result.asset_materializations_for_node("staging__cards_accounts")[0].metadata
    loaded = result.asset_materializations_for_node("bronze__cards_accounts")[0].metadata
    [check] = [c for c in result.get_asset_check_evaluations() if c.asset_key == selection[1]]
    assert staged["dagster/row_count"].value == 500 and staged["file_format"].value == "csv"
    assert loaded["rows_loaded"].value == 500 and loaded["staged_files_deleted"].value == 1
    assert check.check_name == "all_source_columns_replicated" and check.passed
    s = settings()
    assert not list((s.lake_root).glob("**/staging/cards/accounts/*"))  # cleaned up after the load
    with warehouse_resource(s).session() as session:
        assert session.fetchone("select count(*) from bronze.cards_accounts")[0] == 500


def test_an_external_source_is_read_never_written_and_its_password_stays_out_of_the_run(
        c360_env, monkeypatch, server, conn):
    """C360_SOURCE_DSN (+ C360_SOURCE_PASSWORD) as in production: replication reads it; the generator's assets only
    report what it holds, unless C360_SOURCE_WRITABLE=true; the password reaches no log, metadata or config."""
    import dagster as dg

    from customer360.definitions import defs

    monkeypatch.setenv("C360_SOURCE_DSN", server.dsn().uri)
    monkeypatch.setenv("C360_SOURCE_PASSWORD", server.password)
    selection = [dg.AssetKey(k) for k in (["source", "cards"], ["source", "cards_changes"],
                                          ["staging", "cards_accounts"], ["bronze", "cards_accounts"])]
    definitions, instance = defs(), dg.DagsterInstance.ephemeral()
    result = definitions.resolve_implicit_global_asset_job_def().execute_in_process(
        asset_selection=selection, instance=instance)
    assert result.success
    seeded = result.asset_materializations_for_node("source__cards")[0].metadata
    staged = result.asset_materializations_for_node("staging__cards_accounts")[0].metadata
    assert seeded["written_by_generator"].value is False and seeded["dagster/row_count"].value == CUSTOMERS
    assert staged["dagster/row_count"].value == CUSTOMERS  # the DSN's 300 accounts, not the portfolio's 500
    with conn.cursor() as cur:
        cur.execute("select count(*), count(*) filter (where updated_at > created_at + interval '1 day') "
                    "from cards.accounts")
        assert cur.fetchone() == (CUSTOMERS, CUSTOMERS)  # nothing inserted; the seed's rows untouched since
        cur.execute("select count(*) from cards.credit_limit_events where old_limit is not null")
        assert cur.fetchone()[0] == 0  # no change was applied
    logged = [str(entry) for entry in instance.all_logs(result.run_id)]
    assert logged and not any(server.password in line for line in logged)
    assert server.password not in str(definitions.get_repository_def().get_top_level_resources())

    monkeypatch.setenv("C360_SOURCE_WRITABLE", "true")  # a test instance the generator may change
    changes = defs().resolve_implicit_global_asset_job_def().execute_in_process(
        asset_selection=selection[1:3], instance=instance)
    changed = changes.asset_materializations_for_node("source__cards_changes")[0].metadata["accounts_changed"].value
    restaged = changes.asset_materializations_for_node("staging__cards_accounts")[0].metadata["dagster/row_count"]
    assert changed > 0 and restaged.value == changed


@pytest.mark.skipif(os.geteuid() != 0, reason="only as root does the server run as another user (postgres)")
def test_a_parent_closed_after_start_does_not_make_a_running_server_look_stopped(server):
    """pytest resets /tmp/pytest-of-<user> to 0700 when another session starts; the server user then could not
    reach the cluster, pg_ctl said "not running" and the next step tried to start a second server and failed."""
    parent = server.home.parent
    parent.chmod(0o700)
    assert server.running() and server.start() is False
    with connection(server.dsn()) as c, c.cursor() as cur:
        cur.execute("select 1")
        assert cur.fetchone() == (1,)
