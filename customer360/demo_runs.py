"""The demo's runs as runs of their job in the code location the UI serves (workspace.yaml), so they appear on the
job's page and the Overview timeline; while one runs, each materialized asset prints one line (rows, seconds) and
Dagster's own logs go to a file.

A run started by `dagster job execute` carries no code-location origin, so the UI files it under no job. Here the run
is created with the origin of workspace.yaml's location, then executed by `dagster api execute_run`: the run-worker
entry point every Dagster run launcher uses (the default launcher in-process, the Docker and Kubernetes launchers
as a container command), so the run is the same as one launched from the UI, with no daemon and no queue."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import dagster as dg
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster._core.remote_origin import RemoteRepositoryOrigin
from dagster._core.workspace.load import location_origins_from_yaml_paths
from dagster._grpc.types import ExecuteRunArgs
from dagster._serdes import serialize_value

from customer360.settings import ROOT

WORKSPACE = ROOT / "workspace.yaml"
DAGSTER = str(Path(sys.executable).parent / "dagster")
POLL_S = 0.5
EVENTS = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.ASSET_MATERIALIZATION,
          dg.DagsterEventType.ASSET_CHECK_EVALUATION, dg.DagsterEventType.STEP_FAILURE}


@dataclass
class RunReport:
    job: str
    run_id: str
    status: str = "NOT_STARTED"
    seconds: float = 0.0
    materialized: int = 0
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)  # "WARN bronze/x: check_name — description"
    step_errors: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.status == dg.DagsterRunStatus.SUCCESS.value

    def summary(self) -> str:
        failed = f", {len(self.checks_failed)} failed" if self.checks_failed else ""
        return (f"{self.job}: {self.status.lower()} in {self.seconds:.1f} s, {self.materialized} assets materialized, "
                f"{self.checks_passed} checks passed{failed} (run {self.run_id})")


@cache
def _location():
    (origin,) = location_origins_from_yaml_paths([str(WORKSPACE)])
    target = origin.loadable_target_origin
    repo = ReconstructableRepository.for_module(target.module_name, target.attribute,
                                                working_directory=str(ROOT))
    return origin, repo


def create_run(instance: dg.DagsterInstance, job_name: str) -> dg.DagsterRun:
    """A run of `job_name` that belongs to workspace.yaml's code location, as if launched from the UI."""
    origin, repo = _location()
    definition = repo.get_definition()
    job = definition.get_job(job_name)
    remote_origin = RemoteRepositoryOrigin(code_location_origin=origin, repository_name=definition.name)
    return instance.create_run_for_job(
        job, tags=job.run_tags, remote_job_origin=remote_origin.get_job_origin(job_name),
        job_code_origin=repo.get_reconstructable_job(job_name).get_python_origin(),
    )


def stage_line(key: str, rows: int | None, seconds: float) -> str:
    return f"  {key:<48} {'' if rows is None else f'{rows:>12,} rows':>17} {seconds:>8.1f} s"


def _value(metadata: dict, name: str):
    entry = metadata.get(name)
    return None if entry is None else getattr(entry, "value", entry)


class _Progress:
    """Turns a run's events into lines: one per materialized asset, one per failed check or step."""

    def __init__(self, report: RunReport, say: Callable[[str], None]):
        self.report, self.say = report, say
        self.last_at: dict[str, float] = {}  # step key -> time of its previous event

    def take(self, entry) -> None:
        event = entry.dagster_event
        step, at = event.step_key or "", entry.timestamp
        if event.event_type == dg.DagsterEventType.STEP_START:
            self.last_at[step] = at
        elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            metadata = event.event_specific_data.materialization.metadata
            # dbt reports each model's own duration; other assets take the time since their step's previous event
            seconds = _value(metadata, "Execution Duration") or at - self.last_at.get(step, at)
            self.last_at[step] = at
            self.report.materialized += 1
            self.say(stage_line(event.asset_key.to_user_string(), _value(metadata, "dagster/row_count"), seconds))
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if evaluation.passed:
                self.report.checks_passed += 1
            else:
                line = (f"{evaluation.severity.value} {evaluation.asset_key.to_user_string()}: "
                        f"{evaluation.check_name} — {evaluation.description or 'failed'}")
                self.report.checks_failed.append(line)
                self.say(f"  check failed: {line}")
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.event_specific_data.error
            message = error.message.strip() if error else "failed"
            self.report.step_errors.append(f"{step}: {message}")
            self.say(f"  step failed: {step}: {message.splitlines()[0] if message else ''}")


def execute(instance: dg.DagsterInstance, run: dg.DagsterRun, log: Path, env: dict[str, str],
            say: Callable[[str], None] = print) -> RunReport:
    """Execute `run` in a run worker whose output is appended to `log`, reporting progress as its events arrive."""
    report = RunReport(run.job_name, run.run_id)
    progress = _Progress(report, say)
    args = serialize_value(ExecuteRunArgs(job_origin=run.job_code_origin, run_id=run.run_id,
                                          instance_ref=instance.get_ref()))
    started, cursor = time.perf_counter(), None
    with log.open("a") as out:
        out.write(f"\n===== {run.job_name} run {run.run_id}\n")
        out.flush()
        worker = subprocess.Popen([DAGSTER, "api", "execute_run", args], cwd=ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
        while True:
            finished = worker.poll() is not None  # read once more after the worker exits: its last events
            page = instance.get_records_for_run(run.run_id, cursor=cursor, of_type=EVENTS)
            for record in page.records:
                progress.take(record.event_log_entry)
            cursor = page.cursor
            if finished:
                break
            time.sleep(POLL_S)
    report.seconds = time.perf_counter() - started
    final = instance.get_run_by_id(run.run_id)
    report.status = final.status.value if final else "UNKNOWN"
    return report
