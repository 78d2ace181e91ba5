"""Report requests against their Dagster runs, without a daemon: an ephemeral instance holds the runs (their status
and tags as the daemon, run retries and re-executions leave them), an in-memory DuckDB holds the requests. What is
checked: the order in which run-status events reach the sensors never ends a request that another attempt still
carries."""

from __future__ import annotations

import contextlib
import datetime as dt
import json

import dagster as dg
import duckdb
import pytest
import yaml
from dagster._core.events import DagsterEvent, StepFailureData
from dagster._utils.error import SerializableErrorInfo

from customer360.__main__ import DAGSTER_YAML
from customer360.defs.reports.requests import (
    LAUNCH_GRACE_S,
    REPORT_RUN_MAX_RUNTIME_S,
    fail_request_of,
    pick_up,
    report_requests_sensor,
    run_request,
)
from customer360.lib.alerts.requests import failure_alerts
from customer360.lib.observability.runs import first_error
from customer360.lib.reports import requests
from customer360.lib.resources.warehouse import DuckDBSession, WarehouseLocked
from customer360.settings import ROOT

AS_OF = dt.date(2026, 6, 30)


class OneSession:
    """A Warehouse whose every session is the same in-memory connection."""

    def __init__(self, session: DuckDBSession):
        self.the_session = session

    @contextlib.contextmanager
    def session(self):
        yield self.the_session


@pytest.fixture
def session():
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA gold")
    conn.execute("CREATE TABLE gold.customer_360_profile AS SELECT 'C1' AS customer_id, 'Declining' AS customer_segment")
    yield DuckDBSession(conn)
    conn.close()


@pytest.fixture
def instance():
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


def add_run(instance: dg.DagsterInstance, run_id: str, request_id: int, status: dg.DagsterRunStatus,
            root: str | None = None) -> dg.DagsterRun:
    """A reports run carrying the request; a retry or re-execution has its root's tags, as Dagster copies them."""
    tags = {requests.REQUEST_TAG: str(request_id)}
    if root:
        tags |= {"dagster/root_run_id": root, "dagster/parent_run_id": root}
    run = dg.DagsterRun(job_name="reports", run_id=run_id, status=status, tags=tags, root_run_id=root,
                        parent_run_id=root)
    instance.add_run(run)
    return run


def file(session: DuckDBSession) -> int:
    return requests.file_request(session, "monthly_spend", requested_by="ana", as_of=AS_OF).request_id


def test_a_retry_that_claimed_the_request_completes_it_whatever_the_failure_sensor_does_late(session, instance):
    request_id = file(session)
    requests.start_running(session, request_id, "run-A")
    requests.failed(session, request_id, "S3 timeout", run_id="run-A")  # run A's own handler
    run_a = add_run(instance, "run-A", request_id, dg.DagsterRunStatus.FAILURE)
    add_run(instance, "run-B", request_id, dg.DagsterRunStatus.STARTED, root="run-A")  # the automatic retry
    assert requests.start_running(session, request_id, "run-A").status == requests.RUNNING  # B claims it
    assert fail_request_of(instance, run_a, OneSession(session), "its run failed") == request_id  # A's event, late
    assert requests.get(session, request_id).status == requests.RUNNING
    requests.completed(session, request_id, ["reports/monthly_spend/2026-06-30/run-A/monthly_spend.csv"], None)
    done = requests.get(session, request_id)
    assert (done.status, done.error, done.object_keys) == (
        requests.COMPLETED, None, ["reports/monthly_spend/2026-06-30/run-A/monthly_spend.csv"])


