"""Ask files report requests: `python -m customer360 ask "Generate a sales report for last quarter"` and the app's Ask
page add one row to observability.report_requests, with the report, dates and segment understood, and the requests
sensor picks it up like any other. A role that may not request, a clarify and a busy warehouse file nothing.

The warehouse is the tiny gold layer of tests/support/ask_sample.py in a DuckDB home, with the segments' table the
requests' validation reads; as-of is 2026-11-30, so "last quarter" is July to September 2026."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import dagster as dg
import duckdb
import pytest
from app_pages import app_page
from ask_sample import tiny_warehouse

from customer360 import __main__ as cli
from customer360.app import access
from customer360.app.ask import LOCAL_INSERT, asker, filer
from customer360.app.warehouse import AppWarehouse
from customer360.defs.reports.requests import report_requests_sensor
from customer360.lib.reports import requests
from customer360.resources import warehouse_resource
from customer360.settings import settings

AS_OF = dt.date(2026, 11, 30)
REPORT_QUESTION = "Generate a sales report for segment Declining for last quarter"


def last_quarter(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete calendar quarter before as-of's, worked out here rather than by Ask's periods."""
    this_quarter = dt.date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
    end = this_quarter - dt.timedelta(days=1)
    return dt.date(end.year, end.month - 2, 1), end


@pytest.fixture
def home(c360_env, monkeypatch):
    monkeypatch.setenv("C360_AS_OF", AS_OF.isoformat())
    monkeypatch.delenv("C360_APP_ROLE", raising=False)
    s = settings(app=True)
    s.home.mkdir(parents=True)
    conn = tiny_warehouse(path=str(s.warehouse_path))
    conn.execute("CREATE TABLE gold.customer_360_profile AS "
                 "SELECT customer_id, customer_segment FROM gold.marketing_customer_audience")
    conn.close()
    return s


def filed_rows(s) -> list[requests.ReportRequest]:
    with warehouse_resource(s).session() as session:
        return requests.list_requests(session)


def ask_cli(*argv: str) -> dict:
    return cli.main(["ask", *argv, "--json"])


def test_ask_files_one_request_with_the_dates_and_segment_it_understood_and_the_sensor_picks_it_up(home, capsys):
    assert cli.main(["ask", REPORT_QUESTION, "--json", "--requested-by", "ana"]) == 0
    answer = json.loads(capsys.readouterr().out)
    first, last = last_quarter(AS_OF)
    assert (first, last) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))

    [row] = filed_rows(home)
    assert (row.report, row.date_from, row.date_to, row.segment, row.requested_by, row.status) == (
        "monthly_spend", first.isoformat(), last.isoformat(), "Declining", "ana", "requested")
    assert answer["status"] == "answered"
    assert answer["columns"][:6] == ["request_id", "report", "date_from", "date_to", "segment", "status"]
    assert answer["rows"][0][:6] == [row.request_id, "monthly_spend", "2026-07-01", "2026-09-30", "Declining",
                                     "requested"]
    assert answer["sql"] == LOCAL_INSERT
    assert answer["params"] == ["monthly_spend", "2026-07-01", "2026-09-30", "Declining", "ana"]
    said = answer["interpretation"]
    assert said.startswith(f"Filed report request {row.request_id}: the Monthly spend report for Jul–Sep 2026")
    assert f"python -m customer360 request-status {row.request_id}" in said and "Reports page" in said
    assert "reports/monthly_spend/2026-09-30/<run id>/" in said and "monthly_spend.parquet" in said

    # The insert shown files the same request by hand.
    with warehouse_resource(home).session() as session:
        session.execute(answer["sql"], answer["params"])
    by_hand = filed_rows(home)[0]
    assert (by_hand.report, by_hand.date_from, by_hand.date_to, by_hand.segment) == (
        row.report, row.date_from, row.date_to, row.segment)

    # The requests sensor picks it up as it picks up any request: one run, with the request's parameters.
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_sensor_context(instance=instance, resources={"warehouse": warehouse_resource(home)})
        runs = report_requests_sensor(context).run_requests
    assert [r.run_key for r in runs] == [f"report-request-{row.request_id}", f"report-request-{by_hand.request_id}"]
    config = runs[0].run_config["ops"]["reports__monthly_spend"]["config"]
    assert (config["date_from"], config["date_to"], config["segment"], config["requested_by"]) == (
        "2026-07-01", "2026-09-30", "Declining", "ana")


