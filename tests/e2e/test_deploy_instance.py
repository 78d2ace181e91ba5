"""deploy/dagster.yaml against a real PostgreSQL: the daemon's queue runs the whole graph, then the refresh, one after
the other (their shared c360/watermark tag), with run and event storage in PostgreSQL."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from customer360.lib.source.connection import connection
from customer360.lib.source.local_server import LocalPostgres
from customer360.settings import ROOT

BIN = Path(sys.executable).parent


LAUNCHED = ("customer360_full_graph", "customer_refresh")


@pytest.mark.e2e
def test_the_deployment_instance_queues_and_runs_the_graph_on_postgres(c360_env, monkeypatch):
    # One PostgreSQL for both: its `dagster` database holds the instance, its `cards` database is the source.
    server = LocalPostgres(c360_env)
    server.start()
    with connection(server.dsn("postgres"), autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("CREATE DATABASE dagster")
    dagster_home = c360_env / "dagster"
    dagster_home.mkdir(parents=True)
    shutil.copy(ROOT / "deploy" / "dagster.yaml", dagster_home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home), "DAGSTER_PG_HOST": "127.0.0.1",
           "DAGSTER_PG_PORT": str(server.port), "DAGSTER_PG_USERNAME": "c360", "DAGSTER_PG_PASSWORD": server.password,
           "DAGSTER_PG_DB": "dagster"}
    for name, value in env.items():
        if name.startswith("DAGSTER_PG_"):
            monkeypatch.setenv(name, value)  # this process reads the same instance

    instance = dg.DagsterInstance.from_config(str(dagster_home))  # its storage made once, before the daemon starts
    daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for job in LAUNCHED:  # queued together, as a backfill would
            launched = subprocess.run([str(BIN / "dagster"), "job", "launch", "-w", "workspace.yaml", "-j", job],
                                      cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
            assert launched.returncode == 0, launched.stderr[-3000:]
        deadline = time.monotonic() + 600
        while True:  # the two launched: the nightly schedule fires too when the test runs across 02:00 UTC
            records = [r for r in instance.get_run_records(limit=20) if r.dagster_run.job_name in LAUNCHED]
            if (len(records) == 2 and all(r.dagster_run.is_finished for r in records)) or time.monotonic() > deadline:
                break
            time.sleep(2)
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)

    assert type(instance.run_storage).__name__ == "PostgresRunStorage"
    assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    assert instance.run_retries_enabled and instance.run_retries_max_retries == 2
    first, second = sorted(records, key=lambda r: r.start_time)
    assert [first.dagster_run.job_name, second.dagster_run.job_name] == ["customer360_full_graph", "customer_refresh"]
    assert {r.dagster_run.status for r in records} == {dg.DagsterRunStatus.SUCCESS}
    assert first.end_time <= second.start_time  # the watermark tag admits one at a time
    with duckdb.connect(str(c360_env / "warehouse.duckdb"), read_only=True) as conn:
        versions, current = conn.execute("select count(*), count(*) filter (where is_current) "
                                         "from gold.dim_customer").fetchone()
    assert current == 500 and versions > current  # the refresh ran after the build: SCD2 history
    server.stop()