def test_a_retry_still_queued_keeps_the_request_for_itself_and_the_last_attempt_failing_fails_it(session, instance):
    request_id = file(session)
    requests.start_running(session, request_id, "run-A")  # A died before its handler could record anything
    run_a = add_run(instance, "run-A", request_id, dg.DagsterRunStatus.FAILURE)
    run_b = add_run(instance, "run-B", request_id, dg.DagsterRunStatus.NOT_STARTED, root="run-A")
    fail_request_of(instance, run_a, OneSession(session), "run A failed")
    assert requests.get(session, request_id).status == requests.RUNNING
    instance.report_run_failed(run_b, "run B failed")
    run_b = instance.get_run_by_id("run-B")
    assert run_b.status == dg.DagsterRunStatus.FAILURE
    fail_request_of(instance, run_b, OneSession(session), "run B failed")
    failed = requests.get(session, request_id)
    assert (failed.status, failed.error, failed.run_id) == (requests.FAILED, first_error(instance, "run-B"), "run-A")


def terminated(instance: dg.DagsterInstance, run_id: str, request_id: int) -> dg.DagsterRun:
    """A run terminated mid-step (Terminate in the UI): its step logs DagsterExecutionInterruptedError, the run ends
    CANCELED, as under the daemon."""
    run = add_run(instance, run_id, request_id, dg.DagsterRunStatus.STARTED)
    interrupted = SerializableErrorInfo("dagster._core.errors.DagsterExecutionInterruptedError\n", [],
                                        "DagsterExecutionInterruptedError")
    instance.report_dagster_event(DagsterEvent(dg.DagsterEventType.STEP_FAILURE.value, "reports",
                                               step_key="reports__monthly_spend",
                                               event_specific_data=StepFailureData(interrupted, None)), run_id)
    instance.report_run_canceled(run)
    return instance.get_run_by_id(run_id)


def test_a_terminated_run_fails_its_request_as_cancelled_and_the_request_alert_announces_it_once(session, instance):
    """No run alert announces a CANCELED run: the request's reason must lead with the cancel, or nobody hears of it."""
    by_sensor, by_tick = file(session), file(session)
    for request_id, run_id in ((by_sensor, "run-T1"), (by_tick, "run-T2")):
        requests.start_running(session, request_id, run_id)
    assert fail_request_of(instance, terminated(instance, "run-T1", by_sensor), OneSession(session)) == by_sensor
    terminated(instance, "run-T2", by_tick)  # its CANCELED event lost: the requests sensor's next tick ends it
    tick(session, instance, None)
    ended = [requests.get(session, n) for n in (by_sensor, by_tick)]
    assert ended[0].error.startswith(f"{requests.run_cancelled('run-T1')}: reports__monthly_spend: ")
    assert ended[1].error.startswith(f"{requests.run_ended_without_it('run-T2', 'CANCELED')}: reports__monthly_spend: ")
    for request in ended:
        assert request.status == requests.FAILED and "DagsterExecutionInterruptedError" in request.error
    assert [a.subject for a in failure_alerts(ended, None)] == [f"request {n} (monthly_spend) failed"
                                                                for n in (by_sensor, by_tick)]


def tick(session: DuckDBSession, instance: dg.DagsterInstance, cursor: str | None,
         now: float | None = None) -> tuple[list[dg.RunRequest], str]:
    return pick_up(session, instance, cursor, now=now)


def test_a_running_request_whose_run_was_cancelled_unseen_is_failed_by_the_next_tick(c360_env, session, instance):
    request_id = file(session)
    requests.start_running(session, request_id, "run-A")
    run = add_run(instance, "run-A", request_id, dg.DagsterRunStatus.STARTED)
    tick(session, instance, None)
    assert requests.get(session, request_id).status == requests.RUNNING  # its run goes on: nothing to do
    instance.report_run_canceled(run)  # the cancel sensor's body raised (a busy warehouse): its event is lost
    tick(session, instance, None)
    failed = requests.get(session, request_id)
    assert (failed.status, failed.run_id) == (requests.FAILED, "run-A")
    assert failed.error == "its run run-A ended CANCELED without completing the request (cancelled or killed before " \
                           "its report ran); file the request again"


