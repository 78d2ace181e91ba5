"""The Reports page: ask for a report, follow the requests, download a completed one's files.

What a role sees follows access.py and snowflake_setup/12: every role may ask (on Snowflake through the
REQUEST_REPORT procedure) and reads the requests through observability.v_report_requests, without the error text,
which can quote a failed query's values; DATA_ENGINEER (who reads raw values unmasked) sees the error itself. The
reports' files carry no personal data (no names or e-mail: test_reports.py checks every file), so every role may
download them.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import streamlit as st

from customer360.app import queries
from customer360.app.warehouse import AppWarehouse
from customer360.lib.reports import requests
from customer360.lib.reports.catalogue import REPORTS
from customer360.lib.resources.object_store import ObjectStoreResource

SHOWN = 50  # the newest requests listed
_COLUMNS = "request_id, report, date_from, date_to, segment, requested_by, requested_at, status, run_id, object_keys"


def recent_requests(wh: AppWarehouse) -> pd.DataFrame:
    """The newest requests as the role may read them: the error text for DATA_ENGINEER, whether there is one else."""
    if wh.role.reads_pii:
        sql = f"SELECT {_COLUMNS}, error FROM observability.report_requests"
    else:
        sql = f"SELECT {_COLUMNS}, has_error FROM observability.v_report_requests"
    try:
        return wh.query(f"{sql} ORDER BY request_id DESC LIMIT {SHOWN}")
    except Exception as error:  # noqa: BLE001 - a warehouse where nobody asked yet has no table
        if "report_requests" in str(error).lower():
            return pd.DataFrame()
        raise


def segments(wh: AppWarehouse) -> list[str]:
    """The segments to offer, from the PII-free audience every role may read (the profile, with names and e-mail, is
    not granted to MARKETING_MANAGER on Snowflake: reading it there would refuse the whole page)."""
    frame = wh.query(f"SELECT DISTINCT customer_segment AS segment FROM {queries.AUDIENCE} "
                     "WHERE customer_segment IS NOT NULL ORDER BY 1")
    return [str(v) for v in frame["segment"]]


def request_form(wh: AppWarehouse, requested_by: str) -> None:
    if not wh.role.requests_reports:
        st.info(f"The role {wh.role.name} may not request reports; it sees the requests and their files.")
        return
    as_of = wh.settings.as_of_now  # the app's settings are cached for the process: today's date, not its start's
    with st.form("request_report"):
        titles = {report.title: report.name for report in REPORTS}
        title = st.selectbox("Report", list(titles), key="request_report_name")
        first, last = st.columns(2)
        date_from = first.date_input("From", as_of - dt.timedelta(days=364), max_value=as_of, key="request_from")
        date_to = last.date_input("To", as_of, max_value=as_of, key="request_to")
        segment = st.selectbox("Segment", ["(all)", *segments(wh)], key="request_segment")
        asked = st.form_submit_button("Request", type="primary")
    if not asked:
        return
    try:
        request_id = wh.request_report(titles[title], date_from.isoformat(), date_to.isoformat(),
                                       "" if segment == "(all)" else segment, requested_by)
    except requests.RequestRefused as refused:
        st.error(f"Request refused: {refused}")
        return
    st.success(f"Report request {request_id} filed: the requests sensor runs it within seconds while the Dagster "
               "daemon runs. Its files appear below once it is completed.")


def downloads(frame: pd.DataFrame, store: ObjectStoreResource) -> None:
    completed = frame[frame["status"] == requests.COMPLETED]
    if completed.empty:
        st.caption("No completed request yet: its files will be offered here.")
        return
    labels = {f"{row.request_id}: {row.report} {row.date_from} to {row.date_to}": row for row in completed.itertuples()}
    row = labels[st.selectbox("Completed request", list(labels), key="request_download")]
    listed = json.loads(row.object_keys or "[]")
    offered = requests.result_keys(row.report, row.date_to, row.run_id, listed)
    if len(offered) < len(listed):
        st.warning(f"Request {row.request_id} lists {len(listed) - len(offered)} file(s) outside its own result folder "
                   f"({requests.REPORTS_PREFIX}{row.report}/{row.date_to}/{row.run_id}/): they are not offered. Tell the "
                   "data engineers: someone changed the request's row.")
    for key in offered:
        name = key.rsplit("/", 1)[-1]
        try:
            with store.open(key) as stored:
                content = stored.read()
        except Exception as error:  # noqa: BLE001 - one unreadable file must not take the page (and the others) down
            st.warning(f"{name} cannot be read from the object store ({type(error).__name__}: {error}): the app needs "
                       f"read access to {store.location}{requests.REPORTS_PREFIX} (docs/app.md); the other files are "
                       "offered as usual.")
            continue
        st.download_button(f"Download {name}", content, file_name=name, key=f"download_{key}")


def reports_page(wh: AppWarehouse, store: ObjectStoreResource, requested_by: str) -> None:
    st.header("Reports")
    st.caption("Ask for a report; the pipeline runs it and its files (CSV, Parquet, an HTML document) appear here. "
               "The same requests come from SQL, `python -m customer360 request-report` and the HTTP API "
               "(docs/reports.md).")
    request_form(wh, requested_by)
    st.subheader(f"Latest requests (newest {SHOWN})")
    frame = recent_requests(wh)
    if frame.empty:
        st.info("No report has been requested yet.")
        return
    st.dataframe(frame.drop(columns=["object_keys"]), hide_index=True, width="stretch")
    downloads(frame, store)
