"""Report requests without the Dagster runtime: what a request may ask (validation), the status transitions on an
in-memory DuckDB, and the Snowflake side as text (its table has the local one's columns; its procedure applies the
same rules; fakesnow has no procedures, so the procedure's shape is checked here, its behaviour only on an account)."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from customer360.lib.reports import requests
from customer360.lib.reports.catalogue import REPORTS_BY_NAME
from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.lib.resources.warehouse import DuckDBSession
from customer360.lib.sql import SETUP_DIR, split_statements

AS_OF = dt.date(2026, 6, 30)
SEGMENTS = ["Declining", "High-Value Travelers"]
SETUP = SETUP_DIR / "12_report_requests.sql"


@pytest.fixture
def session():
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA gold")
    conn.execute("CREATE TABLE gold.customer_360_profile AS SELECT * FROM (VALUES ('C1', 'Declining'), "
                 "('C2', 'High-Value Travelers')) t(customer_id, customer_segment)")
    yield DuckDBSession(conn)
    conn.close()


@pytest.mark.parametrize("report,date_from,date_to,segment,reason", [
    ("sales", "", "", "", "report 'sales' is not in the catalogue; ask for one of executive_summary"),
    ("monthly_spend", "2026-13-01", "", "", "date_from='2026-13-01' is not a date; use YYYY-MM-DD"),
    ("monthly_spend", "2026-06-01", "2026-05-01", "", "date_from 2026-06-01 is after date_to 2026-05-01"),
    ("monthly_spend", "", "2026-07-01", "", "date_to 2026-07-01 is after the data's as-of date 2026-06-30"),
    ("monthly_spend", "", "", "Whales", "segment='Whales' is not a customer segment; use one of Declining, "
                                        "High-Value Travelers"),
])
def test_a_bad_request_is_refused_naming_the_problem(report, date_from, date_to, segment, reason):
    with pytest.raises(requests.RequestRefused) as refused:
        requests.validate(report, date_from, date_to, segment, AS_OF, SEGMENTS)
    assert reason in str(refused.value)


def test_empty_dates_ask_for_the_year_ending_on_as_of_and_an_export_table_is_schema_dot_table():
    checked = requests.validate("churn_watchlist", "", None, "Declining", AS_OF, SEGMENTS, "Reporting.Watch")
    assert (checked.params.date_from, checked.params.date_to) == (dt.date(2025, 7, 1), AS_OF)
    assert checked.export.qualified == "reporting.watch"
    with pytest.raises(requests.RequestRefused, match="give it as schema.table"):
        requests.validate("churn_watchlist", "", "", "", AS_OF, SEGMENTS, "watch")


def test_a_filed_request_gets_the_next_id_and_waits_with_its_resolved_parameters(session):
    first = requests.file_request(session, "monthly_spend", "2026-04-01", "2026-06-30", "", "ana", AS_OF)
    second = requests.file_request(session, "segment_performance", "", "", "Declining", "svc:bi", AS_OF)
    assert (first.request_id, second.request_id) == (1, 2)
    assert (second.date_from, second.date_to, second.segment, second.status) == ("2025-07-01", "2026-06-30",
                                                                                "Declining", "requested")
    assert [r.request_id for r in requests.waiting(session)] == [1, 2]
    assert second.result_prefix == "reports/segment_performance/2026-06-30/<run_id>/"


def test_a_refused_request_leaves_no_row(session):
    with pytest.raises(requests.RequestRefused, match="not a customer segment"):
        requests.file_request(session, "monthly_spend", "", "", "Whales", "ana", AS_OF)
    assert requests.list_requests(session) == []


def test_a_plain_sql_insert_works_locally_with_every_default(session):
    requests.ensure_requests_table(session)
    session.execute("INSERT INTO observability.report_requests (report, date_from, date_to) "
                    "VALUES ('monthly_spend', '2026-01-01', '2026-06-30')")
    [row] = requests.waiting(session)
    assert (row.request_id, row.status, row.requested_by, row.object_keys) == (1, "requested", "duckdb", [])
    assert abs(row.requested_at - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(minutes=1)


def test_cancel_wins_only_before_the_run_starts_and_a_started_run_cannot_be_cancelled(session):
    waiting = requests.file_request(session, "monthly_spend", "", "", "", "ana", AS_OF)
    started = requests.file_request(session, "monthly_spend", "", "", "", "ana", AS_OF)
    assert requests.cancel(session, waiting.request_id).status == "cancelled"
    assert requests.start_running(session, waiting.request_id, "run-a").status == "cancelled"  # its run must stop
    assert requests.start_running(session, started.request_id, "run-b").status == "running"
    with pytest.raises(requests.RequestNotCancellable, match="is running"):
        requests.cancel(session, started.request_id)
    with pytest.raises(requests.RequestNotFound, match="no report request has id 99"):
        requests.cancel(session, 99)


def test_a_run_moves_its_request_to_completed_with_the_keys_and_only_its_own_reexecution_restarts_a_failure(session):
    one = requests.file_request(session, "monthly_spend", "", "", "", "ana", AS_OF).request_id
    assert requests.start_running(session, one, "root-1").run_id == "root-1"
    assert requests.start_running(session, one, "root-2").run_id == "root-1"  # another run does not take it
    requests.failed(session, one, "ReportFailed: the object store did not answer")
    assert requests.get(session, one).error == "ReportFailed: the object store did not answer"
    assert requests.start_running(session, one, "root-2").status == "failed"
    assert requests.start_running(session, one, "root-1").status == "running"  # a re-execution keeps the root id
    requests.completed(session, one, ["reports/monthly_spend/a.csv"], None)
    done = requests.get(session, one)
    assert (done.status, done.object_keys, done.error) == ("completed", ["reports/monthly_spend/a.csv"], None)
    requests.failed(session, one, "too late")  # an ended request stays as it ended
    assert requests.get(session, one).status == "completed"


def test_counts_and_overdue_requests_for_the_metrics_and_the_alerts(session):
    ids = [requests.file_request(session, "monthly_spend", "", "", "", "ana", AS_OF).request_id for _ in range(4)]
    requests.start_running(session, ids[1], "r1")
    requests.failed(session, ids[2], "bad")
    requests.cancel(session, ids[3])
    assert requests.counts_by_status(session) == {"requested": 1, "running": 1, "completed": 0, "failed": 1,
                                                  "cancelled": 1}
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=2)
    assert [r.request_id for r in requests.overdue_requests(session, dt.timedelta(hours=1), now=later)] == ids[:3]
    assert [r.request_id for r in requests.overdue_requests(session, dt.timedelta(hours=3), now=later)] == [ids[2]]
    assert requests.overdue_requests(session, dt.timedelta(hours=3), now=later, failed_since=later) == []


def _columns(statement: str, dialect: str) -> dict[str, bool]:
    create = sqlglot.parse_one(statement, read=dialect)
    return {c.name.lower(): any(isinstance(k.args.get("kind"), exp.NotNullColumnConstraint)
                                for k in c.args.get("constraints") or [])
            for c in create.find_all(exp.ColumnDef)}


def test_the_snowflake_table_has_the_local_columns_in_the_same_order_and_nullability():
    [table] = [s for s in split_statements(SETUP.read_text()) if s.startswith("CREATE TABLE")]
    local = _columns(requests.LOCAL_DDL[1], "duckdb")
    assert _columns(table, "snowflake") == local and tuple(local) == requests.COLUMNS


def test_the_snowflake_procedure_applies_the_same_rules_and_is_granted_to_the_readers():
    statements = split_statements(SETUP.read_text())
    [procedure] = [s for s in statements if s.startswith("CREATE OR REPLACE PROCEDURE")]
    listed = re.search(r"NOT IN \(([^)]*)\)", procedure).group(1)
    assert sorted(name.strip(" '") for name in listed.split(",")) == sorted(REPORTS_BY_NAME)
    assert "EXECUTE AS OWNER" in procedure and "RETURNS NUMBER" in procedure
    for rule in ("RAISE unknown_report", "RAISE bad_date", "RAISE backwards", "RAISE after_as_of",
                 "RAISE unknown_segment", "TRY_TO_DATE(to_day, 'YYYY-MM-DD')", "DATEADD(day, -364, range_end)"):
        assert rule in procedure
    assert procedure.count("$$") == 2 and procedure.rstrip().endswith("$$")  # one statement, body whole
    grants = [" ".join(s.split()) for s in statements if s.startswith("GRANT")]
    for role in ("DATA_ANALYST", "MARKETING_MANAGER"):
        assert (f"GRANT USAGE ON PROCEDURE ${{DATABASE}}.OBSERVABILITY.REQUEST_REPORT(VARCHAR, VARCHAR, VARCHAR, "
                f"VARCHAR) TO ROLE {role}") in grants
        assert f"GRANT SELECT ON VIEW ${{DATABASE}}.OBSERVABILITY.V_REPORT_REQUESTS TO ROLE {role}" in grants
    assert not [g for g in grants if "SELECT ON TABLE" in g]  # the error text stays DATA_ENGINEER's
    [view] = [s for s in statements if s.startswith("CREATE OR REPLACE VIEW")]
    assert " ".join(view.split()).upper() == " ".join(requests.LOCAL_DDL[2].split()).upper()  # the local view


def test_a_dollar_quoted_body_stays_one_statement_whatever_semicolons_it_holds():
    text = "CREATE TABLE a (x INT);\nCREATE PROCEDURE p() AS\n$$\nBEGIN\n  SELECT 1;\n  RETURN 2;\nEND;\n$$;\nGRANT x;"
    assert split_statements(text) == ["CREATE TABLE a (x INT)", "CREATE PROCEDURE p() AS\n$$\nBEGIN\n  SELECT 1;\n"
                                      "  RETURN 2;\nEND;\n$$", "GRANT x"]


def test_only_a_requests_own_result_files_are_offered_for_download():
    own = [f"reports/monthly_spend/2026-06-30/run-1/monthly_spend.{ext}" for ext in ("csv", "html", "parquet")]
    planted = ["landing/transactions/2026-06-30/part-0.csv", "reports/monthly_spend/2026-06-30/run-1/../../../x.csv",
               "reports/churn_watchlist/2026-06-30/run-1/churn_watchlist.csv",
               "reports/monthly_spend/2026-06-30/run-2/monthly_spend.csv"]
    assert requests.result_keys("monthly_spend", "2026-06-30", "run-1", [*own, *planted]) == own
    assert requests.result_keys("monthly_spend", "2026-06-30", "..", ["reports/monthly_spend/2026-06-30/../"
                                                                      "monthly_spend.csv"]) == []
    assert requests.result_keys("../landing", "2026-06-30", "run-1", own) == []
    assert requests.result_keys("monthly_spend", "not-a-day", "run-1", own) == []
    assert requests.result_keys("monthly_spend", "2026-06-30", None, own) == []


@pytest.mark.parametrize("key", ["../outside.csv", "reports/../../outside.csv", "/etc/passwd"])
def test_the_local_object_store_refuses_a_key_that_leaves_the_bucket(tmp_path, key):
    store = ObjectStoreResource(bucket="c360", local_root=str(tmp_path))
    with pytest.raises(ValueError, match="leaves the bucket"), store.open(key):
        pass


@pytest.mark.parametrize("export_table", ["gold.customer_360_profile", "bronze.transactions", "observability.x",
                                          "main.watch"])
def test_a_request_loads_its_result_only_into_the_reporting_schema(export_table):
    with pytest.raises(requests.RequestRefused, match=r"only into the schema reporting; ask for reporting\."):
        requests.validate("churn_watchlist", "", "", "", AS_OF, SEGMENTS, export_table)


def test_a_table_made_before_idempotency_keys_gets_the_column_and_a_key_names_one_request_for_a_day(session):
    older = requests.LOCAL_DDL[1].replace("request_key  VARCHAR,\n    idempotency_key VARCHAR", "request_key  VARCHAR")
    assert "idempotency_key" not in older
    session.execute("CREATE SCHEMA observability")
    session.execute(requests.LOCAL_DDL[0])
    session.execute(older)
    session.execute("INSERT INTO observability.report_requests (report, requested_by) VALUES ('monthly_spend', 'ana')")
    requests.ensure_requests_table(session)  # an existing warehouse, migrated in place: its row kept
    first, filed = requests.file_request_once(session, "monthly_spend", "", "", "", "api:crm", AS_OF, "", "k1")
    again, filed_again = requests.file_request_once(session, "monthly_spend", "", "", "", "api:crm", AS_OF, "", "k1")
    assert (first.request_id, filed, again, filed_again) == (2, True, first, False)
    with pytest.raises(requests.IdempotencyConflict, match=r"report 'churn_watchlist' \(it has 'monthly_spend'\)"):
        requests.file_request_once(session, "churn_watchlist", "", "", "", "api:crm", AS_OF, "", "k1")
    session.execute("UPDATE observability.report_requests SET requested_at = requested_at - INTERVAL 25 HOUR")
    assert requests.file_request_once(session, "monthly_spend", "", "", "", "api:crm", AS_OF, "", "k1")[1]  # a day on
