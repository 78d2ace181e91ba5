"""Report requests end to end on both targets: a row added by plain SQL is picked up by the requests sensor, its run
(the sensor's RunRequest, launched as the daemon would: its asset, run config and tags) produces the files and moves
the request to `completed`; a request that cannot run is failed with its reason and starts no run; a cancelled one
never runs; no request runs twice, whatever the ticks or a stray second run do."""

from __future__ import annotations

import json
import os
import re

import dagster as dg
import pytest
from conftest import AS_OF
from dagster._core.remote_origin import InProcessCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from gold import build_gold_on_snowflake
from test_reports import local  # noqa: F401 - registers the fixture

from customer360 import __main__ as cli
from customer360.defs.reports import assets as report_assets
from customer360.defs.reports.assets import report_asset
from customer360.defs.reports.requests import fail_request_of, report_requests_sensor
from customer360.lib.reports import requests, status
from customer360.lib.reports.catalogue import REPORTS_BY_NAME
from customer360.resources import object_store_resource, warehouse_resource
from customer360.settings import ROOT, settings

INSERT = ("INSERT INTO observability.report_requests (report, date_from, date_to, segment, requested_by) "
          "VALUES (?, ?, ?, ?, ?)")


@pytest.fixture
def snowflake(snowflake_env):
    s = settings()
    warehouse = warehouse_resource(s)
    build_gold_on_snowflake(warehouse, s)  # snowflake_setup/ (12 creates the requests table) and the gold rows
    return s, warehouse, object_store_resource(s)


@pytest.fixture(params=["local", "snowflake"])
def platform(request):
    with Platform(*request.getfixturevalue(request.param)) as platform:
        yield platform


class Platform:
    """The requests sensor's ticks and the daemon's launches, against one instance."""

    def __init__(self, s, warehouse, store):
        self.s, self.warehouse, self.store = s, warehouse, store
        self.instance = dg.DagsterInstance.ephemeral()
        self.cursor: str | None = None
        with warehouse.session() as session:
            requests.ensure_requests_table(session)  # the local target's; snowflake_setup/12 made Snowflake's

    def __enter__(self) -> Platform:
        return self

    def __exit__(self, *_) -> None:
        self.instance.dispose()

    def tick(self, cursor: str | None = ...) -> list[dg.RunRequest]:
        context = dg.build_sensor_context(instance=self.instance, cursor=self.cursor if cursor is ... else cursor,
                                          resources={"warehouse": self.warehouse})
        result = report_requests_sensor(context)
        self.cursor = result.cursor
        return list(result.run_requests or [])

    def launch(self, run: dg.RunRequest, **tags: str) -> dg.ExecuteInProcessResult:
        """Run it as the daemon would; `tags`: what Dagster adds to a retry (its root run id, its number)."""
        [key] = run.asset_selection
        return dg.materialize([report_asset(REPORTS_BY_NAME[key.path[-1]], self.s)], instance=self.instance,
                              run_config=run.run_config, tags={**run.tags, "dagster/run_key": run.run_key, **tags},
                              resources={"warehouse": self.warehouse, "object_store": self.store},
                              raise_on_error=False)

    def insert(self, report: str, date_from: str = "2026-04-01", date_to: str = "2026-06-30", segment: str = "",
               by: str = "bi-tool") -> int:
        with self.warehouse.session() as session:
            session.execute(INSERT, [report, date_from, date_to, segment, by])
            return max(r.request_id for r in requests.list_requests(session))

    def request(self, request_id: int) -> requests.ReportRequest:
        with self.warehouse.session() as session:
            return requests.get(session, request_id)

    def reports_written(self) -> list[str]:
        return sorted(o.key for o in self.store.list("reports/"))


def test_a_request_inserted_by_sql_is_picked_up_once_and_completes_with_its_files(platform):
    request_id = platform.insert("monthly_spend", segment="Declining")
    [run] = platform.tick()
    assert run.run_key == f"report-request-{request_id}" and run.tags == {requests.REQUEST_TAG: str(request_id),
                                                                          "dagster/max_runtime": "7200"}
    assert run.run_config["ops"]["reports__monthly_spend"]["config"]["segment"] == "Declining"
    assert platform.tick() == []  # launched, not started yet: the next tick does not ask again

    assert platform.launch(run).success
    done = platform.request(request_id)
    assert (done.status, done.error, done.requested_by) == ("completed", None, "bi-tool")
    prefix = f"reports/monthly_spend/2026-06-30/{done.run_id}/"
    assert sorted(done.object_keys) == platform.reports_written() == sorted(
        f"{prefix}monthly_spend.{ext}" for ext in ("csv", "html", "parquet"))
    with platform.warehouse.session() as session:
        [attempt] = [r for r in status.rows(session) if r["execution_id"] == done.run_id]  # the request's attempts
    assert (attempt["status"], attempt["requested_by"], json.loads(attempt["parameters"])["segment"]) == (
        "completed", "bi-tool", "Declining")
    assert attempt["row_count"] == 3  # April to June, in the segment
    assert platform.tick() == []


