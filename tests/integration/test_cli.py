"""The commands the README tells a reader to type: `python -m customer360 dev|docs|drop-day` (make dev, make docs)."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow.parquet as pq
import pytest
from ask_sample import tiny_warehouse

from customer360 import __main__ as cli
from customer360.defs.landing.streaming import streaming_key
from customer360.lib.generate import generate_customers
from customer360.lib.source import cards
from customer360.lib.source.local_server import LocalPostgres
from customer360.resources import build_resources
from customer360.settings import settings

AS_OF = dt.date(2026, 6, 30)


def test_make_dev_serves_the_ui_on_c360_port(c360_env, monkeypatch, capsys):
    started = []
    monkeypatch.setattr(cli.subprocess, "call", lambda command, **_: started.append(command) or 0)
    monkeypatch.setenv("C360_PORT", "3123")
    assert cli.main(["dev"]) == 0
    [command] = started
    said = capsys.readouterr().out
    assert command[command.index("-p") + 1] == "3123" and "http://127.0.0.1:3123" in said
    # The source PostgreSQL stays up for the UI's runs, and the output says how to stop it.
    assert LocalPostgres(c360_env).running() and "left running: `python -m customer360 source-stop`" in said


def test_a_bad_port_is_refused_by_name(c360_env, monkeypatch, capsys):
    monkeypatch.setenv("C360_PORT", "web")
    assert cli.main(["dev"]) == 2 and "C360_PORT='web' is not a whole number" in capsys.readouterr().err


def test_docs_fail_at_once_without_a_warehouse_and_say_what_to_do(c360_env, capsys):
    assert cli.main(["docs"]) == 2
    said = capsys.readouterr().err
    assert "No warehouse at" in said and "make demo" in said


def c360_home():
    return settings().home


@pytest.mark.parametrize("target", ["local", "snowflake"])
def test_drop_day_writes_the_days_file_for_the_landed_customers_on_either_target(target, request, capsys):
    request.getfixturevalue("snowflake_env" if target == "snowflake" else "c360_env")
    resources = build_resources(settings())
    store = resources["object_store"]
    customers = generate_customers(50, seed=7, as_of=AS_OF, months=3)
    with resources["source"].connect() as conn:  # the source database (a local server this test's home starts)
        cards.seed(conn, customers)
    LocalPostgres(c360_home()).stop()  # drop-day starts it again, and stops what it started

    assert cli.main(["drop-day", "2026-07-02"]) == 0
    assert not LocalPostgres(c360_home()).running()

    key = streaming_key(dt.date(2026, 7, 2))
    with store.open(key) as handle:
        table = pq.read_table(handle)
    assert table.num_rows > 0 and set(table.column("customer_id").to_pylist()) <= set(customers["customer_id"].to_pylist())
    out = capsys.readouterr().out
    assert f"{store.location}{key}" in out
    assert f"2026-07-02 is after as-of ({AS_OF}): it will load into bronze and gold.fct_transactions, but no figure " \
           "counts it" in out
    first = store.head(key).etag
    assert cli.main(["drop-day", "2026-07-02"]) == 0 and store.head(key).etag == first  # same bytes: loads once


def test_drop_day_says_what_is_missing(c360_env, capsys):
    assert cli.main(["drop-day", "2026-07-02"]) == 2
    assert "no card accounts yet" in capsys.readouterr().err
    assert cli.main(["drop-day"]) == 2 and "drop-day needs the day" in capsys.readouterr().err


def test_clean_removes_what_the_platform_wrote_and_nothing_else(c360_env, capsys):
    s = settings()
    for path in (s.warehouse_path, s.lake_root / "staging" / "x.csv", s.dagster_home / "dagster.yaml"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    source = LocalPostgres(s.home)
    source.start()
    keep = c360_env / "notes.txt"
    keep.write_text("mine")
    assert cli.main(["clean"]) == 0
    assert not source.running() and not source.root.exists()
    assert not s.warehouse_path.exists() and not s.lake_root.exists() and not s.dagster_home.exists()
    assert keep.read_text() == "mine"


def test_source_stop_stops_the_server_make_dev_left_running(c360_env, capsys):
    source = LocalPostgres(settings().home)
    source.start()
    assert cli.main(["source-stop"]) == 0
    assert not source.running() and "Stopped the source PostgreSQL" in capsys.readouterr().out
    assert cli.main(["source-stop"]) == 0 and "was not running" in capsys.readouterr().out


def test_snowflake_setup_dry_run_prints_every_statement_with_this_environments_values(c360_env, monkeypatch, capsys):
    from conftest import snowflake_settings_env

    for name, value in snowflake_settings_env(c360_env, 1, "DRYRUN").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("C360_STORAGE_INTEGRATION", "C360_S3")
    assert cli.main(["snowflake-setup", "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "-- 01_warehouse_database.sql" in printed and "CREATE DATABASE IF NOT EXISTS DRYRUN" in printed.upper()


def test_ask_prints_one_json_object_per_question_and_exits_0_whether_it_answers_clarifies_or_refuses(
        c360_env, monkeypatch, capsys):
    """`python -m customer360 ask "QUESTION" [--role ROLE] [--json]` over the tiny gold layer of
    tests/support/ask_sample.py (as-of 2026-06-17), whose figures are worked out by hand there."""
    monkeypatch.setenv("C360_AS_OF", "2026-06-17")
    s = settings(app=True)
    s.home.mkdir(parents=True)
    tiny_warehouse(path=str(s.warehouse_path)).close()

    assert cli.main(["ask", "Who are our top 10 customers by spending?", "--json"]) == 0
    answered = json.loads(capsys.readouterr().out)
    assert list(answered) == ["question", "status", "interpretation", "sql", "params", "columns", "rows", "chart",
                              "suggestions"]
    assert answered["status"] == "answered" and answered["chart"] == "bar" and answered["params"] == [10]
    assert answered["columns"] == ["customer_id", "approved_spend"]
    assert answered["rows"] == [["CUST00000003", 1200], ["CUST00000001", 900], ["CUST00000002", 120]]

    monkeypatch.setenv("C360_APP_ROLE", "DATA_ANALYST")  # --role wins over it
    assert cli.main(["ask", "What's the current system health status?", "--role", "MARKETING_MANAGER", "--json"]) == 0
    refused = json.loads(capsys.readouterr().out)
    assert refused["status"] == "refused" and "MARKETING_MANAGER may not read the OBSERVABILITY" in \
        refused["interpretation"] and refused["rows"] == [] and refused["sql"] is None
    assert cli.main(["ask", "What's the current system health status?", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"][0][:2] == ["customer360_full_graph", "SUCCESS"]

    assert cli.main(["ask", "How many Declining customers are there?", "--json"]) == 0
    clarify = json.loads(capsys.readouterr().out)
    assert clarify["status"] == "clarify" and len(clarify["suggestions"]) == 2

    assert cli.main(["ask", "spend last month by channel"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Approved spend by channel, May 2026") and "Bound values: [\"2026-05-01\", \"2026-05-31\"]" in text
    assert cli.main(["ask", "spend", "--role", "NOBODY"]) == 2 and "is not one of" in capsys.readouterr().err
    assert cli.main(["ask"]) == 2 and "ask needs the question" in capsys.readouterr().err
