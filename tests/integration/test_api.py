"""The report requests API as other services meet it: the real app served by uvicorn on loopback, called over HTTP
(httpx). A request filed through it is picked up by the requests sensor and run (the daemon's part, done here as in
test_report_requests.py), and the API then reports it completed with its files."""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time

import dagster as dg
import duckdb
import httpx
import pytest
import uvicorn
from conftest import free_port
from fastapi.testclient import TestClient
from test_report_requests import Platform
from test_reports import local  # noqa: F401 - registers the fixture

from customer360 import __main__ as cli
from customer360.api.server import create_app
from customer360.lib.reports import requests
from customer360.lib.resources.warehouse import WarehouseLocked, WarehouseUnavailable
from customer360.resources import object_store_resource, warehouse_resource
from customer360.settings import ROOT, settings

TOKEN = "test-token-0123456789abcdef0123456789abcdef"  # pragma: allowlist secret


@pytest.fixture
def api(request, monkeypatch):
    monkeypatch.setenv("C360_API_TOKEN", TOKEN)
    s, warehouse, store = request.getfixturevalue("local")
    s = settings()
    server = uvicorn.Server(uvicorn.Config(create_app(s, warehouse, store), host="127.0.0.1", port=free_port(),
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{server.config.port}"
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as client:
        yield client, Platform(s, warehouse, store), store
    server.should_exit = True
    thread.join(timeout=10)


def test_a_service_files_a_request_and_follows_it_to_its_files(api):
    client, platform, store = api
    created = client.post("/reports/requests", json={"report": "segment_performance", "date_from": "2026-04-01",
                                                     "date_to": "2026-06-30", "requested_by": "svc:crm"})
    assert created.status_code == 201
    body = created.json()
    assert (body["request_id"], body["status"], body["status_url"]) == (1, "requested", "/reports/requests/1")
    assert body["result_prefix"] == f"{store.location}reports/segment_performance/2026-06-30/<run_id>/"
    asked = dt.datetime.fromisoformat(body["requested_at"])  # with its zone: a client elsewhere reads the same instant
    assert asked.utcoffset() == dt.timedelta(0) and abs(dt.datetime.now(dt.UTC) - asked) < dt.timedelta(minutes=1)

    with platform:
        [run] = platform.tick()  # the sensor's pick-up
        assert client.get("/reports/requests/1").json()["status"] == "requested"
        assert platform.launch(run).success
    done = client.get("/reports/requests/1").json()
    assert done["status"] == "completed" and done["run_id"] and done["error"] is None
    assert sorted(done["object_keys"]) == platform.reports_written()
    assert done["files"] == [f"{store.location}{key}" for key in done["object_keys"]]
    assert client.get("/reports/requests/2").status_code == 404


def test_a_request_inserted_without_dates_shows_the_range_it_ran_once_picked_up(api):
    client, platform, store = api
    with platform.warehouse.session() as session:
        session.execute("INSERT INTO observability.report_requests (report, requested_by) VALUES ('churn_watchlist', 'bi')")
    with platform:
        assert platform.launch(platform.tick()[0]).success
    done = client.get("/reports/requests/1").json()
    assert (done["status"], done["date_from"], done["date_to"]) == ("completed", "2025-07-01", "2026-06-30")
    assert done["result_prefix"] == f"{store.location}reports/churn_watchlist/2026-06-30/{done['run_id']}/"
    assert done["files"] and all(f.startswith(done["result_prefix"]) for f in done["files"])


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": TOKEN}])
def test_every_call_but_health_and_the_contract_needs_the_token(api, headers):
    client, _, _ = api
    bare = httpx.Client(base_url=str(client.base_url), headers=headers)
    for method, path in (("POST", "/reports/requests"), ("GET", "/reports/requests/1"), ("GET", "/metrics"),
                         ("DELETE", "/reports/requests/1")):
        answer = bare.request(method, path, json={"report": "monthly_spend"})
        assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer", (method, path)
    assert bare.get("/health").json() == {"status": "ok"}
    paths = bare.get("/openapi.json").json()["paths"]
    assert {"/reports/requests", "/reports/requests/{request_id}", "/metrics", "/health"} <= set(paths)


@pytest.mark.parametrize("body,said", [
    ({"report": "sales"}, "Input should be 'executive_summary', 'segment_performance', 'churn_watchlist' or "
                          "'monthly_spend'"),
    ({"report": "monthly_spend", "date_from": "2026-02-30"}, "Input should be a valid date"),
    ({"report": "monthly_spend", "date_from": "2026-06-01", "date_to": "2026-05-01"}, "is after date_to"),
    ({"report": "monthly_spend", "date_to": "2026-07-01"}, "after the data's as-of date 2026-06-30"),
    ({"report": "monthly_spend", "segment": "Whales"}, "segment='Whales' is not a customer segment"),
    ({"report": "monthly_spend", "export_table": "gold.customer_360_profile"}, "only into the schema reporting"),
    ({}, "Field required"),
    ({"report": "monthly_spend", "from": "2026-04-01", "to": "2026-05-31"}, "Extra inputs are not permitted"),
    ({"report": "monthly_spend", "segmnet": "Declining"}, '"loc":["body","segmnet"]'),
])
def test_a_bad_request_is_422_with_the_reason_and_files_nothing(api, body, said):
    client, platform, _ = api
    answer = client.post("/reports/requests", json=body)
    assert answer.status_code == 422 and said in answer.text
    with platform.warehouse.session() as session:
        assert requests.list_requests(session) == []


def test_metrics_count_the_requests_by_status_and_cancel_answers_409_once_started(api):
    client, platform, _ = api
    ids = [client.post("/reports/requests", json={"report": "churn_watchlist"}).json()["request_id"] for _ in range(4)]
    assert client.delete(f"/reports/requests/{ids[0]}").json()["status"] == "cancelled"
    with platform.warehouse.session() as session:
        requests.start_running(session, ids[1], "run-x")
        requests.failed(session, ids[2], "boom")
    assert client.delete(f"/reports/requests/{ids[1]}").status_code == 409
    text = client.get("/metrics")
    assert text.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = dict(line.rsplit(" ", 1) for line in text.text.splitlines() if not line.startswith("#"))
    assert {k: int(v) for k, v in samples.items() if k.startswith("c360_report_requests{")} == {
        'c360_report_requests{status="requested"}': 1, 'c360_report_requests{status="running"}': 1,
        'c360_report_requests{status="completed"}': 0, 'c360_report_requests{status="failed"}': 1,
        'c360_report_requests{status="cancelled"}': 1}
    with platform.warehouse.session() as session:
        asked = requests.get(session, ids[3]).requested_at  # the one request still waiting
    age = (dt.datetime.now(dt.UTC).replace(tzinfo=None) - asked).total_seconds()
    assert 0 <= age - float(samples["c360_report_requests_oldest_waiting_seconds"]) < 5


def test_parallel_calls_are_answered_and_every_request_filed_is_one_the_caller_was_given(api):
    """Services post and poll while Prometheus scrapes /metrics: uvicorn runs the calls in parallel threads."""
    client, platform, _ = api
    calls = [("POST", "/reports/requests"), ("GET", "/reports/requests/1"), ("GET", "/metrics")] * 16

    def call(method_path: tuple[str, str]) -> tuple[str, int]:
        method, path = method_path
        with httpx.Client(base_url=str(client.base_url), headers=client.headers, timeout=60) as own:
            body = {"json": {"report": "monthly_spend"}} if method == "POST" else {}
            return method, own.request(method, path, **body).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(call, calls))
    assert {code for _, code in answers} <= {200, 201, 404, 503}  # 404: /1 asked before the first POST committed
    assert sum(1 for _, code in answers if code == 201) > 0
    with platform.warehouse.session() as session:
        filed = len(requests.list_requests(session))
    assert filed == sum(1 for method, code in answers if method == "POST" and code == 201)


@contextlib.contextmanager
def held(warehouse_path):
    """Another process (a run) holds the DuckDB file until the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; held = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(300)", str(warehouse_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


def raw_post(client: httpx.Client, body: dict, key: str) -> tuple[int, dict]:
    """A POST with the key's value as given, spaces too (httpx refuses to send them; a proxy may pass them on)."""
    connection = http.client.HTTPConnection(client.base_url.host, client.base_url.port, timeout=30)
    try:
        headers = {name: value for name, value in client.headers.items() if name.lower() == "authorization"}
        connection.request("POST", "/reports/requests", json.dumps(body),
                           {**headers, "Content-Type": "application/json", "Idempotency-Key": key})
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


def test_a_post_retried_with_its_idempotency_key_files_once_and_the_key_with_another_body_is_409(api):
    """A client whose POST met a run holding the file is told 503 within seconds (not after the pipeline's two
    minutes, long after it gave up) with nothing filed; its retries with the same key file the request once."""
    client, platform, _ = api
    body, key = {"report": "monthly_spend", "date_from": "2026-01-01", "date_to": "2026-06-30"}, {"Idempotency-Key": "crm-7"}
    with held(platform.s.warehouse_path):
        started = time.monotonic()
        busy = client.post("/reports/requests", json=body, headers=key, timeout=20)
        assert (busy.status_code, busy.headers["retry-after"]) == (503, "30") and time.monotonic() - started < 15
    first = client.post("/reports/requests", json=body, headers=key)
    again = client.post("/reports/requests", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 200) and again.json() == first.json()
    other = client.post("/reports/requests", json={**body, "segment": "Declining"}, headers=key)
    assert other.status_code == 409 and "Idempotency-Key 'crm-7' already names request 1" in other.json()["detail"]
    assert "segment 'Declining' (it has '')" in other.json()["detail"]
    padded = raw_post(client, body, "  crm-7 ")  # as a proxy may pass it on: the same key
    assert padded[0] == 200 and padded[1] == first.json()
    blank = raw_post(client, body, "   ")
    assert blank[0] == 422 and "Idempotency-Key" in json.dumps(blank[1])  # a blank key is refused, naming the header
    stranger = client.post("/reports/requests", json={**body, "requested_by": "billing"}, headers=key)
    assert stranger.status_code == 409 and "requested_by (another caller's)" in stranger.json()["detail"]
    assert "'api'" not in stranger.json()["detail"] and "billing" not in stranger.json()["detail"]  # nobody's name
    assert client.post("/reports/requests", json=body, headers={"Idempotency-Key": "crm-8"}).status_code == 201
    with platform.warehouse.session() as session:
        assert [r.request_id for r in requests.list_requests(session)] == [2, 1]


def test_calls_behind_a_held_warehouse_answer_503_within_seconds_and_health_at_once(api):
    """Each call waits a few seconds for the calls before it and for the file, never the pipeline's lock wait each:
    a burst used to queue, call k answering after k lock waits."""
    client, platform, _ = api

    def call(path: str) -> tuple[int, str | None, float]:
        started = time.monotonic()
        with httpx.Client(base_url=str(client.base_url), headers=client.headers, timeout=40) as own:
            answer = own.get(path)
        return answer.status_code, answer.headers.get("retry-after"), time.monotonic() - started

    with held(platform.s.warehouse_path), concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        burst = list(pool.map(call, ["/metrics"] * 6))
        health = call("/health")
    assert {(code, retry) for code, retry, _ in burst} <= {(503, "30"), (503, "5")}
    assert max(took for _, _, took in burst) < 20, burst
    assert (health[0], health[2] < 2) == (200, True)


def test_a_warehouse_that_was_never_built_files_nothing_and_says_to_run_make_demo(c360_env, monkeypatch, capsys):
    """An empty file passes "is there a warehouse": the API and the CLI refuse it, as a request filed there would wait
    for a pipeline that never ran."""
    monkeypatch.setenv("C360_API_TOKEN", TOKEN)
    s = settings()
    s.home.mkdir(parents=True)
    duckdb.connect(str(s.warehouse_path)).close()  # an empty file: a connect to a home that was never built made it
    client = TestClient(create_app(s, warehouse_resource(s), object_store_resource(s)),
                        headers={"Authorization": f"Bearer {TOKEN}"})
    answer = client.post("/reports/requests", json={"report": "monthly_spend"})
    assert answer.status_code == 503 and "was never built" in answer.json()["detail"]
    assert "run `make demo` first" in answer.json()["detail"]
    assert cli.main(["request-report", "monthly_spend"]) == 2
    assert "was never built" in capsys.readouterr().err
    with duckdb.connect(str(s.warehouse_path)) as conn:
        assert conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'report_requests'"
                            ).fetchone() == (0,)


