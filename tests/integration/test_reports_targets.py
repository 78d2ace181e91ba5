"""Reports on the production paths: Snowflake (fakesnow: the queries in Snowflake's dialect, report_runs from
snowflake_setup/07, the export through COPY from the report stage) and S3 (moto: verified uploads, an injected
upload failure)."""

from __future__ import annotations

import json
from decimal import Decimal

import boto3
import pytest
from conftest import AS_OF, free_port
from gold import build_gold, build_gold_on_snowflake
from moto.server import ThreadedMotoServer

from customer360.lib.reports import status
from customer360.lib.reports.catalogue import REPORTS, ReportParams
from customer360.lib.reports.export import ExportTarget
from customer360.lib.reports.publish import ReportFailed, Request, prefix, publish
from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.resources import object_store_resource, warehouse_resource
from customer360.settings import settings


def request(report, run_id: str, execution_id: str, export=None) -> Request:
    return Request(report, ReportParams.parse("", "", "", AS_OF), execution_id, run_id, "ops", export, retry_wait_s=0)


@pytest.fixture
def snowflake(snowflake_env):
    s = settings()
    warehouse = warehouse_resource(s)
    build_gold_on_snowflake(warehouse, s)
    return s, warehouse, object_store_resource(s)


def test_every_report_runs_on_snowflake_and_its_trail_lands_in_the_setup_table(snowflake):
    s, warehouse, store = snowflake
    counts = {report.name: publish(warehouse, store, request(report, f"sf-{report.name}", "sf")).row_count
              for report in REPORTS}
    assert counts == {"executive_summary": 12, "segment_performance": 3, "churn_watchlist": 3, "monthly_spend": 12}
    with warehouse.session() as session:
        trail = status.rows(session)
    assert sorted((r["report"], r["status"], r["row_count"]) for r in trail) == sorted(
        (name, "completed", n) for name, n in counts.items())


def test_the_export_on_snowflake_copies_the_staged_parquet_and_replaces_its_rows_on_a_rerun(snowflake):
    s, warehouse, store = snowflake
    [segments] = [r for r in REPORTS if r.name == "segment_performance"]
    target = ExportTarget.parse("reporting", "segment_perf")
    publish(warehouse, store, request(segments, "sf-a", "exec-1", target))
    again = publish(warehouse, store, request(segments, "sf-b", "exec-1", target))
    with warehouse.session() as session:
        rows = session.fetchall("select execution_id, segment, approved_spend, requested_by from reporting.segment_perf "
                                "order by approved_spend desc")
    assert again.exported_rows == 3
    assert [(e, seg, Decimal(spend), who) for e, seg, spend, who in rows] == [
        ("exec-1", "High-Value Travelers", Decimal(700), "ops"), ("exec-1", "Declining", Decimal(370), "ops"),
        ("exec-1", "Stable Mid-Spenders", Decimal(70), "ops")]


def test_the_snowflake_export_is_a_copy_from_the_report_stage_not_row_inserts(snowflake, monkeypatch):
    from customer360.lib.resources.snowflake_warehouse import SnowflakeSession

    s, warehouse, store = snowflake
    statements = []
    execute = SnowflakeSession.execute

    def recording(self, sql, params=()):
        statements.append(" ".join(sql.split()))
        return execute(self, sql, params)

    monkeypatch.setattr(SnowflakeSession, "execute", recording)
    [monthly] = [r for r in REPORTS if r.name == "monthly_spend"]
    publish(warehouse, store, request(monthly, "sf-c", "exec-c", ExportTarget("reporting", "monthly")))
    [copy] = [q for q in statements if q.startswith("COPY INTO reporting.monthly")]
    assert "FROM @bronze.report_stage" in copy and "FILES = ('monthly_spend/2026-06-30/sf-c/monthly_spend.parquet')" in copy
    assert not any(q.upper().startswith("INSERT INTO REPORTING") for q in statements)


BUCKET = "c360-reports"


@pytest.fixture
def s3_store(c360_env, monkeypatch):
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",  # pragma: allowlist secret
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
    s = settings()
    s.home.mkdir(parents=True, exist_ok=True)
    warehouse = warehouse_resource(s)
    with warehouse.session() as session:
        build_gold(session)
    yield warehouse, ObjectStoreResource(bucket=BUCKET, endpoint_url=endpoint, max_attempts=2), endpoint
    server.stop()


def test_reports_upload_to_s3_verified_and_a_failure_there_is_retried_then_recorded(s3_store, monkeypatch):
    warehouse, store, endpoint = s3_store
    [watchlist] = [r for r in REPORTS if r.name == "churn_watchlist"]
    published = publish(warehouse, store, request(watchlist, "s3-ok", "s3-ok"))
    listed = boto3.client("s3", endpoint_url=endpoint).list_objects_v2(Bucket=BUCKET, Prefix="reports/")["Contents"]
    assert sorted(o["Key"] for o in listed) == sorted(published.keys)

    # S3 answers 503 to every PUT of the next attempt: boto3 retries inside each call, the report retries the
    # upload, then records the failure and removes what it stored.
    def unavailable(request, **_):
        if request.method == "PUT":
            from botocore.awsrequest import AWSResponse

            class Raw:
                def stream(self, **_):
                    yield b""

            return AWSResponse(request.url, 503, {}, Raw())
        return None

    store._client().meta.events.register("before-send.s3", unavailable)
    with pytest.raises(ReportFailed, match="failed after 3 upload attempt"):
        publish(warehouse, store, request(watchlist, "s3-down", "s3-down"))
    with warehouse.session() as session:
        failed = [r for r in status.rows(session) if r["run_id"] == "s3-down"]
    assert [r["status"] for r in failed] == ["failed"] and "503" in failed[0]["error_message"]
    assert store.list(prefix("churn_watchlist", AS_OF, "s3-down")) == [] and json.loads(failed[0]["object_keys"]) == []
