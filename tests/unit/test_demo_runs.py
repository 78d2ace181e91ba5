"""How `python -m customer360 demo` launches its runs (customer360/demo_runs.py): through an instance config that is
the project's instance in all but the run coordinator, so `dagster job launch` writes the run where the UI reads and
launches it without the daemon; and what it says when a launch fails. That the runs are filed under their jobs is
tests/e2e/test_full_graph.py::test_demo_runs_belong_to_their_jobs_in_the_ui."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
import time

import dagster as dg
import yaml

from customer360.__main__ import DAGSTER_YAML, _dagster_env
from customer360.demo_runs import launch_error, launcher_home
from customer360.settings import settings


def _ref(home, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        return instance.get_ref(), instance.run_coordinator


def test_the_launcher_is_the_projects_instance_but_launches_at_once(tmp_path, monkeypatch):
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text(DAGSTER_YAML)
    project, queue = _ref(home, monkeypatch)
    launcher, coordinator = _ref(launcher_home(home), monkeypatch)
    assert isinstance(queue, dg.QueuedRunCoordinator) and not isinstance(coordinator, dg.QueuedRunCoordinator)
    assert launcher.run_coordinator_data.class_name == "DefaultRunCoordinator"
    differ = [name for name in project._fields if getattr(project, name) != getattr(launcher, name)]
    assert differ == ["run_coordinator_data"]  # runs, events, schedules, artifacts and compute logs: the project's


def test_the_launcher_keeps_the_storage_a_user_named_and_drops_the_queue(tmp_path):
    home = tmp_path / "dagster"
    home.mkdir()
    postgres = {"postgres": {"postgres_db": {"hostname": "db", "username": "u", "password": {"env": "P"}, "db_name": "d"}}}
    (home / "dagster.yaml").write_text(yaml.safe_dump({"storage": postgres, "run_queue": {"max_concurrent_runs": 2}}))
    config = yaml.safe_load((launcher_home(home) / "dagster.yaml").read_text())
    assert config["storage"] == postgres and "run_queue" not in config
    assert config["run_coordinator"]["class"] == "DefaultRunCoordinator"


def test_the_instance_storage_exists_before_any_dagster_process_starts_on_a_fresh_home(tmp_path):
    """Every dagster command gets its environment from _dagster_env: the storage is created there, by one process, so
    the daemon and a client starting together never both create it (a schedule storage stamped twice stops the code
    server from loading, and no sensor ticks: what hung the report-requests benchmark)."""
    home = tmp_path / ".c360"
    env = _dagster_env(settings({"C360_HOME": str(home)}))
    storage = home / "dagster"
    assert env["DAGSTER_HOME"] == str(storage) and (storage / "history" / "runs.db").exists()
    with sqlite3.connect(storage / "schedules" / "schedules.db") as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


def test_a_second_command_on_a_fresh_home_waits_while_the_first_creates_the_storage(tmp_path):
    """Two commands started at once on a fresh home (the daemon and a client) take turns creating the storage: while one
    holds the home's lock, the other creates nothing, and goes on once it is free."""
    home = tmp_path / ".c360"
    (home / "dagster").mkdir(parents=True)
    second = subprocess.Popen(
        [sys.executable, "-c", "from customer360.__main__ import _dagster_env; from customer360.settings import settings;"
         "print('imported', flush=True); _dagster_env(settings()); print('done', flush=True)"],
        env={**os.environ, "C360_HOME": str(home)}, stdout=subprocess.PIPE, text=True)
    with open(home / "dagster" / ".storage.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first command, creating the storage
        assert second.stdout.readline() == "imported\n"
        time.sleep(2)  # time enough to create it, were it not waiting
        assert second.poll() is None and not (home / "dagster" / "history").exists()
    assert second.stdout.read() == "done\n" and second.wait(timeout=120) == 0
    assert (home / "dagster" / "history" / "runs.db").exists()


def test_a_failed_launch_reports_the_error_the_code_raised_not_dagsters_wrapper():
    printed = ("\x1b[32m2026-12-05 21:20:04 +0000\x1b[0m - dagster.code_server - INFO - Starting Dagster code server\n"
               "Usage: dagster job launch [OPTIONS]\n\n"
               "Error: Error loading location \"customer360\": dagster._core.errors.DagsterUserCodeLoadError: Error "
               "occurred during the loading of Dagster definitions in\nexecutable_path=python\n\nStack Trace:\n"
               "  File \"x.py\", line 1\n\n"
               "The above exception was caused by the following exception:\n"
               "ModuleNotFoundError: No module named 'snowflake'\n\nStack Trace:\n  File \"y.py\", line 2\n")
    assert launch_error(printed, 2) == "ModuleNotFoundError: No module named 'snowflake'"
    assert launch_error('Usage: dagster job launch\n\nError: Job "nope" not found\n', 2) == 'Job "nope" not found'
    assert launch_error("", 1) == "`dagster job launch` exited with code 1"
