"""Measure the whole graph on the local target from an empty C360_HOME, per stage, plus one streaming increment.

    python benchmarks/run_graph.py [--customers 50000] [--months 18]

Prints a table (stage, wall seconds, rows, rows/s), the peak RSS of the whole process tree, and as its last line
the figures as one JSON object. Also measures, in the same run, a per-row Faker customer generator (the reference
system's approach, kept here and never in the product) to state our customer generation speed as a ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from statistics import median

import duckdb
import psutil

from customer360.__main__ import DAGSTER_YAML
from customer360.lib.churn import CHURN_MIN_MONTHS
from customer360.lib.generate import generate_customers, generate_transactions

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOOP = "increment, nothing new"  # the label of the increment run with no new file


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def faker_customers_per_row(count: int, seed: int) -> list[dict]:
    """The baseline: one Faker call per field per customer, as the reference generator did."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    segments = ["High-Value Travelers", "Stable Mid-Spenders", "Budget-Conscious", "New & Growing", "Declining"]
    rows = []
    for number in range(1, count + 1):
        segment = fake.random_element(segments)
        rows.append({
            "customer_id": f"CUST{number:08d}",
            "first_name": fake.first_name(),
            "last_name": fake.last_name(),
            "email": fake.email(),
            "age": fake.random_int(22, 75),
            "state": fake.state_abbr(),
            "city": fake.city(),
            "employment_status": fake.random_element(["Employed", "Self-Employed", "Retired", "Student"]),
            "card_type": fake.random_element(["Standard", "Premium"]),
            "credit_limit": fake.random_int(5, 50) * 1000,
            "account_open_date": fake.date_between(start_date="-10y", end_date="-30d"),
            "customer_segment": segment,
            "decline_type": fake.random_element(["gradual", "sudden"]) if segment == "Declining" else None,
        })
    return rows


class TreeMemory:
    """Peak resident memory of a process and all its descendants, sampled every 100 ms."""

    def __init__(self, pid: int):
        self.root, self.peak, self._stop = psutil.Process(pid), 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs if p.is_running()))
            except psutil.Error:
                pass
            self._stop.wait(0.1)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run(command: list[str], env: dict) -> tuple[float, int]:
    """Run a dagster command; return (wall seconds, peak RSS bytes of its process tree). Fail loudly."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    memory = TreeMemory(process.pid)
    output, _ = process.communicate()
    elapsed, peak = time.perf_counter() - started, memory.stop()
    if process.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{output[-4000:]}")
    return elapsed, peak


def latest_run_id(dagster_home: Path, job: str) -> str:
    """The run the last `dagster job execute -j <job>` created in this home."""
    from dagster import DagsterInstance, RunsFilter

    return DagsterInstance.from_config(str(dagster_home)).get_runs(RunsFilter(job_name=job), limit=1)[0].run_id


def step_seconds(dagster_home: Path, labels: dict[str, str] | None = None) -> dict[str, float]:
    """Seconds per stage from the Dagster event log of every run in this home (steps grouped by layer), and each
    run's span from its first to its last event as `<job>:run`. A run in `labels` (run id → label) is counted
    under its label instead of its job's name."""
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    from dagster import DagsterEventType, DagsterInstance

    instance = DagsterInstance.get()
    totals: dict[str, float] = defaultdict(float)
    for record in instance.get_runs():
        starts = {}
        logs = instance.all_logs(record.run_id)
        name = (labels or {}).get(record.run_id, record.job_name)
        totals[f"{name}:run"] += logs[-1].timestamp - logs[0].timestamp
        for entry in logs:
            event = entry.dagster_event
            if event is None or not event.step_key:
                continue
            if event.event_type == DagsterEventType.STEP_START:
                starts[event.step_key] = entry.timestamp
            elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
                totals[f"{name}:{_stage(event.step_key)}"] += entry.timestamp - starts[event.step_key]
    return totals


def _stage(step_key: str) -> str:
    from customer360.lib.replication.config import replicated_tables

    tables = [t.asset_name for t in replicated_tables()]
    if step_key.startswith("source__"):
        return "seed source"
    if step_key in {f"staging__{name}" for name in tables}:
        return "replicate"
    if step_key.startswith("landing__"):
        return "land"
    if step_key in {"bronze__bronze_transactions", *(f"bronze__{name}" for name in tables)}:
        return "bronze"
    if step_key.startswith("customer360_dbt"):
        return "dbt"
    if step_key.startswith("reports__"):
        return "reports"
    if step_key.startswith("churn__"):
        return "churn train"
    if step_key == "gold__churn_predictions":
        return "churn score"
    return "checks"


