"""Which finished runs become alerts: one per failed run (a run and Dagster's retries of it count as one), and one
recovery when the same job, over the same assets and partition, next succeeds. The assets count because runs of
different assets share a job name: every materialization started from the UI or the CLI runs as `__ASSET_JOB`, and
a run of a job's subset keeps the job's name; a success of asset B says nothing about a failure of asset A.

A run Dagster will retry (its `dagster/will_retry` tag, set when run retries are on) is held, not alerted: if a
retry succeeds nobody needed to know, if the retries fail too the last failure is alerted once, naming how many
retries ran. A hold that no retry resolves within HOLD_MAX_S is alerted anyway (the daemon may be down). A failed run
read before Dagster tagged it (the tag is written just after the failure; the daemon writes it if that was missed)
is held as undecided until the tag says.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from customer360.lib.alerts.message import Alert, run_failure, run_recovered

HOLD_MAX_S = 6 * 3600
MAX_TRACKED = 200  # held runs and failing jobs each; the oldest is forgotten first
MAX_KEY_ASSETS_CHARS = 200
# A failed run's first error, read when it is alerted: a held run keeps no error in the cursor, which Dagster stores
# on every tick.
ErrorOf = Callable[[str], str | None]


@dataclass(frozen=True)
class FinishedRun:
    run_id: str
    job_name: str
    partition: str | None
    failed: bool
    will_retry: bool = False
    root_run_id: str | None = None  # the first run of a retry chain (dagster/root_run_id)
    retry_number: int = 0
    error: str | None = None
    undecided: bool = False  # failed, run retries on, and no dagster/will_retry tag yet
    assets: tuple[str, ...] = ()  # the run's asset selection, sorted (`gold/orders`); () for an op job or all of one

    @property
    def root(self) -> str:
        return self.root_run_id or self.run_id

    @property
    def job_key(self) -> str:
        return job_key(self.job_name, self.partition, self.assets)


def job_key(job_name: str, partition: str | None, assets: Sequence[str]) -> str:
    """What a recovery must match: the job, its asset selection (a digest past MAX_KEY_ASSETS_CHARS, to keep the
    cursor small) and the partition."""
    selection = ",".join(sorted(assets))
    if len(selection) > MAX_KEY_ASSETS_CHARS:
        selection = "sha1:" + hashlib.sha1(selection.encode()).hexdigest()[:16]
    return f"{job_name}|{selection}|{partition or ''}"


@dataclass
class RunWatch:
    held: dict[str, dict[str, Any]] = field(default_factory=dict)  # root run id -> the latest failed attempt
    failing: dict[str, str] = field(default_factory=dict)  # job|assets|partition -> the failed run that was alerted

    def to_json(self) -> dict[str, Any]:
        return {"held": self.held, "failing": self.failing}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> RunWatch:
        data = data or {}
        return cls(dict(data.get("held", {})), dict(data.get("failing", {})))

    def observe(self, run: FinishedRun, ui_url: str | None, now: float) -> list[Alert]:
        """The alerts `run`'s end makes (none while Dagster will retry it)."""
        if run.failed and (run.will_retry or run.undecided):
            since = self.held.pop(run.root, {}).get("since", now)
            self.held[run.root] = {"since": since, "run_id": run.run_id, "job_name": run.job_name,
                                   "partition": run.partition, "retry_number": run.retry_number,
                                   "undecided": run.undecided, "assets": list(run.assets)}
            self._bound()
            return []
        self.held.pop(run.root, None)
        if run.failed:
            return [self._failed(run.job_name, run.partition, run.run_id, run.error, ui_url, run.retry_number,
                                 run.root, run.assets)]
        failed_run = self.failing.pop(run.job_key, None)
        if not failed_run:
            return []
        return [run_recovered(run.job_name, run.partition, run.run_id, failed_run, ui_url, run.assets)]

    def undecided(self) -> list[str]:
        """The held failed runs whose retry Dagster had not yet decided."""
        return [held["run_id"] for held in self.held.values() if held.get("undecided")]

    def decided(self, run_id: str, will_retry: bool, ui_url: str | None, error_of: ErrorOf) -> list[Alert]:
        """Dagster's decision for an undecided run: held on as a retry, or alerted now (its error read then)."""
        for root, held in list(self.held.items()):
            if held["run_id"] != run_id:
                continue
            if will_retry:
                held["undecided"] = False
                return []
            del self.held[root]
            return [self._failed(held["job_name"], held["partition"], run_id, error_of(run_id), ui_url,
                                 held["retry_number"], root, held.get("assets", ()))]
        return []

    def expire(self, ui_url: str | None, now: float, error_of: ErrorOf) -> list[Alert]:
        """Held runs whose retries did not finish within HOLD_MAX_S: alerted now (their error read then)."""
        alerts = []
        for root, held in list(self.held.items()):
            if now - held["since"] >= HOLD_MAX_S:
                del self.held[root]
                error = (f"{error_of(held['run_id']) or 'the run failed'} (Dagster was to retry it; no retry finished within "
                         f"{HOLD_MAX_S // 3600} h: check the daemon and the run's retries)")
                alerts.append(self._failed(held["job_name"], held["partition"], held["run_id"], error, ui_url,
                                           held["retry_number"], root, held.get("assets", ())))
        return alerts

    def _failed(self, job_name: str, partition: str | None, run_id: str, error: str | None, ui_url: str | None,
                retries: int, root: str, assets: Sequence[str]) -> Alert:
        key = job_key(job_name, partition, assets)
        self.failing.pop(key, None)
        self.failing[key] = run_id
        self._bound()
        return run_failure(job_name, partition, run_id, error, ui_url, retries, key=f"run:{root}", assets=tuple(assets))

    def _bound(self) -> None:
        self.held = dict(list(self.held.items())[-MAX_TRACKED:])
        self.failing = dict(list(self.failing.items())[-MAX_TRACKED:])
