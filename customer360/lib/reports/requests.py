"""observability.report_requests: a report asked for by anyone (SQL, the CLI, the HTTP API, the app), picked up by the
requests sensor (defs/reports/requests.py), its status moved as its Dagster run moves.

requested -> running -> completed | failed, or requested -> cancelled. Every transition is one conditional UPDATE
(`... WHERE status = <the state it leaves>`), so a cancel and a run starting cannot both win: whichever commits
first moves the row, the other finds it moved and says so. The request's `run_id` is the Dagster run that picked it
up; its attempts are the rows of observability.report_runs whose execution_id is that run id (a re-execution of the
run keeps it as its root run id).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
import uuid
from dataclasses import dataclass

import duckdb

from customer360.lib.observability.quality import ensure_observability_schema
from customer360.lib.reports.catalogue import REPORTS_BY_NAME, Report, ReportParameterError, ReportParams
from customer360.lib.reports.export import ExportError, ExportTarget
from customer360.lib.reports.publish import REPORTS_PREFIX, known_segments, prefix
from customer360.lib.resources.warehouse import SNOWFLAKE, WarehouseSession
from customer360.lib.sql import statements

REQUESTED, RUNNING, COMPLETED, FAILED, CANCELLED = "requested", "running", "completed", "failed", "cancelled"
STATUSES = (REQUESTED, RUNNING, COMPLETED, FAILED, CANCELLED)
TABLE = "observability.report_requests"
REQUEST_TAG = "c360/report_request"  # the run tag that carries the request id (the sensor sets it, the asset reads it)
# Set on a run that stopped because its request was cancelled after the pick-up: a user's cancel, not a failure, so
# the run alerts (defs/alerts/sensors.py) never announce it, nor a "Recovered" after it.
CANCELLED_TAG = "c360/request_cancelled"
_ERROR_CHARS = 4000  # as report_runs.error_message: the start of a long error (the whole one is in the run's log)

# The local table and view (DuckDB), applied with the observability schema; Snowflake's are snowflake_setup/12.
LOCAL_DDL = tuple(statements("report_requests_local"))
COLUMNS = ("request_id", "report", "date_from", "date_to", "segment", "export_table", "requested_by", "requested_at",
           "status", "run_id", "object_keys", "error", "updated_at", "request_key", "idempotency_key")
# An Idempotency-Key names one request for this long: a retry within it gets that request, a later use files anew.
IDEMPOTENCY_WINDOW = dt.timedelta(days=1)
# What a retry must repeat to be the same request: the columns its body decides.
_IDEMPOTENT_COLUMNS = ("report", "date_from", "date_to", "segment", "export_table", "requested_by")


class RequestRefused(ValueError):
    """A request that cannot run: the message names what is wrong and what to ask instead."""


class RequestNotFound(LookupError):
    """No request has that id."""


class RequestNotCancellable(ValueError):
    """The request has left `requested`: it runs or has ended, so there is nothing to cancel."""


class IdempotencyConflict(ValueError):
    """An Idempotency-Key already names a request that asked for something else: the message says what differs."""


class WarehouseNotBuilt(RequestRefused):
    """The local warehouse file exists but was never built: a request filed there would never run."""


@dataclass(frozen=True)
class ReportRequest:
    request_id: int
    report: str
    date_from: str | None
    date_to: str | None
    segment: str | None
    export_table: str | None
    requested_by: str
    requested_at: dt.datetime
    status: str
    run_id: str | None
    object_keys: list[str]
    error: str | None
    updated_at: dt.datetime

    def as_json_dict(self) -> dict:
        return {"request_id": self.request_id, "report": self.report, "date_from": self.date_from,
                "date_to": self.date_to, "segment": self.segment or "", "export_table": self.export_table,
                "requested_by": self.requested_by, "requested_at": self.requested_at.isoformat(),
                "status": self.status, "run_id": self.run_id, "object_keys": self.object_keys, "error": self.error,
                "updated_at": self.updated_at.isoformat()}

    @property
    def result_prefix(self) -> str:
        """Where the files land: reports/<report>/<date_to>/<run_id>/ (the run id is known once it is picked up)."""
        return f"{REPORTS_PREFIX}{self.report}/{self.date_to or '<date_to>'}/{self.run_id or '<run_id>'}/"


@dataclass(frozen=True)
class Validated:
    report: Report
    params: ReportParams
    export: ExportTarget | None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# The local warehouse files whose observability DDL this process has applied: (path, inode), so a file replaced by a
# rebuild is set up again. The DDL replaces views: run by two sessions at once (the API's parallel calls) the two
# catalog writes conflict, and a read that failed that way after a committed insert lost its answer.
_SET_UP: set[tuple[str, int]] = set()
_SET_UP_LOCK = threading.Lock()


def _local_file(session: WarehouseSession) -> tuple[str, int] | None:
    [path] = session.fetchone("SELECT path FROM duckdb_databases() WHERE database_name = current_database()") or [None]
    if not path or not os.path.exists(path):
        return None  # in memory: nothing outlives the connection
    return path, os.stat(path).st_ino


def ensure_requests_table(session: WarehouseSession) -> None:
    """Create the table on the local target (with the rest of the observability schema), once per process and file;
    on Snowflake, snowflake_setup/12 owns it."""
    if session.dialect == SNOWFLAKE:
        return
    file = _local_file(session)
    if file is not None and file in _SET_UP:
        return
    with _SET_UP_LOCK:
        if file is None or file not in _SET_UP:
            ensure_observability_schema(session)
        if file is not None:
            _SET_UP.add(file)


def validate(report: str, date_from: str | None, date_to: str | None, segment: str | None, as_of: dt.date,
             segments: list[str] | None = None, export_table: str | None = None) -> Validated:
    """The request as it would run, or RequestRefused naming the problem. Empty dates default as a run's do (the
    year ending on as-of); `segments` are the known ones (None: not checked)."""
    name = (report or "").strip()
    if name not in REPORTS_BY_NAME:
        raise RequestRefused(f"report {name!r} is not in the catalogue; ask for one of {', '.join(REPORTS_BY_NAME)}")
    try:
        params = ReportParams.parse(date_from or "", date_to or "", segment or "", as_of)
    except ReportParameterError as error:
        raise RequestRefused(str(error)) from None
    if params.date_to > as_of:
        raise RequestRefused(f"date_to {params.date_to} is after the data's as-of date {as_of}: the warehouse holds "
                             f"nothing later; ask for a range ending on or before {as_of}")
    if segments is not None and params.segment and params.segment not in segments:
        raise RequestRefused(f"segment={params.segment!r} is not a customer segment; use one of "
                             f"{', '.join(segments) or '(none: build the warehouse first)'} or leave it empty for all")
    return Validated(REPORTS_BY_NAME[name], params, _export(export_table))


# The schemas a request may load its result into. The export runs with the pipeline's role, which creates schemas
# and tables: a request (from the API's shared token, a SQL insert) must not make it write into bronze, gold or
# observability. An operator's own run (run config in the Launchpad) is not a request and is not limited.
EXPORT_SCHEMAS = ("reporting",)


def _export(export_table: str | None) -> ExportTarget | None:
    if not (export_table or "").strip():
        return None
    schema, _, table = export_table.strip().partition(".")
    try:
        target = ExportTarget.parse(schema, table)
    except ExportError as error:
        raise RequestRefused(f"export_table={export_table!r}: {error}; give it as schema.table") from None
    if target is not None and target.schema not in EXPORT_SCHEMAS:
        raise RequestRefused(f"export_table={export_table!r}: a request loads its result only into the schema "
                             f"{' or '.join(EXPORT_SCHEMAS)}; ask for {EXPORT_SCHEMAS[0]}.{target.table}")
    return target


SNOWFLAKE_NO_SUCH_OBJECT = 2003  # "002003: SQL compilation error: Object ... does not exist or not authorized"


def missing_table(error: Exception) -> bool:
    """The table is not there (DuckDB's catalog error, Snowflake's 002003), as opposed to a warehouse that failed."""
    return isinstance(error, duckdb.CatalogException) or getattr(error, "errno", None) == SNOWFLAKE_NO_SUCH_OBJECT


RESULT_EXTENSIONS = ("csv", "html", "parquet")  # what publish() writes for an attempt (publish.files)
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")  # a Dagster run id (a UUID), nothing that could name a folder


def result_keys(report: str, date_to: str | None, run_id: str | None, object_keys: list[str]) -> list[str]:
    """The keys of a request's row that are its own result files and may be offered for download: exactly
    reports/<report>/<date_to>/<run_id>/<report>.(csv|html|parquet), built from the row's own columns. Anyone who can
    write the table could point object_keys anywhere (raw landing files, `../`): those are never offered."""
    if report not in REPORTS_BY_NAME or not run_id or not _RUN_ID.fullmatch(run_id):
        return []
    try:
        day = dt.date.fromisoformat(str(date_to))
    except ValueError:
        return []
    own = {f"{prefix(report, day, run_id)}{report}.{ext}" for ext in RESULT_EXTENSIONS}
    return [key for key in object_keys if key in own]


def segments_of(session: WarehouseSession) -> list[str]:
    """The segments a request may name; a warehouse without gold yet refuses every segment, saying so. Any other
    error (a dropped connection, a busy warehouse) is raised as it is: the request is not at fault, and the sensor's
    tick fails and runs again with the request still waiting."""
    try:
        return known_segments(session)
    except Exception as error:
        if not missing_table(error):
            raise
        raise RequestRefused(f"the customer segments cannot be read (gold.customer_360_profile does not exist: "
                             f"{type(error).__name__}); build the warehouse (python -m customer360 demo) or leave the "
                             "segment empty") from None


def require_built(session: WarehouseSession) -> None:
    """On the local target, refuse a warehouse that was never built (no gold layer: an empty file that a connect made,
    a wrong home): a request filed there waits for a pipeline that does not run. Snowflake's is set up by its own
    steps."""
    if session.dialect == SNOWFLAKE:
        return
    if session.fetchone("SELECT 1 FROM information_schema.tables WHERE table_catalog = current_database() "
                        "AND table_schema = 'gold' LIMIT 1") is None:
        [path] = session.fetchone("SELECT path FROM duckdb_databases() WHERE database_name = current_database()") or [""]
        raise WarehouseNotBuilt(f"the warehouse {path or '(in memory)'} was never built (it has no gold layer, which "
                                "the reports read): run `make demo` first, or set C360_HOME to the home that holds a "
                                "built one")


def file_request(session: WarehouseSession, report: str, date_from: str = "", date_to: str = "", segment: str = "",
                 requested_by: str = "", as_of: dt.date | None = None, export_table: str = "") -> ReportRequest:
    """Validate and record a request (status `requested`); the sensor picks it up. Refused: RequestRefused."""
    return file_request_once(session, report, date_from, date_to, segment, requested_by, as_of, export_table)[0]


def file_request_once(session: WarehouseSession, report: str, date_from: str = "", date_to: str = "",
                      segment: str = "", requested_by: str = "", as_of: dt.date | None = None, export_table: str = "",
                      idempotency_key: str | None = None) -> tuple[ReportRequest, bool]:
    """file_request, and whether it filed: with an `idempotency_key` used within IDEMPOTENCY_WINDOW for the same
    request, that request is returned and nothing is filed (False); for another one, IdempotencyConflict."""
    if as_of is None:
        raise ValueError("file_request needs the data's as-of date (settings().as_of)")
    if not requested_by.strip():
        raise RequestRefused("requested_by is empty: say who asks (a user or a service name)")
    ensure_requests_table(session)
    checked = validate(report, date_from, date_to, segment, as_of,
                       segments_of(session) if (segment or "").strip() else None, export_table)
    key, now = uuid.uuid4().hex, _now()
    row = {"report": checked.report.name, "date_from": checked.params.date_from.isoformat(),
           "date_to": checked.params.date_to.isoformat(), "segment": checked.params.segment,
           "export_table": checked.export.qualified if checked.export else None, "requested_by": requested_by.strip(),
           "requested_at": now, "status": REQUESTED, "updated_at": now, "request_key": key}
    if idempotency_key:
        row["idempotency_key"] = idempotency_key
        if (earlier := _filed_with(session, idempotency_key, now)) is not None:
            return _same_request(earlier, row, idempotency_key), False
    if session.dialect != SNOWFLAKE:
        return _insert_locally(session, row), True
    session.insert_rows(TABLE, [row])
    [request] = _select(session, "request_key = ?", [key])  # Snowflake has no INSERT ... RETURNING
    return request, True


def _filed_with(session: WarehouseSession, idempotency_key: str, now: dt.datetime) -> ReportRequest | None:
    found = _select(session, "idempotency_key = ? AND requested_at >= ?", [idempotency_key, now - IDEMPOTENCY_WINDOW],
                    limit=1)
    return found[0] if found else None


def _same_request(earlier: ReportRequest, row: dict, idempotency_key: str) -> ReportRequest:
    """`earlier` when `row` asks for what it asked for; else IdempotencyConflict naming each difference."""
    filed = {"report": earlier.report, "date_from": earlier.date_from, "date_to": earlier.date_to,
             "segment": earlier.segment or "", "export_table": earlier.export_table,
             "requested_by": earlier.requested_by}
    asked = {**{name: row[name] for name in _IDEMPOTENT_COLUMNS}, "segment": row["segment"] or ""}
    # another caller's name is theirs: said to differ, never quoted to whoever holds the key
    differs = [f"{name} {asked[name]!r} (it has {filed[name]!r})" if name != "requested_by" else
               "requested_by (another caller's)" for name in _IDEMPOTENT_COLUMNS if asked[name] != filed[name]]
    if differs:
        raise IdempotencyConflict(f"Idempotency-Key {idempotency_key!r} already names request {earlier.request_id}, "
                                  f"which asked for something else: {', '.join(differs)}; send a new key for a new "
                                  "request")
    return earlier


# Locally a row inserted with its own request_id takes an id the sequence will hand out later; the insert that meets
# it fails, and the sequence has moved on, so it is tried again with the next id, this many times at most.
ID_ATTEMPTS = 20


def _insert_locally(session: WarehouseSession, row: dict) -> ReportRequest:
    """Insert and read back in one statement: a request that was filed is always answered with its id."""
    statement = (f"INSERT INTO {TABLE} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) "
                 f"RETURNING {', '.join(COLUMNS)}")
    for _ in range(ID_ATTEMPTS):
        try:
            [values] = session.fetchall(statement, list(row.values()))
            return from_row(values)
        except duckdb.ConstraintException as taken:
            if "request_id" not in str(taken):
                raise
    raise RequestRefused(f"the next {ID_ATTEMPTS} request ids are taken by rows inserted with their own request_id; "
                         f"leave request_id to its default in inserts, and ask the data engineers to move the sequence "
                         f"past SELECT max(request_id) FROM {TABLE}")


def from_row(values: tuple) -> ReportRequest:
    """A request from a row of COLUMNS, in that order (request_key and idempotency_key may be left off)."""
    row = dict(zip(COLUMNS, values, strict=False))
    keys = json.loads(row["object_keys"]) if row["object_keys"] else []
    return ReportRequest(int(row["request_id"]), row["report"], row["date_from"], row["date_to"], row["segment"],
                         row["export_table"], row["requested_by"], row["requested_at"], row["status"], row["run_id"],
                         keys, row["error"], row["updated_at"])


def _select(session: WarehouseSession, where: str, params: list, limit: int | None = None) -> list[ReportRequest]:
    ensure_requests_table(session)
    tail = f" LIMIT {int(limit)}" if limit else ""
    found = session.fetchall(f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE {where} ORDER BY request_id{tail}",
                             params)
    return [from_row(values) for values in found]


def get(session: WarehouseSession, request_id: int) -> ReportRequest | None:
    found = _select(session, "request_id = ?", [int(request_id)])
    return found[0] if found else None


def require(session: WarehouseSession, request_id: int) -> ReportRequest:
    if (request := get(session, request_id)) is None:
        raise RequestNotFound(f"no report request has id {request_id}; list them with "
                              f"SELECT * FROM {TABLE} ORDER BY request_id DESC")
    return request


def list_requests(session: WarehouseSession, status: str | None = None, limit: int = 100) -> list[ReportRequest]:
    """The newest `limit` requests (optionally of one status), newest first."""
    ensure_requests_table(session)
    where, params = ("status = ?", [status]) if status else ("1 = 1", [])
    found = session.fetchall(f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE {where} "
                             f"ORDER BY request_id DESC LIMIT {int(limit)}", params)
    return [from_row(values) for values in found]


def waiting(session: WarehouseSession) -> list[ReportRequest]:
    """Requests not yet started, oldest first: what the sensor picks up (by status, so an id committed after a
    higher one is never skipped)."""
    return _select(session, "status = ?", [REQUESTED])


def running(session: WarehouseSession) -> list[ReportRequest]:
    """Requests a run has claimed and not ended yet, oldest first: what the sensor reconciles with their runs."""
    return _select(session, "status = ?", [RUNNING])


def shared_ids(session: WarehouseSession) -> set[int]:
    """Ids held by more than one row. The local table's primary key prevents them; Snowflake does not enforce keys,
    so an insert that gives request_id itself can collide with AUTOINCREMENT."""
    return {int(row[0]) for row in session.fetchall(
        f"SELECT request_id FROM {TABLE} GROUP BY request_id HAVING count(*) > 1")}


def refuse_shared_id(session: WarehouseSession, request_id: int) -> None:
    """Fail every waiting row with that id: one run would claim them all and complete each with the others' files."""
    _move(session, request_id, (REQUESTED,), FAILED,
          error=f"refused: request id {request_id} is held by more than one row (an insert gave request_id itself); "
                "leave request_id to its default and file the request again")