def dlt_seconds(dsn, home: Path, attempt: int) -> float:
    """The same extract through dlt's sql_database source (pyarrow backend) and a pipeline to Parquet files: the
    well-kept loader the ADBC extract was measured against."""
    import dlt
    from dlt.sources.sql_database import sql_table

    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    started = time.perf_counter()
    pipeline = dlt.pipeline(pipeline_name=f"bench_{attempt}", pipelines_dir=str(home / "dlt"),
                            destination=dlt.destinations.filesystem((home / f"dlt-{attempt}").as_uri()),
                            dataset_name="staging")
    pipeline.run(sql_table(credentials=dsn.connect_uri(), schema="cards", table="accounts", backend="pyarrow",
                           chunk_size=100_000), loader_file_format="parquet")
    return time.perf_counter() - started


def measure_replication(home: Path) -> tuple[float, float, int, float]:
    """Source → staging files for cards.accounts in the bench home's source database (seeded by the graph run):
    a full extract into an empty store and the same through dlt (medians of 3), then UPDATEs of ~5 % of accounts
    and their incremental extract (timed together). The source server is stopped afterwards."""
    from customer360.lib.replication.config import replicated
    from customer360.lib.replication.extract import extract
    from customer360.lib.resources.object_store import ObjectStoreResource
    from customer360.lib.source import cards
    from customer360.lib.source.connection import connection
    from customer360.lib.source.local_server import LocalPostgres

    server = LocalPostgres(home)
    server.start()
    accounts = replicated("accounts")
    try:
        with connection(server.dsn()) as conn:
            full, by_dlt = [], []
            for attempt in range(3):
                store = ObjectStoreResource(bucket="bench", local_root=str(home / f"replication-{attempt}"))
                full.append(extract(conn, accounts, store).seconds)
                by_dlt.append(dlt_seconds(server.dsn(), home, attempt))
            started = time.perf_counter()
            changed = cards.apply_changes(conn, seed_value=1)
            staged = extract(conn, accounts, store).rows
            refresh_s = time.perf_counter() - started
        assert staged == changed, (staged, changed)
    finally:
        server.stop()
    return median(full), refresh_s, changed, median(by_dlt)


