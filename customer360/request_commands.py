"""`python -m customer360 request-report|request-status|cancel-request`: report requests from a shell.

Each writes or reads observability.report_requests (lib/reports/requests.py); the requests sensor of `make dev` (the
Dagster daemon) runs what is waiting.
"""

from __future__ import annotations

import getpass
import sys

from customer360.defs.reports.requests import REQUESTS_SENSOR_INTERVAL_S
from customer360.lib.reports import requests
from customer360.resources import object_store_resource, warehouse_resource
from customer360.settings import Settings


def request_report(s: Settings, report: str, date_from: str, date_to: str, segment: str, export_table: str = "",
                   requested_by: str = "") -> int:
    """File a request; print its id and where its files will be."""
    try:
        with warehouse_resource(s).session() as session:
            requests.require_built(session)
            request = requests.file_request(session, report, date_from, date_to, segment,
                                            requested_by or getpass.getuser(), s.as_of, export_table)
    except requests.RequestRefused as refused:
        print(f"Request refused: {refused}", file=sys.stderr)
        return 2
    location = object_store_resource(s).location
    print(f"Report request {request.request_id}: {request.report} from {request.date_from} to {request.date_to}, "
          f"segment {request.segment or 'all'}, requested by {request.requested_by}.")
    print(f"The requests sensor starts it within about {REQUESTS_SENSOR_INTERVAL_S} s while the Dagster daemon runs "
          "(make dev). Its files will be under")
    print(f"  {location}{request.result_prefix}")
    print(f"Follow it: python -m customer360 request-status {request.request_id}")
    return 0


def request_status(s: Settings, request_id: str) -> int:
    """Print a request's status, and its files once completed."""
    try:
        with warehouse_resource(s).session() as session:
            request = requests.require(session, _id(request_id))
    except (requests.RequestNotFound, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Report request {request.request_id}: {request.status}")
    print(f"  report {request.report} from {request.date_from or '(default)'} to {request.date_to or '(as-of)'}, "
          f"segment {request.segment or 'all'}, requested by {request.requested_by} at {request.requested_at:%Y-%m-%d %H:%M:%S} UTC")
    if request.run_id:
        print(f"  Dagster run {request.run_id} (its attempts: observability.report_runs where execution_id = that id)")
    if request.error:
        print(f"  {request.error}")
    location = object_store_resource(s).location
    for key in request.object_keys:
        print(f"  {location}{key}")
    if request.export_table and request.status == requests.COMPLETED:
        print(f"  loaded into {request.export_table}")
    return 0


def cancel_request(s: Settings, request_id: str) -> int:
    try:
        with warehouse_resource(s).session() as session:
            request = requests.cancel(session, _id(request_id))
    except (requests.RequestNotFound, requests.RequestNotCancellable, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Report request {request.request_id} cancelled: its run will not start.")
    return 0


def _id(text: str) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise ValueError(f"{text!r} is not a request id: give the number request-report printed, e.g. 7") from None