def test_an_id_a_sql_insert_gave_itself_does_not_fail_the_next_post(api):
    client, platform, _ = api
    with platform.warehouse.session() as session:
        session.execute("INSERT INTO observability.report_requests (request_id, report, requested_by) "
                        "VALUES (1, 'monthly_spend', 'ana')")
    answers = [client.post("/reports/requests", json={"report": "monthly_spend"}) for _ in range(2)]
    assert [(a.status_code, a.json()["request_id"]) for a in answers] == [(201, 2), (201, 3)]


def test_the_api_shows_no_ones_requested_by_but_the_filers_and_no_failed_querys_error_text(api):
    client, platform, _ = api
    filed = client.post("/reports/requests", json={"report": "churn_watchlist", "requested_by": "svc:crm"}).json()
    assert filed["requested_by"] == "api:svc:crm" and (filed["has_error"], filed["error"]) == (False, None)
    with platform.warehouse.session() as session:
        assert requests.get(session, filed["request_id"]).requested_by == "api:svc:crm"  # the trail marks the API's
    again = client.post("/reports/requests", json={"report": "churn_watchlist", "requested_by": "api:crm"}).json()
    assert again["requested_by"] == "api:crm"
    assert client.post("/reports/requests", json={"report": "churn_watchlist"}).json()["requested_by"] == "api"
    by_ana, refused, died = (platform.insert("monthly_spend", by="ana@example.com"),
                             platform.insert("sales_last_quarter"), platform.insert("monthly_spend"))
    with platform.warehouse.session() as session:
        requests.start_running(session, died, "run-9")
        requests.failed(session, died, "reports__monthly_spend: Binder Error: value 'Alice Smith' ...", run_id="run-9")
    platform.tick()  # refuses sales_last_quarter
    views = {i: client.get(f"/reports/requests/{i}").json() for i in (filed["request_id"], by_ana, refused, died)}
    assert {v["requested_by"] for v in views.values()} == {None}
    assert views[refused]["has_error"] and views[refused]["error"].startswith(
        "refused: report 'sales_last_quarter' is not in the catalogue")
    assert views[died]["has_error"] and views[died]["error"] == (
        "failed: the error is kept for the data engineers (it can quote a failed query's values); see run run-9 in "
        "Dagster")
    assert "Alice" not in json.dumps(views) and "ana@example.com" not in json.dumps(views)