def measure_app(home: Path, env: dict) -> dict[str, float]:
    """The app's queries on the bench warehouse, as its pages run them (customer360/app/queries.py):
    - profile lookup: a deep dive of one customer (card with name and e-mail, and the transaction history),
      for 50 customers drawn with a fixed seed; p50 and p95 in ms;
    - segment explorer: the summary and the export rows of a two-filter selection, median of 5, seconds;
    - cold start: `python -m customer360.app` (make app) until its health endpoint answers, and a fresh process rendering the
      first page (imports, settings, warehouse check, page) with Streamlit's AppTest."""
    import random

    from customer360.app import queries
    from customer360.app.warehouse import AppWarehouse
    from customer360.settings import settings

    wh = AppWarehouse(settings({**env, "C360_APP_ROLE": "DATA_ENGINEER"}))
    ids = wh.query("SELECT customer_id FROM gold.marketing_customer_audience ORDER BY customer_id")["customer_id"]
    lookups = []
    for customer in random.Random(7).sample(list(ids), min(50, len(ids))):
        started = time.perf_counter()
        with wh.reading():  # as a page render: one read-only connection for its queries
            queries.customer_card(wh, customer)
            queries.customer_history(wh, customer)
        lookups.append((time.perf_counter() - started) * 1000)
    lookups.sort()
    selection = queries.AudienceFilter({"customer_segment": ["Declining", "Stable Mid-Spenders"],
                                        "card_type": ["Premium"]})
    explorer = []
    for _ in range(5):
        started = time.perf_counter()
        with wh.reading():
            queries.audience_summary(wh, selection)
            queries.audience_rows(wh, selection)
        explorer.append(time.perf_counter() - started)

    port = _free_port()
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "customer360.app"], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**env, "C360_APP_PORT": str(port)},
                              start_new_session=True)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.perf_counter() - started > 120:
                    raise RuntimeError("the app did not start") from None
                time.sleep(0.05)
        server_s = time.perf_counter() - started
    finally:  # the server's whole process group; killed if it does not stop on SIGTERM within 10 s
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait(timeout=10)
    script = ROOT / "customer360" / "app" / "streamlit_app.py"
    render = ("from streamlit.testing.v1 import AppTest; page = AppTest.from_file(%r, default_timeout=120).run(); "
              "assert not page.exception and not page.error, page.error" % str(script))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", render], cwd=ROOT, env=env, check=True)
    render_s = time.perf_counter() - started
    return {"app_lookup_p50_ms": lookups[len(lookups) // 2], "app_lookup_p95_ms": lookups[int(len(lookups) * 0.95) - 1],
            "app_explorer_s": median(explorer), "app_server_start_s": server_s, "app_first_page_s": render_s,
            "lookups": len(lookups)}


def measure_freshness(home: Path, env: dict, customers, seed: int, day: dt.date) -> dict[str, float]:
    """File to gold with the sensor and the daemon running, as under `make dev`: start `dagster-daemon`, let the
    sensor's first ticks settle (they see the day the CLI already loaded: a no-op increment), then write one more day
    under transactions/streaming/ and wait for the increment it triggers to succeed. Returns the latency and its
    parts: until the sensor created the run, until the run started (queue and launch), the run itself."""
    import dagster as dg

    from customer360.defs.landing.streaming import streaming_key
    from customer360.lib.generate import generate_day, write_transactions_parquet
    from customer360.lib.resources.object_store import ObjectStoreResource

    instance = dg.DagsterInstance.from_config(str(home / "dagster"))
    increments = dg.RunsFilter(job_name="transactions_increment")
    daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        started, before = time.time(), len(instance.get_run_records(increments))
        while time.time() - started < 60:  # settled: the first tick's run ended, or 60 s without one
            records = instance.get_run_records(increments)
            if len(records) > before and all(r.dagster_run.is_finished for r in records):
                break
            time.sleep(0.5)
        transactions = generate_day(customers, seed, day)
        store = ObjectStoreResource(bucket="customer360-landing", local_root=str(home / "lake"))
        dropped = time.time()
        store.write(streaming_key(day), lambda path: write_transactions_parquet(transactions, path))
        while time.time() - dropped < 300:
            fresh = [r for r in instance.get_run_records(increments) if r.create_timestamp.timestamp() >= dropped]
            if fresh and fresh[-1].dagster_run.is_finished:
                break
            time.sleep(0.2)
        [run] = fresh[-1:] or [None]
        if run is None or run.dagster_run.status != dg.DagsterRunStatus.SUCCESS:
            raise RuntimeError(f"the increment for {day} did not succeed within 300 s: {run and run.dagster_run.status}")
    finally:
        os.killpg(daemon.pid, 15)
        daemon.wait(timeout=60)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        in_gold = conn.execute("SELECT count(*) FROM gold.fct_transactions f JOIN bronze.bronze_transactions b "
                               "USING (transaction_id) WHERE b._source_file LIKE ?",
                               [f"transactions/streaming/{day}/%"]).fetchone()[0]
    if in_gold != transactions.num_rows:
        raise RuntimeError(f"{in_gold:,} of the {transactions.num_rows:,} streamed rows of {day} reached gold")
    created = run.create_timestamp.timestamp()
    return {"freshness_latency_s": run.end_time - dropped, "pickup_s": created - dropped,
            "launch_s": run.start_time - created, "run_s": run.end_time - run.start_time,
            "rows": transactions.num_rows}


def measure_floors(home: Path, memory_limit: str) -> dict[str, float]:
    """What this machine's DuckDB does with the same rows and nothing else, for the stages to be compared with:
    - bronze: a plain `CREATE TABLE AS SELECT * FROM read_parquet(...)` of the landed historical files (no contract,
      no load history, no per-file results) in a scratch database;
    - dbt fact build: a plain `CREATE TABLE AS SELECT *` of gold.fct_transactions (no joins, no keys)."""
    files = str(home / "lake" / "customer360-landing" / "transactions" / "historical" / "*.parquet")
    config = {"memory_limit": memory_limit, "preserve_insertion_order": False}
    with duckdb.connect(str(home / "floor.duckdb"), config=config) as conn:
        started = time.perf_counter()
        rows = conn.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{files}')").fetchall()
        bronze_s = time.perf_counter() - started
    (home / "floor.duckdb").unlink()
    with duckdb.connect(str(home / "warehouse.duckdb"), config=config) as conn:
        started = time.perf_counter()
        conn.execute("CREATE TABLE gold.floor_copy AS SELECT * FROM gold.fct_transactions").fetchall()
        fact_s = time.perf_counter() - started
        conn.execute("DROP TABLE gold.floor_copy")
        model_s = conn.execute("SELECT execution_s FROM observability.model_execution_log WHERE unique_id = "
                               "'model.customer360.fct_transactions' ORDER BY completed_at LIMIT 1").fetchall()
    del rows
    return {"bronze_floor_s": bronze_s, "fact_floor_s": fact_s, "fact_model_s": model_s[0][0] if model_s else 0.0}


def measure_start_costs(env: dict) -> dict[str, float]:
    """What every `dagster` process pays before it runs a step (the CLI, the daemon's run worker), median of 3 fresh
    interpreters: importing Dagster and dagster-dbt (which imports much of dbt-core), then also loading this
    project's definitions (its modules, the dbt manifest, the asset graph)."""
    steps = {"start_import_s": "import dagster, dagster_dbt",
             "start_definitions_s": "from customer360.definitions import defs; defs().get_repository_def()"}

    def start(code: str) -> None:
        subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)

    return {key: median(_timed(lambda code=code: start(code)) for _ in range(3)) for key, code in steps.items()}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _promoted_metrics(home: Path) -> dict[str, float]:
    """The validation metrics of the churn model the run promoted (models/churn/current.json in the local lake)."""
    [pointer] = home.glob("lake/*/models/churn/current.json")
    return json.loads(pointer.read_text())["metrics"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=int(os.environ.get("C360_CUSTOMERS", 50_000)))
    parser.add_argument("--months", type=int, default=int(os.environ.get("C360_MONTHS", 18)))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-baseline", action="store_true", help="skip the per-row Faker baseline (10x runs)")
    args = parser.parse_args()
    as_of = dt.date.today() - dt.timedelta(days=2)  # the day after the history (yesterday) is a complete partition

    generate_customers(100, args.seed, as_of, args.months)  # warm-up: imports and Faker's word lists
    customer_s = median(_timed(lambda: generate_customers(args.customers, args.seed, as_of, args.months))
                        for _ in range(3))
    customers = generate_customers(args.customers, args.seed, as_of, args.months)
    started = time.perf_counter()
    transactions = sum(t.num_rows for t in generate_transactions(customers, args.seed, as_of, args.months))
    txn_s = time.perf_counter() - started
    faker_s = 0.0 if args.skip_baseline else _timed(lambda: faker_customers_per_row(args.customers, args.seed))

    home = Path(tempfile.mkdtemp(prefix="c360-bench-"))
    env = {**os.environ, "C360_HOME": str(home), "C360_CUSTOMERS": str(args.customers),
           "C360_MONTHS": str(args.months), "C360_SEED": str(args.seed), "C360_AS_OF": as_of.isoformat(),
           "C360_TARGET": "local", "DAGSTER_HOME": str(home / "dagster")}
    (home / "dagster").mkdir(parents=True)
    (home / "dagster" / "dagster.yaml").write_text(DAGSTER_YAML)  # the instance `make dev` uses
    module = ["-m", "customer360.definitions"]
    whole_s, whole_peak = run([str(BIN / "dagster"), "job", "execute", *module, "-j", "customer360_full_graph"], env)
    today = (as_of + dt.timedelta(days=1)).isoformat()
    run([str(BIN / "dagster"), "asset", "materialize", *module, "--select", "landing/transactions_streaming",
         "--partition", today], env)
    increment_s, increment_peak = run(
        [str(BIN / "dagster"), "job", "execute", *module, "-j", "transactions_increment"], env)
    # The same increment again with no new file: what an increment costs before any row moves (its floor).
    noop_s, _ = run([str(BIN / "dagster"), "job", "execute", *module, "-j", "transactions_increment"], env)
    noop = {latest_run_id(home / "dagster", "transactions_increment"): NOOP}

    # Every report on the gold layer just built: query, CSV + Parquet + HTML with its chart, upload, status trail.
    reports_s, _ = run([str(BIN / "dagster"), "job", "execute", *module, "-j", "reports"], env)
    # The churn model: features (dbt), train + gates + promote, score every active customer, rebuild the profile.
    # A history shorter than CHURN_MIN_MONTHS has no training cut-off: the figures are then null.
    churn = args.months >= CHURN_MIN_MONTHS
    churn_s, churn_peak = (run([str(BIN / "dagster"), "job", "execute", *module, "-j", "churn_training"], env)
                           if churn else (0.0, 0))

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        report_rows = conn.execute("select coalesce(sum(row_count), 0), count(*) filter (where status = 'completed') "
                                   "from observability.report_runs").fetchone()
        failed = conn.execute("select count(*) from observability.data_quality_metrics where not passed").fetchone()[0]
        gold_rows = conn.execute("select count(*) from gold.fct_transactions").fetchone()[0]
        feature_rows, scored = conn.execute("select count(*), count(*) filter (where split = 'score') "
                                            "from gold.ml_churn_features").fetchone() if churn else (0, 0)
        day_rows = conn.execute("select count(*) from bronze.bronze_transactions where _source_file like ?",
                                [f"transactions/streaming/{today}/%"]).fetchone()[0]
    model = _promoted_metrics(home) if churn else {}
    stages = step_seconds(home / "dagster", noop)  # before the freshness runs add increments of their own
    start = measure_start_costs(env)
    app = measure_app(home, env)
    freshness = measure_freshness(home, env, generate_customers(args.customers, args.seed, as_of, args.months),
                                  args.seed, as_of + dt.timedelta(days=2))
    floors = measure_floors(home, env.get("C360_DUCKDB_MEMORY_LIMIT", "1536MB"))
    replication_s, refresh_s, changed, dlt_s = measure_replication(home)
    rows = {"seed source": args.customers, "replicate": args.customers, "land": transactions,
            "bronze": args.customers + transactions,
            "dbt": transactions, "checks": transactions}
    print(f"\nCustomer 360 benchmark: {args.customers:,} customers, {args.months} months, "
          f"{transactions:,} transactions, as of {as_of} (home {home})\n")
    print(f"{'stage':<34}{'wall s':>9}{'rows':>14}{'rows/s':>14}")
    table = [("generate customers (median of 3)", customer_s, args.customers),
             ("generate transactions (in-process)", txn_s, transactions),
             ("baseline: Faker per row customers", faker_s, args.customers)]
    table += [(f"graph: {stage}", stages.get(f"customer360_full_graph:{stage}", 0.0), rows[stage])
              for stage in ("seed source", "replicate", "land", "bronze", "dbt", "checks")]
    # Outside the run: the `dagster` process starting, loading the definitions (and parsing the dbt project when
    # its files changed), setting up the run's storage, and exiting.
    table += [("graph: CLI start, load, exit", whole_s - stages["customer360_full_graph:run"], 0),
              ("graph: whole (CLI wall, empty home)", whole_s, transactions)]
    table += [(f"increment: {stage}", stages.get(f"transactions_increment:{stage}", 0.0), day_rows)
              for stage in ("bronze", "dbt", "checks")]
    table += [("increment: CLI start, load, exit", increment_s - stages["transactions_increment:run"], 0),
              ("increment: whole (CLI wall)", increment_s, day_rows)]
    table += [(f"nothing new: {stage}", stages.get(f"{NOOP}:{stage}", 0.0), 0) for stage in ("bronze", "dbt", "checks")]
    table += [("nothing new: CLI start, load, exit", noop_s - stages[f"{NOOP}:run"], 0),
              ("nothing new: whole (CLI wall)", noop_s, 0),
              ("start: import dagster, dagster-dbt", start["start_import_s"], 0),
              ("start: + load the definitions", start["start_definitions_s"], 0)]
    table += [("reports: 4 reports (steps)", stages.get("reports:reports", 0.0), report_rows[0]),
              ("reports: whole (CLI wall)", reports_s, report_rows[0])]
    churn_train_s, churn_score_s = stages.get("churn_training:churn train", 0.0), stages.get("churn_training:churn score", 0.0)
    if churn:
        table += [("churn: dbt (features, then marts)", stages.get("churn_training:dbt", 0.0), feature_rows),
                  ("churn: train, gates, promote", churn_train_s, feature_rows - scored),
                  ("churn: score active customers", churn_score_s, scored),
                  ("churn: whole (CLI wall)", churn_s, feature_rows)]
    bronze_s = stages.get("customer360_full_graph:bronze", 0.0)
    table += [("floor: read_parquet CTAS (bronze)", floors["bronze_floor_s"], transactions),
              ("dbt: fct_transactions model", floors["fact_model_s"], transactions),
              ("floor: CTAS of fct_transactions", floors["fact_floor_s"], transactions)]
    table += [("freshness: file to gold (daemon)", freshness["freshness_latency_s"], freshness["rows"]),
              ("freshness: sensor picks it up", freshness["pickup_s"], 0),
              ("freshness: queue and launch", freshness["launch_s"], 0),
              ("freshness: the increment run", freshness["run_s"], freshness["rows"])]
    table += [("app: profile lookup (p95 of 50)", app["app_lookup_p95_ms"] / 1000, 1),
              ("app: segment explorer (med. 5)", app["app_explorer_s"], args.customers),
              ("app: server start to health", app["app_server_start_s"], 0),
              ("app: first page, fresh process", app["app_first_page_s"], 0)]
    table += [("replicate: accounts, full (med. 3)", replication_s, args.customers),
              ("baseline: dlt sql_database (med. 3)", dlt_s, args.customers),
              ("replicate: 5 % of accounts changed", refresh_s, changed)]
    for label, seconds, count in table:
        print(f"{label:<34}{seconds:>9.2f}{count:>14,}{count / seconds if seconds else 0:>14,.0f}")
    print(f"\npeak RSS (process tree): whole graph {whole_peak / 2**20:,.0f} MB, "
          f"increment {increment_peak / 2**20:,.0f} MB"
          + (f", churn training {churn_peak / 2**20:,.0f} MB" if churn else
             f"; churn not trained ({args.months} months < {CHURN_MIN_MONTHS})"))
    print(f"checks failed: {failed}; fct_transactions rows: {gold_rows:,} "
          f"(history {transactions:,} + streaming day {day_rows:,})")
    figures = {
        "whole_graph_s": round(whole_s, 2),
        "peak_rss_mb": round(whole_peak / 2**20),
        "txn_gen_rows_per_s": round(transactions / txn_s),
        "customer_gen_speedup": round(faker_s / customer_s, 1) if faker_s else None,
        "increment_s": round(increment_s, 2),
        # The increment's floor: the same job with no new file, and the part of the increment it is.
        "increment_noop_s": round(noop_s, 2),
        "increment_fixed_share": round(noop_s / increment_s, 2),
        # The increment's checks alone (they read the run's rows where a rule allows: defs/quality/sql_checks.py).
        "increment_checks_s": round(stages.get("transactions_increment:checks", 0.0), 2),
        "start_import_s": round(start["start_import_s"], 2),
        "start_definitions_s": round(start["start_definitions_s"], 2),
        "replication_rows_per_s": round(args.customers / replication_s),
        "replication_refresh_s": round(refresh_s, 2),
        "replication_vs_dlt": round(dlt_s / replication_s, 1),
        "reports_s": round(reports_s, 2),
        "reports_completed": report_rows[1],
        "churn_train_score_s": round(churn_train_s + churn_score_s, 2) if churn else None,
        "churn_job_s": round(churn_s, 2) if churn else None,
        **{f"churn_{name}": round(model[name], 3) if churn else None for name in ("f1", "precision", "recall", "roc_auc")},
        "freshness_latency_s": round(freshness["freshness_latency_s"], 2),
        "freshness_pickup_s": round(freshness["pickup_s"], 2),
        "freshness_launch_s": round(freshness["launch_s"], 2),
        "freshness_run_s": round(freshness["run_s"], 2),
        # Each stage beside what plain DuckDB does with the same rows on this machine: stage seconds / floor seconds.
        "bronze_vs_floor": round(bronze_s / floors["bronze_floor_s"], 2) if floors["bronze_floor_s"] else None,
        "fact_model_vs_floor": round(floors["fact_model_s"] / floors["fact_floor_s"], 2) if floors["fact_floor_s"] else None,
        "app_lookup_p50_ms": round(app["app_lookup_p50_ms"], 1),
        "app_lookup_p95_ms": round(app["app_lookup_p95_ms"], 1),
        "app_explorer_s": round(app["app_explorer_s"], 3),
        "app_server_start_s": round(app["app_server_start_s"], 2),
        "app_first_page_s": round(app["app_first_page_s"], 2),
        "customers": args.customers,
        "transactions": transactions,
        "checks_failed": failed,
        "reconciled": gold_rows == transactions + day_rows,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
