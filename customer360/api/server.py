"""The report requests API: `python -m customer360 api` serves it with uvicorn on C360_API_ADDRESS:C360_API_PORT.

    POST   /reports/requests        file a request (validated as every way in is); 201 with its id and status URL
    GET    /reports/requests/{id}   its status, run, error and, once completed, its files
    DELETE /reports/requests/{id}   cancel it while it has not started (409 once it has)
    GET    /metrics                 Prometheus text: requests by status, the oldest waiting request's age
    GET    /health                  no token: the process answers (on the event loop: never behind the calls below)
    GET    /openapi.json, /docs     the contract, no token

Every call but /health and the contract needs `Authorization: Bearer <C360_API_TOKEN>`; a missing or wrong token is
401. A request is a row of observability.report_requests: the requests sensor of the Dagster daemon runs it.

Every call answers within seconds, however long a run holds the local DuckDB file: it waits at most SESSION_WAIT_S
for the calls before it and LOCK_WAIT_S for the file, then answers 503 with Retry-After, having filed nothing. A client
that gave up on a POST and retries sends the same `Idempotency-Key`: within a day, the same key and body answer 200
with the request it filed (nothing filed twice), the same key with another body 409.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

import dagster as dg
import uvicorn
from fastapi import Depends, FastAPI, Header, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from customer360.lib.reports import requests
from customer360.lib.reports.catalogue import REPORTS_BY_NAME
from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.lib.resources.warehouse import Warehouse, WarehouseLocked, WarehouseLoginRefused
from customer360.settings import API_TOKEN, Settings

BEARER = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
ReportName = Literal[tuple(REPORTS_BY_NAME)]  # type: ignore[valid-type] - the catalogue, so OpenAPI lists each one


class NewRequest(BaseModel):
    # An unknown field is refused, never dropped: a caller that sends `from`/`to` (the CLI's names) or misspells
    # `segment` would otherwise get a report of another range or segment than asked, with no word of it.
    model_config = ConfigDict(extra="forbid")

    report: ReportName = Field(description="The report to run (the catalogue: docs/reports.md).")
    date_from: dt.date | None = Field(None, description="First day, YYYY-MM-DD; unset: 364 days before date_to.")
    date_to: dt.date | None = Field(None, description="Last day, YYYY-MM-DD, not after the data's as-of date; "
                                                      "unset: the as-of date.")
    segment: str = Field("", max_length=100, description="One customer segment; empty: every segment.")
    export_table: str = Field("", max_length=200, description="Also load the result into reporting.<table>.")
    requested_by: str = Field("api", min_length=1, max_length=200, description="Who asks (a user or a service); "
                                                                               "recorded as api:<it>.")


class RequestView(BaseModel):
    request_id: int
    report: str
    date_from: str | None
    date_to: str | None
    segment: str
    export_table: str | None
    requested_by: str | None = Field(description="Who asked: only in the answer to the POST that filed it (the one "
                                                 "token is shared, and the app's rows hold people's e-mail addresses).")
    requested_at: dt.datetime = Field(description="When it was asked for, in UTC (with its offset).")
    status: Literal[requests.STATUSES]  # type: ignore[valid-type]
    run_id: str | None
    has_error: bool
    error: str | None = Field(description="Why it was refused or cancelled; for a failed run, only where to look (the "
                                          "error text can quote a failed query's values: the data engineers read it).")
    object_keys: list[str] = Field(description="The result's objects (CSV, Parquet, HTML) once completed.")
    files: list[str] = Field(description="The same objects as locations in the object store.")
    result_prefix: str = Field(description="Where the files land: the run id is filled in once it is picked up.")
    status_url: str


SHOWN_ERRORS = ("refused: ", "cancelled")  # written by the rules from the request's own values, never a query's


def shown_error(request: requests.ReportRequest) -> str | None:
    """What a caller may read of the error: a refusal or a cancellation as it is, else where the error is."""
    if request.error is None or request.error.startswith(SHOWN_ERRORS):
        return request.error
    where = f"run {request.run_id} in Dagster" if request.run_id else "observability.report_requests"
    return f"{request.status}: the error is kept for the data engineers (it can quote a failed query's values); see {where}"


def _view(request: requests.ReportRequest, store: ObjectStoreResource, own: bool = False) -> RequestView:
    hidden = ("requested_at", "updated_at", "requested_by", "error")
    return RequestView(**{k: v for k, v in request.as_json_dict().items() if k not in hidden},
                       requested_at=request.requested_at.replace(tzinfo=dt.UTC), requested_by=request.requested_by if own else None,
                       has_error=request.error is not None, error=shown_error(request),
                       files=[f"{store.location}{key}" for key in request.object_keys],
                       result_prefix=f"{store.location}{request.result_prefix}",
                       status_url=f"/reports/requests/{request.request_id}")


def metrics_text(counts: dict[str, int], oldest_waiting_s: float) -> str:
    """The Prometheus text exposition of the requests (format 0.0.4)."""
    lines = ["# HELP c360_report_requests Report requests in observability.report_requests, by status.",
             "# TYPE c360_report_requests gauge"]
    lines += [f'c360_report_requests{{status="{name}"}} {count}' for name, count in counts.items()]
    lines += ["# HELP c360_report_requests_oldest_waiting_seconds Age of the oldest request not yet started (0: none).",
              "# TYPE c360_report_requests_oldest_waiting_seconds gauge",
              f"c360_report_requests_oldest_waiting_seconds {oldest_waiting_s:.3f}"]
    return "\n".join(lines) + "\n"


API_PREFIX = "api:"


def api_caller(requested_by: str) -> str:
    """Who asked as the trail keeps it: the caller's own word, marked as such (`api:<it>`). One token is shared by the
    services, so the API cannot vouch for the name; the mark keeps it from passing for an app login or a database
    user."""
    given = requested_by.strip()
    return given if given == "api" or given.startswith(API_PREFIX) else f"{API_PREFIX}{given}"  # "api": no name given


RETRY_AFTER_S = 30  # what a caller of a busy or unreachable warehouse is told to wait
# Locally one call at a time holds the DuckDB file (below). A call waits this long for the ones before it, and the file
# this long for a run that holds it, then answers 503: a client's timeout is seconds, and a call it gave up on must
# not file later (uvicorn does not stop a sync endpoint whose client went away).
SESSION_WAIT_S = 5.0
LOCK_WAIT_S = 5.0
BUSY_RETRY_AFTER_S = 5
IDEMPOTENCY_KEY = "Idempotency-Key"


class ApiBusy(Exception):
    """The calls before this one held the warehouse session for SESSION_WAIT_S."""


def _api_busy(_request: Request, _error: Exception) -> JSONResponse:
    return JSONResponse({"detail": f"busy, retry: the API's other calls held the warehouse for {SESSION_WAIT_S:g} s "
                                   f"(one at a time on the local target); ask again in {BUSY_RETRY_AFTER_S} s, with the "
                                   f"same {IDEMPOTENCY_KEY} for a POST"},
                        status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": str(BUSY_RETRY_AFTER_S)})


def _briefly(warehouse: Warehouse) -> Warehouse:
    """The local warehouse waiting LOCK_WAIT_S for the file, not the pipeline's C360_LOCK_WAIT_S (minutes)."""
    if hasattr(warehouse, "lock_wait_s"):
        return warehouse.model_copy(update={"lock_wait_s": LOCK_WAIT_S, "connect_retries": 0})
    return warehouse