def test_a_request_that_cannot_run_is_failed_with_its_reason_and_starts_no_run(platform):
    unknown = platform.insert("sales_last_quarter")
    backwards = platform.insert("monthly_spend", "2026-06-01", "2026-05-01")
    not_a_date = platform.insert("monthly_spend", "2026-02-30", "")
    too_late = platform.insert("monthly_spend", "", "2026-12-31")
    no_segment = platform.insert("churn_watchlist", "", "", "Whales")
    assert platform.tick() == []
    reasons = {i: platform.request(i) for i in (unknown, backwards, not_a_date, too_late, no_segment)}
    assert {r.status for r in reasons.values()} == {"failed"} and {r.run_id for r in reasons.values()} == {None}
    assert "report 'sales_last_quarter' is not in the catalogue" in reasons[unknown].error
    assert "date_from 2026-06-01 is after date_to 2026-05-01" in reasons[backwards].error
    assert "date_from='2026-02-30' is not a date" in reasons[not_a_date].error
    assert f"after the data's as-of date {AS_OF}" in reasons[too_late].error
    assert "segment='Whales' is not a customer segment; use one of Declining" in reasons[no_segment].error
    assert platform.instance.get_runs() == [] and platform.reports_written() == []


def test_a_cancelled_request_never_runs_even_when_its_run_was_already_launched(platform):
    before = platform.insert("executive_summary")
    with platform.warehouse.session() as session:
        requests.cancel(session, before)
    assert platform.tick() == []

    launched = platform.insert("executive_summary")
    [run] = platform.tick()
    with platform.warehouse.session() as session:
        requests.cancel(session, launched)  # after the launch, before the run starts
    result = platform.launch(run)
    assert not result.success and "is cancelled" in str(result.get_step_failure_events()[0].step_failure_data.error)
    assert [platform.request(i).status for i in (before, launched)] == ["cancelled", "cancelled"]
    assert platform.reports_written() == []


def test_a_run_of_a_cancelled_request_is_not_retried_where_failed_runs_are(request):
    s, warehouse, store = request.getfixturevalue("local")
    with dg.instance_for_test(overrides={"run_retries": {"enabled": True, "max_retries": 2}}) as instance:
        platform = Platform(s, warehouse, store)
        platform.instance = instance
        launched = platform.insert("executive_summary")
        [run] = platform.tick()
        with warehouse.session() as session:
            requests.cancel(session, launched)
        result = platform.launch(run)
        assert not result.success
        assert instance.get_run_by_id(result.run_id).tags["dagster/will_retry"] == "false"


# Where a queued run says its job comes from (Dagster requires one of a queued run; nothing here loads it).
ORIGIN = RemoteJobOrigin(RemoteRepositoryOrigin(InProcessCodeLocationOrigin(LoadableTargetOrigin(python_file=__file__)),
                                                "__repository__"), "reports")


def test_a_request_cancelled_after_its_pick_up_has_its_queued_run_cancelled_by_the_next_tick(request):
    s, warehouse, store = request.getfixturevalue("local")
    queued = {"module": "dagster._core.run_coordinator", "class": "QueuedRunCoordinator"}
    with dg.instance_for_test(overrides={"run_coordinator": queued}) as instance:
        platform = Platform(s, warehouse, store)
        platform.instance = instance
        kept, cancelled = platform.insert("executive_summary"), platform.insert("monthly_spend")
        runs = platform.tick()
        for run in runs:  # what the daemon does with the tick's RunRequests: queued runs behind a busy queue
            instance.add_run(dg.DagsterRun(job_name="reports", run_id=f"run-{run.tags[requests.REQUEST_TAG]}",
                                           tags=run.tags, status=dg.DagsterRunStatus.QUEUED, remote_job_origin=ORIGIN))
        with warehouse.session() as session:
            requests.cancel(session, cancelled)
        assert platform.tick() == []
        assert instance.get_run_by_id(f"run-{cancelled}").status == dg.DagsterRunStatus.CANCELED
        assert instance.get_run_by_id(f"run-{kept}").status == dg.DagsterRunStatus.QUEUED
        assert [platform.request(i).status for i in (kept, cancelled)] == ["requested", "cancelled"]
        assert platform.tick() == [] and instance.get_run_by_id(f"run-{kept}").status == dg.DagsterRunStatus.QUEUED


