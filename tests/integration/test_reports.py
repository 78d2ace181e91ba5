"""Reports on the local target: each report's figures against a hand-checkable gold layer, the files it writes, every
status transition (including an injected upload failure and a process killed mid-upload), the idempotent export, and
the Dagster assets and job."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from conftest import AS_OF
from gold import SECRET_NAMES, build_gold

from customer360.lib.reports import status
from customer360.lib.reports.catalogue import REPORTS_BY_NAME, ReportParameterError, ReportParams
from customer360.lib.reports.document import _Cell
from customer360.lib.reports.export import ExportError, ExportTarget
from customer360.lib.reports.publish import ReportFailed, Request, prefix, publish
from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.resources import object_store_resource, warehouse_resource
from customer360.settings import ROOT, settings

D = dt.date


@pytest.fixture
def local(c360_env):
    s = settings()
    s.home.mkdir(parents=True, exist_ok=True)
    warehouse = warehouse_resource(s)
    with warehouse.session() as session:
        build_gold(session)
    return s, warehouse, object_store_resource(s)


def request(name: str, run_id: str = "run-1", execution_id: str | None = None, export: ExportTarget | None = None,
            date_from: str = "", date_to: str = "", segment: str = "", retry_wait_s: float = 0) -> Request:
    params = ReportParams.parse(date_from, date_to, segment, AS_OF)
    return Request(REPORTS_BY_NAME[name], params, execution_id or run_id, run_id, "analyst@test", export,
                   retry_wait_s=retry_wait_s)


def rows(published) -> list[dict]:
    return published.result.to_pylist()


def test_executive_summary_reconciles_with_the_transactions_and_flags_partial_months(local):
    s, warehouse, store = local
    result = rows(publish(warehouse, store, request("executive_summary")))
    assert [r["month"] for r in result] == [D(2025, m, 1) for m in range(7, 13)] + [D(2026, m, 1) for m in range(1, 7)]
    assert all(r["transactions"] == r["approved_spend"] == 0 for r in result[:9])  # covered months without spend
    assert [(r["month"], r["first_day"], r["last_day"], r["active_customers"], r["transactions"], r["approved_spend"],
             r["high_risk_active_customers"], r["is_partial_month"]) for r in result[9:]] == [
        (D(2026, 4, 1), D(2026, 4, 1), D(2026, 4, 30), 2, 2, Decimal(300), 1, False),  # C1 100 + C2 200; C1 high risk
        (D(2026, 5, 1), D(2026, 5, 1), D(2026, 5, 31), 2, 2, Decimal(350), 1, False),  # C1 50 + C3 300 (not the 30)
        (D(2026, 6, 1), D(2026, 6, 1), D(2026, 6, 30), 3, 3, Decimal(490), 1, False),  # C2 20 + C3 400 + C4 70
    ]
    mid_june = rows(publish(warehouse, store, request("executive_summary", "run-2", date_to="2026-06-15")))
    assert [(r["month"], r["last_day"], r["approved_spend"], r["is_partial_month"]) for r in mid_june][-1] == (
        D(2026, 6, 1), D(2026, 6, 15), 400, True)


def test_a_range_cuts_at_its_days_and_each_row_says_which_days_it_covers(local):
    """date_from mid-April: April covers the 15th to the 30th only (C2's 200 on the 20th, not C1's 100 on the
    10th), is partial, and the monthly report gives no change for it nor for May against it."""
    s, warehouse, store = local
    for name, month, spend in (("executive_summary", "month", "approved_spend"), ("monthly_spend", "spend_month",
                                                                                  "spend")):
        result = rows(publish(warehouse, store, request(name, f"run-{name}", date_from="2026-04-15")))
        assert [(r[month], r["first_day"], r["last_day"], r[spend], r["is_partial_month"]) for r in result] == [
            (D(2026, 4, 1), D(2026, 4, 15), D(2026, 4, 30), 200, True),
            (D(2026, 5, 1), D(2026, 5, 1), D(2026, 5, 31), 350, False),
            (D(2026, 6, 1), D(2026, 6, 1), D(2026, 6, 30), 490, False)], name
    monthly = rows(publish(warehouse, store, request("monthly_spend", "run-m2", date_from="2026-04-15")))
    assert [r["spend_change"] for r in monthly] == [None, None, 140]


def test_counts_print_as_whole_numbers_and_amounts_with_cents(local):
    s, warehouse, store = local
    published = publish(warehouse, store, request("monthly_spend", "run-fmt", date_from="2026-04-01"))
    html = store._path(next(k for k in published.keys if k.endswith(".html"))).read_text()
    assert '<td class="num">490.00</td><td class="num">3</td>' in html  # June: spend, then transactions
    # a count the engine summed arrives as DECIMAL(38, 0)
    assert [_Cell(v).text for v in (Decimal(1490), Decimal("1490.50"), Decimal("0.00"), 1490)] == [
        "1,490", "1,490.50", "0.00", "1,490"]


def test_segment_performance_counts_every_customer_of_the_segment_even_without_spend(local):
    s, warehouse, store = local
    result = rows(publish(warehouse, store, request("segment_performance")))
    assert [(r["segment"], r["customers"], r["approved_spend"], r["transactions"], r["avg_lifetime_value"],
             r["high_risk_customers"]) for r in result] == [
        ("High-Value Travelers", 1, 700, 2, 1699, 0),
        ("Declining", 2, 370, 4, 185, 1),
        ("Stable Mid-Spenders", 1, 70, 1, 70, 1),
    ]
    april = rows(publish(warehouse, store, request("segment_performance", "run-2", date_to="2026-04-30")))
    assert {r["segment"]: r["approved_spend"] for r in april} == {"Declining": 300, "High-Value Travelers": 0,
                                                                  "Stable Mid-Spenders": 0}


def test_churn_watchlist_lists_high_and_medium_risk_riskiest_first_and_carries_no_pii(local):
    s, warehouse, store = local
    published = publish(warehouse, store, request("churn_watchlist"))
    assert [(r["customer_id"], r["churn_risk_band"]) for r in rows(published)] == [("C1", "High"), ("C4", "High"),
                                                                                  ("C2", "Medium")]
    assert not {"first_name", "last_name", "email"} & set(published.result.column_names)
    for key in published.keys:
        text = store._path(key).read_bytes()
        assert not any(name.encode() in text for name in SECRET_NAMES), key


def test_monthly_spend_gives_each_month_its_change_and_the_segment_filter_narrows_it(local):
    s, warehouse, store = local
    result = rows(publish(warehouse, store, request("monthly_spend", date_from="2026-04-01")))
    assert [(r["spend_month"], r["spend"], r["active_customers"], r["is_partial_month"], r["spend_change"])
            for r in result] == [(D(2026, 4, 1), 300, 2, False, None), (D(2026, 5, 1), 350, 2, False, 50),
                                 (D(2026, 6, 1), 490, 3, False, 140)]
    declining = rows(publish(warehouse, store, request("monthly_spend", "run-2", segment="Declining",
                                                       date_from="2026-04-01")))
    assert [(r["spend_month"], r["spend"]) for r in declining] == [(D(2026, 4, 1), 300), (D(2026, 5, 1), 50),
                                                                   (D(2026, 6, 1), 20)]


def test_each_attempt_writes_csv_parquet_and_a_document_with_a_chart_under_its_report_and_date(local):
    s, warehouse, store = local
    published = publish(warehouse, store, request("segment_performance", "run-9"))
    base = "reports/segment_performance/2026-06-30/run-9/segment_performance"
    assert published.keys == [f"{base}.parquet", f"{base}.csv", f"{base}.html"]
    parquet = pq.read_table(store._path(f"{base}.parquet"))
    csv = pcsv.read_csv(io.BytesIO(store._path(f"{base}.csv").read_bytes()))
    assert parquet.num_rows == csv.num_rows == published.row_count == 3
    assert parquet.column_names == csv.column_names == published.result.column_names
    html = store._path(f"{base}.html").read_text()
    assert "<h1>Segment performance</h1>" in html and "<svg" in html and "Approved spend by segment" in html
    assert "2025-07-01 to 2026-06-30" in html and "High-Value Travelers" in html and "<script" not in html


def test_a_completed_attempt_went_pending_then_uploading_then_completed(local, monkeypatch):
    """Each transition is committed when it happens: seen from another session while the upload is under way."""
    s, warehouse, store = local
    seen = []
    put_file = ObjectStoreResource.put_file

    def watching(self, source, key):
        with warehouse.session() as session:
            seen.append(status.rows(session, "monthly_spend")[0]["status"])
        return put_file(self, source, key)

    monkeypatch.setattr(ObjectStoreResource, "put_file", watching)
    publish(warehouse, store, request("monthly_spend", "run-5", export=ExportTarget("reporting", "monthly")))
    with warehouse.session() as session:
        [row] = status.rows(session, "monthly_spend")
    assert seen == ["uploading"] * 3
    assert row["status"] == "completed" and row["row_count"] == 12 and row["upload_attempts"] == 1
    assert json.loads(row["object_keys"]) == [f"{prefix('monthly_spend', AS_OF, 'run-5')}monthly_spend.{ext}"
                                              for ext in ("parquet", "csv", "html")]
    assert json.loads(row["parameters"]) == {"date_from": "2025-07-01", "date_to": "2026-06-30", "segment": ""}
    assert row["requested_by"] == "analyst@test" and row["export_table"] == "reporting.monthly"
    assert row["uploaded_at"] >= row["started_at"] and row["error_message"] is None


def _failing_uploads(monkeypatch, failures: int):
    put_file, calls = ObjectStoreResource.put_file, {"n": 0}

    def flaky(self, source, key):
        calls["n"] += 1
        if calls["n"] <= failures:
            raise ConnectionResetError(f"injected upload failure {calls['n']}")
        return put_file(self, source, key)

    monkeypatch.setattr(ObjectStoreResource, "put_file", flaky)
    return calls


def test_a_failed_upload_is_retried_and_then_completes(local, monkeypatch):
    s, warehouse, store = local
    _failing_uploads(monkeypatch, failures=2)
    published = publish(warehouse, store, request("churn_watchlist"))
    with warehouse.session() as session:
        [row] = status.rows(session)
    assert published.upload_attempts == 3 and row["status"] == "completed" and row["upload_attempts"] == 3
    assert all(store.exists(key) for key in published.keys)


def test_an_upload_that_keeps_failing_is_recorded_failed_with_its_error_and_leaves_no_object(local, monkeypatch):
    s, warehouse, store = local
    put_file = ObjectStoreResource.put_file

    def parquet_only(self, source, key):  # the first file lands, the second never does
        if not key.endswith(".parquet"):
            raise ConnectionResetError("injected: the bucket stopped answering")
        return put_file(self, source, key)

    monkeypatch.setattr(ObjectStoreResource, "put_file", parquet_only)
    with pytest.raises(ReportFailed, match="failed after 3 upload attempt.*injected: the bucket stopped answering"):
        publish(warehouse, store, request("churn_watchlist", "run-7"))
    with warehouse.session() as session:
        [row] = status.rows(session)
    assert row["status"] == "failed" and row["upload_attempts"] == 3 and json.loads(row["object_keys"]) == []
    assert row["error_message"] == "ConnectionResetError: injected: the bucket stopped answering"
    assert store.list(prefix("churn_watchlist", AS_OF, "run-7")) == []


KILLED = """
import os, signal, sys
sys.path[:0] = {paths!r}
from conftest import AS_OF
from customer360.lib.reports.catalogue import REPORTS_BY_NAME, ReportParams
from customer360.lib.reports.publish import Request, publish
from customer360.resources import object_store_resource, warehouse_resource
from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.settings import ROOT, settings

