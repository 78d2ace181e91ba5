"""`python -m customer360 demo|dev|docs|drop-day|clean|snowflake-setup|source-stop|check-connection|ask|
request-report|request-status|cancel-request|api`: what the Makefile and the docs run, with settings checked first."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import getpass
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from customer360 import request_commands, setup_runner
from customer360.api.server import serve as serve_api
from customer360.app.__main__ import main as serve_app
from customer360.app.ask import as_text, asker, filer
from customer360.app.warehouse import AppWarehouse, WarehouseUnavailable
from customer360.connection_check import check_connection
from customer360.defs.landing.streaming import current_accounts, land_day
from customer360.demo_runs import execute, new_run_id
from customer360.home import SCALE_FILE, HomeScaleError
from customer360.lib.churn import CHURN_MIN_MONTHS
from customer360.lib.job_selection import SERIAL_TAG
from customer360.lib.observability.runs import record_run
from customer360.lib.observability.summary import format_counts, table_counts
from customer360.lib.resources.warehouse import WarehouseLocked, WarehouseLoginRefused
from customer360.lib.source.connection import SourceUnavailable
from customer360.lib.source.local_server import LocalPostgres
from customer360.resources import build_resources, object_store_resource, prepare_home, warehouse_resource
from customer360.settings import DBT_PROJECT_DIR, ROOT, Settings, SettingsError, settings

BIN = Path(sys.executable).parent
DAGSTER_YAML = f"""# Written by `python -m customer360` (rewritten when this marker is present; remove the line to own the file).
telemetry:
  enabled: false
# Freshness policies (customer360/conventions.py) are evaluated by the daemon only when this is on.
freshness:
  enabled: true
# A run whose process died (killed, out of memory, Ctrl-C) stays STARTED: the daemon fails a run past its
# dagster/max_runtime tag (a report request's run carries one) so its request is failed, never left running.
run_monitoring:
  enabled: true
  poll_interval_seconds: 60
# The daemon takes queued runs every second (default 5): part of a streamed file's latency (docs/performance.md).
run_coordinator:
  module: dagster
  class: QueuedRunCoordinator
  config:
    dequeue_interval_seconds: 1
concurrency:
  runs:
    # One run at a time among those that load bronze or advance the incremental watermark (lib/job_selection.py).
    tag_concurrency_limits:
      - key: "{SERIAL_TAG}"
        limit: 1
"""
# The first build, then a later customers feed (the second run is what gives dim_customer its SCD2 history), then
# every report once on the result.
DEMO_JOBS = ("customer360_full_graph", "customer_refresh", "churn_training", "reports")


def demo_jobs(s: Settings) -> tuple[str, ...]:
    """The demo's jobs: churn training needs a history with cut-offs to learn from (C360_MONTHS >= 9)."""
    return DEMO_JOBS if s.months >= CHURN_MIN_MONTHS else tuple(j for j in DEMO_JOBS if j != "churn_training")


