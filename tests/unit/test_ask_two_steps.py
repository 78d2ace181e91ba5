"""Ask's SQL aggregates the transactions per customer (or per day) before joining the accounts or grouping by month,
when the measure allows it (customer360/lib/semantic/preaggregate.py): the same figures as one step, from far fewer
joined or grouped rows. Asked of the tiny gold layer of tests/support/ask_sample.py."""

from __future__ import annotations

from decimal import Decimal

import pytest
from ask_sample import tiny_asker

from customer360.lib.semantic import build, load
from customer360.lib.semantic.preaggregate import two_steps

TRANSACTIONS = load().table("transactions")
COLUMNS = [c.name for c in TRANSACTIONS.columns]
# Joined to the accounts (by no time or by month), or by a grain coarser than a day: each counted in two steps.
TWO_STEP_QUESTIONS = [
    "transactions per customer by card type", "decline rate by state", "Revenue excluding Travel by month",
    "What share of travel spend comes from Premium customers?", "bottom 2 states by spend this year",
    "active customers by card type", "How many transactions did Premium customers make in May?",
    "decline rate by quarter", "declined amount by value tier", "top 2 customers by spend in Texas",
    "transaction volume by channel by week", "average transaction value by merchant category by month",
]
# Per customer and per a transaction's attribute or month, more rows than the join saves: counted in one step.
ONE_STEP_QUESTIONS = ["How does approved spend split by customer segment and channel?",
                      "transaction volume by card type by month", "active customers by month", "spend by channel"]


@pytest.fixture(scope="module")
def asker():
    return tiny_asker("DATA_ANALYST")


def _figures(answer) -> list[tuple]:
    return [tuple(round(float(v), 9) if isinstance(v, (Decimal, float, int)) and not isinstance(v, bool) else v
                  for v in row) for row in answer.rows]


def test_transactions_per_customer_by_card_type_counts_each_customer_before_joining_the_accounts(asker):
    answer = asker.ask("Average transactions per customer by card type")
    assert "FROM (SELECT customer_id, COUNT(transaction_id) AS count_1, MAX(customer_id) AS distinct_2 FROM " \
           "__transactions GROUP BY customer_id) AS b LEFT JOIN __customers" in answer.sql
    # Premium: CUST00000001's 4 transactions; Standard: 3 + 4 transactions of 2 customers
    assert _figures(answer) == [("Premium", 4.0), ("Standard", 3.5)]


def test_spend_by_month_excluding_a_category_is_summed_per_day_before_the_months(asker):
    answer = asker.ask("Revenue excluding Travel by month")
    assert "FROM (SELECT transaction_date, SUM(CASE WHEN status = 'approved' THEN transaction_amount ELSE 0 END) AS " \
           "sum_1 FROM __transactions WHERE (merchant_category IS NULL OR merchant_category NOT IN (?)) GROUP BY " \
           "transaction_date) AS facts " \
           "GROUP BY CAST(DATE_TRUNC('month', transaction_date) AS DATE)" in answer.sql
    assert answer.params == ("Travel",)


@pytest.mark.parametrize("question", TWO_STEP_QUESTIONS)
def test_two_steps_give_the_same_figures_as_one(asker, monkeypatch, question):
    two = asker.ask(question)
    monkeypatch.setattr(build, "two_steps", lambda *args: None)
    one = asker.ask(question)
    assert two.status == one.status == "answered", (question, two.interpretation)
    assert two.sql != one.sql, "this question is meant to be counted in two steps"
    assert (two.columns, _figures(two), two.chart) == (one.columns, _figures(one), one.chart)


@pytest.mark.parametrize("question", ONE_STEP_QUESTIONS)
def test_questions_that_two_steps_would_not_shorten_keep_one(asker, monkeypatch, question):
    two = asker.ask(question)
    monkeypatch.setattr(build, "two_steps", lambda *args: None)
    assert two.status == "answered" and two.sql == asker.ask(question).sql


def test_every_transaction_metric_of_the_model_splits_into_two_steps_per_customer():
    for metric in TRANSACTIONS.metrics:
        assert two_steps(" ".join(metric.expr.split()), {"customer_id"}, COLUMNS) is not None, metric.name


def test_a_measure_that_does_not_split_keeps_one_step():
    assert two_steps("MEDIAN(transaction_amount)", {"customer_id"}, COLUMNS) is None  # no partial of a median
    assert two_steps("COUNT(DISTINCT merchant_name)", {"customer_id"}, COLUMNS) is None  # not a key
    assert two_steps("COUNT(DISTINCT customer_id)", {"transaction_date"}, COLUMNS) is None  # by day: counted twice
    assert two_steps("SUM(transaction_amount) / COUNT(transaction_id) + transaction_amount", {"customer_id"},
                     COLUMNS) is None  # a column outside every aggregate


def test_an_average_is_split_into_its_sum_and_its_count():
    steps = two_steps("AVG(CASE WHEN status = 'approved' THEN transaction_amount END)", {"customer_id"}, COLUMNS)
    assert steps.partials == ("SUM(CASE WHEN status = 'approved' THEN transaction_amount END) AS sum_1",
                              "COUNT(CASE WHEN status = 'approved' THEN transaction_amount END) AS count_2")
    assert steps.measure == "SUM(sum_1) / NULLIF(SUM(count_2), 0)"
