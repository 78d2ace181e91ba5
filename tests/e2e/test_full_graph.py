"""The whole graph, materialized by `python -m customer360 demo` (what `make demo` runs) at a small scale:
the first build, then the customer refresh that gives dim_customer its SCD2 history."""

import datetime as dt
import json
import os
import re
import subprocess
import sys
from decimal import Decimal

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from documentation import documentation

from customer360.lib.generate import generate_customers, generate_transactions
from customer360.lib.generate.refresh import changed_customers, generate_customer_refresh
from customer360.lib.resources.dbt import INVOCATIONS_KEPT
from customer360.lib.source.local_server import LocalPostgres
from customer360.settings import DBT_PROJECT_DIR, ROOT

AS_OF = dt.date(2026, 6, 30)
CUSTOMERS, MONTHS, SEED = 500, 3, 7


def run_demo(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "customer360", "demo"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)


def why(result: subprocess.CompletedProcess, home=None) -> str:
    """What a failed command printed, its first error as well as its end (a Dagster load error ends with the
    component tree, which hides the cause), and the tail of the demo's own log when `home` is given."""
    output = result.stdout + result.stderr
    first = output.find("Traceback")
    shown = (output[first:first + 3000] + "\n[...]\n" if first >= 0 else "") + output[-3000:]
    logs = sorted((home / "logs").glob("demo-*.log")) if home is not None else []
    return shown + (f"\n--- {logs[-1]}:\n{logs[-1].read_text(errors='replace')[-4000:]}" if logs else "")


def of_this_home(home, path: str) -> list:
    """`path` in the dbt invocation folders of this home's runs: the folders are shared by every process using the
    project (another test's build writes there too); dbt's run results name the warehouse the vars pointed at."""
    folders = [f for f in (DBT_PROJECT_DIR / "target").glob("customer360_dbt-*")
               if (f / "run_results.json").exists() and str(home) in (f / "run_results.json").read_text()]
    return [f / path for f in folders if (f / path).exists()]