def test_a_running_request_whose_run_left_the_instance_is_failed_naming_the_run(c360_env, session, instance):
    request_id = file(session)
    requests.start_running(session, request_id, "run-gone")
    tick(session, instance, None)
    failed = requests.get(session, request_id)
    assert failed.status == requests.FAILED and failed.error.startswith("its run run-gone is not in this Dagster")


def test_a_launched_request_whose_run_was_cancelled_while_queued_is_failed_not_left_waiting(c360_env, session,
                                                                                             instance):
    request_id = file(session)
    [run_request], cursor = tick(session, instance, None)
    assert tick(session, instance, cursor)[0] == []  # launched: not asked again while its run waits
    run = add_run(instance, "run-Q", request_id, dg.DagsterRunStatus.NOT_STARTED)
    assert tick(session, instance, cursor)[0] == []
    instance.report_run_canceled(run)  # cancelled from the queue: the asset never ran
    runs, cursor = tick(session, instance, cursor)
    failed = requests.get(session, request_id)
    assert (runs, failed.status, failed.run_id) == ([], requests.FAILED, "run-Q")
    assert json.loads(cursor)["launched"] == {}


def test_a_launched_request_with_no_run_after_the_grace_is_asked_again_with_the_same_run_key(c360_env, session,
                                                                                              instance):
    request_id = file(session)
    [first], cursor = tick(session, instance, None, now=1000.0)
    assert tick(session, instance, cursor, now=1000.0 + LAUNCH_GRACE_S)[0] == []
    [again], _ = tick(session, instance, cursor, now=1001.0 + LAUNCH_GRACE_S)  # dropped by Dagster, or deleted
    assert again.run_key == first.run_key == f"report-request-{request_id}"
    assert requests.get(session, request_id).status == requests.REQUESTED


def test_a_cursor_of_the_earlier_list_form_is_read(c360_env, session, instance):
    request_id = file(session)
    assert tick(session, instance, json.dumps({"last_request_id": request_id, "launched": [request_id]}))[0] == []


def test_a_tick_that_cannot_reach_the_warehouse_raises_so_the_next_tick_reconciles(c360_env, session, instance):
    request_id = file(session)
    requests.start_running(session, request_id, "run-A")
    add_run(instance, "run-A", request_id, dg.DagsterRunStatus.FAILURE)

    class Busy:
        @contextlib.contextmanager
        def session(self):
            raise WarehouseLocked("the warehouse file is held by another process")
            yield

    context = dg.build_sensor_context(instance=instance, resources={"warehouse": Busy()})
    with pytest.raises(WarehouseLocked):  # a plain sensor keeps its cursor when it raises: the next tick tries again
        report_requests_sensor(context)
    assert requests.get(session, request_id).status == requests.RUNNING
    report_requests_sensor(dg.build_sensor_context(instance=instance, resources={"warehouse": OneSession(session)}))
    assert requests.get(session, request_id).status == requests.FAILED


class SnowflakeLikeError(Exception):
    def __init__(self, errno: int, message: str):
        super().__init__(message)
        self.errno = errno


def test_a_transient_error_reading_the_segments_fails_the_tick_and_the_request_runs_on_the_next(c360_env, session,
                                                                                                 instance, monkeypatch):
    request_id = requests.file_request(session, "monthly_spend", segment="Declining", requested_by="ana",
                                       as_of=AS_OF).request_id

    def dropped(_session):
        raise SnowflakeLikeError(250003, "250003: Failed to get the response. Hanging? method: post")

    monkeypatch.setattr(requests, "known_segments", dropped)
    with pytest.raises(SnowflakeLikeError):
        tick(session, instance, None)
    assert requests.get(session, request_id).status == requests.REQUESTED
    monkeypatch.undo()
    [run], _ = tick(session, instance, None)
    assert run.run_key == f"report-request-{request_id}"


