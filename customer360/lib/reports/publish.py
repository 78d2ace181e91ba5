"""One attempt at a report, end to end: query gold, write CSV + Parquet + HTML under
reports/<report>/<date_to>/<run_id>/, upload with retries, optionally export to a table, and record each transition.

Invariants: `completed` is written only after every object is stored and verified (and the export committed); a
failure after retries deletes what this attempt stored and records `failed` with the error; a killed process leaves
the last transition it wrote (`pending` or `uploading`), never `completed`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
from tenacity import Retrying, stop_after_attempt, wait_exponential

from customer360.lib.reports import status
from customer360.lib.reports.catalogue import Report, ReportParameterError, ReportParams
from customer360.lib.reports.document import render
from customer360.lib.reports.export import ExportTarget, export
from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.lib.resources.warehouse import Warehouse

REPORTS_PREFIX = "reports/"


class ReportFailed(RuntimeError):
    """The attempt failed after its retries; observability.report_runs holds the same error."""


@dataclass(frozen=True)
class Request:
    report: Report
    params: ReportParams
    execution_id: str
    run_id: str
    requested_by: str
    export: ExportTarget | None = None
    upload_attempts: int = 3
    retry_wait_s: float = 1.0  # first wait between upload attempts; doubles up to 8 s
    run_by: str | None = None  # who the run's tags say ran it; requested_by is what the request claims


@dataclass(frozen=True)
class Published:
    keys: list[str]
    row_count: int
    upload_attempts: int
    uploaded_at: dt.datetime
    exported_rows: int | None
    result: pa.Table


def prefix(report: str, date_to: dt.date, run_id: str) -> str:
    return f"{REPORTS_PREFIX}{report}/{date_to.isoformat()}/{run_id}/"


def files(request: Request, result: pa.Table, generated_at: dt.datetime) -> dict[str, bytes]:
    """The attempt's objects by key, in upload order: the data first, the document that points at it last."""
    base = prefix(request.report.name, request.params.date_to, request.run_id) + request.report.name
    parquet, csv = io.BytesIO(), io.BytesIO()
    pq.write_table(result, parquet)
    pcsv.write_csv(result, csv)
    html = render(request.report, request.params, result, request.execution_id, generated_at)
    return {f"{base}.parquet": parquet.getvalue(), f"{base}.csv": csv.getvalue(), f"{base}.html": html.encode()}


def _upload(store: ObjectStoreResource, objects: dict[str, bytes], stored: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="c360-report-") as tmp:
        for key, content in objects.items():
            path = Path(tmp) / Path(key).name
            path.write_bytes(content)
            store.put_file(path, key)  # atomic and verified (size + checksum on S3)
            if key not in stored:
                stored.append(key)


def _delete(store: ObjectStoreResource, keys: list[str], log: Callable[[str], None]) -> None:
    for key in keys:
        try:
            store.delete(key)
        except Exception as error:  # noqa: BLE001 - the failure being recorded matters more; say what is left
            log(f"Could not delete {key} after the failed attempt ({error}); delete it by hand")


def known_segments(session) -> list[str]:
    """The generated segments of gold.customer_360_profile, sorted."""
    return sorted(row[0] for row in session.fetchall(
        "SELECT DISTINCT customer_segment FROM gold.customer_360_profile WHERE customer_segment IS NOT NULL"))


def _check_segment(session, segment: str) -> None:
    """An unknown segment would give an empty report that looks like a quiet month: refuse it, naming the real ones."""
    if not segment:
        return
    known = known_segments(session)
    if segment not in known:
        raise ReportParameterError(f"segment={segment!r} is not a customer segment; use one of {', '.join(known)} "
                                   "or leave it empty for all")


def publish(warehouse: Warehouse, store: ObjectStoreResource, request: Request,
            log: Callable[[str], None] = print) -> Published:
    report, attempt = request.report, status.Attempt(request.execution_id, request.run_id, request.report.name)
    with warehouse.session() as session:
        status.start(session, attempt, request.params.as_json_dict(), request.requested_by,
                     request.export.qualified if request.export else None, request.run_by)
    stored: list[str] = []
    tries = 0
    try:
        with warehouse.session() as session:
            _check_segment(session, request.params.segment)
            result = session.fetch_arrow(*report.query(request.params))
            status.uploading(session, attempt, result.num_rows)
        objects = files(request, result, dt.datetime.now(dt.UTC))
        for try_ in Retrying(stop=stop_after_attempt(request.upload_attempts), reraise=True,
                             wait=wait_exponential(multiplier=request.retry_wait_s, max=8)):
            with try_:
                tries += 1
                if tries > 1:
                    log(f"{report.name}: upload attempt {tries} of {request.upload_attempts}")
                _upload(store, objects, stored)
        uploaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        exported = None
        if request.export:
            parquet_key = next(key for key in objects if key.endswith(".parquet"))
            with warehouse.session() as session:
                exported = export(session, store, request.export, parquet_key, result.schema, request.execution_id,
                                  uploaded_at, request.requested_by)
        with warehouse.session() as session:
            status.completed(session, attempt, list(objects), tries, uploaded_at)
    except Exception as error:
        _delete(store, stored, log)
        try:
            with warehouse.session() as session:
                status.failed(session, attempt, error, tries)
        except Exception as record_error:  # noqa: BLE001 - the report's own error is the one to raise
            log(f"Could not record the failure in observability.report_runs: {record_error}")
        uploads = f" after {tries} upload attempt(s)" if tries else ""
        raise ReportFailed(f"Report {report.name} (run {request.run_id}) failed{uploads}: "
                           f"{type(error).__name__}: {error}. observability.report_runs has status 'failed' and this "
                           "error; nothing of this attempt is left in the object store. Fix the cause and "
                           "re-execute the run.") from error
    return Published(list(objects), result.num_rows, tries, uploaded_at, exported, result)


def _stored_keys(store: ObjectStoreResource, row: dict) -> list[str]:
    """What an attempt stored under its prefix; nothing when its parameters never parsed (it never uploaded)."""
    try:
        date_to = dt.date.fromisoformat(json.loads(row["parameters"]).get("date_to") or "")
    except (ValueError, TypeError, AttributeError):
        return []
    return [stored.key for stored in store.list(prefix(row["report"], date_to, row["run_id"]))]


def sweep_abandoned(warehouse: Warehouse, store: ObjectStoreResource, run_ended: Callable[[str], str | None],
                    log: Callable[[str], None] = print) -> list[str]:
    """Attempts left `pending` or `uploading` by a run that has ended (killed mid-upload, say): mark each `abandoned`
    and delete whatever it stored under its prefix. `run_ended` gives a run's end state, or None while it runs.
    Returns the run ids swept."""
    with warehouse.session() as session:
        stale = [(row, ended) for row in status.unfinished(session) if (ended := run_ended(row["run_id"]))]
    for row, ended in stale:
        keys = _stored_keys(store, row)
        _delete(store, keys, log)
        with warehouse.session() as session:
            status.abandoned(session, status.Attempt(row["execution_id"], row["run_id"], row["report"]),
                             f"its Dagster run {row['run_id']} ended ({ended}) while the attempt was {row['status']}; "
                             f"{len(keys)} object(s) it stored were deleted. Re-run the report if it is still wanted.")
        log(f"{row['report']}: attempt of run {row['run_id']} abandoned ({ended}); deleted {len(keys)} object(s)")
    return [row["run_id"] for row, _ in stale]
