"""No row is lost (issue 34): replication under late commits and overlapping extracts, on a real PostgreSQL.

Each test reproduces one way rows went missing or were staged twice, and checks that every committed source row now
reaches staging exactly once.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
import uuid

import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.parquet as pq
import pytest
import test_replication
from test_replication import ACCOUNTS, CUSTOMERS, EVENTS, PRODUCTS, execute

from customer360.lib.replication import extract as extract_module
from customer360.lib.replication.config import parse
from customer360.lib.replication.extract import ExtractInProgress, extract, read_state
from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.lib.source import local_server
from customer360.lib.source.connection import SourceDsn, connection
from customer360.lib.source.local_server import LocalPostgres


def staged(store, table) -> pa.Table:
    """Every row staged for `table`, as text (CSV and Parquet alike)."""
    parts = []
    for obj in store.list(table.prefix):
        with store.local_copy(obj.key) as path:
            part = pv.read_csv(path) if obj.key.endswith(".csv") else pq.read_table(path)
        parts.append(part.select([table.primary_key]).cast(pa.schema([(table.primary_key, pa.string())])))
    return pa.concat_tables(parts) if parts else pa.table({table.primary_key: pa.array([], pa.string())})


def staged_keys(store, table) -> list[str]:
    return sorted(staged(store, table).column(table.primary_key).to_pylist())


# The throwaway PostgreSQL, a freshly seeded `cards` schema per test and a local object store (test_replication.py).
server, conn, store = test_replication.server, test_replication.conn, test_replication.store


# 1. Late commits ----------------------------------------------------------------------------------------------------

def test_a_row_committed_after_a_later_extract_is_staged_by_the_next_extract(conn, store, server):
    """updated_at is set when the row is written, not when it commits: a transaction that commits after a later one
    was extracted leaves a row below the saved cursor. It reaches staging on the next extract, once."""
    extract(conn, ACCOUNTS, store)
    with connection(server.dsn(), autocommit=False) as slow, connection(server.dsn(), autocommit=False) as fast:
        execute_open(slow, "UPDATE cards.accounts SET state = 'AK' WHERE customer_id = 'CUST00000005'")
        execute(fast, "UPDATE cards.accounts SET state = 'HI' WHERE customer_id = 'CUST00000006'")
        assert extract(conn, ACCOUNTS, store).rows == 1  # the fast one; the slow one is not committed yet
        slow.commit()
    late = extract(conn, ACCOUNTS, store)
    assert late.rows == 1
    assert extract(conn, ACCOUNTS, store).rows == 0  # and never again
    keys = staged_keys(store, ACCOUNTS)
    assert len(keys) == CUSTOMERS + 2 and keys.count("CUST00000005") == 2 and keys.count("CUST00000006") == 2


def test_a_row_written_in_a_savepoint_and_committed_late_is_staged(conn, store, server):
    """An ORM's nested transaction writes under a subtransaction id, which a snapshot does not list as open."""
    extract(conn, ACCOUNTS, store)
    with connection(server.dsn(), autocommit=False) as slow, connection(server.dsn(), autocommit=False) as fast:
        execute_open(slow, "UPDATE cards.accounts SET state = 'AK' WHERE customer_id = 'CUST00000001'",
                     "SAVEPOINT nested",
                     "UPDATE cards.accounts SET state = 'AK' WHERE customer_id = 'CUST00000002'",
                     "RELEASE SAVEPOINT nested")
        execute(fast, "UPDATE cards.accounts SET state = 'HI' WHERE customer_id = 'CUST00000003'")
        extract(conn, ACCOUNTS, store)
        slow.commit()
    assert extract(conn, ACCOUNTS, store).rows == 2
    assert len(staged_keys(store, ACCOUNTS)) == CUSTOMERS + 3


