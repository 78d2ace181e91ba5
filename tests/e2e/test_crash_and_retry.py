"""Faults a data engineer meets at 3 a.m.: a run killed in the middle of a bronze load, and a warehouse that
cannot be reached. Nothing is lost or doubled; the failure says what happened."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow.parquet as pq
import pytest

from customer360.defs.bronze.assets import bronze_assets
from customer360.resources import build_resources, snowflake_warehouse
from customer360.settings import ROOT, settings

DAGSTER = str(Path(sys.executable).parent / "dagster")
LOADS = ("source/cards staging/cards_accounts landing/transactions_historical bronze/cards_accounts "
         "bronze/bronze_transactions")


def materialize_loads(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [DAGSTER, "asset", "materialize", "-m", "customer360.definitions", "--select", ",".join(LOADS.split())],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )


@pytest.mark.e2e
@pytest.mark.parametrize("on_error", ["CONTINUE", "ABORT_STATEMENT"])
def test_a_run_killed_mid_load_then_rerun_loads_every_file_exactly_once(c360_env, monkeypatch, on_error):
    # 40,000 customers make seven historical parts: time enough to kill the load between two of them.
    monkeypatch.setenv("C360_CUSTOMERS", "40000")
    monkeypatch.setenv("C360_ON_ERROR", on_error)
    env = {**os.environ, "DAGSTER_HOME": str(c360_env / "dagster")}
    Path(env["DAGSTER_HOME"]).mkdir(parents=True)

    run = materialize_loads(env)
    seen = []
    # Kill right after the first transactions file is in: committed on its own under CONTINUE ("LOADED"), staged
    # in the statement-wide transaction under ABORT_STATEMENT ("staged").
    marker = ": LOADED" if on_error == "CONTINUE" else "rows staged"
    for line in run.stdout:
        seen.append(line)
        if "transactions/historical/part-" in line and marker in line:
            os.killpg(run.pid, signal.SIGKILL)  # no clean-up, no rollback handler: a real crash
            break
    run.wait(timeout=60)
    assert run.returncode == -signal.SIGKILL, "the run ended before its bronze load could be killed:\n" + "".join(seen[-20:])

    parts = sorted((c360_env / "lake" / "customer360-landing" / "transactions" / "historical").glob("*.parquet"))
    with duckdb.connect(str(c360_env / "warehouse.duckdb")) as conn:  # DuckDB replays its WAL here
        loaded_before = conn.execute("SELECT count(*) FROM bronze.load_history "
                                     "WHERE table_name = 'bronze_transactions'").fetchone()[0]
    # Per-file commits keep the files finished before the kill; one statement-wide transaction keeps none.
    assert (0 < loaded_before < len(parts)) if on_error == "CONTINUE" else loaded_before == 0

    rerun = materialize_loads(env)
    output, _ = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, output[-3000:]

    expected = sum(pq.read_metadata(p).num_rows for p in parts)
    with duckdb.connect(str(c360_env / "warehouse.duckdb"), read_only=True) as conn:
        rows, distinct = conn.execute("SELECT count(*), count(DISTINCT transaction_id) "
                                      "FROM bronze.bronze_transactions").fetchone()
        history = conn.execute("SELECT file_name, count(*), sum(row_count) FROM bronze.load_history "
                               "WHERE table_name = 'bronze_transactions' GROUP BY file_name").fetchall()
    assert rows == distinct == expected  # every row once: nothing lost, nothing doubled
    assert len(history) == len(parts) and all(n == 1 for _, n, _ in history)


@pytest.mark.e2e
def test_an_unreachable_warehouse_is_retried_then_reported(c360_env, monkeypatch):
    """The Snowflake target pointed at a port where nothing listens: the step is retried, then fails by name."""
    from conftest import free_port

    stage = c360_env / "lake" / "c360-landing"
    stage.mkdir(parents=True)
    for name, value in {
        "C360_TARGET": "snowflake", "SNOWFLAKE_ACCOUNT": "c360test", "SNOWFLAKE_USER": "pipeline",
        "SNOWFLAKE_PASSWORD": "unused", "SNOWFLAKE_ROLE": "DATA_ENGINEER",  # pragma: allowlist secret
        "SNOWFLAKE_WAREHOUSE": "C360_WH", "SNOWFLAKE_DATABASE": "C360_DOWN", "SNOWFLAKE_HOST": "127.0.0.1",
        "SNOWFLAKE_PORT": str(free_port()), "SNOWFLAKE_PROTOCOL": "http", "SNOWFLAKE_LOGIN_TIMEOUT": "3",
        "SNOWFLAKE_NETWORK_TIMEOUT": "3", "C360_STAGE_URL": stage.as_uri() + "/", "C360_MASK_PII": "false",
    }.items():
        monkeypatch.setenv(name, value)
    s = settings()
    resources = {**build_resources(s), "warehouse": snowflake_warehouse(s, connect_retries=2, connect_retry_wait_s=0.5)}
    bronze_transactions = bronze_assets("snowflake", "keep")[0]

    result = dg.materialize([bronze_transactions], resources=resources, raise_on_error=False)

    assert not result.success
    retries = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
    [failure] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert len(retries) == 2
    error = failure.step_failure_data.error
    messages = [error.message] + [c.message for c in (error.cause, getattr(error.cause, "cause", None)) if c]
    assert any("Cannot connect to the warehouse (account c360test)" in m and "retried up to 2 times" in m
               for m in messages), messages


@pytest.mark.e2e
def test_a_run_killed_mid_replication_then_rerun_delivers_every_row_once(c360_env, monkeypatch):
    """A real kill (SIGKILL of the run's process group) between two staged files of cards.accounts, then a re-run:
    the killed run's files are deleted, the extract starts again from the last cursor, bronze gets every row once."""
    monkeypatch.setenv("C360_CUSTOMERS", "100000")
    monkeypatch.setenv("C360_STAGING_BATCH_ROWS", "5000")  # twenty files
    monkeypatch.setenv("C360_STAGING_CSV_MAX_ROWS", "1000000")  # CSV: the slower files to write
    env = {**os.environ, "DAGSTER_HOME": str(c360_env / "dagster")}
    Path(env["DAGSTER_HOME"]).mkdir(parents=True)
    materialize = [DAGSTER, "asset", "materialize", "-m", "customer360.definitions", "--select"]
    seeded = subprocess.run([*materialize, "source/cards"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert seeded.returncode == 0, seeded.stdout[-3000:]

    staged = c360_env / "lake" / "customer360-landing" / "staging" / "cards" / "accounts"
    run = subprocess.Popen([*materialize, "staging/cards_accounts"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while not (staged.is_dir() and any(p.suffix == ".csv" for p in staged.iterdir())):
        assert run.poll() is None and time.monotonic() < deadline, "the run ended before it staged a file"
        time.sleep(0.002)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=60)
    left = sorted(p.name for p in staged.iterdir() if p.suffix == ".csv")
    assert 0 < len(left) < 20, f"the kill did not land between two files: {left}"

    rerun = subprocess.run([*materialize, "staging/cards_accounts,bronze/cards_accounts"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    assert not set(left) & {p.name for p in staged.iterdir()}  # the killed run's files are gone
    with duckdb.connect(str(c360_env / "warehouse.duckdb"), read_only=True) as conn:
        rows, distinct = conn.execute("SELECT count(*), count(DISTINCT customer_id) FROM bronze.cards_accounts").fetchone()
    assert rows == distinct == 100_000
