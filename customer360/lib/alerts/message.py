"""What an alert says: what failed (a job or an asset), its first real error and a link to its run in the Dagster UI.

One `Alert` is one message, sent alike to every channel. Its `key` names what it is about (a run, a check, an
asset's freshness, a request): the ledger (ledger.py) sends one alert per key per window, so a key is the unit of
"no storms". An alert travels through a sensor's cursor when its delivery must be retried, hence `to_json`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote

# Long enough for a stack's real message, short enough for a Slack message and an e-mail subject's body.
MAX_ERROR_CHARS = 1500
MAX_NAMED = 5  # assets named in a subject; the rest are counted


class AlertKind(StrEnum):
    RUN_FAILURE = "run_failure"
    RUN_RECOVERED = "run_recovered"
    BLOCKING_CHECK = "blocking_check"
    CHECK_RECOVERED = "check_recovered"
    CHURN_GATE = "churn_gate"
    FRESHNESS = "freshness"
    FRESHNESS_RECOVERED = "freshness_recovered"
    # A report request that failed (defs/alerts/requests.py): `request_alert` below builds them.
    REPORT_REQUEST = "report_request"
    # Report requests waiting too long, one alert for all of them (one cause holds them all up), and their end.
    REQUESTS_WAITING = "requests_waiting"
    REQUESTS_MOVING = "requests_moving"


_HEADLINES = {
    AlertKind.RUN_FAILURE: "Run failed",
    AlertKind.RUN_RECOVERED: "Recovered",
    AlertKind.BLOCKING_CHECK: "Blocking check failed",
    AlertKind.CHECK_RECOVERED: "Check passed again",
    AlertKind.CHURN_GATE: "Churn gate failed",
    AlertKind.FRESHNESS: "Freshness policy violated",
    AlertKind.FRESHNESS_RECOVERED: "Fresh again",
    AlertKind.REPORT_REQUEST: "Report request",
    AlertKind.REQUESTS_WAITING: "Report requests waiting too long",
    AlertKind.REQUESTS_MOVING: "Report requests moving again",
}
RECOVERIES = (AlertKind.RUN_RECOVERED, AlertKind.CHECK_RECOVERED, AlertKind.FRESHNESS_RECOVERED,
              AlertKind.REQUESTS_MOVING)


@dataclass(frozen=True)
class Delivery:
    """What became of one alert on one channel: delivered, or why not (secrets already scrubbed)."""

    channel: str
    delivered: bool
    detail: str = ""
    permanent: bool = False  # not delivered, and no retry can help: dropped, `detail` names the setting to fix


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    subject: str  # the job (with its partition) or the asset (with its check) it is about
    error: str | None  # the first real error, or what is wrong (a check's description, how stale an asset is)
    link: str | None  # the run (or the asset) in the Dagster UI; None when no UI address is configured
    key: str  # what the ledger deduplicates on
    run_id: str | None = None

    @property
    def recovery(self) -> bool:
        return self.kind in RECOVERIES

    @property
    def title(self) -> str:
        return f"Customer 360: {_HEADLINES[self.kind]}: {self.subject}"

    @property
    def text(self) -> str:
        """The body every channel sends: the title, the error, the run and its link."""
        lines = [self.title]
        if self.error:
            lines.append(f"Error: {self.error}")
        if self.run_id:
            lines.append(f"Run: {self.run_id}")
        if self.link:
            lines.append(f"Open in Dagster: {self.link}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Alert:
        return cls(**{**data, "kind": AlertKind(data["kind"])})


def trimmed(error: str | None) -> str | None:
    """An error as a message can carry it: stripped, at most MAX_ERROR_CHARS (the cut said)."""
    if error is None or not error.strip():
        return None
    error = error.strip()
    return error if len(error) <= MAX_ERROR_CHARS else error[:MAX_ERROR_CHARS] + " … (cut; the run's logs hold the rest)"


def run_link(ui_url: str | None, run_id: str) -> str | None:
    """The run's page in the Dagster UI (`<ui>/runs/<run id>`), None without a UI address."""
    return f"{ui_url.rstrip('/')}/runs/{run_id}" if ui_url else None


def asset_link(ui_url: str | None, asset_path: list[str]) -> str | None:
    """The asset's page in the Dagster UI (`<ui>/assets/<path>`), None without a UI address."""
    if not ui_url:
        return None
    return f"{ui_url.rstrip('/')}/assets/" + "/".join(quote(part, safe="") for part in asset_path)


def job_subject(job_name: str, partition: str | None, assets: Sequence[str] = ()) -> str:
    """`job nightly_dbt_build (partition ...)`, naming the assets the run materialized when it ran a selection of them:
    Dagster's implicit job (`__ASSET_JOB`), a materialization started from the UI or the CLI, always does."""
    names = asset_names(assets)
    if job_name.startswith("__ASSET_JOB"):
        name = f"ad hoc materialization of {names}" if names else "ad hoc materialization"
    else:
        name = f"job {job_name}" + (f" on {names}" if names else "")
    return name + (f" (partition {partition})" if partition else "")