def _move(session: WarehouseSession, request_id: int, leaving: tuple[str, ...], status: str, **columns) -> None:
    columns = {"status": status, **columns, "updated_at": _now()}
    assignments = ", ".join(f"{name} = ?" for name in columns)
    states = ", ".join("?" for _ in leaving)
    session.execute(f"UPDATE {TABLE} SET {assignments} WHERE request_id = ? AND status IN ({states})",
                    [*columns.values(), int(request_id), *leaving])


def cancel(session: WarehouseSession, request_id: int) -> ReportRequest:
    """Cancel a request not yet started; its run never starts (the run checks, see `start_running`)."""
    require(session, request_id)
    _move(session, request_id, (REQUESTED,), CANCELLED, error="cancelled before it started")
    request = require(session, request_id)
    if request.status != CANCELLED:
        raise RequestNotCancellable(f"report request {request_id} is {request.status} (run {request.run_id}); only a "
                                    "request still `requested` can be cancelled")
    return request


def start_running(session: WarehouseSession, request_id: int, root_run_id: str) -> ReportRequest:
    """requested -> running, recording the run (its root run id), or failed -> running again for a re-execution of
    that run. Returns the request as it now is: unless it is `running` with this run id, the run must not proceed
    (it was cancelled, or another run has it)."""
    _move(session, request_id, (REQUESTED,), RUNNING, run_id=root_run_id)
    request = require(session, request_id)
    if request.status == FAILED and request.run_id == root_run_id:
        _move(session, request_id, (FAILED,), RUNNING, error=None)
        request = require(session, request_id)
    return request