@pytest.mark.parametrize("error", [duckdb.CatalogException("Table with name customer_360_profile does not exist"),
                                   SnowflakeLikeError(2003, "002003 (42S02): Object 'CUSTOMER_360_PROFILE' does not "
                                                            "exist or not authorized.")])
def test_only_a_missing_segments_table_refuses_the_request(c360_env, session, instance, monkeypatch, error):
    request_id = requests.file_request(session, "monthly_spend", segment="Declining", requested_by="ana",
                                       as_of=AS_OF).request_id

    def missing(_session):
        raise error

    monkeypatch.setattr(requests, "known_segments", missing)
    assert tick(session, instance, None)[0] == []
    refused = requests.get(session, request_id)
    assert refused.status == requests.FAILED
    assert refused.error.startswith("refused: the customer segments cannot be read (gold.customer_360_profile does "
                                    "not exist")


def test_an_id_an_insert_gave_itself_is_skipped_by_the_next_filing_and_a_run_of_them_is_refused_clearly(session):
    requests.ensure_requests_table(session)
    insert = "INSERT INTO observability.report_requests (request_id, report, requested_by) VALUES (?, 'churn_watchlist', 'x')"
    for planted in (1, 2):
        session.execute(insert, [planted])
    assert file(session) == 3  # the sequence's 1 and 2 collide: the key refuses a second row, the filing moves on
    with pytest.raises(duckdb.ConstraintException, match="request_id"):  # the table still refuses a shared id
        session.execute(insert, [3])
    for planted in range(4, 4 + requests.ID_ATTEMPTS):
        session.execute(insert, [planted])
    with pytest.raises(requests.RequestRefused, match="leave request_id to its default"):
        file(session)
    assert len(requests.list_requests(session)) == 3 + requests.ID_ATTEMPTS


def test_rows_sharing_an_id_as_snowflake_allows_are_refused_and_none_is_run(c360_env, session, instance):
    ddl = requests.LOCAL_DDL[1].replace(" PRIMARY KEY,", ",")  # Snowflake declares no enforced key
    session.execute("CREATE SCHEMA observability")
    session.execute(requests.LOCAL_DDL[0])  # the id sequence
    session.execute(ddl)
    requests.ensure_requests_table(session)
    for report in ("churn_watchlist", "monthly_spend"):
        session.execute("INSERT INTO observability.report_requests (request_id, report, requested_by) VALUES (3, ?, ?)",
                        [report, "ana"])
    alone = file(session)
    runs, _ = tick(session, instance, None)
    assert [r.run_key for r in runs] == [f"report-request-{alone}"]
    shared = session.fetchall("SELECT status, error FROM observability.report_requests WHERE request_id = 3")
    assert [status for status, _ in shared] == ["failed", "failed"]
    assert shared[0][1].startswith("refused: request id 3 is held by more than one row")


@pytest.mark.parametrize("instance_yaml", ["local", "deploy"])
def test_run_monitoring_is_on_so_a_request_run_whose_process_died_is_failed(instance_yaml):
    text = DAGSTER_YAML if instance_yaml == "local" else (ROOT / "deploy" / "dagster.yaml").read_text()
    monitoring = yaml.safe_load(text)["run_monitoring"]
    with dg.instance_for_test(overrides={"run_monitoring": monitoring}) as configured:
        assert configured.run_monitoring_enabled and configured.run_monitoring_settings["poll_interval_seconds"] == 60
    assert int(run_request_of_a_request().tags["dagster/max_runtime"]) == REPORT_RUN_MAX_RUNTIME_S == 7200


def run_request_of_a_request() -> dg.RunRequest:
    request = requests.ReportRequest(7, "monthly_spend", "2026-01-01", "2026-06-30", "", None, "ana",
                                     dt.datetime(2026, 6, 30), requests.REQUESTED, None, [], None,
                                     dt.datetime(2026, 6, 30))
    return run_request(request, requests.validate("monthly_spend", "2026-01-01", "2026-06-30", "", AS_OF))