def asset_names(assets: Sequence[str]) -> str:
    """`gold/orders, silver/stg_orders`; past MAX_NAMED, `... and 12 more assets`."""
    named = ", ".join(assets[:MAX_NAMED])
    return named + (f" and {len(assets) - MAX_NAMED} more assets" if len(assets) > MAX_NAMED else "")


def run_failure(job_name: str, partition: str | None, run_id: str, error: str | None, ui_url: str | None,
                retries: int = 0, key: str | None = None, assets: Sequence[str] = ()) -> Alert:
    """A failed run. `retries`: how many times Dagster retried it before giving up; `key`: the retry chain's root run
    (one alert for a run and its retries); `assets`: the run's asset selection."""
    note = f" after {retries} retr{'y' if retries == 1 else 'ies'}" if retries else ""
    return Alert(AlertKind.RUN_FAILURE, job_subject(job_name, partition, assets) + note,
                 trimmed(error) or "the run failed", run_link(ui_url, run_id), key or f"run:{run_id}", run_id)


def run_recovered(job_name: str, partition: str | None, run_id: str, failed_run_id: str, ui_url: str | None,
                  assets: Sequence[str] = ()) -> Alert:
    return Alert(AlertKind.RUN_RECOVERED, job_subject(job_name, partition, assets),
                 f"succeeded again after run {failed_run_id} failed", run_link(ui_url, run_id),
                 f"recovered:{failed_run_id}", run_id)


class RequestProblem(StrEnum):
    """What is wrong with one report request: part of its alert's key."""

    FAILED = "failed"


def request_alert(request_id: int | str, report: str, problem: RequestProblem, detail: str, run_id: str | None,
                  ui_url: str | None) -> Alert:
    """A report request that failed; `detail` says how (its error, where its run is). One alert per request."""
    return Alert(AlertKind.REPORT_REQUEST, f"request {request_id} ({report}) {problem.value}", trimmed(detail),
                 run_link(ui_url, run_id) if run_id else None, f"request:{request_id}:{problem.name.lower()}", run_id)


# The keys of the one incident "requests wait too long": fixed, never the count or the ids, which change as requests
# are filed and started while it lasts.
REQUESTS_WAITING_KEY = "requests:waiting"
REQUESTS_MOVING_KEY = "requests:moving"


# Requests wait too long for one of two causes, each an incident of its own: none starts (the daemon or its requests
# sensor is down), or a run takes too long. One cannot hide the other.
WAITING_CAUSES = {"to_start": "to start", "running": "for their run to end"}


def requests_waiting(count: int, cause: str, detail: str, run_id: str | None, ui_url: str | None) -> Alert:
    """`count` report requests waiting too long `cause` ("to_start" | "running"); `detail` names the oldest."""
    subject = f"{count} report request{'' if count == 1 else 's'} waiting {WAITING_CAUSES[cause]}"
    return Alert(AlertKind.REQUESTS_WAITING, subject, trimmed(detail), run_link(ui_url, run_id) if run_id else None,
                 f"{REQUESTS_WAITING_KEY}:{cause}", run_id)


def requests_moving(cause: str, detail: str) -> Alert:
    """The requests alerted as waiting too long `cause` have all started or ended."""
    return Alert(AlertKind.REQUESTS_MOVING, f"no report request waits too long {WAITING_CAUSES[cause]}", detail, None,
                 f"{REQUESTS_MOVING_KEY}:{cause}")


def check_failed(asset_path: list[str], check_name: str, description: str | None, run_id: str | None,
                 ui_url: str | None, gate: bool) -> Alert:
    """A failed blocking check (`gate`: one of the churn model's release gates). One alert per check per window."""
    asset = "/".join(asset_path)
    link = run_link(ui_url, run_id) if run_id else asset_link(ui_url, asset_path)
    return Alert(AlertKind.CHURN_GATE if gate else AlertKind.BLOCKING_CHECK, f"{asset} check {check_name}",
                 trimmed(description) or "the check failed", link, f"check:{asset}:{check_name}", run_id)


def check_recovered(asset_path: list[str], check_name: str, run_id: str | None, failed_run_id: str | None,
                    ui_url: str | None) -> Alert:
    """A blocking check (or churn gate) that was alerted and passed again."""
    asset = "/".join(asset_path)
    where = f" in run {run_id}" if run_id else ""
    after = f" after failing in run {failed_run_id}" if failed_run_id else ""
    link = run_link(ui_url, run_id) if run_id else asset_link(ui_url, asset_path)
    return Alert(AlertKind.CHECK_RECOVERED, f"{asset} check {check_name}", f"passed{where}{after}", link,
                 f"check_passed:{asset}:{check_name}", run_id)


def freshness_changed(asset_path: list[str], failing: bool, detail: str, ui_url: str | None) -> Alert:
    """An asset that broke its freshness policy (`failing`), or is fresh again."""
    asset = "/".join(asset_path)
    kind = AlertKind.FRESHNESS if failing else AlertKind.FRESHNESS_RECOVERED
    return Alert(kind, f"asset {asset}", detail, asset_link(ui_url, asset_path), f"{kind.value}:{asset}")