def record_launch(session: WarehouseSession, request_id: int, params: ReportParams) -> None:
    """Write the dates and segment the request's run is launched with into its row while it is still `requested`:
    left empty (a plain SQL insert), they are resolved from the as-of date of the pick-up, and the row must say what
    ran (its result folder is reports/<report>/<date_to>/<run_id>/, the page and the API build it from the row)."""
    session.execute(f"UPDATE {TABLE} SET date_from = ?, date_to = ?, segment = ? WHERE request_id = ? AND status = ?",
                    [params.date_from.isoformat(), params.date_to.isoformat(), params.segment, int(request_id),
                     REQUESTED])


def completed(session: WarehouseSession, request_id: int, keys: list[str], export_table: str | None) -> None:
    _move(session, request_id, (RUNNING,), COMPLETED, object_keys=json.dumps(keys), export_table=export_table,
          error=None)


def failed(session: WarehouseSession, request_id: int, reason: str, run_id: str | None = None) -> None:
    """Fail a request not yet ended, with the first real error. Given a run id (its root run id), only while the
    request is that run's or no run's yet: a stray second run's failure never fails a request another run carries."""
    guard, params = ("", []) if run_id is None else (" AND (run_id IS NULL OR run_id = ?)", [run_id])
    session.execute(f"UPDATE {TABLE} SET status = ?, error = ?, run_id = COALESCE(run_id, ?), updated_at = ? "
                    f"WHERE request_id = ? AND status IN (?, ?){guard}",
                    [FAILED, reason[:_ERROR_CHARS], run_id, _now(), int(request_id), REQUESTED, RUNNING, *params])