def test_a_step_retry_leaves_the_request_running_and_the_next_tick_fails_it_once_the_run_ended(request, monkeypatch):
    def busy(*_args, **_kwargs):
        raise dg.RetryRequested(max_retries=0) from ConnectionError("the warehouse is busy")

    monkeypatch.setattr(report_assets, "_run_report", busy)
    with Platform(*request.getfixturevalue("local")) as platform:
        request_id = platform.insert("monthly_spend")
        result = platform.launch(platform.tick()[0])
        assert not result.success and platform.request(request_id).status == "running"  # no flap to failed
        platform.tick()  # its run has ended without ending it
        assert platform.request(request_id).status == "failed"


def test_ticks_a_reset_cursor_and_a_second_run_never_produce_a_request_twice(platform):
    request_id = platform.insert("segment_performance")
    [first] = platform.tick()
    assert platform.tick() == []
    [again] = platform.tick(cursor=None)  # a reset cursor asks again, with the same run key: Dagster launches once
    assert again.run_key == first.run_key
    assert platform.launch(first).success
    stray = platform.launch(again)  # had a second run started anyway, it stops before writing anything
    assert not stray.success
    done = platform.request(request_id)
    assert done.status == "completed" and done.run_id == platform.instance.get_runs()[-1].run_id
    assert platform.reports_written() == sorted(done.object_keys)


def test_a_request_committed_below_the_cursor_is_still_picked_up(platform):
    with platform.warehouse.session() as session:  # ids 1 and 2 taken by sessions that commit late
        session.execute("INSERT INTO observability.report_requests (request_id, report, requested_by) "
                        "VALUES (3, 'churn_watchlist', 'early')")
    assert [r.run_key for r in platform.tick()] == ["report-request-3"]
    assert json.loads(platform.cursor)["last_request_id"] == 3
    with platform.warehouse.session() as session:
        session.execute("INSERT INTO observability.report_requests (request_id, report, requested_by) "
                        "VALUES (1, 'churn_watchlist', 'late')")
    assert [r.run_key for r in platform.tick()] == ["report-request-1"]


def test_a_run_that_died_fails_its_request_but_a_stray_run_never_fails_another_runs_request(platform):
    carried, waiting = platform.insert("monthly_spend"), platform.insert("monthly_spend")
    with platform.warehouse.session() as session:
        requests.start_running(session, carried, "run-carrying")
    for run_id, request_id in (("run-stray", carried), ("run-died", waiting)):
        run = dg.DagsterRun(job_name="reports", run_id=run_id, status=dg.DagsterRunStatus.FAILURE,
                            tags={requests.REQUEST_TAG: str(request_id)})
        platform.instance.add_run(run)
        assert fail_request_of(platform.instance, run, platform.warehouse, f"{run_id} failed") == request_id
    assert platform.request(carried).status == "running"
    died = platform.request(waiting)
    assert (died.status, died.error, died.run_id) == ("failed", "run-died failed", "run-died")


def test_the_commands_file_follow_and_cancel_a_request_and_refuse_a_bad_one(request, capsys):
    s, warehouse, store = request.getfixturevalue("local")
    assert cli.main(["request-report", "monthly_spend", "--from", "2026-04-01", "--to", "2026-06-30",
                     "--segment", "Declining", "--requested-by", "ana"]) == 0
    said = capsys.readouterr().out
    assert "Report request 1: monthly_spend from 2026-04-01 to 2026-06-30, segment Declining, requested by ana." in said
    assert f"{store.location}reports/monthly_spend/2026-06-30/<run_id>/" in said
    assert "python -m customer360 request-status 1" in said

    with Platform(s, warehouse, store) as platform:
        assert platform.launch(platform.tick()[0]).success
    assert cli.main(["request-status", "1"]) == 0
    status_lines = capsys.readouterr().out.splitlines()
    assert status_lines[0] == "Report request 1: completed"
    assert sorted(line.strip() for line in status_lines if line.strip().startswith(store.location)) == sorted(
        f"{store.location}{key}" for key in platform.request(1).object_keys)

    assert cli.main(["request-report", "churn_watchlist", "--requested-by", "ana"]) == 0
    assert cli.main(["cancel-request", "2"]) == 0
    assert "Report request 2 cancelled" in capsys.readouterr().out
    assert cli.main(["cancel-request", "1"]) == 2
    assert "report request 1 is completed" in capsys.readouterr().err
    assert cli.main(["request-report", "monthly_spend", "--to", "2026-07-31"]) == 2
    assert "Request refused: date_to 2026-07-31 is after the data's as-of date 2026-06-30" in capsys.readouterr().err
    assert cli.main(["request-status", "seven"]) == 2 and "'seven' is not a request id" in capsys.readouterr().err


