"""A request for a report in words ("Generate a sales report for last quarter"): which report of the catalogue
(customer360/lib/reports/catalogue.py), for which dates and generated segment.

Ask's own connection only reads, so it files the request through a `FileRequest` its caller gives it (the app and
the CLI: customer360/app/ask.py, which writes as the Reports page does, through lib/reports/requests.file_request and
its validation). What comes back is the request as filed (`Filed`), or `NotFiled` with the reason and what to do.
Without a `FileRequest` Ask only describes the request and the command that files it.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from customer360.lib.reports.catalogue import REPORTS_BY_NAME, ReportParams
from customer360.lib.semantic.periods import Period, PeriodError, find
from customer360.lib.semantic.terms import Span, ValueTerm
from customer360.lib.semantic.understanding import Clarify, Refusal, ReportRequest, Understood
from customer360.lib.semantic.vocabulary import Vocabulary
from customer360.lib.semantic.words import tokens

# Which report a request names, first match wins.
_NAMES = (
    ("executive_summary", re.compile(r"\b(executive|exec|summary|overview|kpi)\b")),
    ("churn_watchlist", re.compile(r"\b(churn|watch\s*list|at[\s-]risk|risk)\b")),
    ("segment_performance", re.compile(r"\bsegment(s)?\s+(performance|report)|\b(by|per|each)\s+segment\b"
                                       r"|\bperformance\b")),
    ("monthly_spend", re.compile(r"\b(sales|spend|spending|revenue|monthly|month)\b")),
)


def which_report(text: str) -> str | None:
    lowered = text.lower()
    return next((name for name, pattern in _NAMES if pattern.search(lowered)), None)


def understand_request(text: str, as_of: dt.date, vocabulary: Vocabulary) -> Understood:
    report = which_report(text)
    try:
        periods, rest = find(text, as_of)
    except PeriodError as error:
        return Refusal(str(error), ("Generate a sales report for last quarter",))
    if report is None:  # the readings keep the request's period ("for Q2")
        when = periods[0].phrase if len(periods) == 1 else "for last quarter"
        return Clarify("Which report? The catalogue has executive_summary, monthly_spend, segment_performance and "
                       "churn_watchlist.", tuple(f"Generate the {name.replace('_', ' ')} report {when}"
                                                 for name in ("monthly_spend", "executive_summary",
                                                              "segment_performance")))
    if len(periods) > 1:
        return Clarify("A report covers one period; the request names " + str(len(periods)) + ".",
                       tuple(f"Generate the {report.replace('_', ' ')} report {p.phrase}" for p in periods[:3]))
    period = periods[0] if periods else None
    unclear = _unfiltered(report, rest, period, vocabulary)
    if unclear:
        return unclear
    params = ReportParams.parse(period.start.isoformat() if period and period.start else "",
                                period.end.isoformat() if period else "", _segment(rest, vocabulary), as_of)
    if report == "churn_watchlist":  # a list as of the latest build: no date range applies
        return ReportRequest(report, None, None, params.segment, period)
    return ReportRequest(report, params.date_from, params.date_to, params.segment, period)


_NAMED_SEGMENT = re.compile(r"(?<!by )(?<!per )(?<!each )\bsegments?\s+(?!(performance|reports?)\b)\S", re.IGNORECASE)


def _unfiltered(report: str, rest: str, period: Period | None, vocabulary: Vocabulary) -> Clarify | None:
    """A report filters by generated segment only: a value of anything else ("Premium"), or a segment it does not
    know, would be dropped and the report run over every customer, so it asks."""
    when = f" {period.phrase}" if period else ""
    whole = f"Generate the {report.replace('_', ' ')} report{when}"
    segments = ", ".join(vocabulary.values_of("customers", "customer_segment"))
    others = [(item.text, terms[0]) for item in vocabulary.match(tokens(rest)) if isinstance(item, Span)
              and (terms := item.of(ValueTerm)) and all(t.column != "customer_segment" for t in terms)]
    if others:
        text, term = others[0]
        column = term.column.replace("_", " ")
        return Clarify(f"A report filters by generated segment only ({segments}), not by {column} (“{text}”). The "
                       "report over every customer, or the figure for it as a question:",
                       (whole, f"approved spend by month for {column} {term.value}{when}"))
    if _NAMED_SEGMENT.search(rest) and not _segment(rest, vocabulary):
        return Clarify(f"The request names a segment that is not one of the generated segments ({segments}).",
                       (whole, *(f"Generate the {report.replace('_', ' ')} report for segment {s}{when}"
                                 for s in vocabulary.values_of("customers", "customer_segment")[:2])))
    return None


def _segment(text: str, vocabulary: Vocabulary) -> str:
    for item in vocabulary.match(tokens(text)):
        if isinstance(item, Span):
            for term in item.of(ValueTerm):
                if term.column == "customer_segment":
                    return term.value
    return ""


def request_command(request: ReportRequest) -> str:
    """The shell command that files the same request (docs/reports.md: From a shell)."""
    parts = ["python -m customer360 request-report", request.report]
    if request.date_from:
        parts += ["--from", request.date_from.isoformat()]
    if request.date_to:
        parts += ["--to", request.date_to.isoformat()]
    if request.segment:
        parts += ["--segment", shlex.quote(request.segment)]
    return " ".join(parts)


@dataclass(frozen=True)
class Filed:
    """A request as filed in observability.report_requests, and the statement (with its bound values) that files the
    same request by hand: what Ask shows as its SQL."""

    request_id: int
    report: str
    date_from: dt.date | None
    date_to: dt.date | None
    segment: str
    status: str
    sql: str
    params: tuple


class NotFiled(Exception):
    """Ask could not file the request: the message says why (the role, the request's own problem, a busy
    warehouse) and what to do. Nothing was filed."""


# Files one understood request; returns it as filed or raises NotFiled.
FileRequest = Callable[[ReportRequest], Filed]


def title(request: ReportRequest) -> str:
    return REPORTS_BY_NAME[request.report].title