def _dagster_env(s: Settings) -> dict[str, str]:
    """The environment for dagster commands: a persistent instance under C360_HOME so the UI shows demo runs."""
    prepare_home(s)
    s.dagster_home.mkdir(parents=True, exist_ok=True)
    config = s.dagster_home / "dagster.yaml"
    # The instance's storage is created here, before any dagster process starts on it, and by one command at a time
    # (two started at once on a fresh home take turns on this lock): SQLite storage that two processes create at once
    # can be stamped twice (alembic: "more than one head"), and from then on no code server loads, so no sensor ticks.
    with open(s.dagster_home / ".storage.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not config.exists() or config.read_text().startswith(DAGSTER_YAML.splitlines()[0]) or \
                config.read_text() == "telemetry:\n  enabled: false\n":  # the file earlier versions wrote
            config.write_text(DAGSTER_YAML)
        with dg.DagsterInstance.from_config(str(s.dagster_home)):
            pass
    return {**os.environ, "DAGSTER_HOME": str(s.dagster_home), "C360_HOME": str(s.home)}


def _record_run(s: Settings, instance, run_id: str) -> None:
    """What the run-status sensors do under the daemon (`make dev`): the demo has no daemon, so record here."""
    with warehouse_resource(s).session() as session:
        record_run(session, instance, run_id)


@contextlib.contextmanager
def local_source(s: Settings, keep_running: bool = False) -> Iterator[None]:
    """The project's own source PostgreSQL for the length of a command (none when C360_SOURCE_DSN is set): started
    if it was not running, and stopped afterwards unless `keep_running` or it was already running before."""
    if s.source_dsn:
        yield
        return
    server = LocalPostgres(s.home)
    started = server.start()
    if started:
        print(f"Source PostgreSQL (cards) on 127.0.0.1:{server.port}, cluster {server.data}"
              + ("; left running: `python -m customer360 source-stop` stops it" if keep_running else ""), flush=True)
    try:
        yield
    finally:
        if started and not keep_running:
            server.stop()


def demo(s: Settings) -> int:
    with local_source(s):
        return _demo(s)


def _demo(s: Settings) -> int:
    import dagster as dg

    env = _dagster_env(s)
    log = s.home / "logs" / f"demo-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"Customer 360 on the {s.target} target: {s.customers:,} customers, {s.months} months, seed {s.seed}, "
          f"as of {s.as_of}; home {s.home}\nDagster's full logs: {log}", flush=True)
    if s.months < CHURN_MIN_MONTHS:
        print(f"Churn model not trained: C360_MONTHS={s.months} leaves no training cut-off; it needs "
              f"{CHURN_MIN_MONTHS} or more (the default is 18).", flush=True)
    started = time.perf_counter()
    reports = []
    os.environ["DAGSTER_HOME"] = env["DAGSTER_HOME"]  # the project's instance, which DagsterInstance.get() opens
    with dg.DagsterInstance.get() as instance:
        for job in demo_jobs(s):
            run_id = new_run_id()
            print(f"\n{job} (run {run_id})", flush=True)
            report = execute(instance, job, run_id, log, env, say=lambda line: print(line, flush=True))
            reports.append(report)
            if report.launched:
                _record_run(s, instance, run_id)
            if not report.succeeded:
                print(f"\n{report.summary()}", file=sys.stderr)
                for error in report.step_errors:
                    print(f"  {error}", file=sys.stderr)
                print(f"The full log is {log}; the run is in the UI (`make dev`).", file=sys.stderr)
                return 1
    with warehouse_resource(s).session() as session:
        counts = table_counts(session)
    where = s.warehouse_path if s.snowflake is None else f"Snowflake database {s.snowflake.database}"
    print("\n" + "\n".join(report.summary() for report in reports))
    print(f"\n{', '.join(demo_jobs(s))} materialized in {time.perf_counter() - started:.1f} s. Rows "
          f"per table ({where}):\n{format_counts(counts)}")
    print(f"\nReports: {_reports_location(s)} (CSV, Parquet and an HTML document each); their trail is "
          "observability.report_runs.")
    print(f"\nDagster's full logs: {log}\nOpen the UI with `make dev`: every run is on its job's page.")
    return 0


def _reports_location(s: Settings) -> str:
    return f"{object_store_resource(s).location}reports/"


def dev(s: Settings) -> int:
    with local_source(s, keep_running=True):
        pass
    print(f"Dagster UI on http://127.0.0.1:{s.port} (C360_PORT), Dagster home {s.dagster_home}", flush=True)
    command = [str(BIN / "dagster"), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(s.port)]
    return subprocess.call(command, env=_dagster_env(s), cwd=ROOT)


def app(s: Settings) -> int:
    return serve_app()


def docs(s: Settings) -> int:
    """dbt docs for this environment's warehouse, written to C360_HOME/dbt-docs; fails at once when there is none."""
    if s.snowflake is None and not s.warehouse_path.exists():
        print(f"No warehouse at {s.warehouse_path}: build it first (`make demo`), or set C360_HOME to the home that "
              "holds one.", file=sys.stderr)
        return 2
    target = s.home / "dbt-docs"
    command = [str(BIN / "dbt"), "docs", "generate", "--target", s.dbt_target, "--vars", s.dbt_vars_json(),
               "--target-path", str(target)]
    code = subprocess.call(command, cwd=DBT_PROJECT_DIR, env={**os.environ, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)})
    if code == 0:
        print(f"\ndbt docs in {target}; browse them with: {BIN / 'dbt'} docs serve --project-dir {DBT_PROJECT_DIR} "
              f"--profiles-dir {DBT_PROJECT_DIR} --target-path {target}")
    return code