put_file = ObjectStoreResource.put_file

def put_then_die(self, source, key):
    stored = put_file(self, source, key)
    os.kill(os.getpid(), signal.SIGKILL)  # the process dies after its first object: no except, no finally

ObjectStoreResource.put_file = put_then_die
s = settings()
params = ReportParams.parse("", "", "", AS_OF)
publish(warehouse_resource(s), object_store_resource(s),
        Request(REPORTS_BY_NAME["executive_summary"], params, "exec-k", "run-k", "cron"))
"""


def test_a_run_killed_mid_upload_stays_uploading_and_a_rerun_completes(local, tmp_path):
    s, warehouse, store = local
    script = tmp_path / "killed.py"
    script.write_text(textwrap.dedent(KILLED.format(paths=sys.path)))
    killed = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert killed.returncode == -9, killed.stderr[-2000:]
    with warehouse.session() as session:
        [row] = status.rows(session)
    assert row["status"] == "uploading" and row["uploaded_at"] is None  # never a false completed
    # The re-execution (same execution, new run) completes; the killed attempt's row keeps telling what happened.
    publish(warehouse, store, request("executive_summary", "run-k2", execution_id="exec-k"))
    with warehouse.session() as session:
        found = {r["run_id"]: r["status"] for r in status.rows(session)}
    assert found == {"run-k": "uploading", "run-k2": "completed"}


def test_an_export_replaces_its_own_rows_on_a_rerun_and_never_duplicates(local):
    s, warehouse, store = local
    target = ExportTarget.parse("reporting", "segment_perf")
    first = publish(warehouse, store, request("segment_performance", "run-a", execution_id="exec-1", export=target))
    again = publish(warehouse, store, request("segment_performance", "run-b", execution_id="exec-1", export=target))
    other = publish(warehouse, store, request("segment_performance", "run-c", execution_id="exec-2", export=target,
                                              segment="Declining"))
    assert first.exported_rows == again.exported_rows == 3 and other.exported_rows == 1
    with warehouse.session() as session:
        by_execution = dict(session.fetchall(
            "select execution_id, count(*) from reporting.segment_perf group by 1 order by 1"))
        uploaded, who = session.fetchone("select max(uploaded_at), max(requested_by) from reporting.segment_perf "
                                         "where execution_id = 'exec-1'")
        spend = session.fetchone("select sum(approved_spend) from reporting.segment_perf where execution_id = 'exec-1'")
    assert by_execution == {"exec-1": 3, "exec-2": 1}
    assert uploaded == again.uploaded_at and who == "analyst@test" and spend == (Decimal(1140),)


def test_an_export_into_a_table_of_another_shape_fails_naming_both_and_records_failed(local):
    s, warehouse, store = local
    with warehouse.session() as session:
        session.execute("create schema if not exists reporting")
        session.execute("create table reporting.taken (id integer, note varchar)")
    with pytest.raises(ReportFailed, match="reporting.taken exists with columns id, note, but this report writes "
                                           "spend_month"):
        publish(warehouse, store, request("monthly_spend", "run-x", export=ExportTarget("reporting", "taken")))
    with warehouse.session() as session:
        [row] = status.rows(session)
    assert row["status"] == "failed" and store.list(prefix("monthly_spend", AS_OF, "run-x")) == []


@pytest.mark.parametrize("args,message", [
    (("2026-13-01", "", ""), "date_from='2026-13-01' is not a date; use YYYY-MM-DD"),
    (("2026-06-01", "2026-05-01", ""), "date_from 2026-06-01 is after date_to 2026-05-01"),
])
def test_bad_dates_are_refused_with_what_to_pass(args, message):
    with pytest.raises(ReportParameterError, match=message):
        ReportParams.parse(*args, as_of=AS_OF)


@pytest.mark.parametrize("schema,table,message", [
    ("reporting", "", "export_schema and export_table go together"),
    ("reporting", "t; drop table x", "export_table='t; drop table x' is not a plain identifier"),
    ("re-porting", "t", "export_schema='re-porting' is not a plain identifier"),
])
def test_bad_export_targets_are_refused_before_anything_runs(schema, table, message):
    with pytest.raises(ExportError, match=message):
        ExportTarget.parse(schema, table)


def test_an_unknown_segment_fails_naming_the_real_ones_and_is_recorded(local):
    s, warehouse, store = local
    with pytest.raises(ReportFailed, match="segment='Decl' is not a customer segment; use one of Declining, "
                                           "High-Value Travelers, Stable Mid-Spenders"):
        publish(warehouse, store, request("churn_watchlist", segment="Decl"))
    with warehouse.session() as session:
        assert [r["status"] for r in status.rows(session)] == ["failed"]


def test_text_parameters_are_bound_never_pasted_into_sql(local):
    s, warehouse, store = local
    hostile = "x' or 1=1; drop table gold.fct_transactions; --"
    with pytest.raises(ReportFailed, match="is not a customer segment"):
        publish(warehouse, store, request("segment_performance", segment=hostile))
    with warehouse.session() as session:
        assert session.fetchone("select count(*) from gold.fct_transactions") == (9,)


def test_the_reports_job_materializes_every_report_with_its_trail_and_run_config(local):
    import dagster as dg

    from customer360.definitions import defs

    s, warehouse, store = local
    job = defs().resolve_job_def("reports")
    config = {"ops": {"reports__segment_performance": {"config": {
        "segment": "Declining", "requested_by": "cfo", "export_schema": "reporting", "export_table": "by_segment"}}}}
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), run_config=config)
    assert result.success
    materialized = {e.asset_key.to_user_string(): e.materialization.metadata
                    for e in result.get_asset_materialization_events()}
    assert set(materialized) == {f"reports/{name}" for name in REPORTS_BY_NAME}
    segment = materialized["reports/segment_performance"]
    assert segment["dagster/row_count"].value == 1 and segment["exported_rows"].value == 1
    assert segment["document"].value.endswith("segment_performance.html")
    columns = {c.name: c.type for c in segment["dagster/column_schema"].value.columns}
    assert columns["segment"] == "varchar" and columns["customers"] == "bigint"
    with warehouse.session() as session:
        trail = status.rows(session)
    assert {r["report"]: (r["status"], r["requested_by"]) for r in trail}["segment_performance"] == ("completed", "cfo")
    assert {r["status"] for r in trail} == {"completed"} and {r["execution_id"] for r in trail} == {result.run_id}


@pytest.mark.parametrize("config,reason", [
    ({"date_from": "2026-13-01"}, "ReportParameterError: date_from='2026-13-01' is not a date"),
    ({"date_from": "2026-06-01", "date_to": "2026-05-01"}, "date_from 2026-06-01 is after date_to 2026-05-01"),
    ({"export_schema": "reporting"}, "ExportError: export_schema and export_table go together"),
])
def test_an_attempt_with_refused_parameters_leaves_its_failed_row_with_the_reason(local, config, reason):
    """The README's "latest attempt" query must show this attempt, not an older one."""
    import dagster as dg

    from customer360.definitions import defs

    s, warehouse, store = local
    publish(warehouse, store, request("monthly_spend", "an-earlier-run"))
    job = defs().resolve_job_def("reports")
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False,
                                    run_config={"ops": {"reports__monthly_spend": {"config": config}}})
    assert not result.success
    with warehouse.session() as session:
        latest = status.rows(session, "monthly_spend")[0]
    assert (latest["run_id"], latest["status"], latest["row_count"]) == (result.run_id, "failed", None)
    assert reason in latest["error_message"] and json.loads(latest["parameters"])["date_from"] == config.get(
        "date_from", "")
    # The failed run is in pipeline_run_metadata though no daemon ran, with the error the report raised.
    with warehouse.session() as session:
        [(state, error)] = session.fetchall("SELECT status, error_message FROM observability.pipeline_run_metadata "
                                            "WHERE run_id = ?", [result.run_id])
    assert state == "FAILURE" and error.startswith("reports__monthly_spend: ") and reason.split(": ")[-1] in error
    assert "Error occurred while executing" not in error


