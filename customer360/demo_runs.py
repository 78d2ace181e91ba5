"""The demo's runs as runs of their job in the code location the UI serves (workspace.yaml), so they appear on the
job's page and the Overview timeline; while one runs, each materialized asset prints one line (rows, seconds) and
Dagster's own logs go to a file.

A run started by `dagster job execute` carries no code-location origin, so the UI files it under no job. Each run here
is started by `dagster job launch -w workspace.yaml`, Dagster's command for launching a job of a workspace's code
location: it creates the run with that location's origin and hands it to the instance's run launcher, whose run
worker executes it in a process of its own, as a run launched from the UI. The command submits through the instance's
run coordinator, and the project's instance queues runs for the daemon (`make dev`, whose sensors would also start
runs of their own), so the demo launches through an instance config of its own: the project's dagster.yaml with its
storage named explicitly and Dagster's DefaultRunCoordinator, which launches at once. The runs are followed through the
project's own instance, so the demo needs no daemon and no queue, and only Dagster's public command and classes."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import yaml

from customer360.lib.observability.runs import real_error
from customer360.settings import ROOT

WORKSPACE = ROOT / "workspace.yaml"
DAGSTER = str(Path(sys.executable).parent / "dagster")
LAUNCHER = "demo-launcher"  # the launch-only instance config's folder, inside the project's Dagster home
POLL_S = 0.5
NOT_LAUNCHED = "NOT_LAUNCHED"  # a report's status when `dagster job launch` failed before the run was launched
EVENTS = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.ASSET_MATERIALIZATION,
          dg.DagsterEventType.ASSET_CHECK_EVALUATION, dg.DagsterEventType.STEP_FAILURE,
          dg.DagsterEventType.RUN_FAILURE}
# Module names as Dagster's dagster.yaml reference spells them; the storage defaults to the folder the file is in.
_STORAGE_KEYS = {"storage", "run_storage", "event_log_storage", "schedule_storage"}
_DEFAULT_RUN_COORDINATOR = {"module": "dagster.core.run_coordinator", "class": "DefaultRunCoordinator"}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CAUSE = "The above exception was caused by the following exception:"


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
    def launched(self) -> bool:
        return self.status != NOT_LAUNCHED

    @property
    def succeeded(self) -> bool:
        return self.status == dg.DagsterRunStatus.SUCCESS.value

    def summary(self) -> str:
        failed = f", {len(self.checks_failed)} failed" if self.checks_failed else ""
        return (f"{self.job}: {self.status.lower()} in {self.seconds:.1f} s, {self.materialized} assets materialized, "
                f"{self.checks_passed} checks passed{failed} (run {self.run_id})")


def new_run_id() -> str:
    """A run id chosen before the launch (`--run-id`), so the demo can name the run and follow it at once."""
    return str(uuid.uuid4())


def launcher_home(dagster_home: Path) -> Path:
    """A Dagster home for launching only, inside the project's: its dagster.yaml is the project's with the storage
    named explicitly (by default it is the folder the file is in) and Dagster's DefaultRunCoordinator in place of the
    queue, so `dagster job launch` writes the run where the UI reads and launches it at once."""
    config = yaml.safe_load((dagster_home / "dagster.yaml").read_text()) or {}
    if not config.keys() & _STORAGE_KEYS:
        config["storage"] = {"sqlite": {"base_dir": str(dagster_home)}}
    config.setdefault("local_artifact_storage", {"module": "dagster.core.storage.root", "class": "LocalArtifactStorage",
                                                 "config": {"base_dir": str(dagster_home)}})
    config.setdefault("compute_logs", {"module": "dagster.core.storage.local_compute_log_manager",
                                       "class": "LocalComputeLogManager",
                                       "config": {"base_dir": str(dagster_home / "storage")}})
    config.pop("run_queue", None)
    config["run_coordinator"] = _DEFAULT_RUN_COORDINATOR
    home = dagster_home / LAUNCHER
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text(
        f"# Written by `python -m customer360 demo` from {dagster_home / 'dagster.yaml'} (customer360/demo_runs.py) at "
        "every demo: the same instance, launching without the queue.\n" + yaml.safe_dump(config, sort_keys=False))
    return home


def stage_line(key: str, rows: int | None, seconds: float) -> str:
    return f"  {key:<48} {'' if rows is None else f'{rows:>12,} rows':>17} {seconds:>8.1f} s"


def _value(metadata: dict, name: str):
    entry = metadata.get(name)
    return None if entry is None else getattr(entry, "value", entry)


def launch_error(output: str, code: int) -> str:
    """Why `dagster job launch` failed, from what it printed: the deepest cause Dagster names (the error the code
    raised, not Dagster's wrapper around it), else click's `Error:` line."""
    lines = _ANSI.sub("", output).splitlines()
    causes = [i for i, line in enumerate(lines) if line.strip() == _CAUSE]
    if causes:
        message = []
        for line in lines[causes[-1] + 1:]:
            if message and (not line.strip() or line.startswith("Stack Trace:")):
                break
            if line.strip():
                message.append(line.rstrip())
        return "\n".join(message)
    errors = [line[len("Error: "):] for line in lines if line.startswith("Error: ")]
    return errors[-1] if errors else f"`dagster job launch` exited with code {code}"


class _Progress:
    """Turns a run's events into lines: one per materialized asset, one per failed check or step."""

    def __init__(self, report: RunReport, say: Callable[[str], None]):
        self.report, self.say = report, say
        self.last_at: dict[str, float] = {}  # step key -> time of its previous event
        self.run_failure: str | None = None  # what the run's failure event says (no step failed: the run worker did)

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
            message = real_error(error) if error else "failed"
            self.report.step_errors.append(f"{step}: {message}")
            self.say(f"  step failed: {step}: {message.splitlines()[0] if message else ''}")
        elif event.event_type == dg.DagsterEventType.RUN_FAILURE:
            self.run_failure = event.message or entry.user_message


def execute(instance: dg.DagsterInstance, job: str, run_id: str, log: Path, env: dict[str, str],
            say: Callable[[str], None] = print) -> RunReport:
    """Launch run `run_id` of `job` with `dagster job launch` (its output, the code server's and the run worker's
    appended to `log`) and report its progress as its events arrive, until the run has finished."""
    report = RunReport(job, run_id)
    progress = _Progress(report, say)
    launch_env = {**env, "DAGSTER_HOME": str(launcher_home(Path(env["DAGSTER_HOME"])))}
    command = [DAGSTER, "job", "launch", "-w", str(WORKSPACE), "-j", job, "--run-id", run_id]
    started, cursor = time.perf_counter(), None
    with log.open("a") as out:
        out.write(f"\n===== {job} run {run_id}\n")
        out.flush()
        offset = out.tell()
        # The command returns once the run is launched; the run goes on in the code server it started.
        launcher = subprocess.Popen(command, cwd=ROOT, env=launch_env, stdout=out, stderr=subprocess.STDOUT)
        while True:
            code = launcher.poll()
            run = instance.get_run_by_id(run_id)  # its status first, then its events: a finished run's are all in
            page = instance.get_records_for_run(run_id, cursor=cursor, of_type=EVENTS)
            for record in page.records:
                progress.take(record.event_log_entry)
            cursor = page.cursor
            never_launched = code is not None and (run is None or run.status == dg.DagsterRunStatus.NOT_STARTED)
            if (run is not None and run.is_finished) or never_launched:
                break
            time.sleep(POLL_S)
        code = launcher.wait()
    report.seconds = time.perf_counter() - started
    report.status = run.status.value if run else NOT_LAUNCHED
    if not report.succeeded and not report.step_errors:
        if code != 0:
            with log.open("rb") as written:
                written.seek(offset)
                report.step_errors.append(f"launch: {launch_error(written.read().decode(errors='replace'), code)}")
        elif run is None:
            report.step_errors.append(f"launch: the run is not in {env['DAGSTER_HOME']}: {launch_env['DAGSTER_HOME']}"
                                      "/dagster.yaml names other storage than the project's dagster.yaml")
        else:
            report.step_errors.append(f"run: {progress.run_failure or 'ended ' + report.status.lower()}")
    return report