def test_an_api_started_yesterday_resolves_as_of_at_each_call_when_it_is_not_pinned(request, monkeypatch):
    monkeypatch.setenv("C360_API_TOKEN", TOKEN)
    s, warehouse, store = request.getfixturevalue("local")
    today = dt.date.today()
    started = dataclasses.replace(settings(), as_of=today - dt.timedelta(days=1), as_of_pinned=False)  # C360_AS_OF unset
    client = TestClient(create_app(started, warehouse, store), headers={"Authorization": f"Bearer {TOKEN}"})
    assert client.post("/reports/requests", json={"report": "monthly_spend"}).json()["date_to"] == today.isoformat()
    asked = client.post("/reports/requests", json={"report": "monthly_spend", "date_to": today.isoformat()})
    assert asked.status_code == 201 and asked.json()["date_from"] == (today - dt.timedelta(days=364)).isoformat()
    pinned = dataclasses.replace(started, as_of_pinned=True)  # C360_AS_OF set: that day, whatever the calendar says
    late = TestClient(create_app(pinned, warehouse, store), headers={"Authorization": f"Bearer {TOKEN}"}).post(
        "/reports/requests", json={"report": "monthly_spend", "date_to": today.isoformat()})
    assert late.status_code == 422 and f"is after the data's as-of date {started.as_of}" in late.text