def test_an_event_whose_sequence_value_commits_late_is_staged(conn, store, server):
    """bigserial ids: an event inserted in a transaction that commits after a later event was extracted."""
    insert = ("INSERT INTO cards.credit_limit_events (customer_id, old_limit, new_limit) "
              "VALUES ('{}', 1000, 2000)")
    first = extract(conn, EVENTS, store).rows
    with connection(server.dsn(), autocommit=False) as slow, connection(server.dsn(), autocommit=False) as fast:
        execute_open(slow, insert.format("CUST00000001"))
        execute(fast, insert.format("CUST00000002"))
        assert extract(conn, EVENTS, store).rows == 1
        slow.commit()
    assert extract(conn, EVENTS, store).rows == 1
    assert extract(conn, EVENTS, store).rows == 0
    keys = staged_keys(store, EVENTS)
    assert len(keys) == first + 2 == len(set(keys))


def execute_open(conn, *statements):
    """Run statements and leave the transaction open."""
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)


# 2. One extract per table at a time ---------------------------------------------------------------------------------

def test_a_second_extract_of_a_table_stops_while_the_first_runs_and_takes_nothing_of_its_work(
        conn, store, server, monkeypatch):
    """The second extract used to take the first one's pending marker for a crash and delete its files; both then
    staged the same rows. Now it stops, naming the run that holds the table, and the first finishes whole."""
    real_write, writing, release = extract_module._write, threading.Event(), threading.Event()

    def paused_write(*args):
        written = real_write(*args)
        writing.set()
        release.wait(30)
        return written

    monkeypatch.setattr(extract_module, "_write", paused_write)
    outcome = {}

    def first_run():
        with connection(server.dsn(), autocommit=False) as own:
            outcome["first"] = extract(own, ACCOUNTS, store, run_id="run-first")

    first = threading.Thread(target=first_run)
    first.start()
    try:
        assert writing.wait(30)
        monkeypatch.setattr(extract_module, "_write", real_write)
        with pytest.raises(ExtractInProgress, match=r"cards.accounts is being extracted by run run-first"):
            extract(conn, ACCOUNTS, store, run_id="run-second")
        assert read_state(store, ACCOUNTS)["pending"]["run_id"] == "run-first"
    finally:
        release.set()
        first.join(30)
    assert outcome["first"].rows == CUSTOMERS
    assert extract(conn, ACCOUNTS, store, run_id="run-third").rows == 0
    assert len(staged_keys(store, ACCOUNTS)) == CUSTOMERS  # every row once, the first run's files intact


def test_a_crashed_extract_is_still_recovered_by_the_next_one(conn, store, server):
    """The lock dies with the crashed run's session: its marker is a crash again, and the next extract cleans up."""
    with connection(server.dsn(), autocommit=False) as crashed:
        monkey = pytest.MonkeyPatch()
        monkey.setattr(extract_module, "_write", _killed)
        with pytest.raises(KeyboardInterrupt):
            extract(crashed, ACCOUNTS, store, run_id="run-crashed")
        monkey.undo()
    rerun = extract(conn, ACCOUNTS, store, run_id="run-next")
    assert rerun.rows == CUSTOMERS and len(staged_keys(store, ACCOUNTS)) == CUSTOMERS


def _killed(*args):
    raise KeyboardInterrupt("killed")


# 10. Two starts of the local PostgreSQL -----------------------------------------------------------------------------