def test_reports_run_after_the_nightly_build_and_stay_out_of_the_builds():
    from customer360.definitions import defs
    from customer360.defs.pipeline.jobs import FULL_GRAPH_JOB
    from customer360.defs.reports.jobs import REPORTS_JOB, reports_after_nightly_build
    from customer360.defs.source.jobs import CUSTOMER_REFRESH_JOB
    from customer360.defs.transform.jobs import NIGHTLY_DBT_JOB

    definitions = defs()
    for job in (FULL_GRAPH_JOB, CUSTOMER_REFRESH_JOB, NIGHTLY_DBT_JOB):
        keys = definitions.resolve_job_def(job.name).asset_layer.asset_graph.get_all_asset_keys()
        assert not any(key.path[0] == "reports" for key in keys), job.name
    assert definitions.resolve_sensor_def("reports_after_nightly_build").job_name == REPORTS_JOB.name
    # When the nightly build succeeds, the sensor asks for one reports run per build run (a run key: never twice).
    import dagster as dg

    instance = dg.DagsterInstance.ephemeral()
    nightly = instance.create_run_for_job(definitions.resolve_job_def(NIGHTLY_DBT_JOB.name))
    event = dg.DagsterEvent(event_type_value="PIPELINE_SUCCESS", job_name=NIGHTLY_DBT_JOB.name)
    context = dg.build_run_status_sensor_context(sensor_name="reports_after_nightly_build", dagster_instance=instance,
                                                 dagster_run=nightly, dagster_event=event)
    request = reports_after_nightly_build(context)
    assert request.run_key == f"reports-after-{nightly.run_id}"


def test_a_report_runs_on_demand_from_the_dagster_cli_with_its_parameters(local):
    s, warehouse, store = local
    config = json.dumps({"ops": {"reports__monthly_spend": {"config": {"date_from": "2026-05-01",
                                                                         "requested_by": "cli-user"}}}})
    result = subprocess.run([str(Path(sys.executable).parent / "dagster"), "asset", "materialize", "-m",
                             "customer360.definitions", "--select", "reports/monthly_spend", "--config-json", config],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    with warehouse.session() as session:
        [row] = status.rows(session)
    assert (row["report"], row["status"], row["requested_by"], row["row_count"]) == ("monthly_spend", "completed",
                                                                                    "cli-user", 2)
    # No daemon ran: the run recorded itself (lib/observability/hooks.py) when its last step ended.
    with warehouse.session() as session:
        recorded = session.fetchall("SELECT run_id, status, assets_materialized, error_message FROM "
                                    "observability.pipeline_run_metadata")
    assert recorded == [(row["run_id"], "SUCCESS", 1, None)]
