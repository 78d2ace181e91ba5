"""The report trail tells who asked apart from who ran it, and an attempt whose run died mid-upload does not stay
`uploading` forever: the next report run finds its Dagster run ended, marks it `abandoned` and deletes its objects."""

from __future__ import annotations

import dagster as dg
import pytest
from test_reports import local  # noqa: F401 - registers the fixture

from customer360.defs.reports.assets import report_asset, run_ended
from customer360.lib.reports import status
from customer360.lib.reports.catalogue import REPORTS_BY_NAME, ReportParams
from customer360.lib.reports.publish import prefix

REPORT = "monthly_spend"


@pytest.fixture
def home(request):
    """test_reports' `local`: settings, a warehouse with the hand-checkable gold layer, the object store."""
    return request.getfixturevalue("local")


def _materialize(s, warehouse, store, instance, config: dict | None = None, tags: dict | None = None):
    return dg.materialize([report_asset(REPORTS_BY_NAME[REPORT], s)], instance=instance, tags=tags or {},
                          resources={"warehouse": warehouse, "object_store": store},
                          run_config={"ops": {f"reports__{REPORT}": {"config": config or {}}}})


def _left_uploading(s, warehouse, store, instance, run_id: str, run_status: dg.DagsterRunStatus) -> str:
    """An attempt as a process killed mid-upload leaves it: its row `uploading`, one object stored."""
    instance.add_run(dg.DagsterRun(job_name="reports", run_id=run_id, status=run_status))
    params = ReportParams.parse("", "", "", s.as_of)
    attempt = status.Attempt(run_id, run_id, REPORT)
    with warehouse.session() as session:
        status.start(session, attempt, params.as_json_dict(), "cfo", None, "ana")
        status.uploading(session, attempt, 3)
    key = f"{prefix(REPORT, params.date_to, run_id)}{REPORT}.parquet"
    store.write(key, lambda path: path.write_bytes(b"half of a file"))
    return key


def _trail(warehouse) -> dict[str, dict]:
    with warehouse.session() as session:
        return {row["run_id"]: row for row in status.rows(session, REPORT)}


def test_a_claimed_requester_is_kept_beside_who_actually_ran_the_report(home):
    s, warehouse, store = home
    run = _materialize(s, warehouse, store, dg.DagsterInstance.ephemeral(), {"requested_by": "cfo"},
                       {"dagster/user": "intern@acme.test"})
    row = _trail(warehouse)[run.run_id]
    assert (row["requested_by"], row["run_by"], row["status"]) == ("cfo", "intern@acme.test", "completed")


def test_an_attempt_whose_run_ended_mid_upload_is_abandoned_and_its_objects_deleted_by_the_next_report_run(home):
    s, warehouse, store = home
    instance = dg.DagsterInstance.ephemeral()
    dead = _left_uploading(s, warehouse, store, instance, "a" * 32, dg.DagsterRunStatus.FAILURE)
    alive = _left_uploading(s, warehouse, store, instance, "b" * 32, dg.DagsterRunStatus.STARTED)
    assert run_ended(instance)("c" * 32) == "no such run in this Dagster instance"

    assert _materialize(s, warehouse, store, instance).success
    trail = _trail(warehouse)
    assert trail["a" * 32]["status"] == "abandoned" and not store.exists(dead)
    assert "ended (FAILURE) while the attempt was uploading; 1 object(s)" in trail["a" * 32]["error_message"]
    assert trail["b" * 32]["status"] == "uploading" and store.exists(alive)  # its run may still finish