def query(home, sql: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def counts(home) -> dict[str, int]:
    tables = query(home, "select table_schema || '.' || table_name from information_schema.tables "
                         "where table_schema in ('bronze', 'silver', 'gold')")
    return {t: query(home, f"select count(*) from {t}")[0][0] for (t,) in tables}


@pytest.fixture(scope="module")
def generated():
    customers = generate_customers(CUSTOMERS, seed=SEED, as_of=AS_OF, months=MONTHS)
    transactions = pa.concat_tables(generate_transactions(customers, SEED, AS_OF, MONTHS))
    return customers, transactions


@pytest.fixture(scope="module")
def graph_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("e2e") / "home"
    env = {**os.environ, "C360_HOME": str(home), "C360_CUSTOMERS": str(CUSTOMERS), "C360_MONTHS": str(MONTHS),
           "C360_SEED": str(SEED), "C360_AS_OF": AS_OF.isoformat(), "C360_TARGET": "local"}
    env.pop("C360_S3_ENDPOINT_URL", None)
    first = run_demo(env)
    assert first.returncode == 0, why(first, home)
    return home, env, first


def test_counts_reconcile_from_generated_rows_to_gold(graph_home, generated):
    home, _, _ = graph_home
    customers, transactions = generated
    c = counts(home)
    # The first extract stages every account; the refresh only the accounts it changed (updated_at moved).
    changed = changed_customers(customers, generate_customer_refresh(customers, SEED))
    assert c["bronze.cards_accounts"] == CUSTOMERS + changed
    assert c["silver.stg_customers"] == c["gold.customer_360_profile"] == CUSTOMERS
    assert c["gold.customer_segments"] == c["gold.marketing_customer_audience"] == CUSTOMERS
    assert (c["bronze.bronze_transactions"] == c["silver.stg_transactions"] == c["gold.fct_transactions"]
            == transactions.num_rows)
    assert c["bronze.bronze_rejects"] == 0


def test_dim_customer_holds_a_second_version_for_each_customer_the_refresh_changed(graph_home, generated):
    home, _, _ = graph_home
    customers, _ = generated
    changed = changed_customers(customers, generate_customer_refresh(customers, SEED))
    rows, current, second = query(home, "select count(*), count(*) filter (where is_current), "
                                        "count(*) filter (where version_number = 2) from gold.dim_customer")[0]
    assert changed > 0
    assert (rows, current, second) == (CUSTOMERS + changed, CUSTOMERS, changed)


def test_every_transaction_is_keyed_to_the_customer_version_current_when_it_happened(graph_home):
    home, _, _ = graph_home
    mismatched = query(home, """
        select count(*) from gold.fct_transactions f
        join gold.dim_customer d on f.customer_version_key = d.customer_version_key
        where f.customer_id <> d.customer_id or f.transaction_at < d.valid_from or f.transaction_at >= d.valid_to""")
    assert mismatched == [(0,)]


def test_profile_lifetime_value_equals_approved_spend_in_the_generated_files(graph_home, generated):
    home, _, _ = graph_home
    _, transactions = generated
    data = transactions.select(["transaction_amount", "status"]).to_pydict()
    approved = sum(a for a, s in zip(data["transaction_amount"], data["status"], strict=False) if s == "approved")
    assert query(home, "select sum(lifetime_value) from gold.customer_360_profile") == [(approved,)]


def test_every_customer_has_a_churn_band_and_a_behavioural_segment(graph_home):
    home, _, _ = graph_home
    bands = dict(query(home, "select churn_risk_band, count(*) from gold.customer_360_profile group by 1"))
    assert set(bands) <= {"Low", "Medium", "High"} and sum(bands.values()) == CUSTOMERS
    assert query(home, "select count(*) from gold.customer_segments where behavioural_segment is null") == [(0,)]


def test_the_marketing_audience_carries_no_direct_pii(graph_home):
    home, _, _ = graph_home
    columns = {c for (c,) in query(home, "select column_name from information_schema.columns "
                                         "where table_name = 'marketing_customer_audience'")}
    assert "customer_id" in columns
    assert not columns & {"email", "last_name", "first_name"}


def test_the_demo_prints_the_row_count_of_every_table(graph_home):
    _, _, first = graph_home
    assert "materialized in" in first.stdout
    assert "gold.customer_360_profile" in first.stdout


def test_the_demo_prints_one_line_per_asset_and_keeps_dagsters_logs_in_a_file_it_names(graph_home):
    home, _, first = graph_home
    output = first.stdout + first.stderr
    assert re.search(r"^  bronze/bronze_transactions +[\d,]+ rows +[\d.]+ s$", first.stdout, re.MULTILINE)
    assert re.search(r"^customer360_full_graph: success in [\d.]+ s, 32 assets materialized, \d+ checks passed",
                     first.stdout, re.MULTILINE)
    assert re.search(r"^  staging/cards_accounts +[\d,]+ rows +[\d.]+ s$", first.stdout, re.MULTILINE)
    # The demo starts the source PostgreSQL under the home and stops it at the end.
    assert first.stdout.startswith("Source PostgreSQL (cards) on 127.0.0.1:") and str(home / "postgres") in first.stdout
    assert not LocalPostgres(home).running()
    assert "DEBUG" not in output and "Warning" not in output and len(output.splitlines()) < 120
    (log,) = re.findall(r"Dagster's full logs: (\S+)", first.stdout)[:1]
    logged = (home / "logs" / os.path.basename(log)).read_text()
    assert "STEP_SUCCESS" in logged and "DEBUG" in logged
    assert "did not yield expected outputs" not in logged and "emitted no result" not in logged


def test_the_demo_runs_every_report_once_and_leaves_its_files_and_a_completed_trail(graph_home):
    home, _, first = graph_home
    (run_id,) = re.findall(r"^reports \(run (\S+)\)$", first.stdout, re.MULTILINE)
    assert re.search(r"^reports: success in [\d.]+ s, 4 assets materialized", first.stdout, re.MULTILINE)
    lake = home / "lake" / "customer360-landing"
    assert f"Reports: {lake.as_uri()}/reports/" in first.stdout
    trail = query(home, f"select report, status, row_count, object_keys from observability.report_runs "
                        f"where run_id = '{run_id}' order by report")
    assert [(report, state) for report, state, _, _ in trail] == [
        ("churn_watchlist", "completed"), ("executive_summary", "completed"), ("monthly_spend", "completed"),
        ("segment_performance", "completed")]
    for report, _, rows, keys in trail:
        stored = [lake / key for key in json.loads(keys)]
        assert [p.suffix for p in stored] == [".parquet", ".csv", ".html"] and all(p.is_file() for p in stored)
        # 3 months of history: no baseline, so the rule-based band may put no one at High or Medium yet
        assert pq.read_table(stored[0]).num_rows == rows and (rows > 0 or report == "churn_watchlist"), report
    segments = query(home, "select count(distinct customer_segment) from gold.customer_360_profile")[0][0]
    assert dict((r, n) for r, _, n, _ in trail)["segment_performance"] == segments


def test_demo_runs_belong_to_their_jobs_in_the_ui(graph_home):
    """What the job page and the Overview timeline ask the webserver, through dagster-graphql."""
    home, env, _ = graph_home
    query = """{ full: pipelineOrError(params: {pipelineName: "customer360_full_graph", repositoryName: "__repository__",
                   repositoryLocationName: "customer360"}) { ... on Pipeline { runs { runId status } } }
                 refresh: pipelineOrError(params: {pipelineName: "customer_refresh", repositoryName: "__repository__",
                   repositoryLocationName: "customer360"}) { ... on Pipeline { runs { runId status } } }
                 runsOrError { ... on Runs { results { runId repositoryOrigin { repositoryLocationName } } } } }"""
    result = subprocess.run([os.path.join(os.path.dirname(sys.executable), "dagster-graphql"), "-w", "workspace.yaml",
                             "-t", query], cwd=ROOT, env={**env, "DAGSTER_HOME": str(home / "dagster")},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, why(result)
    (answer,) = [line for line in result.stdout.splitlines() if line.startswith('{"data"')]
    data = json.loads(answer)["data"]
    assert [r["status"] for r in data["full"]["runs"]] and {r["status"] for r in data["full"]["runs"]} == {"SUCCESS"}
    assert {r["status"] for r in data["refresh"]["runs"]} == {"SUCCESS"}
    demo_runs = {r["runId"] for r in data["full"]["runs"] + data["refresh"]["runs"]}
    located = {r["runId"] for r in data["runsOrError"]["results"]
               if (r["repositoryOrigin"] or {}).get("repositoryLocationName") == "customer360"}
    assert demo_runs <= located


def test_every_demo_run_evaluates_each_check_its_job_declares(graph_home, monkeypatch):
    import dagster as dg

    from customer360.definitions import defs

    home, env, _ = graph_home
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        for job in ("customer360_full_graph", "customer_refresh"):
            run = instance.get_runs(dg.RunsFilter(job_name=job), limit=1)[0]
            events = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
            evaluated = {r.event_log_entry.dagster_event.event_specific_data.asset_check_key for r in events.records}
            declared = defs().resolve_job_def(job).asset_layer.asset_graph.asset_check_keys
            assert evaluated == set(declared), job


def test_every_check_result_is_also_a_row_in_observability(graph_home):
    home, _, _ = graph_home
    rows = query(home, "select check_name, asset_key, passed, run_id from observability.data_quality_metrics")
    assets = {asset for _, asset, _, _ in rows}
    assert {"bronze/bronze_transactions", "gold/customer_360_profile", "gold/dim_customer"} <= assets
    assert all(passed for _, _, passed, _ in rows)
    assert len({run for *_, run in rows}) == 2  # the first build and the refresh


def test_make_docs_generates_dbt_docs_for_this_home(graph_home):
    home, env, _ = graph_home  # a home other than the default .c360: the command takes the project's settings
    result = subprocess.run([sys.executable, "-m", "customer360", "docs"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, why(result)
    catalog = json.loads((home / "dbt-docs" / "catalog.json").read_text())
    assert "model.customer360.customer_360_profile" in catalog["nodes"]


def test_a_second_demo_adds_only_the_second_days_account_changes(graph_home):
    """Files already loaded load nothing; the source's history is not re-staged; the second refresh's changes (other
    accounts than the first's) become exactly one new version each, and nothing else grows."""
    home, env, _ = graph_home
    before = counts(home)
    second = run_demo(env)
    assert second.returncode == 0, why(second, home)
    after = counts(home)
    changed = after["bronze.cards_accounts"] - before["bronze.cards_accounts"]
    assert 0 < changed < CUSTOMERS * 0.1
    assert after["silver.customers_snapshot"] - before["silver.customers_snapshot"] == changed
    assert after["gold.dim_customer"] - before["gold.dim_customer"] == changed
    grown = {"bronze.cards_accounts", "bronze.cards_credit_limit_events", "bronze.load_history", "silver.stg_credit_limit_events",
             "silver.customers_snapshot", "gold.dim_customer"}
    assert {t: n for t, n in after.items() if t not in grown} == {t: n for t, n in before.items() if t not in grown}
    assert query(home, "select count(*) - count(distinct customer_id) from silver.stg_customers") == [(0,)]


def test_every_observability_table_has_rows_that_match_the_runs(graph_home):
    home, _, _ = graph_home
    runs = dict(query(home, "select run_id, status from observability.pipeline_run_metadata"))
    assert len(runs) >= 2 and set(runs.values()) == {"SUCCESS"}
    jobs = {job for (job,) in query(home, "select job_name from observability.pipeline_run_metadata")}
    assert {"customer360_full_graph", "customer_refresh"} <= jobs
    for table in ("data_quality_metrics", "layer_record_counts", "model_execution_log"):
        run_ids = {r for (r,) in query(home, f"select distinct run_id from observability.{table}")}
        assert run_ids and run_ids <= set(runs), table
    loaded = query(home, "select sum(rows_processed) from observability.pipeline_run_metadata")[0][0]
    assert loaded == query(home, "select sum(row_count) from bronze.load_history")[0][0]
    fct = query(home, "select row_count, distinct_keys, duplicate_keys from observability.layer_record_counts "
                      "where table_name = 'gold.fct_transactions' order by measured_at desc limit 1")[0]
    assert fct[0] == fct[1] and fct[2] == 0
    assert query(home, "select count(*) from observability.model_execution_log "
                       "where unique_id = 'model.customer360.fct_transactions'")[0][0] >= 1
    assert query(home, "select count(*) from observability.v_latest_pipeline_runs")[0][0] == len(jobs)
    assert query(home, "select count(*) from observability.v_recent_dq_failures") == [(0,)]
    assert query(home, "select count(*) from observability.v_record_count_trends")[0][0] > 0


def dagster(env: dict, *args: str) -> subprocess.CompletedProcess:
    dagster_env = {**env, "DAGSTER_HOME": str(env["C360_HOME"]) + "/dagster"}
    return subprocess.run([os.path.join(os.path.dirname(sys.executable), "dagster"), *args,
                           "-m", "customer360.definitions"], cwd=ROOT, env=dagster_env,
                          capture_output=True, text=True, timeout=600)


def test_a_streaming_day_and_an_outside_file_are_picked_up_by_the_sensor_and_reach_gold(graph_home):
    import dagster as dg
    import pyarrow.parquet as pq

    from customer360.defs.landing.sensors import streaming_files_sensor
    from customer360.lib.generate import generate_day
    from customer360.lib.resources.object_store import ObjectStoreResource

    home, env, _ = graph_home
    day = (AS_OF + dt.timedelta(days=1)).isoformat()
    scheduled = dagster(env, "asset", "materialize", "--select", "landing/transactions_streaming", "--partition", day)
    assert scheduled.returncode == 0, why(scheduled)
    store = ObjectStoreResource(bucket="customer360-landing", local_root=str(home / "lake"))
    outside = generate_day(generate_customers(CUSTOMERS, SEED, AS_OF, MONTHS), 99, AS_OF + dt.timedelta(days=2))
    store.write("transactions/streaming/partner/drop-001.parquet", lambda path: pq.write_table(outside, path))
    before = query(home, "select count(*) from gold.fct_transactions")[0][0]

    instance = dg.DagsterInstance.ephemeral()  # no increment in flight: the sensor may start one
    result = streaming_files_sensor(dg.build_sensor_context(resources={"object_store": store}, instance=instance))
    assert len(result.run_requests) == 1 and result.run_requests[0].tags["c360/new_files"] == "2"
    increment = dagster(env, "job", "execute", "-j", "transactions_increment")
    assert increment.returncode == 0, why(increment)

    streamed = query(home, "select count(*) from bronze.bronze_transactions "
                           "where _source_file like 'transactions/streaming/%'")[0][0]
    assert streamed > outside.num_rows > 0
    assert query(home, "select count(*) from gold.fct_transactions")[0][0] == before + streamed
    # The increment reconciled the rows it loaded (every streamed id is in gold once), not the whole table.
    [[run_id]] = query(home, "select distinct _run_id from bronze.bronze_transactions "
                             "where _source_file like 'transactions/streaming/%'")
    reconciled = query(home, f"select check_name, passed, observed_value from observability.data_quality_metrics "
                             f"where run_id = '{run_id}' and (check_name like '%reconcile%' or check_name like '%reached%')")
    assert reconciled == [("loaded_transactions_reached_gold", True, float(streamed))]
    # Its bronze checks read the rows it loaded where the rule allows (the nightly build reads the whole table).
    scoped = query(home, f"select check_name from observability.data_quality_metrics where run_id = '{run_id}' "
                         f"and description like '%Read: the rows this run loaded.%' order by 1")
    assert [name for (name,) in scoped] == ["amount_positive", "daily_volume_within_3_sigma", "transaction_has_customer",
                                            "transaction_id_not_null"]
    # incremental, not rebuilt: dbt ran fct_transactions as delete+insert of the new batch
    runs = sorted(of_this_home(home, "run/customer360/models/marts/fct_transactions.sql"), key=lambda p: p.stat().st_mtime)
    assert "delete from" in runs[-1].read_text().lower()
    # dagster-dbt's folder per dbt invocation does not pile up: the newest few are kept (customer360/lib/resources/dbt.py)
    invocations = [f for f in (DBT_PROJECT_DIR / "target").iterdir() if f.is_dir() and f.name.count("-") == 2]
    assert 0 < len(invocations) <= INVOCATIONS_KEPT
    again = streaming_files_sensor(dg.build_sensor_context(cursor=result.cursor, resources={"object_store": store},
                                                           instance=instance))
    assert isinstance(again, dg.SkipReason)


def test_the_increment_tests_uniqueness_of_the_rows_it_added_and_the_first_build_of_every_row(graph_home, tmp_path):
    home, _, _ = graph_home  # the increment of the sensor test above is the latest run
    batches = query(home, "select model_name, loaded_after from observability.incremental_batches "
                            "order by recorded_at")
    epoch = dt.datetime(1900, 1, 1)
    assert ("fct_transactions", epoch) in batches  # the first build (stg_transactions is a view: no batches)
    history_loaded = query(home, "select max(_loaded_at) from bronze.bronze_transactions "
                                 "where _source_file like 'transactions/historical/%'")[0][0]
    latest = {model: since for model, since in batches}
    assert latest == {"fct_transactions": history_loaded}

    # The increment's compiled test, run against a copy of the warehouse with two planted duplicates: one among the
    # rows the increment added (caught) and one in the history (not read again: the first build tested it).
    runs = sorted(of_this_home(home, "compiled/customer360/models/marts/fct_transactions.yml/"
                                     "unique_in_latest_batch_fct_transactions_transaction_id.sql"),
                  key=lambda p: p.stat().st_mtime)
    test_sql = runs[-1].read_text()
    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes((home / "warehouse.duckdb").read_bytes())
    with duckdb.connect(str(copy)) as conn:
        assert conn.execute(test_sql).fetchall() == []
        for older in ("<", ">"):
            conn.execute(f"insert into gold.fct_transactions select * from gold.fct_transactions "
                         f"where loaded_at {older} ? limit 1", [history_loaded + dt.timedelta(microseconds=1)])
        duplicated = conn.execute(test_sql).fetchall()
    assert len(duplicated) == 1 and duplicated[0][0].startswith("TXS")  # a streaming-day id


def test_rerunning_a_streaming_partition_adds_nothing(graph_home):
    home, env, _ = graph_home
    day = (AS_OF + dt.timedelta(days=1)).isoformat()  # materialized by the sensor test above
    before = counts(home)
    history_rows = query(home, "select count(*) from bronze.load_history")[0][0]

    again = dagster(env, "asset", "materialize", "--select", "landing/transactions_streaming", "--partition", day)
    assert again.returncode == 0, why(again)
    load = dagster(env, "job", "execute", "-j", "transactions_increment")

    assert load.returncode == 0, why(load)
    assert counts(home) == before  # same seed and day: same bytes, so COPY skips the file
    assert query(home, "select count(*) from bronze.load_history")[0][0] == history_rows


def test_every_spend_figure_stops_at_as_of_though_streamed_days_are_in_the_facts(graph_home, generated):
    home, env, _ = graph_home  # the sensor test above streamed two days after as-of into fct_transactions
    assert query(home, f"select count(*) from gold.fct_transactions where transaction_date > '{AS_OF}'")[0][0] > 0

    nightly = dagster(env, "job", "execute", "-j", "nightly_dbt_build")

    assert nightly.returncode == 0, why(nightly)
    data = generated[1].select(["transaction_amount", "status"]).to_pydict()
    approved = sum(a for a, s in zip(data["transaction_amount"], data["status"], strict=False) if s == "approved")
    assert query(home, "select sum(lifetime_value) from gold.customer_360_profile") == [(approved,)]
    assert query(home, f"select count(*) from gold.customer_360_profile where days_since_last_transaction < 0 "
                       f"or last_transaction_date > '{AS_OF}'") == [(0,)]
    assert query(home, "select max(spend_month) from gold.monthly_customer_spending")[0][0] <= AS_OF
    assert query(home, "select max(spend_month) from gold.metric_avg_transaction_value")[0][0] <= AS_OF
    # Blocking checks only: the warning on daily volume judges the hand-dropped partner day (another seed) against
    # the history, a statistical flag, not a figure this test is about.
    failed = query(home, "select check_name, asset_key, observed_value, run_id, checked_at "
                         "from observability.data_quality_metrics where not passed and severity = 'ERROR'")
    assert failed == []


def test_two_increments_launched_at_once_run_one_after_the_other_and_every_row_arrives_once(graph_home):
    """Two increments queued together, as the sensor and a user in the UI might: the run queue (dagster.yaml's
    tag_concurrency_limits on c360/watermark) starts the second only after the first ended."""
    import signal
    import time

    import dagster as dg
    import pyarrow.parquet as pq

    from customer360.lib.generate import generate_day
    from customer360.lib.resources.object_store import ObjectStoreResource

    home, env, _ = graph_home
    store = ObjectStoreResource(bucket="customer360-landing", local_root=str(home / "lake"))
    customers = generate_customers(CUSTOMERS, SEED, AS_OF, MONTHS)
    dropped = 0
    for n in (1, 2):
        day = generate_day(customers, 40 + n, AS_OF + dt.timedelta(days=3 + n))
        store.write(f"transactions/streaming/overlap/drop-{n}.parquet", lambda path, t=day: pq.write_table(t, path))
        dropped += day.num_rows
    bronze_before = query(home, "select count(*) from bronze.bronze_transactions")[0][0]
    dagster_env = {**env, "DAGSTER_HOME": str(home / "dagster")}
    bin_dir = os.path.dirname(sys.executable)
    instance = dg.DagsterInstance.from_config(str(home / "dagster"))  # before the daemon: one process makes storage
    daemon = subprocess.Popen([os.path.join(bin_dir, "dagster-daemon"), "run", "-w", "workspace.yaml"], cwd=ROOT,
                              env=dagster_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        for _ in range(2):
            launched = subprocess.run([os.path.join(bin_dir, "dagster"), "job", "launch", "-w", "workspace.yaml",
                                       "-j", "transactions_increment"], cwd=ROOT, env=dagster_env,
                                      capture_output=True, text=True, timeout=300)
            assert launched.returncode == 0, why(launched)
        deadline = time.monotonic() + 400
        while True:
            records = instance.get_run_records(dg.RunsFilter(job_name="transactions_increment"), limit=2)
            if all(r.dagster_run.is_finished for r in records) or time.monotonic() > deadline:
                break
            time.sleep(2)
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)

    assert [r.dagster_run.status for r in records] == [dg.DagsterRunStatus.SUCCESS] * 2
    first, second = sorted(records, key=lambda r: r.start_time)
    assert first.end_time <= second.start_time  # never both running
    assert query(home, "select count(*) from bronze.bronze_transactions")[0][0] == bronze_before + dropped
    assert query(home, "select count(*) from gold.fct_transactions")[0][0] == query(
        home, "select count(*) from (select transaction_id from bronze.bronze_transactions group by 1) k")[0][0]


def test_a_file_with_non_positive_amounts_stops_the_increment_at_load_and_gold_is_unchanged(graph_home):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from customer360.lib.generate import generate_day
    from customer360.lib.resources.object_store import ObjectStoreResource

    home, env, _ = graph_home
    day = generate_day(generate_customers(CUSTOMERS, SEED, AS_OF, MONTHS), 5, AS_OF + dt.timedelta(days=3))
    amounts = pa.array([Decimal("-1.00")] * day.num_rows, pa.decimal128(12, 2))
    bad = day.set_column(day.schema.get_field_index("transaction_amount"), "transaction_amount", amounts)
    store = ObjectStoreResource(bucket="customer360-landing", local_root=str(home / "lake"))
    store.write("transactions/streaming/partner/negative.parquet", lambda path: pq.write_table(bad, path))
    fct_before = query(home, "select count(*) from gold.fct_transactions")[0][0]

    run = dagster(env, "job", "execute", "-j", "transactions_increment")

    assert run.returncode != 0
    assert "transactions/streaming/partner/negative.parquet line 1 column transaction_amount: transaction_amount " \
           "must be above 0, found -1.00" in run.stdout + run.stderr
    assert query(home, "select count(*) from bronze.bronze_transactions "
                       "where _source_file = 'transactions/streaming/partner/negative.parquet'") == [(0,)]
    assert query(home, "select status, row_parsed, row_count, error_count from bronze.load_history "
                       "where file_name = 'transactions/streaming/partner/negative.parquet'") == [
        ("LOAD_FAILED", day.num_rows, 0, day.num_rows)]
    assert query(home, "select count(*) from bronze.bronze_rejects "
                       "where file_name = 'transactions/streaming/partner/negative.parquet'") == [(day.num_rows,)]
    assert query(home, "select count(*) from gold.fct_transactions")[0][0] == fct_before



def test_dbt_models_carry_typed_columns_and_row_counts_from_the_warehouse(graph_home):
    import dagster as dg

    home, _, _ = graph_home
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["gold", "customer_360_profile"]))
        metadata = event.asset_materialization.metadata
        columns = {c.name: c.type.lower() for c in metadata["dagster/column_schema"].value.columns}
        assert metadata["dagster/row_count"].value == CUSTOMERS
        assert "char" in columns["customer_id"] and columns["lifetime_value"].startswith(("decimal", "numeric"))
        described = {c.name: c.description for c in metadata["dagster/column_schema"].value.columns}
        assert described["churn_risk_band"] == "Low, Medium or High."  # dbt's docs kept beside the types
        view = instance.get_latest_materialization_event(dg.AssetKey(["silver", "stg_customers"]))
        view_metadata = view.asset_materialization.metadata  # a view: typed columns, no count (it would run it)
        assert "dagster/column_schema" in view_metadata and "dagster/row_count" not in view_metadata
        for run in instance.get_runs(dg.RunsFilter(job_name="customer360_full_graph"), limit=1):
            for record in instance.get_records_for_run(run.run_id,
                                                       of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records:
                values = record.event_log_entry.dagster_event.event_specific_data.materialization.metadata
                assert not any("unserializable" in str(v).lower() for v in values.values()), values


def test_every_column_of_every_gold_table_has_a_description(graph_home, monkeypatch):
    from customer360.lib.resources.dbt import dbt_project

    home, _, _ = graph_home
    manifest = json.loads(dbt_project().manifest_path.read_text())
    described = {(node["config"]["schema"], node["name"], column)
                 for node in manifest["nodes"].values() if node["resource_type"] == "model"
                 for column, spec in node["columns"].items() if spec.get("description", "").strip()}
    # tables Python writes into gold for dbt to read (gold.churn_predictions) are described as dbt sources
    described |= {(source["schema"], source["name"], column) for source in manifest["sources"].values()
                  for column, spec in source["columns"].items() if spec.get("description", "").strip()}
    columns = query(home, "select table_schema, table_name, column_name from information_schema.columns "
                          "where table_schema = 'gold'")
    assert len(columns) > 100
    assert [c for c in columns if c not in described] == []


def test_the_readmes_sql_runs_against_the_warehouse_the_demo_built(graph_home):
    import re

    home, _, _ = graph_home
    blocks = [b for b in re.findall(r"```sql\n(.*?)```", documentation(), re.DOTALL)
              if "CREATE USER" not in b.upper()]  # Snowflake administration, not a query of the warehouse
    statements = [s.strip() for block in blocks for s in block.split(";") if s.strip()]
    assert statements
    for statement in statements:
        query(home, statement)  # raises on a column or table the README names wrongly