def test_the_commands_on_a_home_without_a_warehouse_say_so_and_create_none(c360_env, monkeypatch, capsys):
    s = settings()
    s.home.mkdir(parents=True, exist_ok=True)  # a home, but not the one that holds the warehouse (a wrong mount)
    monkeypatch.setenv("C360_API_TOKEN", "test-token-0123456789abcdef0123456789abcdef")  # pragma: allowlist secret
    for command in (["request-report", "monthly_spend"], ["request-status", "1"], ["cancel-request", "1"], ["api"]):
        assert cli.main(command) == 2
        assert f"{command[0]}: no warehouse at {s.warehouse_path}: build it first" in capsys.readouterr().err
    assert not s.warehouse_path.exists()


def test_a_warehouse_another_process_holds_is_a_message_not_a_traceback(request, monkeypatch, capsys):
    import subprocess
    import sys

    s, _, _ = request.getfixturevalue("local")
    monkeypatch.setenv("C360_LOCK_WAIT_S", "0")
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; held = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(s.warehouse_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert cli.main(["request-status", "1"]) == 1
        said = capsys.readouterr().err
        assert said.startswith("request-status: the warehouse is not available: ") and "stayed locked" in said
        assert "Traceback" not in said
    finally:
        holder.kill()
        holder.wait()


def test_the_documented_insert_is_a_request_the_sensor_runs_and_the_documented_query_follows_it(request):
    """docs/reports.md's SQL as a reader pastes it: its INSERT (a write, so outside the ```sql blocks the e2e test
    runs read-only on the demo's warehouse) and its follow-up query, on the local target."""
    with Platform(*request.getfixturevalue("local")) as platform:
        page = (ROOT / "docs" / "reports.md").read_text()
        [insert] = [b for b in re.findall(r"```\n(.*?)```", page, re.DOTALL) if b.startswith("INSERT")]
        [follow] = [b for b in re.findall(r"```sql\n(.*?)```", page, re.DOTALL) if "report_requests" in b]
        with platform.warehouse.session() as session:
            session.execute(insert.strip().rstrip(";"))
        [run] = platform.tick()
        assert platform.launch(run).success
        with platform.warehouse.session() as session:
            [(request_id, report, state, run_id, keys, error)] = session.fetchall(follow.strip().rstrip(";"))
        assert (request_id, report, state, error) == (1, "monthly_spend", "completed", None)
        assert run_id == platform.instance.get_runs()[0].run_id and len(json.loads(keys)) == 3


def test_the_readmes_sql_line_files_a_request_the_sensor_runs(request, tmp_path):
    """The README's SQL way in as a reader pastes it (the venv's python the only change), in a folder with no .c360:
    it writes into the warehouse of the home C360_HOME names."""
    import subprocess
    import sys

    with Platform(*request.getfixturevalue("local")) as platform:
        [line] = [line for line in (ROOT / "README.md").read_text().splitlines() if "import duckdb" in line]
        pasted = line.replace(".venv/bin/python", sys.executable)
        assert platform.s.warehouse_path.name == "warehouse.duckdb"
        subprocess.run(["bash", "-c", pasted], check=True, cwd=tmp_path,
                       env={**os.environ, "C360_HOME": str(platform.s.warehouse_path.parent)})
        [run] = platform.tick()
        assert platform.launch(run).success
        done = platform.request(1)
    assert (done.report, done.date_from, done.date_to, done.segment, done.requested_by, done.status) == (
        "monthly_spend", "2026-01-01", "2026-06-30", "Declining", "ana", "completed")
