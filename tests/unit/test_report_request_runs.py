"""Report requests against their Dagster runs, without a daemon: an ephemeral instance holds the runs (their status
and tags as the daemon, run retries and re-executions leave them), an in-memory DuckDB holds the requests. What is
checked: the order in which run-status events reach the sensors never ends a request that another attempt still
carries."""

from __future__ import annotations

import contextlib
import datetime as dt

import dagster as dg
import duckdb
import pytest

from customer360.defs.reports.requests import fail_request_of
from customer360.lib.observability.runs import first_error
from customer360.lib.reports import requests
from customer360.lib.resources.warehouse import DuckDBSession

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