class Unavailable:
    """A Warehouse whose session cannot be had: `error` is what warehouse.session() raises."""

    def __init__(self, error: Exception):
        self.error = error

    @contextlib.contextmanager
    def session(self):
        raise self.error
        yield


def _unreachable() -> dg.RetryRequested:
    retry = dg.RetryRequested(max_retries=3)
    retry.__cause__ = WarehouseUnavailable("Cannot connect to the warehouse")
    retry.__cause__.__cause__ = ConnectionError("250001: Could not connect to Snowflake backend")
    return retry


@pytest.mark.parametrize("error,said", [
    (WarehouseLocked("The warehouse stayed locked by PID 42 (python) for 120 s"),
     "it is busy: The warehouse stayed locked by PID 42 (python) for 120 s"),
    (_unreachable(), "it cannot be reached (250001: Could not connect to Snowflake backend)"),
])
def test_a_busy_or_unreachable_warehouse_is_503_with_the_reason_and_when_to_ask_again(c360_env, monkeypatch, error,
                                                                                       said):
    monkeypatch.setenv("C360_API_TOKEN", TOKEN)
    s = settings()
    client = TestClient(create_app(s, Unavailable(error), object_store_resource(s)),
                        headers={"Authorization": f"Bearer {TOKEN}"}, raise_server_exceptions=False)
    for answer in (client.post("/reports/requests", json={"report": "monthly_spend"}),
                   client.get("/reports/requests/1"), client.get("/metrics")):
        assert (answer.status_code, answer.headers["retry-after"]) == (503, "30")
        assert answer.json()["detail"] == f"the warehouse is not available, {said}; ask again in 30 s"