def drop_day(s: Settings, day: str) -> int:
    """Write one day's transactions for the landed customers under transactions/streaming/<day>/ (what the daily
    schedule writes), on either target's object store; the streaming sensor (make dev) then loads them."""
    try:
        when = dt.date.fromisoformat(day)
    except ValueError:
        print(f"drop-day {day!r}: expected a date, YYYY-MM-DD", file=sys.stderr)
        return 2
    resources = build_resources(s)
    store = resources["object_store"]
    try:
        with local_source(s):
            accounts = current_accounts(resources["source"])
        stored, rows = land_day(store, accounts, s.seed, when)
    except (FileNotFoundError, SourceUnavailable) as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Wrote {rows:,} transactions of {when} for the {accounts.num_rows:,} accounts in the source database to "
          f"{store.location}{stored.key}")
    print(after_as_of_notice(when, s.as_of))
    return 0


def after_as_of_notice(day: dt.date, as_of: dt.date) -> str:
    """What a dropped day will count for: the one as-of rule (dbt macro approved_up_to_as_of, fct_transactions_as_of)."""
    if day <= as_of:
        return (f"{day} is on or before as-of ({as_of}): once loaded, it counts in every figure (gold marts, reports, "
                "Ask, the app).")
    return (f"{day} is after as-of ({as_of}): it will load into bronze and gold.fct_transactions, but no figure counts "
            "it (gold marts, reports, Ask and the app stop at as-of) until C360_AS_OF is set to it or later and gold "
            "is rebuilt.")


def source_stop(s: Settings) -> int:
    """Stop the project's own source PostgreSQL (`make dev` leaves it running)."""
    stopped = LocalPostgres(s.home).stop()
    print(f"Stopped the source PostgreSQL under {s.home / 'postgres'}" if stopped else "The source PostgreSQL was not running")
    return 0


def clean(s: Settings) -> int:
    """Remove only what the platform writes under C360_HOME, never the folder's other content (the source PostgreSQL
    is stopped first, then its cluster removed with the rest)."""
    LocalPostgres(s.home).stop()
    for path in (s.warehouse_path, s.warehouse_path.with_suffix(".duckdb.wal"), s.lake_root, s.dagster_home,
                 LocalPostgres(s.home).root, s.home / SCALE_FILE):
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    print(f"Removed the warehouse, lake, source database, Dagster home and recorded scale under {s.home}")
    return 0


def snowflake_setup(s: Settings, dry_run: bool = False, keep_going: bool = False) -> int:
    """Apply snowflake_setup/*.sql in order with this environment's values; print every statement's outcome."""
    values = setup_runner.variables(s)
    plan = setup_runner.planned(values, s3=s.snowflake.stage_url.startswith("s3://"))
    if dry_run:
        for file, statement in plan:
            print(f"-- {file}\n{statement};\n")
        return 0
    print(f"Applying {len(plan)} statements from snowflake_setup/ to account {s.snowflake.account} as "
          f"{s.snowflake.user} (role {s.snowflake.role})", flush=True)
    with warehouse_resource(s).session() as session:
        outcomes = setup_runner.apply(session.fetchall, plan, keep_going=keep_going)
    failed = [o for o in outcomes if not o.ok]
    print(f"\n{len(outcomes) - len(failed)} statements ok, {len(failed)} failed"
          + ("" if len(outcomes) == len(plan) else f", {len(plan) - len(outcomes)} not run (stopped at a failure)"))
    return 1 if failed else 0


