"""The app's Reports page (Streamlit's AppTest) on the hand-checkable gold layer: a role asks for a report, the
request is run (the sensor and the launch, as in test_report_requests.py), and the page offers its files; what a
reader role sees of a failed request is that it failed, the error text only DATA_ENGINEER."""

from __future__ import annotations

import json

import pytest
from app_pages import function_page
from streamlit.testing.v1 import AppTest
from test_report_requests import Platform
from test_reports import local  # noqa: F401 - registers the fixture

from customer360.lib.reports import requests


def page(role: str) -> None:
    """The Reports page alone, as the app renders it for `role` (AppTest runs this function's source)."""
    import os

    from customer360.app.reports_page import reports_page
    from customer360.app.warehouse import AppWarehouse
    from customer360.resources import object_store_resource
    from customer360.settings import settings

    os.environ["C360_APP_ROLE"] = role
    s = settings(app=True)
    wh = AppWarehouse(s)
    with wh.reading():
        reports_page(wh, object_store_resource(s), f"app:{role}")


def run(role: str) -> AppTest:
    return function_page(page, (role,)).run()


@pytest.fixture
def platform(request):
    with Platform(*request.getfixturevalue("local")) as platform:
        yield platform


def test_a_role_asks_for_a_report_and_downloads_its_files_once_it_is_run(platform):
    app = run("MARKETING_MANAGER")
    assert not app.exception and [i.value for i in app.info] == ["No report has been requested yet."]
    app.selectbox(key="request_report_name").set_value("Monthly spend")
    app.selectbox(key="request_segment").set_value("Declining")
    app.button[0].click().run()  # the form's submit button
    assert not app.exception and "Report request 1 filed" in app.success[0].value
    [asked] = app.dataframe
    assert asked.value[["request_id", "report", "segment", "status", "requested_by"]].values.tolist() == [
        [1, "monthly_spend", "Declining", "requested", "app:MARKETING_MANAGER"]]
    assert "error" not in asked.value.columns

    assert platform.launch(platform.tick()[0]).success
    app = run("MARKETING_MANAGER")
    assert app.dataframe[0].value["status"].tolist() == ["completed"]
    files = {b.label: b for b in app.get("download_button")}
    assert sorted(files) == ["Download monthly_spend.csv", "Download monthly_spend.html",
                             "Download monthly_spend.parquet"]


# What MARKETING_MANAGER may read (access.py, snowflake_setup/ and dbt_project/macros/grant_readers.sql): gold without
# names or e-mail, and of observability only the requests' view. test_app.py holds the other pages to the same rule.
NOT_READABLE_BY_MARKETING = ("gold.customer_360_profile", "observability.report_requests ", "bronze.", "silver.")


def test_the_page_as_marketing_manager_reads_only_relations_that_role_is_granted(platform, monkeypatch):
    from customer360.app.warehouse import AppWarehouse

    seen, query = [], AppWarehouse.query
    monkeypatch.setattr(AppWarehouse, "query", lambda self, sql, params=(): seen.append(" ".join(sql.split()) + " ")
                        or query(self, sql, params))
    platform.insert("monthly_spend")
    assert platform.launch(platform.tick()[0]).success
    app = run("MARKETING_MANAGER")
    offered = app.selectbox(key="request_segment").options[1:]
    assert not app.exception and offered == ["Declining", "High-Value Travelers", "Stable Mid-Spenders"]
    assert app.get("download_button") and any("v_report_requests" in sql for sql in seen)
    assert [sql for sql in seen if any(name in sql.lower() for name in NOT_READABLE_BY_MARKETING)] == []


def test_a_plain_insert_of_only_the_report_records_the_range_it_ran_and_its_files_are_offered(platform):
    with platform.warehouse.session() as session:  # docs/reports.md: every column but `report` has a default
        session.execute("INSERT INTO observability.report_requests (report) VALUES ('monthly_spend')")
    assert platform.launch(platform.tick()[0]).success
    done = platform.request(1)
    assert (done.status, done.date_from, done.date_to, done.segment) == ("completed", "2025-07-01", "2026-06-30", "")
    app = run("MARKETING_MANAGER")
    assert not app.warning and sorted(b.label for b in app.get("download_button")) == [
        "Download monthly_spend.csv", "Download monthly_spend.html", "Download monthly_spend.parquet"]


def test_a_reader_sees_that_a_request_failed_and_only_data_engineer_sees_why(platform):
    platform.insert("sales_last_quarter")
    platform.tick()  # the sensor fails it: not in the catalogue
    marketing = run("MARKETING_MANAGER").dataframe[0].value
    assert marketing[["status", "has_error"]].values.tolist() == [["failed", True]] and "error" not in marketing
    engineer = run("DATA_ENGINEER").dataframe[0].value
    assert "report 'sales_last_quarter' is not in the catalogue" in engineer["error"][0]


def test_a_row_pointed_at_other_files_offers_only_its_own_result_files(platform):
    platform.insert("monthly_spend")
    assert platform.launch(platform.tick()[0]).success
    with platform.warehouse.session() as session:
        [done] = requests.list_requests(session)
        planted = [*done.object_keys, "landing/transactions/part-0.csv", f"{done.result_prefix}../../../../x.csv"]
        session.execute("UPDATE observability.report_requests SET object_keys = ? WHERE request_id = ?",
                        [json.dumps(planted), done.request_id])
    app = run("MARKETING_MANAGER")
    assert not app.exception
    assert sorted(b.label for b in app.get("download_button")) == [
        "Download monthly_spend.csv", "Download monthly_spend.html", "Download monthly_spend.parquet"]
    assert "lists 2 file(s) outside its own result folder" in app.warning[0].value


def test_a_file_the_store_cannot_read_is_named_and_the_others_are_still_offered(platform):
    platform.insert("monthly_spend")
    assert platform.launch(platform.tick()[0]).success
    with platform.warehouse.session() as session:
        [done] = requests.list_requests(session)
    platform.store.delete(next(key for key in done.object_keys if key.endswith(".html")))  # or no credentials for it
    app = run("MARKETING_MANAGER")
    assert not app.exception
    assert sorted(b.label for b in app.get("download_button")) == ["Download monthly_spend.csv",
                                                                   "Download monthly_spend.parquet"]
    assert app.warning[0].value.startswith("monthly_spend.html cannot be read from the object store")
