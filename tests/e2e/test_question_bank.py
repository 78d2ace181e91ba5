"""Ask's question bank (semantic_model/question_bank.yaml) on a warehouse `make demo` built: every question asked
as its role through the app's own path (customer360/app/ask.py over AppWarehouse), every answer judged against the
bank's hand-written SQL over the facts and the accounts. Two approved transactions dated after as-of are added to the
facts of a copy first: no answer may count them, and the bank's SQL applies the as-of rule itself.

The accuracy and latency figures are the benchmark's (benchmarks/ask_bank.py); this test asks for all of it right.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys

import pytest
from built import BUILT_AS_OF, built_env, copy_with_late_transactions

from customer360.app.access import ROLES
from customer360.app.ask import asker
from customer360.app.warehouse import AppWarehouse
from customer360.lib.semantic import bank
from customer360.lib.semantic import load as load_model
from customer360.settings import ROOT, settings


@pytest.fixture(scope="module")
def home(built_home, tmp_path_factory):
    return copy_with_late_transactions(built_home, tmp_path_factory.mktemp("bank") / "home")


@pytest.fixture(scope="module")
def outcomes(home):
    with pytest.MonkeyPatch.context() as patch:
        for name, value in built_env(home).items():
            patch.setenv(name, value)
        s = settings(app=True)
        warehouses = {role: AppWarehouse(s, role) for role in ROLES}
        askers = {}

        def for_role(role: str):
            if role not in askers:
                askers[role] = asker(warehouses[role])
            return askers[role]

        return bank.run(bank.load_bank(), for_role, warehouses["DATA_ENGINEER"].rows, s.as_of,
                        reading=lambda role: warehouses[role].reading())


def test_the_bank_holds_the_issues_questions_the_verified_ones_and_enough_of_our_own():
    entries = bank.load_bank()
    questions = [e.question for e in entries]
    assert len(entries) >= 80
    assert {"Show me revenue trends for the last 6 months", "Who are our top 10 customers by spending?",
            "What's the current system health status?", "Generate a sales report for last quarter"} <= set(questions)
    assert {q.question for q in load_model().verified_queries} <= set(questions)
    assert sum(e.source == "analyst" for e in entries) >= 60
    for entry in entries:
        assert entry.expect in ("answered", "clarify", "refused") and entry.role in ROLES, entry.question
        assert (entry.sql is not None) == (entry.expect == "answered"), entry.question
        assert entry.expect == "answered" or entry.reason, entry.question


def test_every_question_of_the_bank_gets_the_answer_the_bank_expects(outcomes):
    missed = [f"[{o.verdict}] {o.entry.question} (as {o.entry.role}): {o.detail}" for o in outcomes
              if o.verdict != bank.CORRECT]
    assert missed == [], "\n".join(missed)
    figures = bank.summary(outcomes)
    assert figures["wrong"] == 0 and figures["accuracy"] == 1.0


def test_no_answer_counts_a_day_after_as_of(outcomes):
    for outcome in outcomes:
        for row in outcome.answer.rows:
            assert not any(isinstance(v, dt.date) and not isinstance(v, dt.datetime) and v > BUILT_AS_OF for v in row)


def test_the_benchmark_prints_accuracy_and_latency_as_json_last(home):
    result = subprocess.run([sys.executable, "benchmarks/ask_bank.py", "--repeat", "1", "--slowest", "3"], cwd=ROOT,
                            env=built_env(home), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["questions"] == len(bank.load_bank()) and figures["wrong"] == 0
    assert figures["correct"] + figures["clarify"] + figures["refused"] == figures["questions"]
    assert 0 < figures["latency_p50_ms"] <= figures["latency_p95_ms"]
    assert "correct" in result.stdout and "p95" in result.stdout
    slowest = result.stdout.split("the 3 slowest questions")[1]  # where to look next: each with the SQL it ran
    assert len(re.findall(r"^\s+\d\. ", slowest, re.MULTILINE)) == 3
    # which three are slowest is the machine's say; each answered one shows the SQL it ran
    answered = re.findall(r"^\s+\d\. .*, answered\)$", slowest.split("\n\ncorrect")[0], re.MULTILINE)
    assert len(re.findall(r"SQL: with\b", slowest, re.IGNORECASE)) == len(answered), slowest  # a report's SQL is lower case