def test_two_starts_of_the_local_server_at_once_leave_it_reachable_on_the_port_it_reports(tmp_path, monkeypatch):
    """Parallel staging steps start the server together. The loser of the race used to write its own port to the
    port file after the winner's server was up: start() said "running" and every connection was refused."""
    server = LocalPostgres(tmp_path / "home")
    server.start()
    server.stop()  # an initialised cluster, as after a first run
    both, real_free_port = threading.Barrier(2, timeout=5), local_server._free_port

    def free_port_once_both_start():
        try:
            second = both.wait() == 1
        except threading.BrokenBarrierError:  # the other start waits for this one to finish: no race to set up
            second = False
        if second:  # the loser: it picks its port once the winner's server is up
            for _ in range(600):
                if server.running():
                    break
                threading.Event().wait(0.1)
        return real_free_port()

    monkeypatch.setattr(local_server, "_free_port", free_port_once_both_start)
    started: list[bool] = []
    starts = [threading.Thread(target=lambda: started.append(server.start())) for _ in range(2)]
    try:
        for thread in starts:
            thread.start()
        for thread in starts:
            thread.join(120)
        assert sorted(started) == [False, True]
        with connection(server.dsn(), attempts=1) as c, c.cursor() as cur:
            cur.execute("SELECT 1")
            assert cur.fetchone() == (1,)
    finally:
        server.stop()


# 13. Smaller ones ---------------------------------------------------------------------------------------------------

class Log:
    def __init__(self):
        self.lines: list[str] = []

    def info(self, line: str) -> None:
        self.lines.append(line)


def test_the_command_the_started_server_names_stops_it(c360_env):
    """The log line said `python -m customer360 source stop`, which the CLI refuses (the command is source-stop)."""
    from customer360.__main__ import main
    from customer360.lib.resources.source import SourceDatabaseResource

    log = Log()
    SourceDatabaseResource(home=str(c360_env)).resolved_dsn(log)
    [command] = re.findall(r"`python -m customer360 ([^`]+)`", log.lines[0])
    assert main(command.split()) == 0
    assert not LocalPostgres(c360_env).running()


def test_a_percent_encoded_password_in_the_dsn_connects(server):
    """A password in C360_SOURCE_DSN is percent-encoded, as a URI requires; it was encoded a second time and refused."""
    encoded = "".join(f"%{byte:02X}" for byte in server.password.encode())
    dsn = SourceDsn.parse(f"postgresql://c360:{encoded}@127.0.0.1:{server.port}/cards")
    with connection(dsn, attempts=1) as c, c.cursor() as cur:
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)


def test_a_naive_timestamp_cursor_is_not_shifted_by_the_workers_time_zone(conn, store, monkeypatch):
    """A `timestamp` (no time zone) cursor was read as the worker's local time and saved shifted by its offset: west
    of UTC, rows between the real and the saved value were skipped."""
    execute(conn, "CREATE TABLE cards.visits (visit_id integer PRIMARY KEY, seen_at timestamp NOT NULL)",
            "INSERT INTO cards.visits VALUES (1, '2026-06-30 10:00'), (2, '2026-06-30 11:00')")
    [visits] = parse("schema: cards\ntables:\n  visits:\n    mode: incremental\n    primary_key: visit_id\n"
                     "    cursor: seen_at\n    columns: {visit_id: INTEGER, seen_at: TIMESTAMP}\n")
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert extract(conn, visits, store).rows == 2
        assert read_state(store, visits)["cursor"] == "2026-06-30T11:00:00"
        execute(conn, "INSERT INTO cards.visits VALUES (3, '2026-06-30 11:30')")
        assert extract(conn, visits, store).rows == 1
        assert read_state(store, visits)["cursor"] == "2026-06-30T11:30:00"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_an_unchanged_full_refresh_is_recognised_when_etags_are_not_content_hashes(conn, store, monkeypatch):
    """On an SSE-KMS bucket an ETag is not a hash of the bytes: the same rows got new ETags, and an unchanged
    reference table was staged (and loaded into bronze) again on every run."""
    real_put = ObjectStoreResource.put_file

    def put_with_a_random_etag(self, path, key):
        return dataclasses.replace(real_put(self, path, key), etag=uuid.uuid4().hex)

    monkeypatch.setattr(ObjectStoreResource, "put_file", put_with_a_random_etag)
    assert extract(conn, PRODUCTS, store).rows == 2
    again = extract(conn, PRODUCTS, store)
    assert (again.rows, again.unchanged) == (0, True)