def ask(s: Settings, question: str, role: str | None, as_json: bool, requested_by: str = "") -> int:
    """One question to Ask (customer360/lib/semantic/ask.py) over the app's read-only warehouse, as `role` (default
    C360_APP_ROLE) under the app's role rule. A report request is filed, as `requested_by` (default: the OS user), as
    the app's Reports page files one. Exit 0 whether it answered, asked to clarify or refused."""
    try:
        wh = AppWarehouse(s, role or s.app_role)
    except ValueError as error:
        print(f"--role: {error}", file=sys.stderr)
        return 2
    try:
        with wh.reading():
            answer = asker(wh).ask(question, file=filer(wh, requested_by or getpass.getuser()))
    except WarehouseUnavailable as error:
        print(error, file=sys.stderr)
        return 2
    print(json.dumps(answer.as_json(), ensure_ascii=False) if as_json else as_text(answer))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m customer360", description=__doc__)
    parser.add_argument("command", choices=["demo", "dev", "app", "docs", "drop-day", "clean", "snowflake-setup",
                                            "source-stop", "check-connection", "ask", "api", *REQUEST_COMMANDS])
    parser.add_argument("argument", nargs="?", metavar="ARGUMENT",
                        help="drop-day: the day to write, YYYY-MM-DD; ask: the question, in quotes; "
                        "request-report: the report; request-status, cancel-request: the request id")
    parser.add_argument("--dry-run", action="store_true", help="snowflake-setup: print the statements, run nothing")
    parser.add_argument("--keep-going", action="store_true", help="snowflake-setup: go on after a failed statement")
    parser.add_argument("--role", help="ask: the app role to read as (default C360_APP_ROLE)")
    parser.add_argument("--json", action="store_true", help="ask: one JSON object on stdout")
    parser.add_argument("--from", dest="date_from", default="", help="request-report: first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", default="", help="request-report: last day, YYYY-MM-DD")
    parser.add_argument("--segment", default="", help="request-report: one customer segment (default: all)")
    parser.add_argument("--export-table", default="", help="request-report: also load the result into reporting.<table>")
    parser.add_argument("--requested-by", default="", help="request-report, ask (a report it files): who asks (default: the OS user)")
    args = parser.parse_args(argv)
    try:
        s = settings(app=args.command == "ask")  # Ask reads as the app does: the pipeline's secret is not needed
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    if args.command == "ask":
        if not (args.argument or "").strip():
            print('ask needs the question: python -m customer360 ask "Who are our top 10 customers by spending?"',
                  file=sys.stderr)
            return 2
        return ask(s, args.argument, args.role, args.json, args.requested_by)
    if args.command == "snowflake-setup":
        if s.snowflake is None:
            print("snowflake-setup needs C360_TARGET=snowflake and its settings (see docs/settings.md and "
                  "docs/production.md)", file=sys.stderr)
            return 2
        try:
            return snowflake_setup(s, dry_run=args.dry_run, keep_going=args.keep_going)
        except setup_runner.SetupError as error:
            print(error, file=sys.stderr)
            return 2
    if args.command == "drop-day":
        if not args.argument:
            print("drop-day needs the day: python -m customer360 drop-day 2026-11-02", file=sys.stderr)
            return 2
        try:
            return drop_day(s, args.argument)
        except HomeScaleError as error:
            print(error, file=sys.stderr)
            return 2
    if args.command == "check-connection":
        return check_connection(s)
    if args.command in REQUEST_COMMANDS:
        return _request_command(s, args)
    if args.command == "api":
        return api(s)
    try:
        return {"demo": demo, "dev": dev, "app": app, "docs": docs, "clean": clean,
                "source-stop": source_stop}[args.command](s)
    except HomeScaleError as error:
        print(error, file=sys.stderr)
        return 2


REQUEST_COMMANDS = ("request-report", "request-status", "cancel-request")


def _no_local_warehouse(s: Settings, command: str) -> bool:
    """A local home without its warehouse (a wrong C360_HOME or mount): said, instead of creating an empty warehouse
    that takes requests no pipeline will run."""
    if s.snowflake is not None or s.warehouse_path.exists():
        return False
    print(f"{command}: no warehouse at {s.warehouse_path}: build it first (`make demo`), or set C360_HOME to the home "
          "that holds one.", file=sys.stderr)
    return True


def api(s: Settings) -> int:
    """Serve the report requests API (customer360/api/server.py) until interrupted."""
    if s.api_token is None:
        print("api needs C360_API_TOKEN, the bearer token its callers send (at least 32 characters): make one with "
              "python -c 'import secrets; print(secrets.token_hex(32))'", file=sys.stderr)
        return 2
    if _no_local_warehouse(s, "api"):
        return 2
    print(f"Serving the report requests API on http://{s.api_address}:{s.api_port} (contract: /docs, /openapi.json); "
          "the Dagster daemon (make dev) runs what it files", flush=True)
    serve_api(s, warehouse_resource(s), object_store_resource(s))
    return 0


def _request_command(s: Settings, args: argparse.Namespace) -> int:
    if not args.argument:
        example = "monthly_spend --from 2026-01-01 --to 2026-06-30" if args.command == "request-report" else "7"
        print(f"{args.command} needs its argument: python -m customer360 {args.command} {example}", file=sys.stderr)
        return 2
    if _no_local_warehouse(s, args.command):
        return 2
    try:
        if args.command == "request-report":
            return request_commands.request_report(s, args.argument, args.date_from, args.date_to, args.segment,
                                                   args.export_table, args.requested_by)
        if args.command == "request-status":
            return request_commands.request_status(s, args.argument)
        return request_commands.cancel_request(s, args.argument)
    except (WarehouseLocked, WarehouseLoginRefused, dg.RetryRequested) as error:  # the message is the answer
        reason = error.__cause__ if isinstance(error, dg.RetryRequested) and error.__cause__ else error
        print(f"{args.command}: the warehouse is not available: {reason}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