def run_ended_without_it(run_id: str, status: str) -> str:
    return (f"its run {run_id} ended {status} without completing the request (cancelled or killed before its report "
            "ran); file the request again")


def run_not_in_instance(run_id: str | None) -> str:
    return f"its run {run_id} is not in this Dagster instance (deleted, or another instance's); file the request again"


def run_cancelled(run_id: str) -> str:
    return f"its run {run_id} was cancelled before it finished; file the request again"


# The failures the three messages above write: a run that ended without a failure of its own (cancelled, killed,
# gone), which the run alerts never announce (they announce failed runs).
_RUN_ENDED_QUIETLY = re.compile(r"its run \S+ (ended \w+ without completing|is not in this Dagster instance|"
                                r"was cancelled before it finished)")


def failure_announced_by_its_run(request: ReportRequest) -> bool:
    """Whether the run alerts (run_failure_alerts) announce this failed request: its run failed with the error the
    row holds. They hold a run Dagster will retry and announce one alert per run and its retries, so the request's
    own alert is only for the failures no run carries: refusals (no run) and runs that ended without failing."""
    return request.run_id is not None and not _RUN_ENDED_QUIETLY.match(request.error or "")


def counts_by_status(session: WarehouseSession) -> dict[str, int]:
    """Every status with its count (0 when none): the API's /metrics."""
    ensure_requests_table(session)
    found = dict(session.fetchall(f"SELECT status, count(*) FROM {TABLE} GROUP BY status"))
    return {status: int(found.get(status, 0)) for status in STATUSES}


def overdue_requests(session: WarehouseSession, older_than: dt.timedelta, now: dt.datetime | None = None,
                     failed_since: dt.datetime | None = None) -> list[ReportRequest]:
    """What an alert should name: requests still `requested` or `running` longer than `older_than` after they were
    asked for, and failed ones (those failed at or after `failed_since`, when given). Oldest first."""
    cutoff = (now or _now()) - older_than
    where = f"(status IN (?, ?) AND requested_at <= ?) OR (status = ?{' AND updated_at >= ?' if failed_since else ''})"
    params = [REQUESTED, RUNNING, cutoff, FAILED, *([failed_since] if failed_since else [])]
    return _select(session, where, params)