def test_a_role_that_may_not_request_reports_is_refused_and_nothing_is_filed(home, monkeypatch, capsys):
    monkeypatch.setitem(access.ROLES, "REPORT_READER", access.AppRole(
        "REPORT_READER", False, False, "reads the gold marts; may not request reports", requests_reports=False))
    assert ask_cli(REPORT_QUESTION, "--role", "REPORT_READER") == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["status"] == "refused" and answer["rows"] == [] and answer["sql"] is None
    assert "the role REPORT_READER may not request reports" in answer["interpretation"]
    assert answer["suggestions"] == ["python -m customer360 request-report monthly_spend --from 2026-07-01 "
                                     "--to 2026-09-30 --segment Declining"]
    assert filed_rows(home) == []


@pytest.mark.parametrize("question, why", [
    ("generate a report for last quarter", "Which report?"),  # no report named
    ("Generate a sales report for Q2 and Q3", "A report covers one period"),
    ("generate a sales report for Premium customers for last quarter", "filters by generated segment only"),
])
def test_a_request_ask_must_clarify_files_nothing(home, capsys, question, why):
    assert ask_cli(question) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["status"] == "clarify" and why in answer["interpretation"]
    assert filed_rows(home) == []


def test_a_request_the_validation_refuses_answers_refused_with_the_reason(home, capsys):
    assert ask_cli("Generate a sales report for segment Declining for last quarter", "--requested-by", " ") == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["status"] == "refused" and "requested_by is empty" in answer["interpretation"]
    assert filed_rows(home) == []


def test_a_busy_warehouse_answers_refused_and_files_nothing(home):
    wh = AppWarehouse(home)
    wh.busy_wait_s = 1
    ask = asker(wh)  # the vocabulary is read before the warehouse gets busy
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(home.warehouse_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        answer = ask.ask(REPORT_QUESTION, file=filer(wh, "ana"))
    finally:
        holder.kill()
        holder.wait()
    assert answer.status == "refused" and answer.rows == ()
    assert "The warehouse is busy" in answer.interpretation and "Nothing was filed" in answer.interpretation
    assert filed_rows(home) == []


def test_the_app_files_an_asked_request_once_however_often_streamlit_reruns_the_page(home, tmp_path, monkeypatch):
    # This process served the app for another home first (as a test of a missing warehouse does): no leftover of it.
    monkeypatch.setenv("C360_HOME", str(tmp_path / "another-home"))
    app_page().run()
    monkeypatch.setenv("C360_HOME", str(home.home))
    app = app_page().run()
    app.sidebar.radio(key="view").set_value("Ask").run()
    # once, in a full-suite run, the Ask page was not drawn: say what the page showed instead
    assert "ask_question" in [w.key for w in app.text_input], [e.value for e in (*app.exception, *app.error)]
    app.text_input(key="ask_question").input("Generate a sales report for last quarter").run()
    assert not app.exception and app.success[0].value.startswith("Understood: Filed report request 1")
    app.run()  # a rerun: a widget changed, the page was drawn again
    app.sidebar.radio(key="view").set_value("Reports").run()
    app.sidebar.radio(key="view").set_value("Ask").run()
    [row] = filed_rows(home)
    assert (row.report, row.date_from, row.date_to, row.requested_by) == (
        "monthly_spend", "2026-07-01", "2026-09-30", "app:MARKETING_MANAGER")
    with duckdb.connect(str(home.warehouse_path), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM observability.report_requests").fetchone() == (1,)