def _warehouse_unavailable(_request: Request, error: Exception) -> JSONResponse:
    """503, saying why and when to ask again, instead of a bare 500: the warehouse is busy (a local run holds the
    DuckDB file), unreachable, or refuses the API's login (which no retry fixes: its settings must)."""
    if isinstance(error, WarehouseLoginRefused):
        return JSONResponse({"detail": f"the warehouse refused the API's login: {error}"},
                            status.HTTP_503_SERVICE_UNAVAILABLE)
    if isinstance(error, dg.RetryRequested):  # the connection failed: its cause says why (WarehouseUnavailable's)
        unreachable = error.__cause__.__cause__ if error.__cause__ is not None else None
        reason = f"it cannot be reached ({unreachable or error.__cause__ or 'no connection'})"
    else:
        reason = f"it is busy: {error}"
    return JSONResponse({"detail": f"the warehouse is not available, {reason}; ask again in {RETRY_AFTER_S} s"},
                        status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_S)})


def create_app(s: Settings, warehouse: Warehouse, store: ObjectStoreResource) -> FastAPI:
    if s.api_token is None:
        raise ValueError(f"{API_TOKEN} is not set: the API refuses every call without it. Make one with "
                         "python -c 'import secrets; print(secrets.token_hex(32))', set it here and give it to the "
                         "services that call the API")
    token = s.api_token.get_secret_value().encode()

    def authorized(credentials: Credentials) -> None:
        if credentials is None or not secrets.compare_digest(credentials.credentials.encode(), token):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"},
                                detail=f"send Authorization: Bearer <{API_TOKEN}> (missing or wrong token)")

    app = FastAPI(title="Customer 360 report requests", version="1",
                  description="Ask for a report and follow it to its files (observability.report_requests).")
    app.add_exception_handler(WarehouseLocked, _warehouse_unavailable)
    app.add_exception_handler(dg.RetryRequested, _warehouse_unavailable)
    app.add_exception_handler(WarehouseLoginRefused, _warehouse_unavailable)
    app.add_exception_handler(ApiBusy, _api_busy)
    guarded = [Depends(authorized)]
    warehouse = _briefly(warehouse)
    # uvicorn runs these sync endpoints in parallel threads. Locally each would open its own DuckDB connection to the
    # one file, whose concurrent writes conflict (DuckDB lets one process write anyway): one session at a time. On
    # Snowflake only the POSTs with a key take it, so that two retries sent at once cannot both file.
    one_at_a_time = threading.Lock()

    @contextmanager
    def warehouse_session(keyed: bool = False) -> Iterator:
        serialized = not s.snowflake or keyed
        if serialized and not one_at_a_time.acquire(timeout=SESSION_WAIT_S):
            raise ApiBusy()
        try:
            with warehouse.session() as opened:
                yield opened
        finally:
            if serialized:
                one_at_a_time.release()

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/reports/requests", status_code=status.HTTP_201_CREATED, dependencies=guarded,
              responses={200: {"description": "The request this Idempotency-Key filed within a day: nothing filed"},
                         409: {"description": "The Idempotency-Key names a request that asked for something else"}})
    def file(new: NewRequest, response: Response, idempotency_key: Annotated[str | None, Header(
            alias=IDEMPOTENCY_KEY, min_length=1, max_length=200,
            description="Any string of the caller's, the same on each retry of one request: within a day, a retry "
                        "is answered with the request the first call filed (200), never filed again.")] = None,
             ) -> RequestView:
        dates = [d.isoformat() if d else "" for d in (new.date_from, new.date_to)]
        if idempotency_key is not None:  # a proxy may trim what the client padded: one key either way
            idempotency_key = idempotency_key.strip()
            if not idempotency_key:
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                    detail=f"{IDEMPOTENCY_KEY} is blank: send a key with characters in it, or none")
        try:
            with warehouse_session(keyed=idempotency_key is not None) as session:
                requests.require_built(session)
                request, filed = requests.file_request_once(
                    session, new.report, *dates, new.segment, api_caller(new.requested_by), s.as_of_now,
                    new.export_table, idempotency_key)  # today's as-of, not the start's
        except requests.WarehouseNotBuilt as unbuilt:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(unbuilt)) from None
        except requests.RequestRefused as refused:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(refused)) from None
        except requests.IdempotencyConflict as conflict:
            raise HTTPException(status.HTTP_409_CONFLICT, detail=str(conflict)) from None
        if not filed:
            response.status_code = status.HTTP_200_OK
        return _view(request, store, own=True)

    @app.get("/reports/requests/{request_id}", dependencies=guarded)
    def follow(request_id: int) -> RequestView:
        with warehouse_session() as session:
            request = requests.get(session, request_id)
        if request is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no report request has id {request_id}")
        return _view(request, store)

    @app.delete("/reports/requests/{request_id}", dependencies=guarded)
    def cancel(request_id: int) -> RequestView:
        try:
            with warehouse_session() as session:
                request = requests.cancel(session, request_id)
        except requests.RequestNotFound as missing:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(missing)) from None
        except requests.RequestNotCancellable as started:
            raise HTTPException(status.HTTP_409_CONFLICT, detail=str(started)) from None
        return _view(request, store)

    @app.get("/metrics", dependencies=guarded, response_class=Response,
             responses={200: {"content": {"text/plain": {}}}})
    def metrics() -> Response:
        with warehouse_session() as session:
            counts = requests.counts_by_status(session)
            waiting = requests.waiting(session)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        oldest = max(((now - r.requested_at).total_seconds() for r in waiting), default=0.0)
        return Response(metrics_text(counts, oldest), media_type="text/plain; version=0.0.4; charset=utf-8")

    return app


def serve(s: Settings, warehouse: Warehouse, store: ObjectStoreResource) -> None:
    uvicorn.run(create_app(s, warehouse, store), host=s.api_address, port=s.api_port, log_level="info")