def test_the_api_command_refuses_to_start_without_a_token(c360_env, monkeypatch, capsys):
    monkeypatch.delenv("C360_API_TOKEN", raising=False)
    assert cli.main(["api"]) == 2 and "api needs C360_API_TOKEN" in capsys.readouterr().err


def _documented(fence: str) -> list[str]:
    """The lines of docs/reports.md's blocks that hold `fence`'s commands (```bash: the shell's)."""
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "docs" / "reports.md").read_text(), re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.startswith(fence)]


def test_the_documented_commands_serve_the_api_and_curl_files_and_follows_a_request(request):
    """docs/reports.md's commands as a reader pastes them: `.venv/bin/python -m customer360 api` in one process, its curl lines
    in a shell (the port the only change: a free one instead of 8040)."""
    request.getfixturevalue("local")  # a home with the gold layer (segments) in this test's C360_HOME
    port = free_port()
    env = {**os.environ, "C360_API_TOKEN": TOKEN, "C360_API_PORT": str(port), "PYTHONPATH": str(ROOT)}
    [serve] = _documented(".venv/bin/python -m customer360 api")
    server = subprocess.Popen(["bash", "-c", serve.replace(".venv/bin/python ", f"{sys.executable} ", 1)], env=env,
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, server.stdout.read()
                time.sleep(0.2)
        answers = [subprocess.run(["bash", "-c", line.replace(":8040/", f":{port}/")], env=env, capture_output=True,
                                  text=True, check=True).stdout for line in _documented("curl ")]
    finally:
        server.terminate()
        server.wait(timeout=20)
    created, followed, metrics = answers
    assert json.loads(created)["request_id"] == 1 and json.loads(created)["requested_by"] == "api:crm"
    assert (json.loads(followed)["status"], json.loads(followed)["date_from"]) == ("requested", "2026-01-01")
    assert 'c360_report_requests{status="requested"} 1' in metrics.splitlines()
