"""Time from a report request to its `completed` row, the way `make dev` runs it: the Dagster daemon's requests sensor
picks the request up, the queued run coordinator launches its run, the report runs and marks it completed.

    C360_HOME=<a home `make demo` built> python benchmarks/report_requests.py [--report monthly_spend] [--repeat 5]

Starts `dagster-daemon run` on the home's Dagster instance (what `make dev` runs beside the UI), files one warm-up
request (not counted: the daemon's first tick and code load), then `--repeat` requests one after another. Each figure
is the request's own row: updated_at (completed) minus requested_at, both written by the warehouse session in UTC.
Prints each, their median, and a JSON line last.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from statistics import median

import dagster as dg

from customer360.__main__ import BIN, _dagster_env
from customer360.lib.reports import requests
from customer360.resources import warehouse_resource
from customer360.settings import ROOT, settings

WAIT_S = 900  # per request; a report at the default scale takes seconds


def seconds_to_complete(request: requests.ReportRequest) -> float:
    """The request's own figure: from its row's requested_at to the updated_at its `completed` transition wrote."""
    if request.status != requests.COMPLETED:
        raise RuntimeError(f"request {request.request_id} ended {request.status}: {request.error}")
    return (request.updated_at - request.requested_at).total_seconds()


def figures(durations: list[float]) -> dict:
    return {"requests": len(durations), "seconds": [round(d, 3) for d in durations],
            "median_s": round(median(durations), 3)}


def _finished(instance: dg.DagsterInstance, request_id: int) -> bool:
    runs = instance.get_runs(dg.RunsFilter(tags={requests.REQUEST_TAG: str(request_id)}))
    return bool(runs) and all(run.is_finished for run in runs)


def one_request(s, instance: dg.DagsterInstance, report: str, daemon: subprocess.Popen, log: Path,
                wait_s: float) -> requests.ReportRequest:
    warehouse = warehouse_resource(s)
    with warehouse.session() as session:
        filed = requests.file_request(session, report, requested_by="benchmark", as_of=s.as_of)
    deadline = time.monotonic() + wait_s
    while not _finished(instance, filed.request_id):
        if daemon.poll() is not None:
            raise RuntimeError(f"dagster-daemon exited ({daemon.returncode}) before request {filed.request_id} ran: "
                               f"see {log}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"request {filed.request_id} not run within {wait_s:g} s: is the daemon's requests "
                               f"sensor running, and did its code location load? See {log}")
        time.sleep(0.2)
    with warehouse.session() as session:
        return requests.require(session, filed.request_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", default="monthly_spend")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--wait-s", type=float, default=WAIT_S, help="give up on a request not run within this")
    args = parser.parse_args()
    s = settings()
    if not s.warehouse_path.exists():
        raise SystemExit(f"No warehouse at {s.warehouse_path}: build the home first (python -m customer360 demo)")
    env = _dagster_env(s)
    (s.home / "logs").mkdir(parents=True, exist_ok=True)
    log_path = s.home / "logs" / "benchmark-report-requests-daemon.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    # A benchmark stopped by SIGTERM (a timeout, Ctrl-C in a wrapper) still stops its daemon: the `finally` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"], env=env, cwd=ROOT,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    os.environ["DAGSTER_HOME"] = env["DAGSTER_HOME"]
    try:
        with dg.DagsterInstance.get() as instance:
            warm = one_request(s, instance, args.report, daemon, log_path, args.wait_s)
            print(f"warm-up request {warm.request_id}: {seconds_to_complete(warm):.2f} s (not counted)", flush=True)
            durations = []
            for _ in range(args.repeat):
                done = one_request(s, instance, args.report, daemon, log_path, args.wait_s)
                durations.append(seconds_to_complete(done))
                print(f"request {done.request_id} ({args.report}): {durations[-1]:.2f} s to completed", flush=True)
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)
        log.close()
    result = {"report": args.report, "customers": s.customers, "months": s.months, **figures(durations)}
    print(f"median of {args.repeat}: {result['median_s']:.2f} s from request to completed")
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
