"""Ask's question bank (semantic_model/question_bank.yaml): each question with the answer it must get, and the
verdict on what Ask answered: correct, clarify, refused (when not what the bank expects) or wrong.

An expected figure is computed by the bank's own SQL, written by hand over the facts and the accounts (never by the
parser); Ask's rows must equal it value by value (numbers to 4 decimals), in order when the question implies one.
Used by tests/e2e/test_question_bank.py (make test) and benchmarks/ask_bank.py (accuracy and latency).
"""

from __future__ import annotations

import datetime as dt
import decimal
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import yaml

from customer360.lib.paths import ROOT
from customer360.lib.semantic.ask import ANSWERED, CLARIFY, REFUSED, Answer, Asker

BANK_PATH = ROOT / "semantic_model" / "question_bank.yaml"
CORRECT, WRONG = "correct", "wrong"
VERDICTS = (CORRECT, CLARIFY, REFUSED, WRONG)
CHURN_MODEL_REASON = "has not scored any customer"

Fetch = Callable[[str, Sequence], tuple[list[str], list[tuple]]]


@dataclass(frozen=True)
class Entry:
    question: str
    source: str  # s4 | verified | analyst
    expect: str = ANSWERED
    sql: str | None = None
    ordered: bool = False
    columns: tuple[str, ...] = ()
    role: str = "DATA_ANALYST"
    reason: str = ""
    needs_churn_model: bool = False

    def expected(self, churn_model_scored: bool) -> tuple[str, str]:
        """What the answer must be here: (status, words its interpretation must contain)."""
        if self.needs_churn_model and not churn_model_scored:
            return REFUSED, CHURN_MODEL_REASON
        return self.expect, self.reason

    def expected_sql(self, as_of: dt.date) -> str:
        return (self.sql or "").replace("{as_of}", f"DATE '{as_of.isoformat()}'")


@dataclass(frozen=True)
class Outcome:
    entry: Entry
    answer: Answer
    verdict: str
    detail: str
    seconds: float


def load_bank(path: Path = BANK_PATH) -> list[Entry]:
    entries = []
    for raw in yaml.safe_load(path.read_text()):
        raw = dict(raw)
        raw["columns"] = tuple(raw.get("columns", ()))
        entries.append(Entry(**raw))
    return entries


def _value(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, decimal.Decimal)):
        return round(float(value), 4) + 0.0  # + 0.0: -0.0 and 0.0 compare as one
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        return _value(value.item())
    return str(value)


def normalized(rows: Sequence[Sequence], ordered: bool) -> list[tuple]:
    found = [tuple(_value(v) for v in row) for row in rows]
    return found if ordered else sorted(found, key=repr)


def judge(entry: Entry, answer: Answer, expected_rows: list[tuple] | None, churn_model_scored: bool) -> tuple[str, str]:
    """The verdict on one answer, and what differed."""
    status, reason = entry.expected(churn_model_scored)
    if answer.status != status:
        verdict = WRONG if answer.status == ANSWERED else answer.status
        return verdict, f"expected {status}, got {answer.status}: {answer.interpretation}"
    if status != ANSWERED:
        if reason and reason not in answer.interpretation:
            return WRONG, f"{status} for another reason than “{reason}”: {answer.interpretation}"
        return CORRECT, ""
    rows = answer.rows
    if entry.columns:
        picked = [answer.columns.index(c) for c in entry.columns]
        rows = [tuple(row[i] for i in picked) for row in rows]
    got, wanted = normalized(rows, entry.ordered), normalized(expected_rows or [], entry.ordered)
    if got != wanted:
        return WRONG, f"rows differ: got {got[:5]}{'...' if len(got) > 5 else ''} ({len(got)}), expected " \
                      f"{wanted[:5]}{'...' if len(wanted) > 5 else ''} ({len(wanted)})"
    return CORRECT, ""


def churn_model_scored(fetch: Fetch) -> bool:
    _, rows = fetch("SELECT COUNT(model_churn_risk_score) FROM gold.marketing_customer_audience", [])
    return bool(rows and rows[0][0])


def run(entries: Sequence[Entry], askers: Callable[[str], Asker], fetch: Fetch, as_of: dt.date,
        clock: Callable[[], float] = time.perf_counter,
        reading: Callable[[str], AbstractContextManager] = lambda role: nullcontext()) -> list[Outcome]:
    """Ask every question (as its role) and judge it against its expected SQL, run through `fetch`. Each question is
    asked inside `reading(role)`: the app reads a page render through one connection, and so may the caller."""
    scored = churn_model_scored(fetch)
    outcomes = []
    for entry in entries:
        asker = askers(entry.role)
        started = clock()
        with reading(entry.role):
            answer = asker.ask(entry.question)
        seconds = clock() - started
        expected_rows = None
        if entry.expected(scored)[0] == ANSWERED and entry.sql:
            _, expected_rows = fetch(entry.expected_sql(as_of), [])
        verdict, detail = judge(entry, answer, expected_rows, scored)
        outcomes.append(Outcome(entry, answer, verdict, detail, seconds))
    return outcomes


def summary(outcomes: Sequence[Outcome]) -> dict:
    """Counts per verdict, accuracy, and latency percentiles in milliseconds."""
    counts = {verdict: sum(1 for o in outcomes if o.verdict == verdict) for verdict in VERDICTS}
    latencies = sorted(o.seconds * 1000 for o in outcomes)
    return {"questions": len(outcomes), **counts,
            "accuracy": round(counts[CORRECT] / len(outcomes), 4) if outcomes else 0.0,
            "latency_p50_ms": round(percentile(latencies, 50), 1), "latency_p95_ms": round(percentile(latencies, 95), 1),
            "latency_max_ms": round(latencies[-1], 1) if latencies else 0.0}


def slowest(runs: Sequence[Sequence[Outcome]], n: int) -> list[tuple[Outcome, float]]:
    """The n questions slowest by their median over the runs (each run asks the bank once, in the same order), slowest
    first, each with one outcome (its answer's SQL and bound values) and that median in milliseconds."""
    if not runs or n <= 0:
        return []
    medians = [(run_of[0], percentile(sorted(o.seconds * 1000 for o in run_of), 50)) for run_of in zip(*runs, strict=True)]
    return sorted(medians, key=lambda pair: -pair[1])[:n]


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """The p-th percentile by linear interpolation between closest ranks."""
    if not sorted_values:
        return 0.0
    k = (len(sorted_values) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (k - low)
