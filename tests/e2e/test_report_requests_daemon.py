"""A report request under the Dagster daemon, as `make dev` runs it: benchmarks/report_requests.py starts
`dagster-daemon run` on a copy of the built warehouse, files requests, and the requests sensor launches their runs;
each figure it prints is recomputed here from the requests' own rows."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from statistics import median

import dagster as dg
import duckdb
from built import built_env

from customer360.lib.reports.requests import REQUEST_TAG
from customer360.settings import ROOT


def test_the_daemon_runs_each_request_once_and_the_benchmark_reports_the_rows_own_times(built_home, tmp_path,
                                                                                      monkeypatch):
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    for name in ("warehouse.duckdb", "scale.json"):
        shutil.copy(built_home / name, home / name)
    result = subprocess.run([sys.executable, "benchmarks/report_requests.py", "--repeat", "2", "--wait-s", "300"],
                            env=built_env(home), cwd=ROOT, capture_output=True, text=True, timeout=900)
    daemon_errors = [line for line in (home / "logs" / "benchmark-report-requests-daemon.log").read_text().splitlines()
                     if "Error" in line]
    assert result.returncode == 0, "\n".join([result.stdout, result.stderr, *daemon_errors[-20:]])
    said = json.loads(result.stdout.splitlines()[-1])

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        rows = conn.execute("SELECT request_id, status, run_id, epoch(updated_at) - epoch(requested_at) "
                            "FROM observability.report_requests ORDER BY request_id").fetchall()
    assert [(r[0], r[1]) for r in rows] == [(1, "completed"), (2, "completed"), (3, "completed")]  # warm-up + 2
    seconds = [r[3] for r in rows[1:]]
    assert said["seconds"] == [round(s, 3) for s in seconds] and said["median_s"] == round(median(seconds), 3)

    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs(dg.RunsFilter(job_name="reports"))
    assert sorted(run.tags[REQUEST_TAG] for run in runs) == ["1", "2", "3"]  # one run each, from the sensor
    assert {run.tags.get("dagster/sensor_name") for run in runs} == {"report_requests_sensor"}
    assert {run.run_id for run in runs} == {r[2] for r in rows}
