"""The figures benchmarks/ask_bank.py prints from its runs of Ask's bank (customer360/lib/semantic/bank.py): where to
look next is the questions slowest by their median over the runs, not one slow outlier."""

from __future__ import annotations

from customer360.lib.semantic import bank
from customer360.lib.semantic.ask import ANSWERED, Answer


def _run(seconds_by_question: dict[str, float]) -> list[bank.Outcome]:
    return [bank.Outcome(bank.Entry(question, "analyst"), Answer(question, ANSWERED, "", f"SELECT '{question}'"),
                         bank.CORRECT, "", seconds) for question, seconds in seconds_by_question.items()]


def test_the_slowest_questions_are_ranked_by_their_median_over_the_runs_with_the_sql_they_ran():
    runs = [_run({"spend by state": 0.30, "top 10 customers": 0.10, "decline rate": 0.02}),
            _run({"spend by state": 0.05, "top 10 customers": 0.12, "decline rate": 0.01}),
            _run({"spend by state": 0.06, "top 10 customers": 0.11, "decline rate": 0.03})]
    slowest = bank.slowest(runs, 2)
    assert [(o.entry.question, round(ms)) for o, ms in slowest] == [("top 10 customers", 110), ("spend by state", 60)]
    assert slowest[0][0].answer.sql == "SELECT 'top 10 customers'"


def test_asking_for_no_slowest_questions_lists_none():
    assert bank.slowest([_run({"spend by state": 0.3})], 0) == []
    assert bank.slowest([], 5) == []
