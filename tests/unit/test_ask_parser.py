"""Ask's parser and SQL builder (customer360/lib/semantic/ask.py) on a tiny gold layer in memory whose figures are
worked out by hand (tests/support/ask_sample.py, as-of 2026-06-17): what a question is understood as, the SQL and its
bound values, the chart, and when it answers "clarify" or "refused" instead of a figure."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlglot
from ask_sample import AS_OF, fetch_from, tiny_asker, tiny_warehouse
from snowflake_dialect import snowflake_lacks
from sqlglot import exp

from customer360.lib.semantic import load
from customer360.lib.semantic.ask import Asker
from customer360.lib.semantic.parser import understand
from customer360.lib.semantic.periods import find
from customer360.lib.semantic.reading import Context
from customer360.lib.semantic.understanding import Clarify, Question, Refusal
from customer360.lib.semantic.us_states import US_STATES
from customer360.lib.semantic.vocabulary import build


@pytest.fixture(scope="module")
def asker():
    return tiny_asker("DATA_ANALYST")


@pytest.fixture(scope="module")
def marketing():
    return tiny_asker("MARKETING_MANAGER")


def figures(answer) -> list[tuple]:
    return [tuple(float(v) if isinstance(v, Decimal) else v for v in row) for row in answer.rows]


def clarifies_with(asker, question: str, readings: tuple[str, ...]) -> None:
    """Ask answers "clarify" with exactly these readings, no figure, and answers each reading."""
    answer = asker.ask(question)
    assert answer.status == "clarify" and answer.suggestions == readings and answer.rows == (), answer.interpretation
    assert all(asker.ask(reading).status == "answered" for reading in readings)


# --- The issue's four questions --------------------------------------------------------------------------------

def test_revenue_trends_for_the_last_6_months_are_approved_spend_by_month_over_the_6_complete_months(asker):
    answer = asker.ask("Show me revenue trends for the last 6 months")
    assert answer.status == "answered" and answer.chart == "line"
    assert answer.interpretation.startswith("Approved spend by month, Dec 2025–May 2026")
    assert answer.params == ("2025-12-01", "2026-05-31")
    assert figures(answer) == [(dt.date(2026, 1, 1), 60.0), (dt.date(2026, 3, 1), 500.0), (dt.date(2026, 4, 1), 80.0),
                               (dt.date(2026, 5, 1), 580.0)]  # nothing from June, the month of as-of


def test_the_top_10_customers_by_spending_are_ranked_by_approved_spend_with_n_bound(asker):
    answer = asker.ask("Who are our top 10 customers by spending?")
    assert answer.status == "answered" and answer.chart == "bar"
    assert answer.interpretation.startswith("Top 10 customers by approved spend, all history to 17 Jun 2026")
    assert figures(answer) == [("CUST00000003", 1200.0), ("CUST00000001", 900.0), ("CUST00000002", 120.0)]
    assert answer.params == (10,) and "place <= ?" in answer.sql and " 10" not in answer.sql


def test_system_health_reads_the_observability_views_for_roles_that_may(asker, marketing):
    answer = asker.ask("What's the current system health status?")
    assert answer.status == "answered" and answer.chart == "table"
    assert answer.columns[:2] == ("job_name", "status") and answer.rows[0][:2] == ("customer360_full_graph", "SUCCESS")
    assert "error_message" not in answer.sql  # an error can quote a rejected value
    refused = marketing.ask("What's the current system health status?")
    assert refused.status == "refused" and "MARKETING_MANAGER may not read the OBSERVABILITY schema" in \
        refused.interpretation and refused.rows == () and refused.sql is None


def test_a_report_for_last_quarter_names_the_report_its_dates_the_command_that_files_it_and_where_it_lands(asker):
    """Without a way to write (the app and the CLI give Ask one: tests/integration/test_ask_requests.py), Ask says
    what it would file and how, and that it did not."""
    answer = asker.ask("Generate a sales report for last quarter")
    assert answer.status == "answered" and answer.chart == "table"
    [row] = answer.rows
    assert row[:5] == ("monthly_spend", "Monthly spend", dt.date(2026, 1, 1), dt.date(2026, 3, 31), "")
    assert row[5] == "python -m customer360 request-report monthly_spend --from 2026-01-01 --to 2026-03-31"
    assert row[6] == "reports/monthly_spend/2026-03-31/<run id>/"
    assert answer.params[:2] == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))  # what the report will bind
    assert "Not filed here" in answer.interpretation


# --- Time, relative to as-of ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("words, start, end", [
    ("last 6 months", dt.date(2025, 12, 1), dt.date(2026, 5, 31)),
    ("last month", dt.date(2026, 5, 1), dt.date(2026, 5, 31)),
    ("last quarter", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    ("last year", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ("last 2 weeks", dt.date(2026, 6, 1), dt.date(2026, 6, 14)),
    ("last week", dt.date(2026, 6, 8), dt.date(2026, 6, 14)),
    ("last 30 days", dt.date(2026, 5, 19), AS_OF),
    ("this month", dt.date(2026, 6, 1), AS_OF),
    ("this year", dt.date(2026, 1, 1), AS_OF),
    ("year to date", dt.date(2026, 1, 1), AS_OF),
    ("in 2026", dt.date(2026, 1, 1), AS_OF),
    ("in 2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ("in March", dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    ("in June", dt.date(2026, 6, 1), AS_OF),
    ("in September", dt.date(2025, 9, 1), dt.date(2025, 9, 30)),  # the latest September that has begun
    ("in Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    ("between 2026-02-10 and 2026-04-05", dt.date(2026, 2, 10), dt.date(2026, 4, 5)),
    ("from March 3 to April 9", dt.date(2026, 3, 3), dt.date(2026, 4, 9)),
    ("since March 1", dt.date(2026, 3, 1), AS_OF),
    ("between 2026-05-01 and 2026-12-31", dt.date(2026, 5, 1), AS_OF),  # cut at as-of
    ("yesterday", dt.date(2026, 6, 16), dt.date(2026, 6, 16)),
    # halves and a named range "last/this year" (review 11 S3: "did not understand" or "2 periods")
    ("in H1 2026", dt.date(2026, 1, 1), AS_OF),
    ("in the second half of 2025", dt.date(2025, 7, 1), dt.date(2025, 12, 31)),
    ("in h2", dt.date(2025, 7, 1), dt.date(2025, 12, 31)),  # the latest second half that has begun
    ("in the first half of last year", dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
    ("in November last year", dt.date(2025, 11, 1), dt.date(2025, 11, 30)),
    ("in March this year", dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    ("in Q1 last year", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
    # review 12 S2: ordinal quarters
    ("in the second quarter", dt.date(2026, 4, 1), AS_OF),
    ("in the 3rd quarter of 2025", dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
    ("in the first quarter of last year", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
    # the past year is the twelve months people mean; "last year" and "the past calendar year" the calendar one
    ("over the past year", dt.date(2025, 6, 1), dt.date(2026, 5, 31)),
    ("in the past 12 months", dt.date(2025, 6, 1), dt.date(2026, 5, 31)),
    ("the past calendar year", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ("over the past 2 years", dt.date(2024, 6, 1), dt.date(2026, 5, 31)),  # 24 months, as the past year is 12
    # review 17 S2: a year's first or last unit, months with the year said once
    ("in the last quarter of 2025", dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
    ("in the first month of 2026", dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
    ("in last year's q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
    ("june-august 2025", dt.date(2025, 6, 1), dt.date(2025, 8, 31)),
    ("jan to mar 2026", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    ("nov through feb 2026", dt.date(2025, 11, 1), dt.date(2026, 2, 28)),
])
def test_time_is_read_by_the_conventions_relative_to_as_of(words, start, end):
    [period], _ = find(f"spend {words} by channel", AS_OF)
    assert (period.start, period.end) == (start, end), period


def test_before_a_date_starts_at_the_first_day_of_history():
    [period], _ = find("spend before April", AS_OF)
    assert period.start is None and period.end == dt.date(2026, 3, 31)


@pytest.mark.parametrize("question", ["spend in 2027", "spend since July 2026", "spend in the last 0 days",
                                      "spend next month", "transactions in the coming quarter"])
def test_a_period_after_as_of_or_of_no_length_is_refused_with_the_reason(asker, question):
    answer = asker.ask(question)
    assert answer.status == "refused" and answer.sql is None
    assert "as-of" in answer.interpretation or "names no time" in answer.interpretation


# --- SQL: names from the model, values bound ------------------------------------------------------------------------

QUESTIONS = [
    "Who are our top 10 customers by spending?", "spend by category last month", "Premium vs Standard spend by month",
    "spend in California and Texas", "What share of spend comes from online?", "decline rate by channel in Q1",
    "How many customers in Texas?", "average lifetime value by card type", "transactions by week since March 1",
    "spend for CUST00000003 by month", "revenue excluding Travel by channel", "bottom 2 states by spend per customer",
    "What share of transactions is declined in each merchant category?", "month over month change in spend",
    "Which full month had the biggest drop in spend?", "average monthly spend by value tier",
    "How much was declined last week?", "spend by customer segment and channel this year", "active customers by month",
]


def test_only_the_models_names_reach_the_sql_and_every_value_is_a_bound_parameter(asker):
    model = load()
    names = {t.name for t in model.tables} | {c.name for t in model.tables for c in t.columns} | \
        {m.name for t in model.tables for m in t.metrics} | {f"__{t.name}" for t in model.tables}
    names |= {"month", "week", "day", "quarter", "year", "place", "share", "answer", "facts", "b", "r0", "d0",
              "total_lifetime_value", "average_lifetime_value", "average_days_since_last_transaction"}
    relations = {t.relation for t in model.tables}
    for question in QUESTIONS:
        answer = asker.ask(question)
        assert answer.status == "answered", (question, answer.interpretation, answer.suggestions)
        tree = sqlglot.parse_one(answer.sql, read="duckdb")
        identifiers = {i.name.lower() for i in tree.find_all(exp.Identifier)
                       if not re.fullmatch(r"(sum|count|distinct)_\d+", i.name.lower())}  # partial aggregates' names
        tables = {f"{t.db}.{t.name}".lower() for t in tree.find_all(exp.Table) if t.db}
        assert identifiers - names - {r.split(".")[1] for r in relations} - {"gold"} == set(), question
        assert tables <= relations, question
        literals = {lit.this for lit in tree.find_all(exp.Literal) if lit.is_string}
        assert literals <= {"approved", "declined", "day", "week", "month", "quarter", "year"}, (question, literals)
        for value in answer.params:
            assert f"'{value}'" not in answer.sql


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_generated_sql_is_sql_snowflake_has(asker, question):
    assert snowflake_lacks(asker.ask(question).sql) == []


@pytest.mark.parametrize("hostile", ["x' OR '1'='1", "CUST; DROP TABLE gold.fct_transactions", "-- ",
                                     "'; DELETE FROM gold.marketing_customer_audience; --"])
def test_a_quote_a_semicolon_or_a_comment_never_reaches_the_sql(asker, hostile):
    answer = asker.ask(f"spend by state {hostile}")
    for sql in [answer.sql, *(asker.ask(reading).sql for reading in answer.suggestions)]:
        assert sql is None or not re.search(r"DROP|DELETE|'1'|--|;", sql), sql


# --- Shapes and charts ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("question, chart, rows", [
    ("total spend", "number", [(2220.0,)]),
    ("spend in California", "number", [(2100.0,)]),
    ("Premium vs Standard spend", "bar", [("Standard", 1320.0), ("Premium", 900.0)]),
    ("spend by category", "bar", [("Travel", 1800.0), ("Dining", 240.0), ("Groceries", 180.0), ("Gas", 0.0)]),
    ("spend last month", "number", [(580.0,)]),
    ("How many transactions last week?", "number", [(3,)]),
    ("How many declined transactions in the last 30 days?", "number", [(2,)]),
    ("How many customers in California?", "number", [(2,)]),
    ("customers by state", "bar", [("CA", 2), ("TX", 1)]),
    ("decline rate", "number", [(2 / 11,)]),
    ("average transaction value", "number", [(2220 / 9,)]),
    ("spend per customer", "number", [(740.0,)]),
    ("How much was declined this month?", "number", [(95.0,)]),
    ("Which category has the highest spend?", "bar", [("Travel", 1800.0)]),
    ("spend by month in Q2", "line", [(dt.date(2026, 4, 1), 80.0), (dt.date(2026, 5, 1), 580.0),
                                      (dt.date(2026, 6, 1), 1000.0)]),
    ("How many customers bought groceries since March 1?", "number", [(1,)]),
    ("What percentage of customers are Premium?", "bar", [("Premium", 1, 1 / 3)]),
    ("Which full month had the biggest drop in spend?", "bar", [(dt.date(2026, 4, 1), 80.0, -84.0)]),
])
def test_each_shape_has_its_figures_and_its_chart(asker, question, chart, rows):
    answer = asker.ask(question)
    assert answer.status == "answered", (answer.interpretation, answer.suggestions)
    assert answer.chart == chart
    assert [tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in figures(answer)] == \
        [tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in rows]


def test_top_n_breaks_ties_by_id():
    asker = tiny_asker()
    answer = asker.ask("bottom 2 states by customer count")
    assert figures(answer) == [("TX", 1), ("CA", 2)]
    tied = asker.ask("top 2 customers by transaction count in May")  # C1 and C3... C1 has 2, C2 1, C3 1
    assert figures(tied) == [("CUST00000001", 2), ("CUST00000002", 1)]  # C2 before C3 on the tie


# --- Clarify and refuse, never a guessed figure ---------------------------------------------------------------------

@pytest.mark.parametrize("question, reason", [
    ("How many Declining customers are there?", "several dimensions"),
    ("lifetime value by state", "the total or the average"),
    ("average spend", "per transaction, per customer or per customer-month"),
    ("Premium vs Standard", "no measure"),
    ("top 10 customers", "no measure"),
    ("spend by customer", "too many customer id values"),
    ("spend in March and April", "2 periods"),
    ("What is the spend of our flagship customers by state?", "did not understand “flagship”"),
    ("average lifetime value last month", "over the whole history"),
    ("How many new customers did we get this year?", "did not understand “new”"),  # not all customers, silently
])
def test_an_ambiguous_question_answers_clarify_with_readings_it_can_run(asker, question, reason):
    answer = asker.ask(question)
    assert answer.status == "clarify" and reason in answer.interpretation, answer.interpretation
    assert answer.sql is None and answer.rows == () and answer.chart is None
    assert 1 <= len(answer.suggestions) <= 3
    for reading in answer.suggestions:
        assert asker.ask(reading).status == "answered", reading


@pytest.mark.parametrize("question, reason", [
    ("What's our profit margin by state?", "no measure “profit margin”"),
    ("list the email addresses of our top customers", "PII-free"),
    ("How many customers are at high risk of churning?", "has not scored any customer"),
    ("", "Type a question"),
])
def test_what_the_model_or_the_role_cannot_answer_is_refused_with_the_reason(asker, question, reason):
    answer = asker.ask(question)
    assert answer.status == "refused" and reason in answer.interpretation
    assert answer.sql is None and answer.rows == ()


def test_with_a_scored_churn_model_the_churn_questions_answer():
    scored = tiny_asker(scored=True)
    answer = scored.ask("How many customers are at high risk of churning?")
    assert answer.status == "answered" and figures(answer) == [(1,)]
    assert answer.params == ("High",)
    riskiest = scored.ask("Which CA customers are most at risk?")
    assert riskiest.interpretation.startswith("Top 10 customers by model churn risk score, state CA")
    assert figures(riskiest) == [("CUST00000003", 50), ("CUST00000001", 10)]


def test_a_canonical_question_reads_back_to_the_same_question(asker):
    for question in QUESTIONS:
        understood = asker.understand(question)
        assert isinstance(understood, Question), question
        assert asker.understand(understood.phrase()) == understood, (question, understood.phrase())


# --- Follow-ups ------------------------------------------------------------------------------------------------------

def test_follow_ups_refine_the_previous_question(asker):
    first = asker.ask("spend by category last month")
    only = asker.ask("and only Premium?", previous=first.understood)
    assert only.status == "answered" and "card type Premium" in only.interpretation
    assert figures(only) == [("Travel", 300.0), ("Dining", 100.0)]
    monthly = asker.ask("by month instead", previous=only.understood)
    assert monthly.interpretation.startswith("Approved spend by month, card type Premium, May 2026")
    texas = asker.ask("what about Texas?", previous=first.understood)
    assert "state TX" in texas.interpretation and figures(texas) == [("Groceries", 40.0)]
    year = asker.ask("last year instead", previous=first.understood)
    assert "2025" in year.interpretation and figures(year) == []
    fresh = asker.ask("How many customers in California this year?", previous=first.understood)
    assert figures(fresh) == [(2,)]  # a question of its own (its own period) is not a follow-up
    # without a period of its own: for last month (C1, C3 bought in May), or all?
    unsaid = asker.ask("How many customers in California?", previous=first.understood)
    assert unsaid.status == "clarify" and "May 2026" in unsaid.interpretation, unsaid.interpretation
    assert [figures(asker.ask(reading)) for reading in unsaid.suggestions] == [[(2,)], [(2,)]]
    ambiguous = asker.ask("How many Declining customers are there?", previous=first.understood)
    assert ambiguous.suggestions == ("customer count for customer segment Declining",
                                     "customer count for behavioural segment Declining")  # nor is an ambiguous one


def test_the_restatement_names_the_measure_filters_and_period_and_the_conventions_used(asker):
    answer = asker.ask("How many transactions in Texas last week?")
    assert answer.interpretation == ("Transaction volume, state TX, 8–14 Jun 2026 (last week: the last complete "
                                     "calendar week). Transactions of every status (approved and declined)")
    assert re.search(r"WHERE .*state IN \(\?\)", answer.sql) and answer.params == ("2026-06-08", "2026-06-14", "TX")


def test_the_json_shape_has_exactly_the_issues_keys(asker):
    shaped = asker.ask("spend by month in Q2").as_json()
    assert list(shaped) == ["question", "status", "interpretation", "sql", "params", "columns", "rows", "chart",
                            "suggestions"]
    assert shaped["rows"][0] == ["2026-04-01", 80] and shaped["params"] == ["2026-04-01", "2026-06-17"]


def test_a_reader_without_observability_gets_refused_only_for_health(marketing):
    assert marketing.ask("Which data quality checks failed?").status == "refused"
    assert marketing.ask("spend by state").status == "answered"


def test_understanding_needs_no_warehouse_when_values_are_given():
    context = Context(build(load(), {("customers", "card_type"): ["Premium", "Standard"]}), AS_OF, False, "X")
    assert isinstance(understand("spend for Premium", context), Question)
    assert isinstance(understand("system health", context), Refusal)
    assert isinstance(understand("Declining customers", context), Clarify)


def test_figures_a_customer_month_holds_whole_are_read_from_the_customer_months(asker):
    routed = asker.ask("spend by card type this year")
    assert "FROM __monthly_spend" in routed.sql and "__transactions" not in routed.sql
    assert figures(routed) == [("Standard", 1320.0), ("Premium", 900.0)]
    assert figures(asker.ask("average ticket size by card type in Q2")) == [("Standard", 252.0), ("Premium", 200.0)]
    for kept in ("spend by card type in the last 30 days", "spend by channel this year", "active customers by month"):
        assert "__monthly_spend" not in asker.ask(kept).sql, kept  # not whole months, a transaction's attribute, any status


# --- Reviews of Ask: questions once answered with a confident wrong figure ------------------------------------------

@pytest.mark.parametrize("question, rows", [
    ("spend excluding online and mobile", [(220.0,)]),  # In-Store only: T03 100 + T05 80 + T06 40
    ("spend excluding Travel and Dining", [(180.0,)]),  # Groceries: 80 + 40 + 60
    ("spend other than Premium", [(1320.0,)]),  # Standard: C2 120 + C3 1200
    ("all spend but Travel", [(420.0,)]),  # 2220 - 1800
    ("spend in Texas but not Travel", [(120.0,)]),
    ("how many customers made a purchase", [(3,)]),  # customers, not the 11 transactions
    ("customers who made a purchase", [(3,)]),
    ("how many customers spent on travel", [(2,)]),  # C1 and C3; not the $1,800
    ("how many customers have a decline", [(2,)]),  # C1 (T04) and C2 (T07); not the decline rate
    ("how much does an average Standard customer spend", [(660.0,)]),  # (120 + 1200) / 2 customers, not the total
    ("count of declines", [(2,)]),  # T04 and T07; not the decline rate
    ("average order value", [(2220 / 9,)]),  # approved transactions only, as average transaction value
    ("spend as of today", [(2220.0,)]),  # to as-of, not the as-of day alone
    ("spend as of March 31", [(560.0,)]),  # T01 500 + T08 60
    ("spend from March to now", [(2160.0,)]),
    ("spend so far", [(2220.0,)]),  # all history to as-of, not a period of its own
    ("spend to date", [(2220.0,)]),
    ("total spend ever", [(2220.0,)]),
    ("average transactions per customer", [(11 / 3,)]),  # every status, per customer with a transaction
])
def test_the_reviews_questions_get_the_figure_worked_out_by_hand(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered", (answer.interpretation, answer.suggestions)
    assert [tuple(round(v, 6) for v in r) for r in figures(answer)] == [tuple(round(v, 6) for v in r) for r in rows]


def test_a_count_of_customers_says_which_transactions_made_them_count(asker):
    answer = asker.ask("how many customers spent on travel")
    assert answer.interpretation.startswith("Active customers, merchant category Travel, status approved")
    assert "with a transaction that matches (status approved)" in answer.interpretation
    assert "amounts of every status" in asker.ask("average amount").interpretation.lower()


@pytest.mark.parametrize("question, reason", [
    ("spend not by channel", "did not understand “not”"),  # a dangling "not" is never dropped
    ("spend but Travel", "did not understand “but”"),
    ("spend for churned customers", "did not understand “churned”"),  # a cue word alone is not understood
    ("how many inactive customers", "did not understand “inactive”"),
    ("how healthy is spend in Texas", "names pipeline health"),
    ("average transactions by state", "“average transactions”"),
    ("average daily spend", "“average” spend"),
    ("May spend", "did not understand “May”"),
    ("spend of customers who bought online", "customers who"),
    ("spend by stat", "did not understand “by stat”"),
    ("spend change vs last year", "year-over-year"),
    ("change vs last year", "year-over-year"),
    ("which customers only shop online", "“only”"),
    ("how many customers shop only online", "with those transactions only"),
    ("how many customers do not shop online", "no such transaction"),
    ("spend by segment", "can be the"),
    ("How many customers are in the Stable Mid-Spenders segment?", "several dimensions"),
])
def test_what_the_reviews_found_answers_clarify_not_a_figure(asker, question, reason):
    answer = asker.ask(question)
    assert answer.status in ("clarify", "refused") and reason in answer.interpretation, answer.interpretation
    assert answer.rows == () and answer.sql is None
    for reading in answer.suggestions:
        assert asker.ask(reading).status == "answered", reading


def test_a_word_before_a_value_that_was_not_understood_offers_the_value_excluded_too(asker):
    readings = asker.ask("spend but Travel").suggestions
    assert readings[:2] == ("approved spend excluding merchant category Travel",
                            "approved spend for merchant category Travel")
    assert asker.ask("May spend").suggestions[0] == "approved spend in May"


@pytest.mark.parametrize("question, readings", [
    ("where do customers spend", ["approved spend by merchant category", "approved spend by channel",
                                  "approved spend by state"]),
    ("where do Texas customers spend the most", ["top 10 merchant category by approved spend for state TX",
                                                 "top 10 channel by approved spend for state TX"]),
])
def test_where_customers_spend_asks_which_place_never_a_figure_without_one(asker, question, readings):
    answer = asker.ask(question)
    assert answer.status == "clarify" and list(answer.suggestions) == readings and answer.rows == ()
    assert all(asker.ask(reading).status == "answered" for reading in readings)


def test_travel_transactions_per_customer_say_they_are_per_customer_with_a_travel_transaction(asker):
    answer = asker.ask("travel transactions per customer")
    assert "per customer with a transaction that matches (merchant category Travel)" in answer.interpretation
    assert figures(answer) == [(2.0,)]  # T01, T02 of C1; T10, T11 of C3: 4 over the 2 customers with one, not over 3


@pytest.mark.parametrize("question, states, spend", [
    ("SPEND IN TEXAS", ("TX",), [(120.0,)]),  # not Indiana too: IN is the word here
    ("spend IN Texas", ("TX",), [(120.0,)]),
    ("SHOW ME SPEND", (), [(2220.0,)]),  # not Maine
    ("TELL ME THE SPEND IN CALIFORNIA", ("CA",), [(2100.0,)]),
    ("spend in CA, OR, TX", ("CA", "OR", "TX"), [("CA", 2100.0), ("TX", 120.0)]),  # a comma before OR: Oregon
    ("SPEND IN IN", ("IN",), [(0.0,)]),
    ("OK, spend", (), [(2220.0,)]),
    ("HI there how many customers", (), [(3,)]),  # a greeting, not Hawaii
])
def test_a_state_code_that_is_a_word_is_the_state_only_where_a_state_stands(asker, question, states, spend):
    answer = asker.ask(question)
    assert answer.status == "answered", answer.interpretation
    assert tuple(p for p in answer.params if isinstance(p, str) and len(p) == 2) == states, answer.interpretation
    assert figures(answer) == spend


@pytest.mark.parametrize("question, states", [
    ("how many OK customers", ("OK",)), ("how much did OK customers spend", ("OK",)),
    ("Premium OK customers", ("Premium", "OK")), ("spend ME", ("ME",)), ("OK decline rate", ("OK",)),
    ("ME, NH, VT SPEND", ("ME", "NH", "VT")), ("OK and TX customers", ("OK", "TX")), ("spend where state is OK", ("OK",)),
    ("SHOW ME SPEND BY CHANNEL", ()), ("GIVE ME CUSTOMERS BY STATE", ()), ("HI there how many customers", ()),
])
def test_a_word_like_code_before_customers_or_a_measure_is_the_state_but_not_after_a_verb_of_asking(asker, question, states):
    answer = asker.ask(question)
    assert answer.status == "answered", answer.interpretation
    assert tuple(p for p in answer.params if isinstance(p, str)) == states, answer.interpretation


@pytest.mark.parametrize("code", ["OK", "HI", "ME", "IN", "OR"])
def test_ask_reads_its_own_readings_of_a_word_like_state_back(asker, code):
    answer = asker.ask(f"approved spend for state {code}")  # as a clarify's reading and a follow-up write it
    assert answer.params == (code,) and answer.interpretation.startswith(f"Approved spend, state {code},")
    by_month = asker.ask("by month", previous=answer.context)
    assert code in by_month.params and "state" not in by_month.columns, by_month.interpretation


@pytest.mark.parametrize("first, follow_up, kept", [
    ("spend in Hawaii and Texas", "by month", {"HI", "TX"}), ("spend in Oregon", "only Premium", {"OR", "Premium"}),
    ("customers in Indiana", "how many are Premium", {"IN", "Premium"}), ("spend in Maine", "only online", {"ME", "Online"}),
])
def test_a_follow_up_on_a_word_like_state_keeps_the_state(asker, first, follow_up, kept):
    answer = asker.ask(follow_up, previous=asker.ask(first).context)  # never all 51 states, nor the other state alone
    assert answer.status == "answered" and kept <= set(answer.params), answer.interpretation


@pytest.mark.parametrize("question, states", [
    ("is spend by channel OK", ()), ("is decline rate OK", ()), ("spend OK & TX", ("OK", "TX")),
    ("spend in IN last month", ("IN",)), ("customers IN last month", ("IN",)), ("OK's spend", ("OK",)),
    ("spend where state = HI", ("HI",)), ("spend for state 'OK'", ("OK",)), ("approved spend for state HI and AK", ("HI", "AK")),
])
def test_review_9_word_like_codes_where_they_stand(asker, question, states):
    answer = asker.ask(question)
    assert answer.status == "answered", answer.interpretation
    assert tuple(p for p in answer.params if isinstance(p, str) and len(p) == 2) == states, answer.interpretation


@pytest.mark.parametrize("question, readings", [
    ("number of customers and total spend per state", ("active customers by state", "approved spend by state")),
    ("which states have no Premium customers", ("customer count by state for card type Premium",)),
    # review 11: read as the customers who spent (an invented "status approved"), the spend gone
    ("number of customers with total spend by state", ("active customers by state", "approved spend by state")),
    ("number of customers with average spend by state", ("active customers by state", "approved spend by state")),
    # a diff review: without "number of", the customers were dropped and the spend alone answered
    ("customers with total spend by state", ("active customers by state", "approved spend by state")),
    ("customers with combined spend last month", ("active customers last month", "approved spend last month")),
    ("which categories have no declined transactions", ("transaction volume by merchant category for status declined",)),
])
def test_review_9_two_measures_and_groups_with_none_clarify(asker, question, readings):
    clarifies_with(asker, question, readings)


@pytest.mark.parametrize("question, readings", [
    # review 11: these listed the complement (every state's Standard count) as if it answered
    ("do any states have no Premium customers", ("customer count by state for card type Premium",)),
    ("does any state have no Premium customers", ("customer count by state for card type Premium",)),
    ("are any states without Premium customers", ("customer count by state for card type Premium",)),
    ("do any categories have no online spend", ("approved spend by merchant category for channel Online",)),
    # yes or no of one place: the count of them, never the count of the others
    ("does Texas have no Premium customers", ("customer count for state TX for card type Premium",)),
    ("is there no online spend in Texas", ("approved spend for channel Online for state TX",)),
])
def test_asking_whether_any_have_none_answers_with_the_count_of_those_that_have(asker, question, readings):
    clarifies_with(asker, question, readings)


@pytest.mark.parametrize("question, rows", [
    ("Texas share vs California share of spend", [("CA", 2100.0, 2100 / 2220), ("TX", 120.0, 120 / 2220)]),
    # review 11: each one's share of itself (1.0) before; Travel T01 T02 T10 T11 1,800, Dining T03 T09 240
    ("Travel % vs Dining % of spend", [("Travel", 1800.0, 1800 / 2220), ("Dining", 240.0, 240 / 2220)]),
    ("Texas percent and California percent of spend", [("CA", 2100.0, 2100 / 2220), ("TX", 120.0, 120 / 2220)]),
    ("Premium share vs Standard share of customers", [("Standard", 2, 2 / 3), ("Premium", 1, 1 / 3)]),
    ("Texas share of spend vs California share of spend", [("CA", 2100.0, 2100 / 2220), ("TX", 120.0, 120 / 2220)]),
    ("share of Texas vs share of California in spend", [("CA", 2100.0, 2100 / 2220), ("TX", 120.0, 120 / 2220)]),
])
def test_each_value_s_share_named_apart_is_its_share_of_the_whole_never_one(asker, question, rows):
    assert figures(asker.ask(question)) == rows


@pytest.mark.parametrize("question, readings", [
    ("spend by channel in the top 3 states", ("top 3 state by approved spend", "approved spend by channel")),
    ("customers in the bottom 3 states by spend", ("bottom 3 state by approved spend", "customer count")),
    ("spend in the top 3 categories by month", ("top 3 merchant category by approved spend", "approved spend by month")),
])
def test_a_figure_for_a_ranked_set_is_asked_in_two_steps_never_a_ranking_of_pairs(asker, question, readings):
    clarifies_with(asker, question, readings)


def test_the_lowest_churn_risk_customers_are_ranked_from_the_lowest_score_not_bands_by_head_count():
    answer = tiny_asker(scored=True).ask("lowest churn risk customers")
    assert answer.interpretation.startswith("Bottom 10 customers by model churn risk score"), answer.interpretation
    assert figures(answer) == [("CUST00000001", 10), ("CUST00000003", 50), ("CUST00000002", 90)]


@pytest.mark.parametrize("question, restated", [
    ("top 3 states with the lowest decline rate", "Bottom 3 states by decline rate"),
    ("top 3 states with the highest spend", "Top 3 states by approved spend"),
    ("top 10 customers with the highest spend", "Top 10 customers by approved spend"),
    # review 11: each read as top/bottom 10 with "did not understand “3”" (or clarified a right reading)
    ("which 3 states have the highest spend", "Top 3 states by approved spend"),
    ("which two channels have the most transactions", "Top 2 channels by transaction volume"),
    ("which 5 states have the lowest approval rate", "Bottom 5 states by approval rate"),
    ("top three states with the highest spend", "Top 3 states by approved spend"),
    ("states with the highest decline rate last month, top 5", "Top 5 states by decline rate, May 2026"),
    ("customers with the most transactions last month top 5", "Top 5 customers by transaction volume, May 2026"),
    # review 11 S5: everyday words that were "not understood" or refused
    ("can you break down last month's spend by channel", "Approved spend by channel, May 2026"),
    ("how many customers spent money on travel", "Active customers, merchant category Travel, status approved"),
    ("who are our biggest spenders last month", "Top 10 customers by approved spend, May 2026"),
    ("the 3 smallest spenders in Texas", "Bottom 3 customers by approved spend, state TX"),
    ("what's the average purchase amount online", "Average transaction value, channel Online"),
    ("number of unique customers last month", "Active customers, May 2026"),
    # review 12 S1: the only reading offered was the opposite figure (Travel alone, the declined ones alone)
    ("spend last month not including travel", "Approved spend, merchant category not Travel, May 2026"),
    ("transactions including declined last month", "Transaction volume, May 2026"),
    ("transactions with declined status", "Transaction volume, status declined"),
    # review 12 S2: possessive months
    ("what do Premium customers spend the most on?", "Top 1 merchant category by approved spend, card type Premium"),
    ("October's spend", "Approved spend, Oct 2025"), ("Q1's decline rate in Texas", "Decline rate, state TX, Jan–Mar 2026"),
])
def test_a_ranking_its_number_and_everyday_words_are_read_as_said(asker, question, restated):
    assert asker.ask(question).interpretation.startswith(restated)


@pytest.mark.parametrize("question, states", [
    ("spend excluding HI last month", ("HI",)), ("spend other than in OK", ("OK",)), ("spend except in TX", ("TX",)),
    ("spend at OK", ("OK",)), ("spend in 'OK'", ("OK",)), ("OK Premium customers", ("OK", "Premium")),
    ("HI travel spend", ("Travel", "HI")), ("spend by month OR", ("OR",)), ("how many customers does OK have", ("OK",)),
    ("spend OK TX", ("OK", "TX")), ("decline rate OK HI", ("OK", "HI")), ("is spend by state OK", ()),
    ("are transactions by state OK", ()), ("SPEND IN TX", ("TX",)),
])
def test_review_10_word_like_codes(asker, question, states):
    answer = asker.ask(question)
    assert answer.status == "answered", answer.interpretation
    assert tuple(p for p in answer.params if isinstance(p, str) and not p[:1].isdigit()) == states, answer.interpretation
    if question.startswith(("spend excluding", "spend other", "spend except")):
        assert "state not" in answer.interpretation  # excluded, never the state alone


@pytest.mark.parametrize("question, params", [
    # review 11: each of these dropped the state (or read Oregon's OR as "or") and answered the portfolio
    ("spend OK Premium", ("OK", "Premium")), ("spend ME Premium", ("ME", "Premium")),
    ("OK top 3 categories by spend", ("OK", 3)), ("HI top 5 customers by spend", ("HI", 5)),
    ("customers OR WA", ("OR", "WA")), ("spend OR WA", ("OR", "WA")), ("OK's and HI's share of spend", ("OK", "HI")),
    ("spend IN Premium", ("Premium",)),  # the preposition before a value, as "SPEND IN TEXAS" is
    # S2: HI before a period is written as Hawaii first, and OK before "vs Hawaii" was then the word
    ("spend OK vs HI last month", ("2026-05-01", "2026-05-31", "OK", "HI")),
    ("OK and Texas customers", ("OK", "TX")),
])
def test_review_11_word_like_codes_before_a_value_a_ranking_or_a_state(asker, question, params):
    answer = asker.ask(question)
    assert answer.status == "answered" and answer.params == params, answer.interpretation


@pytest.mark.parametrize("question, params", [
    # review 12 M3: a run of capital codes is a list of states; "ME OR" ends with Oregon
    ("spend ME OR", ("ME", "OR")), ("transactions ME OR last month", ("2026-05-01", "2026-05-31", "ME", "OR")),
    ("spend OK HI ME", ("OK", "HI", "ME")), ("customers in HI OK ME", ("HI", "OK", "ME")),
    ("spend TX OK HI", ("TX", "OK", "HI")), ("spend OK HI and ME", ("OK", "HI", "ME")),
    # review 13 C: OR followed by no state is Oregon
    ("customers ME, OR and IN", ("ME", "OR", "IN")), ("ME OR customers", ("ME", "OR")),
    ("spend ME OR by channel", ("ME", "OR")),
    # review 14: OR first, before another code; "cardholders" are the customers, not a count of them
    ("OR ME customers", ("OR", "ME")),
])
def test_review_12_a_run_of_capital_codes_is_a_list_of_states(asker, question, params):
    answer = asker.ask(question)
    assert answer.status == "answered" and answer.params == params, answer.interpretation


@pytest.mark.parametrize("question, row", [
    # review 12 M2: ranked by how many (of all Premium, of all online) before, not by the share within each state
    ("which state has the highest share of Premium customers", ("CA", "Premium", 1, 0.5)),  # C1 of C1, C3
    ("which state has the lowest share of Premium customers", ("TX", "Premium", 0, 0.0)),  # C2 is Standard
    # California: T01 T02 T08 T10 T11 online of its 8 transactions; Texas: none of 3
    ("which state has the highest share of online transactions", ("CA", "Online", 5, 0.625)),
    ("which state has the highest percentage of online spend", ("CA", "Online", 1860.0, 1860 / 2100)),
])
def test_review_12_which_group_has_the_highest_share_of_x_ranks_by_the_share_within_each(asker, question, row):
    answer = asker.ask(question)
    assert "within each state" in answer.interpretation, answer.interpretation
    assert figures(answer) == [row]


def test_review_14_transactions_for_premium_cardholders_count_transactions(asker):
    answer = asker.ask("declined transactions for Premium cardholders")
    assert answer.interpretation.startswith("Transaction volume, status declined, card type Premium")
    assert figures(answer) == [(1,)]  # T04, C1's declined one (never 1 active customer by chance: 2 approved too)
    assert figures(asker.ask("transactions for Premium cardholders")) == [(4,)]  # C1: T01-T04


def test_review_15_declines_and_approvals_are_transactions_whoever_they_are_for(asker):
    answer = asker.ask("approvals for Standard cardholders")
    assert answer.interpretation.startswith("Transaction volume, status approved, card type Standard")
    assert figures(answer) == [(6,)]  # T05, T06, T08-T11 (it answered 2 active customers by status)
    assert figures(asker.ask("how many approvals did Premium customers have in May")) == [(2,)]  # T02, T03 of C1
    assert figures(asker.ask("declines this year")) == [(2,)]  # T04, T07 (it asked which figure)
    assert figures(asker.ask("how many customers had declines this year")) == [(2,)]  # C1, C2: customers when asked


@pytest.mark.parametrize("question, readings", [
    ("spend in TX OR CA", [[("CA", 2100.0), ("TX", 120.0)], [("CA", 2100.0), ("TX", 120.0)]]),  # Oregon has no row
    ("ME OR CA customers", [[("CA", 2)], [("CA", 2)]]),
])
def test_review_15_or_between_two_capital_codes_asks_oregon_or_the_word(asker, question, readings):
    answer = asker.ask(question)  # it dropped OR without a word
    assert answer.status == "clarify" and "OR (Oregon)" in answer.interpretation, answer.interpretation
    assert "Oregon" in answer.suggestions[0] and "Oregon" not in answer.suggestions[1]
    assert [sorted(figures(asker.ask(r))) for r in answer.suggestions] == readings


@pytest.mark.parametrize("question", ["me and or customers", "ok and hi spend last month", "spend me and or last quarter",
                                      "in and ok customers"])
def test_review_15_lower_case_codes_in_a_list_ask_states_or_words(asker, question):
    answer = asker.ask(question)  # it answered the whole portfolio without a word
    assert answer.status == "clarify" and "or words?" in answer.interpretation
    assert "by state for state" in answer.suggestions[0] and "state" not in answer.suggestions[1]


@pytest.mark.parametrize("question, interpretation, rows", [
    # review 15: each asked "too many customer id values: top, bottom or total?", the total third
    ("transactions by Premium cardholders by channel", "Transaction volume by channel, card type Premium",
     [("In-Store", 1), ("Mobile", 1), ("Online", 2)]),  # C1: T01, T02 online, T03 in store, T04 mobile
    ("online transactions by Standard card holders this month", "Transaction volume, channel Online, card type Standard",
     [(2,)]),  # T10, T11
    ("spend by customers aged 30-44 last month", "Approved spend, age band 30-44, May 2026", [(580.0,)]),
])
def test_a_figure_by_some_customers_is_theirs_not_each_customers(asker, question, interpretation, rows):
    answer = asker.ask(question)
    assert answer.interpretation.startswith(interpretation), answer.interpretation
    assert sorted(figures(answer)) == rows


def test_spend_by_customers_alone_still_asks_top_bottom_or_total(asker):
    answer = asker.ask("spend by customers")
    assert answer.status == "clarify" and answer.suggestions[-1] == "approved spend"


@pytest.mark.parametrize("question, interpretation, row", [
    # reviews 11-15 flagged these as the other share: Premium customers' share that is in CA (1.0)
    ("percentage of Premium customers in California", "Share of customer count that is card type Premium, within state CA",
     ("Premium", 1, 0.5)),  # C1 of C1, C3
    ("share of online transactions in California", "Share of transaction volume that is channel Online, within state CA",
     ("Online", 5, 5 / 8)),  # C1 T01-T04, C3 T08-T11: T01, T02, T08, T10, T11 online
    # with a verb the value after the measure is the part, as before
    ("what share of Premium customers are in California", "Share of customer count that is state CA, within card type "
     "Premium", ("CA", 1, 1.0)),
])
def test_a_value_said_in_after_the_measure_is_the_whole_of_a_share(asker, question, interpretation, row):
    answer = asker.ask(question)
    assert answer.interpretation.startswith(interpretation), answer.interpretation
    assert figures(answer) == [row]


@pytest.mark.parametrize("question, interpretation, figure", [
    ("approval rate for in-store transactions last month", "Approval rate, channel In-Store, May 2026", 1.0),  # not Indiana
    ("spend since the start of Q2", "Approved spend, 1 Apr–17 Jun 2026", 1660.0),  # review 16: offered Q2 only
    ("spend last month leaving out travel", "Approved spend, merchant category not Travel, May 2026", 280.0),  # T03, T06, T09
])
def test_review_16_single_questions(asker, question, interpretation, figure):
    answer = asker.ask(question)
    assert answer.interpretation.startswith(interpretation), answer.interpretation
    assert figures(answer) == [(figure,)]


def test_which_group_had_more_is_the_one_with_the_most(asker):
    answer = asker.ask("which card type had more approvals")  # review 15: refused ("did not understand more")
    assert answer.interpretation.startswith("Top 1 card type by transaction volume, status approved")
    assert figures(answer) == [("Standard", 6)]  # T05, T06, T08-T11 against Premium's T01-T03
    assert figures(asker.ask("which card type has fewer customers")) == [("Premium", 1)]


def test_counting_approved_ones_is_never_every_status(asker):
    answer = asker.ask("transactions last month counting approved ones")  # a diff review: it answered every status
    assert answer.status == "clarify" and answer.suggestions == ("transaction volume for status approved last month",)


def test_review_14_title_case_codes_in_a_list_ask_states_or_words(asker):
    clarifies_with(asker, "Me and Or customers", ("customer count by state for state Maine and Oregon", "customer count"))


@pytest.mark.parametrize("question, readings", [
    ("spend IN TX", ("approved spend by state for state Indiana and TX", "approved spend for state TX")),
    ("customers IN OH", ("customer count by state for state Indiana and OH", "customer count for state OH")),
])
def test_review_12_capital_in_before_a_state_asks_indiana_or_the_word(asker, question, readings):
    clarifies_with(asker, question, readings)


@pytest.mark.parametrize("question, status, reason", [
    ("spend OR customers", "clarify", "names 2 measures"),  # the word between two measures
    ("month over month change in spend in OK", "refused", "portfolio-wide figure"),  # never the portfolio's, unsaid
    ("spend growth in HI", "refused", "portfolio-wide figure"),
    ("month over month change in spend in ok", "clarify", "As the state: Month-over-month change is a portfolio-wide"),
    ("ok premium customers", "clarify", "can be the state OK (Oklahoma) or the word"),
])
def test_review_11_a_code_that_cannot_be_read_is_never_dropped(asker, question, status, reason):
    answer = asker.ask(question)
    assert answer.status == status and reason in answer.interpretation and not answer.rows, answer.interpretation


def test_and_a_word_like_code_after_a_state_shows_both(asker):
    answer = asker.ask("and IN", previous=asker.ask("spend in Texas").context)
    assert answer.params == ("TX", "IN") and "IN as well as TX" in answer.interpretation, answer.interpretation


@pytest.mark.parametrize("question, readings", [
    ("count of customers and total spend per state", ("active customers by state", "approved spend by state")),
    ("spend against transactions by month", ("approved spend by month", "transaction volume by month")),
    ("spend compared with transactions by state", ("approved spend by state", "transaction volume by state")),
    ("total spend, total customers per state", ("approved spend by state", "active customers by state")),
])
def test_review_10_two_measures_however_joined_clarify(asker, question, readings):
    clarifies_with(asker, question, readings)


@pytest.mark.parametrize("question", ["any states without high risk customers", "which states don't have Premium customers",
                                      "states without Premium customers"])
def test_review_10_groups_without_clarify_but_spend_without_a_value_excludes_it(asker, question):
    assert asker.ask(question).status == "clarify"
    assert asker.ask("spend by state without travel").interpretation.startswith(
        "Approved spend by state, merchant category not Travel")


@pytest.mark.parametrize("question", ["spend in ok online", "customers in me with Premium cards", "Hi spend",
                                      "spend for Ok customers"])
def test_a_word_like_code_in_lower_case_where_a_state_can_stand_asks_and_never_drops_it(asker, question):
    answer = asker.ask(question)
    assert answer.status == "clarify" and "can be the state" in answer.interpretation and answer.rows == ()
    assert all(asker.ask(reading).status == "answered" for reading in answer.suggestions)


@pytest.mark.parametrize("question, readings", [
    ("spend or transactions by month", ("approved spend by month", "transaction volume by month")),
    ("spend by state. transactions by state.", ("approved spend by state", "transaction volume by state")),
    ("spend in Texas and overall", ("approved spend for state TX", "approved spend", "share of approved spend that is state TX")),
    ("Premium spend and total spend", ("approved spend for card type Premium", "approved spend",
                                       "share of approved spend that is card type Premium")),
    ("what is our average monthly spend", ("approved spend by month", "average monthly spend")),
    ("where do Premium customers shop", ("customer count by state for card type Premium",
                                         "approved spend by merchant category for card type Premium",
                                         "approved spend by channel for card type Premium")),
])
def test_review_8_two_figures_and_places_clarify_with_readings_ask_answers(asker, question, readings):
    clarifies_with(asker, question, readings)


@pytest.mark.parametrize("question, restated, rows", [
    ("how much of spend comes from Premium customers", "Share of approved spend that is card type Premium",
     [("Premium", 900.0, 900 / 2220)]),
    ("of all spend, how much is online", "Share of approved spend that is channel Online", [("Online", 1860.0, 1860 / 2220)]),
    ("Texas and California share of spend", "Share of approved spend that is state in TX, CA",  # parts, never 1.0 each
     [("CA", 2100.0, 2100 / 2220), ("TX", 120.0, 120 / 2220)]),
    ("how much does a customer spend", "Spend per customer", [(740.0,)]),  # 2220 over the 3 customers
    ("rank categories by online share of spend", "Share of approved spend that is channel Online within each",
     [("Travel", "Online", 1800.0, 1.0), ("Groceries", "Online", 60.0, 60 / 180), ("Dining", "Online", 0.0, 0.0),
      ("Gas", "Online", 0.0, None)]),  # ordered by the share, not by the online amount
    ("how many customers are shopping online", "Active customers, channel Online", [(2,)]),  # not category Shopping
    ("average monthly spend", "Average monthly spend, all history to 17 Jun 2026. Per customer:", [(232.0,)]),
])
def test_review_8_figures_read_as_asked(asker, question, restated, rows):
    answer = asker.ask(question)
    assert answer.interpretation.startswith(restated), answer.interpretation
    assert figures(answer) == rows


@pytest.mark.parametrize("question", ["spend besides travel", "spend apart from travel", "spend excl. travel",
                                      "spend ex travel", "spend except for travel", "spend other than travel"])
def test_every_way_of_leaving_a_value_out_excludes_it(asker, question):
    answer = asker.ask(question)
    assert answer.interpretation.startswith("Approved spend, merchant category not Travel"), answer.interpretation
    assert figures(answer) == [(420.0,)]  # 2220 - 1800


@pytest.mark.parametrize("question, restated, rows", [
    ("5 states with the highest spend", "Top 5 states by approved spend", [("CA", 2100.0), ("TX", 120.0)]),
    ("customers who spent the most", "Top 10 customers by approved spend",  # plural: the top ones, not the one
     [("CUST00000003", 1200.0), ("CUST00000001", 900.0), ("CUST00000002", 120.0)]),
    ("spend in every state but Texas", "Approved spend, state not TX", [(2100.0,)]),
])
def test_groups_with_the_most_and_every_but_read_as_said(asker, question, restated, rows):
    answer = asker.ask(question)
    assert answer.interpretation.startswith(restated), answer.interpretation
    assert figures(answer) == rows


def test_or_between_two_churn_bands_is_the_word_not_oregon():
    answer = tiny_asker(scored=True).ask("spend for high risk OR medium risk customers")
    assert "state" not in answer.interpretation and sorted(figures(answer)) == [("High", 120.0), ("Medium", 1200.0)]


@pytest.mark.parametrize("question, state", [("spend in Hi", "HI"), ("customers in Me", "ME"), ("spend in or last month", "OR"),
                                             ("show spend for me", "ME")])
def test_a_state_code_typed_as_a_word_after_in_asks_whether_it_is_the_state(asker, question, state):
    answer = asker.ask(question)
    assert answer.status == "clarify" and f"the state {state}" in answer.interpretation and answer.rows == ()
    assert f"for state {US_STATES[state]}" in answer.suggestions[0] and "state" not in answer.suggestions[1]
    assert state in asker.ask(answer.suggestions[0]).params  # the reading, picked, is the state
    assert all(asker.ask(reading).status == "answered" for reading in answer.suggestions)


@pytest.mark.parametrize("question, restated, ranked", [
    ("customers with the highest spend", "Top 10 customers by approved spend",
     [("CUST00000003", 1200.0), ("CUST00000001", 900.0), ("CUST00000002", 120.0)]),
    ("customers with the most transactions", "Top 10 customers by transaction volume",  # ties by id: C1 before C3
     [("CUST00000001", 4), ("CUST00000003", 4), ("CUST00000002", 3)]),
    ("customers with the fewest transactions", "Bottom 10 customers by transaction volume",
     [("CUST00000002", 3), ("CUST00000001", 4), ("CUST00000003", 4)]),
    ("the 2 customers with the most spend in Texas", "Top 2 customers by approved spend, state TX", [("CUST00000002", 120.0)]),
])
def test_customers_with_the_most_x_are_the_customers_ranked_by_x(asker, question, restated, ranked):
    answer = asker.ask(question)
    assert answer.interpretation.startswith(restated), answer.interpretation
    assert figures(answer) == ranked


@pytest.mark.parametrize("question, readings", [
    ("spend, and how many customers, by state", ("approved spend by state", "active customers by state")),
    ("spend and how many transactions in Texas", ("approved spend for Texas", "transaction volume for Texas")),
])
def test_a_measure_and_how_many_of_something_are_two_figures_never_one_silently(asker, question, readings):
    answer = asker.ask(question)
    assert answer.status == "clarify" and "names 2 measures" in answer.interpretation and answer.suggestions == readings
    assert all(asker.ask(reading).status == "answered" for reading in readings)


@pytest.mark.parametrize("question, ranked", [
    # CA: C1 Premium, C3 Standard -> 1 of 2; TX: C2 Standard -> 0 of 1 (still ranked: a share of 0 is a share)
    ("Premium share of customers by state top 3", [("CA", "Premium", 1, 0.5), ("TX", "Premium", 0, 0.0)]),
    # Online within each category: Travel 1800 of 1800, Groceries 60 of 180, Dining 0 of 240, Gas none of 0
    ("share of spend that is Online by merchant category top 2", [("Travel", "Online", 1800.0, 1.0),
                                                                 ("Groceries", "Online", 60.0, 60 / 180)]),
    ("share of spend that is Online by merchant category bottom 2", [("Dining", "Online", 0.0, 0.0),
                                                                    ("Groceries", "Online", 60.0, 60 / 180)]),
])
def test_a_ranked_share_of_a_part_ranks_the_groups_by_that_share_not_by_the_count(asker, question, ranked):
    answer = asker.ask(question)
    assert "by the share of" in answer.interpretation and "within each" in answer.interpretation, answer.interpretation
    assert figures(answer) == ranked
    assert figures(asker.ask(answer.understood.phrase())) == ranked  # the canonical question reads back the same


@pytest.mark.parametrize("question, readings", [
    ("spend by state and transactions", ("approved spend by state", "transaction volume by state")),
    ("spend by state, transactions", ("approved spend by state", "transaction volume by state")),
    ("spend by state; transactions by state", ("approved spend by state", "transaction volume by state")),
    ("total and average lifetime value by card type", ("total lifetime value by card type",
                                                       "average lifetime value by card type")),
    ("highest and lowest spend state", ("top 1 state by approved spend", "bottom 1 state by approved spend")),
])
def test_two_figures_in_one_breath_clarify_never_answer_one_of_them(asker, question, readings):
    clarifies_with(asker, question, readings)


def test_spend_slash_customers_is_spend_per_customer(asker):
    answer = asker.ask("spend/customers by state")
    assert answer.interpretation.startswith("Spend per customer by state")
    assert figures(answer) == [("CA", 1050.0), ("TX", 120.0)]  # CA: 2100 over C1 and C3; TX: 120 of C2


@pytest.mark.parametrize("question, readings", [
    ("average monthly decline rate", ("decline rate by month", "decline rate")),
    ("average month over month change in spend", ("month over month change in spend", "approved spend by month")),
])
def test_an_average_of_monthly_rates_or_changes_is_never_answered_with_the_monthly_list(asker, question, readings):
    clarifies_with(asker, question, readings)


def test_average_monthly_transactions_say_they_are_a_customers_approved_ones_in_a_month(asker):
    answer = asker.ask("average monthly transactions")
    assert "Per customer and month: a customer's approved transactions in a month" in answer.interpretation
    # approved transactions per customer-month: Jan C3 1, Mar C1 1, Apr C2 1, May C1 2, C2 1, C3 1, Jun C3 2: 9 over 7
    assert figures(answer) == [(9 / 7,)]


@pytest.mark.parametrize("question", ["how much of total spend comes from Texas", "how much of all the spend is from Texas"])
def test_how_much_of_the_total_is_the_share_of_the_whole(asker, question):
    answer = asker.ask(question)
    assert answer.interpretation.startswith("Share of approved spend that is state TX"), answer.interpretation
    assert figures(answer) == [("TX", 120.0, 120 / 2220)]


@pytest.mark.parametrize("question, restated, rows", [
    ("spend ex-Texas", "Approved spend, state not TX", [(2100.0,)]),
    ("spend, travel excluded", "Approved spend, merchant category not Travel", [(420.0,)]),  # 2220 - 1800
    ("customers that don't prefer in-store", "Customer count, favourite channel not In-Store", [(3,)]),  # none known
])
def test_a_value_left_out_however_it_is_said_is_excluded(asker, question, restated, rows):
    answer = asker.ask(question)
    assert answer.interpretation.startswith(restated), answer.interpretation
    assert figures(answer) == rows


@pytest.mark.parametrize("question, first", [
    ("least valuable customers", "bottom 10 customer id by lifetime value"),
    ("customers who never bought travel", "active customers for merchant category Travel"),
])
def test_a_clarify_never_offers_only_the_opposite_of_what_was_asked(asker, question, first):
    answer = asker.ask(question)
    assert answer.status == "clarify" and answer.suggestions[0] == first, answer.suggestions
    if "never" in question:  # those with one, to take from all: both offered, and said why
        assert "cannot count customers with no such transaction" in answer.interpretation


def test_a_comparing_word_is_never_offered_as_a_close_value():
    answer = tiny_asker(scored=True).ask("is Texas spend higher than California")  # "higher" is not churn band High
    assert answer.status == "clarify" and not any("High" in reading for reading in answer.suggestions), answer.suggestions
    assert answer.suggestions == ("approved spend by state for state TX and CA",)


def test_who_spends_the_most_is_a_customer_and_in_each_state_clarifies(asker):
    answer = asker.ask("who spends the most")
    assert answer.interpretation.startswith("Top 1 customer by approved spend") and figures(answer) == [("CUST00000003", 1200.0)]
    each = asker.ask("who spends the most in each state")  # not the state that spends the most
    assert each.status == "clarify" and all("customer id" in reading for reading in each.suggestions)


@pytest.mark.parametrize("question", ["customers with at least 2 transactions", "top customers by number of customers"])
def test_no_answer_counts_customers_per_customer_or_reads_at_least_as_a_bottom_n(asker, question):
    answer = asker.ask(question)
    assert answer.status == "clarify" and answer.rows == (), answer.interpretation
    assert all(asker.ask(reading).status == "answered" for reading in answer.suggestions)


@pytest.mark.parametrize("question", ["spend by employment status", "spend by marital status"])
def test_a_dimension_named_with_a_word_ask_lacks_is_not_offered_as_the_plain_one(asker, question):
    answer = asker.ask(question)  # not the transaction's status: the model has no employment or marital status
    assert answer.status == "clarify" and answer.suggestions == ("approved spend",), answer.suggestions


@pytest.mark.parametrize("question", ["spend in 2024", "spend by month in December 2025", "customers in 2025"])
def test_a_period_wholly_before_the_history_says_so_beside_its_nothing(asker, question):
    answer = asker.ask(question)  # the sample's history starts on 15 Jan 2026
    assert answer.status == "answered" and "the period is before it, so nothing is counted" in answer.interpretation
    assert figures(answer) in ([], [(0.0,)], [(0,)])


@pytest.mark.parametrize("question", ["spend by favourite channel and channel", "spend by channel and favourite channel"])
def test_a_favourite_and_the_plain_dimension_named_together_are_both_grouped(asker, question):
    answer = asker.ask(question)
    assert set(answer.columns) == {"favourite_channel", "channel", "approved_spend"}, answer.interpretation
    assert sorted(row[-1] for row in figures(answer)) == [140.0, 220.0, 1860.0]  # the sample's favourites are unknown


@pytest.mark.parametrize("question", ["how many 30-44 year olds", "how many customers aged 30 to 44"])
def test_year_olds_are_an_age_band_not_a_grouping_by_year(asker, question):
    answer = asker.ask(question)
    assert answer.interpretation.startswith("Customer count, age band 30-44,"), answer.interpretation
    assert figures(answer) == [(3,)]  # every customer of the sample is 30-44


@pytest.mark.parametrize("question, interpretation, figure", [
    ("how many customers are 30-44", "Customer count, age band 30-44,", 3),  # review 15: "did not understand 30 44"
    ("customers 60+", "Customer count, age band 60+,", 0),
    ("declines for 30-44 customers", "Transaction volume, status declined, age band 30-44,", 2),  # T04, T07
    ("spend by customers 30-44", "Approved spend, age band 30-44,", 2220.0),  # a filter, not a ranking of customers
])
def test_an_age_band_said_bare_beside_customers_is_the_band(asker, question, interpretation, figure):
    answer = asker.ask(question)
    assert answer.interpretation.startswith(interpretation), answer.interpretation
    assert figures(answer) == [(figure,)]


def test_spend_by_year_olds_is_their_spend_in_one_figure(asker):
    everyone, olds = asker.ask("spend"), asker.ask("spend by 30-44 year olds")
    assert olds.interpretation.startswith("Approved spend, age band 30-44,") and "by year" not in olds.interpretation
    assert figures(olds) == figures(everyone)


@pytest.mark.parametrize("question", ["average transaction size for Travel", "difference between Premium and Standard spend"])
def test_a_word_not_understood_that_is_not_about_the_value_never_offers_it_excluded(asker, question):
    readings = asker.ask(question).suggestions
    assert readings and not any("excluding" in reading for reading in readings), readings


def test_the_filler_words_are_only_words_that_cannot_change_a_figure():
    from customer360.lib.semantic.words import FILLER
    changing = {"many", "much", "number", "count", "amount", "total", "all", "but", "may", "only", "just", "not",
                "average", "instead", "too", "also", "than", "up", "down", "now", "current", "full", "whole", "per",
                "by", "each", "every", "vs", "compared", "against", "split", "rank", "buy", "shop", "stat", "over"}
    assert not changing & FILLER


def test_a_follow_up_that_names_a_measure_keeps_the_groupings_filters_and_period(asker):
    first = asker.ask("spend by category last month")
    customers = asker.ask("how many customers instead", previous=first.context)
    assert customers.interpretation.startswith("Active customers by merchant category, May 2026")
    assert figures(customers) == [("Dining", 2), ("Groceries", 1), ("Travel", 1)]  # May: C1, C3 dine; C2 groceries
    rate = asker.ask("what about the decline rate", previous=first.context)
    assert rate.interpretation.startswith("Decline rate by merchant category, May 2026")
    texas = asker.ask("how many customers in Texas")
    their = asker.ask("and their spend?", previous=texas.context)
    assert their.interpretation.startswith("Approved spend, state TX") and figures(their) == [(120.0,)]


def test_a_follow_up_adds_a_value_with_too_and_drops_a_filter_with_all_or_each(asker):
    california = asker.ask("how many customers in California")
    both = asker.ask("and Texas too", previous=california.context)
    assert figures(both) == [("CA", 2), ("TX", 1)]
    spend = asker.ask("spend in California")
    assert figures(asker.ask("for all states", previous=spend.context)) == [(2220.0,)]
    assert figures(asker.ask("for each state", previous=spend.context)) == [("CA", 2100.0), ("TX", 120.0)]


def test_after_a_clarify_the_next_words_pick_a_reading_and_the_context_is_kept(asker):
    unclear = asker.ask("How many Declining customers are there?")
    assert unclear.status == "clarify" and unclear.context is not None
    picked = asker.ask("the behavioural one", previous=unclear.context)
    assert picked.interpretation.startswith("Customer count, behavioural segment Declining") and figures(picked) == [(0,)]
    generated = asker.ask("customer segment", previous=unclear.context)
    assert figures(generated) == [(1,)]  # C2's generated segment is Declining
    fresh = asker.ask("spend in Texas", previous=unclear.context)
    assert figures(fresh) == [(120.0,)]  # a question of its own is answered as asked


def test_a_week_month_quarter_or_year_cut_by_as_of_or_the_period_is_said_to_be_partial(asker):
    quarters = asker.ask("spend by quarter")
    assert "The last quarter is partial: 1 Apr–17 Jun 2026 only" in quarters.interpretation
    assert "partial" in asker.ask("which quarter had the most spend").interpretation  # a partial one ranked first
    assert "The first month is partial: from 10 Mar 2026" in asker.ask("spend by month since March 10").interpretation
    whole = asker.ask("spend by month in the last 6 months").interpretation  # whole months, but the history's first
    assert "The last month is partial" not in whole and "The history starts on 15 Jan 2026: its first month is partial" \
        in whole  # T08, the first transaction, is on January 15
    assert "history starts" not in asker.ask("spend by month since March 10").interpretation


@pytest.mark.parametrize("question, rows", [
    ("what share of Premium customers are in Texas", [("TX", 0, 0.0)]),  # C1 is in California: 0, not no rows
    ("share of spend that is Gas in Texas", [("Gas", 0.0, 0.0)]),  # "in Texas" is the whole, Gas the part
    ("what share of spend in Texas is groceries", [("Groceries", 120.0, 1.0)]),
    ("what share of Premium spend is travel", [("Travel", 800.0, 800 / 900)]),  # Travel within Premium
    ("share of travel spend that is Premium", [("Premium", 800.0, 800 / 1800)]),  # Premium within Travel
    ("What share of transactions is declined in each merchant category?",
     [("Gas", "declined", 1, 1.0), ("Dining", "declined", 1, 1 / 3), ("Groceries", "declined", 0, 0.0),
      ("Travel", "declined", 0, 0.0)]),  # a share answer is ordered by the share
    ("share of online spend by month", [(dt.date(2026, 1, 1), 60.0, 60 / 1860), (dt.date(2026, 3, 1), 500.0, 500 / 1860),
                                        (dt.date(2026, 5, 1), 300.0, 300 / 1860),
                                        (dt.date(2026, 6, 1), 1000.0, 1000 / 1860)]),  # of all online spend
])
def test_a_share_is_of_the_whole_the_question_names_and_zero_when_the_part_has_no_rows(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered", answer.interpretation
    assert [tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in figures(answer)] == \
        [tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in rows]
    assert snowflake_lacks(answer.sql) == []


def test_a_favourite_over_all_spend_is_not_a_favourite_for_one_category(asker):
    answer = asker.ask("which channel do Premium customers prefer for travel")
    assert answer.status == "clarify" and "over all their spend" in answer.interpretation
    for reading in answer.suggestions:
        assert asker.ask(reading).status == "answered", reading


@pytest.mark.parametrize("question, reason", [
    ("spend for Mid customers", "did not understand “Mid”"),  # a value of a dimension not named is never dropped
    ("how many High customers", "did not understand “High”"),
    ("is spend growing", "did not understand “growing”"),
    ("spend of Declining customers", "several dimensions"),  # "spend" says nothing of the spend trend
    ("revenue per transaction by channel", "did not understand “per”"),  # a ratio, not a grouping
    ("how many customers never declined", "no such transaction"),  # those with one, to take from all
    ("list customers in Texas", "did not understand “list”"),  # a list of customers is not their count
])
def test_a_value_or_a_word_the_question_does_not_place_makes_it_clarify(asker, question, reason):
    answer = asker.ask(question)
    assert answer.status == "clarify" and reason in answer.interpretation, answer.interpretation
    for reading in answer.suggestions:  # the churn model's band is refused while it has scored no one
        assert asker.ask(reading).status in ("answered", "refused"), reading


def test_a_capitalized_top_with_the_tier_named_is_the_tier_not_a_ranking(asker):
    answer = asker.ask("spend by value tier for Top customers")
    assert answer.interpretation.startswith("Approved spend, value tier Top") and figures(answer) == [(900.0,)]
    [(per_transaction,)] = figures(asker.ask("spend per transaction"))
    assert round(per_transaction, 6) == round(2220 / 9, 6)  # average transaction value, not the total


def test_a_follow_up_with_their_or_them_refines_and_how_many_of_a_figure_asks_what_to_count(asker):
    texas = asker.ask("how many customers in Texas")
    spend = asker.ask("what is their spend", previous=texas.context)
    assert spend.interpretation.startswith("Approved spend, state TX") and figures(spend) == [(120.0,)]
    count = asker.ask("how many of them are Premium", previous=spend.context)
    assert count.status == "clarify" and "“How many” of what?" in count.interpretation
    assert figures(asker.ask(count.suggestions[0])) == [(0,)]  # no Premium customer in Texas


def test_a_bottom_ranking_says_that_groups_with_no_matching_row_are_not_ranked(asker):
    answer = asker.ask("which state has the fewest Premium customers")
    assert figures(answer) == [("CA", 1)]  # Texas has no Premium customer: no row to rank
    assert "Only states with a row that matches are ranked" in answer.interpretation


def test_declining_spend_is_the_spend_trend_and_spend_alone_names_no_trend(asker):
    answer = asker.ask("how many customers with declining spend")
    assert answer.interpretation.startswith("Customer count, spend trend Declining")
    assert figures(answer) == [(0,)]  # the tiny customers have no baseline
    assert asker.ask("spend of Declining customers").status == "clarify"  # generated or behavioural segment


@pytest.mark.parametrize("question", ["compare spend by channel", "ranking of states by spend",
                                      "sort categories by spend", "breakdown of spend by category"])
def test_words_of_comparing_sorting_and_splitting_are_used_by_a_grouped_answer(asker, question):
    assert asker.ask(question).status == "answered", asker.ask(question).interpretation


@pytest.mark.parametrize("question", ["spend breakdown", "how is spend split", "spend vs transactions"])
def test_words_of_splitting_or_comparing_with_nothing_to_split_or_compare_clarify(asker, question):
    assert asker.ask(question).status == "clarify"


def test_after_a_clarify_a_place_picks_a_reading_and_more_words_than_a_reading_holds_pick_none(asker):
    unclear = asker.ask("How many Declining customers are there?")
    assert figures(asker.ask("the first one", previous=unclear.context)) == [(1,)]
    assert asker.ask("2", previous=unclear.context).interpretation.startswith("Customer count, behavioural segment")
    average = asker.ask("average spend")
    assert figures(asker.ask("per customer", previous=average.context)) == [(740.0,)]
    assert asker.ask("per customer by state", previous=average.context).status == "clarify"  # not "by state" dropped


def test_the_spend_trend_of_declining_customers_is_not_read_as_the_count_of_a_trend(asker):
    answer = asker.ask("spend trend of Declining customers")  # the Declining segment's trend, or the trend's band?
    assert answer.status == "clarify" and "spend trend" in answer.interpretation
    assert asker.ask("customers with a Declining trend").interpretation.startswith("Customer count, spend trend Declining")


def test_readings_keep_the_questions_negations_and_period(asker):
    readings = asker.ask("top 3 categories excluding travel last month").suggestions
    assert readings[0] == "top 3 categories by approved spend excluding travel last month"
    answer = asker.ask(readings[0])
    assert figures(answer) == [("Dining", 240.0), ("Groceries", 40.0)]  # May, without Travel
    shared = asker.ask("what share of spend comes from the top 10 customers")
    assert "with each one's share of all approved spend" in shared.interpretation


def test_either_of_two_dimensions_is_not_read_as_both(asker):
    answer = asker.ask("spend for Premium or Texas")  # Premium customers in Texas would be 0 here
    assert answer.status == "clarify" and "not on either one" in answer.interpretation
    assert [figures(asker.ask(r)) for r in answer.suggestions] == [[(0.0,)], [(900.0,)], [(120.0,)]]
    assert figures(asker.ask("spend for online or mobile")) == [("Online", 1860.0), ("Mobile", 140.0)]  # one dimension


@pytest.mark.parametrize("question, reason", [
    ("how much will customers spend", "“will”"),  # the future is not in the data
    ("why is spend so high in Texas", "why"),  # a cause is not a figure
    ("customers like CUST00000003", "“like”"),  # similar customers are not that customer
])
def test_words_that_ask_something_else_than_a_figure_clarify(asker, question, reason):
    answer = asker.ask(question)
    assert answer.status == "clarify" and reason in answer.interpretation, answer.interpretation


def test_wishing_words_are_filler(asker):
    assert figures(asker.ask("I'd like to see spend by state")) == [("CA", 2100.0), ("TX", 120.0)]


@pytest.mark.parametrize("question, rows", [
    ("spend across all channels", [("Online", 1860.0), ("In-Store", 220.0), ("Mobile", 140.0)]),
    ("each state's spend", [("CA", 2100.0), ("TX", 120.0)]),  # a possessive is its noun
    ("Premium customers' spend", [(900.0,)]),
])
def test_possessives_and_across_all_read_as_their_words(asker, question, rows):
    assert figures(asker.ask(question)) == rows


def test_one_customers_own_figure_is_answered_for_that_customer(asker):
    assert figures(asker.ask("what is CUST00000003's lifetime value")) == [(300.0,)]  # the audience's figure
    assert asker.ask("lifetime value for CUST00000001 and CUST00000003").status == "clarify"  # total or average


def test_exclusions_in_follow_ups_pile_up(asker):
    first = asker.ask("spend by channel")
    online = asker.ask("not online", previous=first.context)
    both = asker.ask("except mobile", previous=online.context)
    assert "channel not Online or Mobile" in both.interpretation and figures(both) == [("In-Store", 220.0)]


def test_a_compared_value_no_row_matches_is_said_to_have_no_row(asker):
    answer = asker.ask("dining spend for Premium cards in Texas vs California")
    assert figures(answer) == [("CA", 100.0)]  # C1 is the only Premium customer, in California
    assert "No row matches state TX" in answer.interpretation
    assert "No row matches" not in asker.ask("Premium vs Standard spend").interpretation
    assert "No row matches" not in asker.ask("which state has more spend, Texas or California").interpretation  # top 1


# --- Review 4: answers that were confidently wrong ----------------------------------------------------------------

@pytest.mark.parametrize("question", ["customers without a declined transaction", "customers without declined transactions",
                                      "customers with no declined transactions"])
def test_customers_without_a_kind_of_transaction_are_not_a_count_of_the_other_transactions(asker, question):
    answer = asker.ask(question)  # C3 is the one customer with no declined transaction; Ask cannot count that
    assert answer.status == "clarify" and "cannot count customers with no such transaction" in answer.interpretation
    assert answer.rows == () and answer.sql is None
    having, everyone = (figures(asker.ask(r)) for r in answer.suggestions)
    assert (having, everyone) == ([(2,)], [(3,)])  # C1 (T04) and C2 (T07) have one, of 3: the difference is 1


def test_how_many_transactions_the_average_customer_makes_is_transactions_per_customer(asker):
    answer = asker.ask("how many transactions does the average customer make")
    assert answer.interpretation.startswith("Transactions per customer")
    [(per_customer,)] = figures(answer)
    assert round(per_customer, 6) == round(11 / 3, 6)  # 11 transactions of every status, 3 customers
    assert asker.ask("how many transactions in an average month").status == "clarify"  # an average of what?


def test_an_exclusion_runs_on_past_the_dimension_named_between_two_values(asker):
    answer = asker.ask("spend excluding the travel category and online")
    assert "merchant category not Travel" in answer.interpretation and "channel not Online" in answer.interpretation
    assert figures(answer) == [(360.0,)]  # T03 100 + T05 80 + T06 40 + T09 140: neither Travel nor Online


@pytest.mark.parametrize("question", ["spend excluding online travel", "spend excluding travel online"])
def test_excluding_a_combination_of_two_values_asks_which_exclusion_is_meant(asker, question):
    answer = asker.ask(question)  # all spend but online travel would be 420: Ask cannot exclude a combination
    assert answer.status == "clarify" and "combination" in answer.interpretation and answer.sql is None
    assert sorted(figures(asker.ask(r)) for r in answer.suggestions) == [[(360.0,)], [(1800.0,)], [(2220.0,)]]


@pytest.mark.parametrize("first, follow_up, start, rows", [
    ("spend in Texas last month", "how many transactions is that", "Transaction volume, state TX, status approved", [(1,)]),
    ("spend in Texas last month", "how many customers is that", "Active customers, state TX, status approved", [(1,)]),
    ("travel spend last month", "how many customers was that", "Active customers", [(1,)]),  # C1's T02
    ("travel spend last month", "from how many customers", "Active customers", [(1,)]),
])
def test_how_many_is_that_counts_what_made_the_previous_figure(asker, first, follow_up, start, rows):
    previous = asker.ask(first)
    answer = asker.ask(follow_up, previous=previous.context)
    assert answer.interpretation.startswith(start) and "May 2026" in answer.interpretation, answer.interpretation
    assert figures(answer) == rows


@pytest.mark.parametrize("first, follow_up, rows", [
    ("top 1 customer by spend", "their decline rate", [("CUST00000003", 0.0)]),  # C3's 4 transactions are approved
    ("top 1 state by spend", "their decline rate", [("CA", 0.125)]),  # T04 declined of CA's 8
    ("top 1 customer by spend", "how many transactions did they make", [("CUST00000003", 4)]),
    ("top 1 category by spend", "its decline rate", [("Travel", 0.0)]),  # Travel's 4 are approved
    ("top 2 customers by spend", "what is their spend", [("CUST00000001", 900.0), ("CUST00000003", 1200.0)]),
])
def test_their_after_a_ranking_is_the_figure_of_the_ranked_entities_not_a_new_ranking(asker, first, follow_up, rows):
    previous = asker.ask(first)
    answer = asker.ask(follow_up, previous=previous.context)
    assert answer.status == "answered" and not answer.interpretation.startswith("Top"), answer.interpretation
    assert sorted(figures(answer)) == rows


@pytest.mark.parametrize("first, start, end", [
    ("spend in May", "2025-05-01", "2025-05-31"),
    ("spend this month", "2025-06-01", "2025-06-17"),  # like for like: to the same day
    ("spend by category last month", "2025-05-01", "2025-05-31"),
])
def test_same_for_last_year_is_the_previous_period_a_year_earlier(asker, first, start, end):
    answer = asker.ask("same for last year", previous=asker.ask(first).context)
    assert answer.status == "answered" and answer.params[:2] == (start, end), (answer.interpretation, answer.params)
    assert "as given" not in answer.interpretation and "one year earlier" in answer.interpretation
    assert figures(answer) in ([(0.0,)], [])  # the sample has no 2025 transaction


def test_a_follow_up_keeps_how_the_period_was_read_rather_than_as_given(asker):
    answer = asker.ask("and Texas", previous=asker.ask("spend in May").context)
    assert "May 2026 (in May: the calendar range named)" in answer.interpretation and figures(answer) == [(40.0,)]


def test_a_report_for_a_value_it_cannot_filter_by_asks_instead_of_reporting_on_every_customer(asker):
    answer = asker.ask("generate a sales report for Premium customers for last quarter")
    assert answer.status == "clarify" and "card type" in answer.interpretation and answer.sql is None
    report, question = answer.suggestions
    whole = asker.ask(report)
    assert whole.status == "answered" and whole.rows[0][2:5] == (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "")
    assert figures(asker.ask(question)) == [(dt.date(2026, 3, 1), 500.0)]  # C1 (Premium)'s T01; Jan's 60 is C3's
    segment = asker.ask("generate a report for segment Declining last month")
    assert segment.status == "answered" and segment.rows[0][4] == "Declining"


def test_a_report_for_a_segment_that_does_not_exist_names_the_segments(asker):
    answer = asker.ask("generate a report for segment x'; rm -rf ~ #' last month")
    assert answer.status == "clarify" and "Declining" in answer.interpretation and answer.sql is None
    assert all(asker.ask(r).status == "answered" for r in answer.suggestions)


@pytest.mark.parametrize("question, rows", [
    ("spend in 2025", [(0.0,)]),  # the sample starts in 2026: a sum over no row is 0
    ("spend today", [(0.0,)]),  # nothing on 17 Jun
    ("total lifetime value for CUST00000003 in Texas", [(0.0,)]),  # C3 is in California
    ("average transaction value in 2025", [(None,)]),  # an average over no row has no value
])
def test_a_sum_over_no_row_is_zero_and_an_average_over_no_row_is_empty(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered", answer.interpretation
    assert figures(answer) == rows


@pytest.mark.parametrize("question", ["average churn score", "average churn score by state"])
def test_a_metric_computed_from_the_churn_model_is_refused_while_it_has_scored_no_one(asker, question):
    answer = asker.ask(question)  # the sample's churn model is unscored: AVG over no score is no figure
    assert answer.status == "refused" and "has not scored any customer" in answer.interpretation and answer.rows == ()
    scored = tiny_asker("DATA_ANALYST", scored=True).ask(question)
    assert scored.status == "answered" and scored.rows


@pytest.mark.parametrize("question, rows", [("how many standard card holders", [(2,)]),  # C2 and C3; C1 is Premium
                                            ("number of card holders", [(3,)])])
def test_card_holders_in_two_words_are_cardholders(asker, question, rows):
    assert figures(asker.ask(question)) == rows


@pytest.mark.parametrize("question", ["max transaction amount", "median transaction amount", "maximum spend",
                                      "minimum transaction value"])
def test_a_maximum_minimum_or_median_is_refused_as_a_statistic_ask_does_not_have(asker, question):
    answer = asker.ask(question)  # the largest single amount (900) is not a measure of the model
    assert answer.status == "refused" and "no maximum, minimum or median" in answer.interpretation
    assert all(asker.ask(s).status == "answered" for s in answer.suggestions)


@pytest.mark.parametrize("question", ["any failed jobs", "errors in the pipeline", "broken loads"])
def test_failed_jobs_are_pipeline_health_and_refused_to_a_role_that_may_not_read_it(asker, marketing, question):
    assert asker.ask(question).interpretation.startswith("Pipeline health: the latest run of each job")
    refused = marketing.ask(question)
    assert refused.status == "refused" and "OBSERVABILITY" in refused.interpretation


def test_did_the_pipeline_fail_is_a_health_question(asker, marketing):
    answer = asker.ask("did the pipeline fail")
    assert answer.status == "answered" and answer.interpretation == "The latest run of each job, newest first"
    assert [row[:2] for row in answer.rows] == [("customer360_full_graph", "SUCCESS"), ("reports", "SUCCESS")]
    assert marketing.ask("did the pipeline fail").status == "refused"  # the role may not read observability


@pytest.mark.parametrize("question, plain, rows", [
    ("monthly spend", "approved spend by month", [(dt.date(2026, 1, 1), 60.0), (dt.date(2026, 3, 1), 500.0),
                                                  (dt.date(2026, 4, 1), 80.0), (dt.date(2026, 5, 1), 580.0),
                                                  (dt.date(2026, 6, 1), 1000.0)]),
    ("monthly active customers", "active customers by month", None),
])
def test_a_monthly_figure_offers_the_figure_by_month_first(asker, question, plain, rows):
    answer = asker.ask(question)
    assert answer.status == "clarify" and answer.suggestions[0] == plain
    by_month = asker.ask(plain)
    assert by_month.status == "answered" and (rows is None or figures(by_month) == rows)


def test_a_value_after_an_exclusion_is_excluded_too_with_too_and_asked_about_with_and(asker):
    excluding = asker.ask("spend excluding travel")
    assert figures(asker.ask("dining too", previous=excluding.context)) == [(180.0,)]  # 420 less Dining's 240
    unclear = asker.ask("and dining", previous=excluding.context)
    assert unclear.status == "clarify"
    assert [figures(asker.ask(r)) for r in unclear.suggestions] == [[(180.0,)], [(240.0,)]]


@pytest.mark.parametrize("follow_up", ["versus Standard", "vs Standard", "compared to Standard"])
def test_versus_another_value_compares_it_with_the_one_before(asker, follow_up):
    premium = asker.ask("for Premium", previous=asker.ask("decline rate").context)
    answer = asker.ask(follow_up, previous=premium.context)
    assert [(k, round(v, 6)) for k, v in sorted(figures(answer))] == [("Premium", 0.25), ("Standard", round(1 / 7, 6))]


def test_a_request_naming_no_report_keeps_its_period_in_the_readings(asker):
    answer = asker.ask("generate a report for Q2")
    assert answer.status == "clarify" and all(r.endswith("for Q2") for r in answer.suggestions)
    rows = [asker.ask(r).rows[0] for r in answer.suggestions]
    assert {(row[2], row[3]) for row in rows} == {(dt.date(2026, 4, 1), AS_OF)}  # Q2, cut at as-of


def test_excluding_a_value_of_customers_in_a_place_asks_which_scope(asker):
    answer = asker.ask("spend except Premium customers in Texas")  # all but Premium-in-Texas (2220), or Texas less Premium
    assert answer.status == "clarify" and "combination" in answer.interpretation
    assert sorted(figures(asker.ask(r)) for r in answer.suggestions) == [[(0.0,)], [(1200.0,)], [(2220.0,)]]


@pytest.mark.parametrize("question, rows", [
    ("approval rate", [(9 / 11,)]),  # 9 of the 11 transactions are approved
    ("approval rate by channel", [("Online", 1.0), ("In-Store", 0.75), ("Mobile", 0.5)]),  # T07 in-store, T04 mobile
])
def test_the_approval_rate_is_the_share_of_transactions_approved(asker, question, rows):
    answer = asker.ask(question)
    assert answer.interpretation.startswith("Approval rate")
    assert [tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in figures(answer)] == \
        [tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in rows]


@pytest.mark.parametrize("question, rows", [("revenue per customer", [(740.0,)]),  # 2220 over 3 customers
                                            ("sales per customer last month", [(round(580 / 3, 6),)])])  # C1, C2, C3
def test_revenue_per_customer_is_spend_per_customer(asker, question, rows):
    answer = asker.ask(question)
    assert answer.interpretation.startswith("Spend per customer")
    assert [tuple(round(v, 6) for v in r) for r in figures(answer)] == rows


@pytest.mark.parametrize("question", ["biggest transaction", "largest purchase", "smallest transaction"])
def test_the_biggest_single_transaction_is_said_not_to_be_a_figure_ask_lists(asker, question):
    answer = asker.ask(question)  # the largest single amount (900, T11) is not a measure of the model
    assert answer.status == "clarify" and "does not list single transactions" in answer.interpretation


@pytest.mark.parametrize("question, rows", [
    ("lowest spending customer", [("CUST00000002", 120.0)]),
    ("top spending customers", [("CUST00000003", 1200.0), ("CUST00000001", 900.0), ("CUST00000002", 120.0)]),
    ("highest spending customers in Texas", [("CUST00000002", 120.0)]),
])
def test_a_ranking_with_customers_named_ranks_the_customers(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered", answer.interpretation
    assert figures(answer) == rows


def test_the_typical_ticket_is_the_average_transaction_value(asker):
    [(value,)] = figures(asker.ask("what is the typical ticket"))
    assert round(value, 6) == round(2220 / 9, 6)  # approved spend over the 9 approved transactions


@pytest.mark.parametrize("question", ["transactions over 100", "customers who spent more than 500",
                                      "average transaction value above 100", "transactions under 50"])
def test_a_threshold_is_said_to_be_a_filter_ask_does_not_have(asker, question):
    answer = asker.ask(question)  # 11 transactions in all, 3 over 100: the unfiltered figure is not the answer
    assert answer.status == "clarify" and "cannot filter by an amount or a count" in answer.interpretation
    assert "not the figure asked for" in answer.interpretation


@pytest.mark.parametrize("question", ["customers by month", "how many customers per month"])
def test_customers_by_month_offers_the_customers_with_a_transaction_each_month(asker, question):
    answer = asker.ask(question)
    assert answer.status == "clarify" and answer.suggestions[0] == "active customers by month"
    assert figures(asker.ask(answer.suggestions[0])) == [(dt.date(2026, 1, 1), 1), (dt.date(2026, 3, 1), 1),
                                                         (dt.date(2026, 4, 1), 1), (dt.date(2026, 5, 1), 3),
                                                         (dt.date(2026, 6, 1), 3)]  # T04, T07 declined count


def test_new_customers_by_month_is_not_offered_as_the_active_customers(asker):
    answer = asker.ask("new customers by month")  # customers have no start date in the model
    assert "active customers by month" not in answer.suggestions and answer.rows == ()


@pytest.mark.parametrize("words, start, end", [
    ("since last month", dt.date(2026, 5, 1), AS_OF),
    ("since the start of last quarter", dt.date(2026, 1, 1), AS_OF),
    ("since the start of the year", dt.date(2026, 1, 1), AS_OF),
    ("as at end of May", None, dt.date(2026, 5, 31)),
    ("up to the end of March", None, dt.date(2026, 3, 31)),
])
def test_since_last_month_and_as_at_the_end_of_a_month_are_read_as_said(asker, words, start, end):
    [period], _ = find(f"spend {words}", AS_OF)
    assert (period.start, period.end) == (start, end), period
    expected = {"since last month": 1580.0, "as at end of May": 1220.0}.get(words)  # 580 + 1000; 60 + 500 + 80 + 580
    if expected is not None:
        assert figures(asker.ask(f"spend {words}")) == [(expected,)]


@pytest.mark.parametrize("words, start, end", [
    ("in the current quarter", dt.date(2026, 4, 1), AS_OF),
    ("current month", dt.date(2026, 6, 1), AS_OF),
    ("last full month", dt.date(2026, 5, 1), dt.date(2026, 5, 31)),
    ("last 2 complete months", dt.date(2026, 4, 1), dt.date(2026, 5, 31)),
])
def test_current_and_full_units_are_read_as_this_and_last(words, start, end):
    [period], rest = find(f"spend {words}", AS_OF)
    assert (period.start, period.end) == (start, end) and rest.split() == ["spend"], (period, rest)


@pytest.mark.parametrize("question, said, rows", [
    ("customers under 30", "age band 22-29", [(0,)]),  # the sample's three are 30-44
    ("how many cardholders aged 30 and over", "age band not 22-29", [(3,)]),
    ("spend by customers under 45", "age band not 45-59 or 60+", [(2220.0,)]),  # one figure, not one per band
    ("customers older than 59", "age band 60+", [(0,)]),
])
def test_an_age_at_a_bands_edge_is_those_bands(asker, question, said, rows):
    answer = asker.ask(question)
    assert answer.status == "answered" and said in answer.interpretation and figures(answer) == rows, answer.interpretation


@pytest.mark.parametrize("question", ["customers over 60", "customers under 40", "transactions under 30"])
def test_an_age_inside_a_band_or_an_amount_is_not_read_as_a_band(asker, question):
    assert asker.ask(question).status == "clarify"


@pytest.mark.parametrize("question, rows", [
    ("which month was busiest", [(dt.date(2026, 5, 1), 4)]),  # May and June have four each: the tie goes to May
    ("busiest channel", [("Online", 5)]),  # T01, T02, T08, T10, T11
    ("which channel was quieter", [("Mobile", 2)]),  # T04, T09
])
def test_busiest_and_quietest_without_a_measure_rank_by_the_number_of_transactions(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered" and figures(answer) == rows, answer.interpretation
    assert "read as by the number of transactions" in answer.interpretation


@pytest.mark.parametrize("question, rows", [
    ("customers not aged 60+", [(3,)]), ("spend excluding customers aged 60+", [(2220.0,)]),
    ("spend sans travel", [(420.0,)]), ("spend excluding both travel and dining", [(180.0,)]),  # T05 80, T06 40, T08 60
])
def test_exclusions_people_type_leave_the_value_out(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered" and " not " in answer.interpretation and figures(answer) == rows


@pytest.mark.parametrize("question", ["how many customers shopped both online and in-store",
                                      "customers who bought both travel and dining"])
def test_customers_with_both_values_are_asked_about_never_counted_as_either(asker, question):
    answer = asker.ask(question)
    assert answer.status == "clarify" and "cannot count those with both" in answer.interpretation


@pytest.mark.parametrize("question", ["how many transactions did customers who shop on mobile make",
                                      "how much did customers who shopped online spend"])
def test_a_figure_of_customers_who_shop_somewhere_asks_theirs_or_those_transactions(asker, question):
    answer = asker.ask(question)
    assert answer.status == "clarify" and "customers who ever had one" in answer.interpretation, answer.interpretation


@pytest.mark.parametrize("question, rows", [
    ("spend by state except the top 1", [("TX", 120.0)]),  # CA's 2,100 is the top
    ("spend excluding the top category", [(420.0,)]),  # all 2,220 less Travel's 1,800
    ("spend excluding the top 1 state last month", [(40.0,)]),  # May: CA 540 is left out, TX's T06 40 stays
    ("spend excluding the top 1 category for Standard customers", [(320.0,)]),  # their Travel 1,000 left out
])
def test_a_ranked_set_left_out_in_the_question_itself_is_left_out(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered" and "read as leaving out" in answer.interpretation and figures(answer) == rows


@pytest.mark.parametrize("question, rows", [("which states have the most customers", [("CA", 2), ("TX", 1)]),
                                            ("top 1 state by customers", [("CA", 2)])])
def test_groups_ranked_by_customers_are_ranked_by_how_many_not_grouped_by_each(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered" and "by customer count" in answer.interpretation and figures(answer) == rows


def test_two_months_named_bare_are_offered_side_by_side_never_all_history(asker):
    answer = asker.ask("which month had more spend, march or april")
    assert answer.status == "clarify" and len(answer.suggestions) == 1
    assert figures(asker.ask(answer.suggestions[0])) == [(dt.date(2026, 3, 1), 500.0), (dt.date(2026, 4, 1), 80.0)]


@pytest.mark.parametrize("question, rows", [
    ("spend by state pls", [("CA", 2100.0), ("TX", 120.0)]),
    ("which card type has the higher spend", [("Standard", 1320.0)]),  # C2's 80+40, C3's 60+140+100+900; Premium 900
    ("which state has lower spend", [("TX", 120.0)]),
    ("spend for the most recent month", [(580.0,)]),  # May 2026, the last complete month
    ("spend in quarter 2", [(1660.0,)]),  # Apr 80, May 580, 1-17 Jun 1,000 (T10, T11)
    ("october's spend by category", []),  # October 2025: before the sample's history, no row
])
def test_everyday_wordings_review_17_saw_not_understood(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered" and sorted(figures(answer)) == sorted(rows), answer.interpretation


def test_the_second_highest_is_offered_as_row_two_of_the_top_two(asker):
    answer = asker.ask("second highest category by spend")
    assert answer.status == "clarify" and "row 2" in answer.interpretation
    assert [row[0] for row in asker.ask(answer.suggestions[0]).rows] == ["Travel", "Dining"]  # 1,800; 240; 180


def test_most_popular_category_by_transactions_is_the_top_category(asker):
    answer = asker.ask("most popular category by transactions")
    assert answer.status == "answered" and figures(answer) == [("Travel", 4)]  # T01, T02, T10, T11; Dining 3, Groceries 3


@pytest.mark.parametrize("question, rows", [
    ("spend by customers aged 30-44 by channel", [("In-Store", 220.0), ("Mobile", 140.0), ("Online", 1860.0)]),
    ("spend by customers aged 60+ by channel", []),  # the sample's three are 30-44
])
def test_spend_by_customers_of_an_age_by_a_grouping_is_their_spend_by_it(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered" and "age band" in answer.interpretation and sorted(figures(answer)) == rows


def test_an_average_rate_across_groups_asks_each_ones_or_the_pooled_rate(asker):
    answer = asker.ask("average decline rate across states")
    assert answer.status == "clarify" and answer.suggestions == ("decline rate by state", "decline rate")
    assert figures(asker.ask("decline rate")) == [(pytest.approx(2 / 11),)]  # T04, T07 of eleven: pooled, not a mean


@pytest.mark.parametrize("question, adds_up", [("total spend for travel and dining", True),
                                               ("sum of spend for TX and CA", True),
                                               ("total customers who shopped online and in-store", False)])
def test_a_total_of_several_values_asks_never_answers_rows_as_the_total(asker, question, adds_up):
    answer = asker.ask(question)
    assert answer.status == "clarify" and "not one figure for both" in answer.interpretation
    assert ("sum of the rows" in answer.interpretation) == adds_up
    assert asker.ask("spend for travel and dining").status == "answered"  # side by side, as asked


@pytest.mark.parametrize("question, rows", [
    ("which channel is busiest for Standard customers", [("In-Store", 3)]),  # T05, T06, T07; Online T08, T10, T11 tie
    ("busiest category among customers in Texas", [("Groceries", 2)]),  # T05, T06 (Gas T07)
    ("which channel do Standard customers use most", [("In-Store", 3)]),
    ("most popular category among customers in Texas", [("Groceries", 2)]),
    ("which category do Premium cardholders shop the most", [("Dining", 2)]),  # T03, T04; Travel T01, T02 ties after
])
def test_busiest_for_some_customers_ranks_their_transactions_never_counts_them(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered" and "transaction volume" in answer.interpretation and figures(answer) == rows


@pytest.mark.parametrize("question, state", [("spend for state ok", "OK"), ("spend where state = or", "OR"),
                                             ("spend for the state of me", "ME"), ("transactions for state in last month", "IN")])
def test_a_word_like_code_after_the_word_state_is_the_state_in_any_case(asker, question, state):
    answer = asker.ask(question)  # the sample has no customer there: one figure of 0, never every state's
    assert answer.status == "answered" and f"state {state}" in answer.interpretation and figures(answer) == [(0,)]


@pytest.mark.parametrize("question", ["customers by state or card type", "spend for states in the northeast"])
def test_a_code_like_word_after_by_state_or_states_is_the_word(asker, question):
    answer = asker.ask(question)
    said = " ".join((answer.interpretation, *answer.suggestions))
    assert "state OR" not in said and "Indiana" not in said and "state IN" not in said, said


@pytest.mark.parametrize("question", ["spend of CUST00000009", "transactions by CUST00000001 and CUST00000099"])
def test_a_customer_id_no_customer_has_is_refused_never_a_zero(asker, question):
    answer = asker.ask(question)
    assert answer.status == "refused" and "No customer has the id" in answer.interpretation and not answer.rows
    assert figures(asker.ask("spend of CUST00000001")) == [(900.0,)]  # T01 500, T02 300, T03 100
    assert figures(asker.ask("spend excluding CUST00000009")) == [(2220.0,)]  # leaving out no one is everyone


def test_a_ranking_by_an_average_measure_reads_by_average(asker):
    answer = asker.ask("top 1 state by average days since last transaction")
    assert answer.status == "answered", answer.interpretation
    assert figures(answer) == figures(asker.ask("average days since last transaction by state top 1"))


@pytest.mark.parametrize("question, rows", [
    ("spend by state from lowest to highest", [("TX", 120.0), ("CA", 2100.0)]),
    ("spend by category from highest to lowest", [("Travel", 1800.0), ("Dining", 240.0), ("Groceries", 180.0),
                                                  ("Gas", 0.0)]),
    ("customers by state in ascending order", [("TX", 1), ("CA", 2)]),
    ("spend by state sorted from low to high", [("TX", 120.0), ("CA", 2100.0)]),
    ("spend by state highest first", [("CA", 2100.0), ("TX", 120.0)]),
    ("decline rate by state from best to worst", [("CA", 0.125), ("TX", 1 / 3)]),  # the lower rate is the better
])
def test_from_lowest_to_highest_orders_every_group_never_one_end(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered" and [tuple(float(v) if isinstance(v, Decimal) else v for v in row)
                                            for row in answer.rows] == rows, answer.interpretation


@pytest.mark.parametrize("question, rows", [
    ("what is the spend there in Texas", [(120.0,)]),  # "there" beside its own place points back to nothing
    ("there were how many declines", [(2,)]),  # T04, T07
    ("combined spend for Premium customers", [(900.0,)]),  # one value: nothing to combine
])
def test_there_and_combined_in_an_ordinary_question_change_nothing(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered" and figures(answer) == rows, answer.interpretation


def test_how_much_a_typical_customer_spends_per_month_is_the_average_monthly_spend(asker):
    answer = asker.ask("how much does a typical customer spend per month")
    assert answer.interpretation.startswith("Average monthly spend") and answer.chart == "number"
    direct = asker.ask("typical monthly spend")
    assert figures(answer) == figures(direct) and len(figures(answer)) == 1


def test_a_90_day_figure_is_said_to_be_of_the_90_days_not_all_history(asker):
    answer = asker.ask("total 90 day spend")
    assert "the 90 days to 17 Jun 2026" in answer.interpretation and "all history" not in answer.interpretation


@pytest.mark.parametrize("question, rows", [("how many customers are active", [(3,)]),  # every customer transacted
                                            ("customers whose spend is declining", [(0,)])])  # as "with declining spend"
def test_are_active_and_whose_spend_is_declining_read_as_the_plain_words(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered", answer.interpretation
    assert figures(answer) == rows


def test_a_percent_of_customers_offers_the_two_counts_it_is_made_of(asker):
    answer = asker.ask("what percent of customers had a declined transaction")  # 2 of 3: C1 (T04), C2 (T07)
    assert answer.status == "clarify" and "share of customers" in answer.interpretation
    assert [figures(asker.ask(r)) for r in answer.suggestions] == [[(2,)], [(3,)]]


def test_by_another_measure_instead_after_a_ranking_ranks_by_it(asker):
    top = asker.ask("top 2 customers by spend last month")
    answer = asker.ask("by transactions instead", previous=top.context)
    assert answer.interpretation.startswith("Top 2 customers by transaction volume, May 2026"), answer.interpretation
    assert figures(answer) == [("CUST00000001", 2), ("CUST00000002", 1)]  # C1: T02, T03; ties at 1 broken by id


def test_their_lifetime_value_is_theirs_not_everyones(asker):
    top = asker.ask("top 1 customer by spend")
    assert figures(asker.ask("their lifetime value", previous=top.context)) == [("CUST00000003", 300.0)]
    texas = asker.ask("how many customers in Texas")
    unclear = asker.ask("their lifetime value", previous=texas.context)
    assert unclear.status == "clarify" and figures(asker.ask(unclear.suggestions[0])) == [(120.0,)]  # C2's own


# --- Review 5: answers that were confidently wrong ----------------------------------------------------------------

def _answered_readings(asker, answer) -> list[str]:
    """Every reading of a clarify is a question Ask answers."""
    return [r for r in answer.suggestions if asker.ask(r).status == "answered"]


def test_excluding_a_churn_band_keeps_the_customers_the_model_has_not_scored():
    conn = tiny_warehouse(scored=True)  # C1 Low, C2 High; C3 not scored by the model
    conn.execute("UPDATE gold.marketing_customer_audience SET model_churn_risk_band = NULL, model_churn_risk_score = NULL "
                 "WHERE customer_id = 'CUST00000003'")
    asker = Asker.over(fetch_from(conn), AS_OF, "DATA_ANALYST", True)
    assert figures(asker.ask("spend excluding high churn risk customers")) == [(2100.0,)]  # C1 900 + C3 1,200
    assert figures(asker.ask("how many customers are not at high churn risk")) == [(2,)]  # C1 and C3


@pytest.mark.parametrize("question, rows", [
    ("approval rate online", [(1.0,)]),  # every Online transaction approved (T01, T02, T08, T10, T11)
    ("what percent of transactions are declined In-Store", [("declined", 1, 0.25)]),  # T07 of T03, T05, T06, T07
    ("percent of transactions declined online vs mobile", [("Mobile", "declined", 1, 0.5), ("Online", "declined", 0, 0.0)]),
])
def test_a_rate_with_a_value_is_the_rate_within_that_value(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered", answer.interpretation
    assert sorted(figures(answer)) == sorted(rows)


@pytest.mark.parametrize("question", ["declined transactions as a share of all transactions by channel",
                                      "percentage of declined transactions by category"])
def test_a_share_of_declined_transactions_by_a_group_asks_rate_or_split(asker, question):
    answer = asker.ask(question)
    assert answer.status == "clarify" and len(_answered_readings(asker, answer)) == 2, answer.suggestions
    rate = asker.ask(answer.suggestions[0])
    assert "within each" in rate.interpretation  # the decline rate of each group


def test_a_share_by_one_group_for_each_other_group_is_taken_within_each_of_them(asker):
    answer = asker.ask("share of spend by channel for each card type")
    assert answer.interpretation.startswith("Share of approved spend by channel within each card type")
    assert sorted(figures(answer)) == sorted([  # Premium: C1's 900 approved; Standard: C2's 120 and C3's 1,200
        ("Online", "Premium", 800.0, 800 / 900), ("In-Store", "Premium", 100.0, 100 / 900), ("Mobile", "Premium", 0.0, 0.0),
        ("Online", "Standard", 1060.0, 1060 / 1320), ("Mobile", "Standard", 140.0, 140 / 1320),
        ("In-Store", "Standard", 120.0, 120 / 1320)])
    compared = asker.ask("share of spend by channel for Premium and Standard")  # the values compared: the same
    assert sorted(figures(compared)) == sorted(figures(answer))


def test_a_share_for_each_of_too_many_values_is_asked_not_answered_as_shares_of_the_whole():
    conn = tiny_warehouse()
    conn.execute("UPDATE gold.marketing_customer_audience SET state = 'NV' WHERE customer_id = 'CUST00000003'")
    asker = Asker.over(fetch_from(conn), AS_OF, "DATA_ANALYST", True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("customer360.lib.semantic.within.MAX_COMPARED", 2)  # three states here; 51 in a built warehouse
        answer = asker.ask("share of spend by card type for each state")
    assert answer.status == "clarify" and "not within each state" in answer.interpretation
    assert len(_answered_readings(asker, answer)) == 2


@pytest.mark.parametrize("question", ["which month had the biggest drop in transactions", "largest fall in decline rate",
                                      "mom growth in active customers", "biggest monthly drop in average transaction value"])
def test_a_monthly_change_of_another_measure_than_spend_is_not_spends_change(asker, question):
    answer = asker.ask(question)
    assert answer.status == "clarify" and "approved spend only" in answer.interpretation
    assert answer.suggestions[0].endswith("by month") and len(_answered_readings(asker, answer)) == len(answer.suggestions)


def test_the_biggest_drop_in_spend_is_still_answered(asker):
    assert asker.ask("biggest drop in spend").status == "answered"


@pytest.mark.parametrize("question, same_as", [("What was the biggest month over month drop in spend?", "biggest drop in spend"),
                                               ("Biggest month-over-month rise in spend", "biggest rise in spend")])
def test_month_over_month_said_in_full_before_a_drop_or_rise_is_that_change(asker, question, same_as):
    answer = asker.ask(question)
    assert answer.status == "answered" and figures(answer) == figures(asker.ask(same_as))


def test_the_groups_most_at_risk_are_ranked_by_their_average_churn_score():
    scored = tiny_asker("DATA_ANALYST", scored=True)  # CA: C1 10, C3 50; TX: C2 90
    answer = scored.ask("which states are most at risk")
    assert "average churn score" in answer.interpretation
    assert figures(answer) == [("TX", 90.0), ("CA", 30.0)]  # a sum would put CA (60) near TX


@pytest.mark.parametrize("question", ["which category has the most spend in each state", "top 2 channels per card type by spend",
                                      "top 5 customers by spend in each card type", "top 3 categories by spend in each month"])
def test_a_ranking_within_each_group_is_asked_not_answered_as_the_pairs_overall(asker, question):
    answer = asker.ask(question)
    assert answer.status == "clarify" and "not within each" in answer.interpretation
    assert len(_answered_readings(asker, answer)) == len(answer.suggestions) >= 2


@pytest.mark.parametrize("question, rows", [
    ("share of spend by card type in California", [("Premium", 900.0, 900 / 2100), ("Standard", 1200.0, 1200 / 2100)]),
    ("share of spend by card type for Texas and California", [("Premium", "CA", 900.0, 900 / 2100),
                                                              ("Standard", "CA", 1200.0, 1200 / 2100),
                                                              ("Standard", "TX", 120.0, 1.0)]),
    ("what share of spend is Premium in Texas vs California", [("CA", "Premium", 900.0, 900 / 2100),
                                                               ("TX", "Premium", 0.0, 0.0)]),
])
def test_a_value_said_with_in_is_the_whole_a_share_is_taken_in(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered", answer.interpretation
    assert sorted(figures(answer)) == sorted(rows)


@pytest.mark.parametrize("question", ["declined transactions per customer last month", "approved transactions per customer"])
def test_transactions_of_one_status_per_customer_asks_which_customers(asker, question):
    answer = asker.ask(question)
    assert answer.status == "clarify" and "per customer with any transaction" in answer.interpretation
    assert len(_answered_readings(asker, answer)) == 3


@pytest.mark.parametrize("question", ["when was the data last refreshed", "how fresh is the data", "is the data up to date",
                                      "is the data fresh", "how old is the data", "are the numbers current"])
def test_how_fresh_the_data_is_the_last_run_of_each_job_for_the_roles_that_may_read_it(asker, marketing, question):
    assert asker.ask(question).interpretation == "The latest run of each job, newest first"
    refused = marketing.ask(question)
    assert refused.status == "refused" and "OBSERVABILITY" in refused.interpretation


def test_the_name_of_a_category_is_not_personal_data(asker):
    answer = asker.ask("list category names by spend")
    assert answer.status == "clarify" and "PII" not in answer.interpretation
    assert answer.suggestions == ("approved spend by merchant category",)


@pytest.mark.parametrize("question, counts", [("what share of customers shop online", [[(2,)], [(3,)]]),  # C1, C3 of 3
                                              ("what share of Premium customers bought travel last month", [[(1,)], [(1,)]])])
def test_a_share_of_customers_with_a_transaction_offers_the_two_counts_it_is_made_of(asker, question, counts):
    answer = asker.ask(question)
    assert answer.status == "clarify" and "share of customers" in answer.interpretation
    assert [figures(asker.ask(r)) for r in answer.suggestions] == counts


def test_a_single_figure_over_a_period_the_history_only_partly_covers_says_so(asker):
    answer = asker.ask("What was revenue last quarter?")  # Jan–Mar 2026; the history starts on 15 January
    assert answer.interpretation.endswith("The history starts on 15 Jan 2026: the period is covered from then only")
    assert "history starts" not in asker.ask("spend last month").interpretation


@pytest.mark.parametrize("question, rows", [("SPEND IN TX", [(120.0,)]), ("spend in OR", [(0.0,)])])
def test_a_state_code_that_is_a_word_typed_before_another_code_is_the_word(asker, question, rows):
    assert sorted(figures(asker.ask(question))) == rows


@pytest.mark.parametrize("question, rows", [("spend in tx", [(120.0,)]), ("Tx spend", [(120.0,)]),
                                            ("spend in Ca and tx", [("CA", 2100.0), ("TX", 120.0)])])
def test_a_state_code_that_is_no_word_is_the_state_in_lower_or_title_case(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered" and sorted(figures(answer)) == rows


@pytest.mark.parametrize("question", ["spend in ok", "spend in co"])
def test_a_lower_case_code_that_is_a_word_or_an_abbreviation_is_not_read_as_the_state(asker, question):
    assert asker.ask(question).status == "clarify"


@pytest.mark.parametrize("question", ["spend at Whole Foods last month", "how many transactions at Costco"])
def test_a_merchants_name_after_at_offers_the_merchants_ranked_not_a_filter_ask_lacks(asker, question):
    answer = asker.ask(question)
    assert answer.status == "clarify" and "merchant's name" in answer.interpretation
    assert answer.suggestions[0].startswith("top 10 merchant name by") and \
        len(_answered_readings(asker, answer)) == len(answer.suggestions)


@pytest.mark.parametrize("question, measure", [("revenue per user", "Spend per customer"), ("ARPU", "Spend per customer"),
                                               ("average purchases per customer", "Transactions per customer"),
                                               ("how many active accounts", "Active customers"),
                                               ("atv by state", "Average transaction value by state")])
def test_analysts_names_for_the_models_measures_are_understood(asker, question, measure):
    answer = asker.ask(question)
    assert answer.status == "answered" and answer.interpretation.startswith(measure), answer.interpretation


def test_top_customers_without_a_measure_never_offers_ranking_customers_by_their_count(asker):
    answer = asker.ask("top customers")
    assert answer.status == "clarify" and not any("customer count" in r for r in answer.suggestions)
    assert len(_answered_readings(asker, answer)) == 3


@pytest.mark.parametrize("question", ["spend this month vs last month", "compare spend in October and November",
                                      "spend in 2026 vs 2025"])
def test_two_periods_compared_offer_both_by_month_and_each_alone(asker, question):
    answer = asker.ask(question)
    assert answer.status == "clarify" and "periods" in answer.interpretation
    assert answer.suggestions[0].startswith("approved spend by month between")
    assert len(_answered_readings(asker, answer)) == 3


def test_a_ranking_of_time_units_from_the_bottom_ranks_whole_units_only(asker):
    answer = asker.ask("which week had the lowest spend this year")  # 1 Jan (a Thursday) and 15–17 Jun cut weeks
    assert "19 Jan–14 Jun 2026" in answer.interpretation and "whole weeks only" in answer.interpretation
    assert answer.params[:2] == ("2026-01-19", "2026-06-14")
    months = asker.ask("bottom 2 months by spend")  # the history starts on 15 January; June is cut by as-of
    assert figures(months) == [(dt.date(2026, 4, 1), 80.0), (dt.date(2026, 3, 1), 500.0)]  # February has no row
    top = asker.ask("Which quarter had the most spend?")  # from the top: every quarter, the cut ones said partial
    assert "whole quarters only" not in top.interpretation and "The last quarter is partial" in top.interpretation


@pytest.mark.parametrize("follow_up", ["as a share", "share instead", "what share is that"])
def test_as_a_share_after_a_grouped_figure_gives_each_groups_share(asker, follow_up):
    spend = asker.ask("spend by channel last month")  # May: Online 300, In-Store 140, Mobile 140
    answer = asker.ask(follow_up, previous=spend.context)
    assert answer.interpretation.startswith("Share of approved spend by channel, May 2026")
    assert sorted(figures(answer)) == sorted([("Online", 300.0, 300 / 580), ("In-Store", 140.0, 140 / 580),
                                              ("Mobile", 140.0, 140 / 580)])


def test_per_customer_instead_after_spend_by_state_is_spend_per_customer_by_state(asker):
    spend = asker.ask("spend by state")
    answer = asker.ask("per customer instead", previous=spend.context)
    assert figures(answer) == [("CA", 1050.0), ("TX", 120.0)]  # CA: 2,100 over C1 and C3; TX: C2's 120


def test_a_high_rule_based_churn_risk_filters_the_rule_based_band_without_grouping_by_the_models():
    scored = tiny_asker("DATA_ANALYST", scored=True)
    answer = scored.ask("how many customers have a high rule-based churn risk")
    assert answer.interpretation.startswith("Customer count, churn band (rule-based) High") and figures(answer) == [(1,)]


def test_both_before_two_values_is_both_at_once_not_an_exclusion():
    scored = tiny_asker("DATA_ANALYST", scored=True)
    answer = scored.ask("how many customers are both Premium and at high risk")  # C1 is Premium and Low
    assert answer.interpretation.startswith("Customer count, card type Premium, churn band (model) High")
    assert figures(answer) == [(0,)]


# --- Review 6 -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("question, measures", [
    ("spend and customers by state", ("approved spend by state", "active customers by state")),
    ("transactions and spend by category last month", ("transaction volume by category", "approved spend by category")),
    ("spend vs transactions by state", ("approved spend by state", "transaction volume by state")),
    ("show spend, transactions and customers by month", ("approved spend by month", "transaction volume by month")),
    ("customers and transactions last month", ("active customers last month", "transaction volume last month")),
    ("customers and spend in Texas", ("active customers", "approved spend")),
    ("spend, customers", ("approved spend", "active customers")),
    ("spend & transactions by month", ("approved spend by month", "transaction volume by month")),
    ("number of customers and transactions by channel", ("active customers", "transaction volume")),
])
def test_a_count_named_beside_another_measure_is_a_second_measure_not_dropped(asker, question, measures):
    answer = asker.ask(question)
    assert answer.status == "clarify" and "measures" in answer.interpretation, answer.interpretation
    assert all(any(r.startswith(m) for r in answer.suggestions) for m in measures), answer.suggestions
    assert len(_answered_readings(asker, answer)) == len(answer.suggestions)


@pytest.mark.parametrize("question, measure", [("decline rate of online transactions", "Decline rate, channel Online"),
                                               ("customers who made a purchase", "Active customers"),
                                               ("customer spend by state", "Approved spend by state")])
def test_a_count_noun_that_names_who_is_still_not_a_second_measure(asker, question, measure):
    assert asker.ask(question).interpretation.startswith(measure)


@pytest.mark.parametrize("question, restated", [
    ("spend for Travel OR Dining", "Approved spend by merchant category, merchant category in Travel, Dining, all"),
    ("spend for Online OR Mobile", "Approved spend by channel, channel in Online, Mobile, all"),
    ("Premium OR Standard spend", "Approved spend by card type, card type in Premium, Standard, all"),
    ("decline rate for travel OR dining", "Decline rate by merchant category, merchant category in Travel, Dining, all"),
    ("spend in Texas OR California", "Approved spend by state, state in TX, CA, all"),
    ("spend for Dining OR Travel in ME", "Approved spend by merchant category, merchant category in Dining, Travel, state ME,"),
    ("spend for Travel IN Texas", "Approved spend, merchant category Travel, state TX, all"),
])
def test_or_in_me_typed_in_capitals_between_two_values_are_the_words_not_states(asker, question, restated):
    answer = asker.ask(question)
    assert answer.status == "answered" and answer.interpretation.startswith(restated), answer.interpretation
    assert not {"OR", "IN"} & set(answer.params)


def test_or_typed_in_capitals_after_in_is_still_oregon(asker):
    assert asker.ask("spend for Travel in OR").interpretation.startswith("Approved spend, merchant category Travel, state OR")


@pytest.mark.parametrize("question, readings", [
    ("what percent of spend is declined", ("declined amount", "total transaction amount")),
    ("what share of spend is declined online", ("declined amount for channel Online",
                                                "total transaction amount for channel Online")),
    ("percentage of spend that was declined by channel", ("declined amount by channel", "total transaction amount by channel")),
    ("share of spend declined last month", ("declined amount last month", "total transaction amount last month")),
    ("what fraction of revenue was declined", ("declined amount", "total transaction amount")),
])
def test_a_share_of_approved_spend_by_status_offers_the_two_amounts_it_divides_never_zero(asker, question, readings):
    answer = asker.ask(question)
    assert answer.status == "clarify" and answer.suggestions == readings, (answer.interpretation, answer.suggestions)
    assert len(_answered_readings(asker, answer)) == 2


@pytest.mark.parametrize("question, overall", [
    ("highest spending customer in each state", "top 1 customer id and state by approved spend"),
    ("most active customer in each channel", "top 1 customer id and channel by transaction volume"),
    ("highest spending customer per card type", "top 1 customer id and card type by approved spend"),
    ("the customer with the most spend in each state", "top 1 customer id and state by approved spend"),
])
def test_the_top_customer_in_each_group_clarifies_never_ranks_the_groups(asker, question, overall):
    answer = asker.ask(question)
    assert answer.status == "clarify" and "not within each" in answer.interpretation, answer.interpretation
    assert answer.suggestions[0] == overall and len(_answered_readings(asker, answer)) == 3
    one = asker.ask(answer.suggestions[1])  # the ranking within one group: a customer, not the group
    assert one.columns[0] == "customer_id" and len(one.rows) == 1


def test_the_most_active_customers_of_a_group_are_still_counted(asker):
    assert asker.ask("which channel has the most active customers").interpretation.startswith("Top 1 channel by active")


@pytest.mark.parametrize("question, rows", [
    ("which state has the highest approval rate", [("CA", 7 / 8)]),  # TX: 2 of 3 approved
    ("state with the lowest approval rate", [("TX", 2 / 3)]),
    ("which channel has the best approval rate", [("Online", 1.0)]),
    ("which channel has the worst approval rate", [("Mobile", 0.5)]),
    ("which category has the lowest approval rate", [("Gas", 0.0)]),  # its one transaction declined
    ("rank card types by approval rate", [("Standard", 6 / 7), ("Premium", 0.75)]),
    ("top 2 channels by approval rate", [("Online", 1.0), ("In-Store", 0.75)]),
])
def test_a_ranking_by_approval_rate_ranks_each_group_by_its_rate_never_by_its_count(asker, question, rows):
    answer = asker.ask(question)
    assert answer.status == "answered" and "approval rate" in answer.interpretation.lower(), answer.interpretation
    assert [(k, round(v, 6)) for k, v in figures(answer)] == [(k, round(v, 6)) for k, v in rows]


@pytest.mark.parametrize("question, rows, said", [
    ("which state has the best decline rate", [("CA", 0.125)], "“best” read as the lowest decline rate"),
    ("which state has the worst decline rate", [("TX", 1 / 3)], "“worst” read as the highest decline rate"),
    ("best 2 channels by decline rate", [("Online", 0.0), ("In-Store", 0.25)], "lowest"),
    ("worst channel by decline rate", [("Mobile", 0.5)], "highest"),
    ("which channel has the lowest decline rate", [("Online", 0.0)], ""),  # said plainly: as said
])
def test_best_and_worst_on_the_decline_rate_run_the_way_lower_is_better(asker, question, rows, said):
    answer = asker.ask(question)
    assert [(k, round(v, 6)) for k, v in figures(answer)] == [(k, round(v, 6)) for k, v in rows], answer.interpretation
    assert said in answer.interpretation


def test_the_best_one_after_decline_rates_by_channel_is_the_lowest(asker):
    rates = asker.ask("decline rate by channel")
    assert figures(asker.ask("best one", previous=rates.context)) == [("Online", 0.0)]


def test_best_and_worst_churn_scores_and_recency_run_the_way_lower_is_better():
    scored = tiny_asker("DATA_ANALYST", scored=True)  # C1 scored 10, C3 50, C2 90
    assert figures(scored.ask("best customers by churn score"))[0] == ("CUST00000001", 10)
    assert figures(scored.ask("worst customer by churn score")) == [("CUST00000002", 90)]
    assert figures(scored.ask("best 2 states by average churn score")) == [("CA", 30.0), ("TX", 90.0)]
    assert scored.ask("top 5 customers by recency").interpretation.startswith(
        "Bottom 5 customers by days since last transaction")  # the most recent: the fewest days
    readings = scored.ask("best states by churn score").suggestions
    assert readings and all(r.startswith("bottom 10 states") for r in readings)


def test_average_monthly_active_customers_says_it_counts_customers_with_an_approved_transaction(asker):
    answer = asker.ask("average monthly active customers this year")  # gold.metric_mom_spend_change counts approved
    assert "with an approved transaction in the month" in answer.interpretation
    assert "approved or declined" not in answer.interpretation
    assert "approved or declined" in asker.ask("active customers by month this year").interpretation  # all statuses


@pytest.mark.parametrize("first, follow_up, restated, rows", [
    ("approval rate by channel", "which is highest", "Top 1 channel by approval rate", [("Online", 1.0)]),
    ("approval rate by category", "top 3", "Top 3 merchant categories by approval rate",
     [("Groceries", 1.0), ("Travel", 1.0), ("Dining", 2 / 3)]),
    ("decline rate by channel", "which is lowest", "Bottom 1 channel by decline rate", [("Online", 0.0)]),
])
def test_a_ranking_follow_up_after_a_rate_by_group_ranks_the_groups(asker, first, follow_up, restated, rows):
    answer = asker.ask(follow_up, previous=asker.ask(first).context)
    assert answer.interpretation.startswith(restated), answer.interpretation
    assert [(k, round(v, 6)) for k, v in figures(answer)] == [(k, round(v, 6)) for k, v in rows]


def test_and_for_another_value_after_a_share_within_one_is_the_share_within_the_other(asker):
    premium = asker.ask("what share of spend is travel for Premium")
    answer = asker.ask("and for Standard", previous=premium.context)
    assert "within card type Standard" in answer.interpretation, answer.interpretation
    assert [(k, float(s), round(r, 6)) for k, s, r in figures(answer)] == [("Travel", 1000.0, round(1000 / 1320, 6))]


def test_as_a_share_after_a_place_only_splits_the_places_figure(asker):
    texas = asker.ask("in Texas only", previous=asker.ask("spend by channel").context)
    answer = asker.ask("as a share", previous=texas.context)
    assert answer.interpretation.startswith("Share of approved spend by channel, state TX"), answer.interpretation
    assert figures(answer) == [("In-Store", 120.0, 1.0)]  # all of Texas's spend, not Texas's share of In-Store


def test_for_some_customers_after_a_figure_keeps_its_measure_and_grouping():
    scored = tiny_asker("DATA_ANALYST", scored=True)  # C2 (TX, Standard) is the one High
    ltv = scored.ask("average lifetime value by card type")
    answer = scored.ask("for high risk customers", previous=ltv.context)
    assert answer.interpretation.startswith("Average lifetime value by card type, churn band (model) High")
    assert figures(answer) == [("Standard", 120.0)]
    assert figures(scored.ask("for Premium customers", previous=ltv.context)) == [("Premium", 900.0)]


def test_exclude_them_after_a_ranking_of_customers_is_everyone_else(asker):
    top = asker.ask("top 2 customers by spend")  # C3 1,200 and C1 900
    answer = asker.ask("exclude them", previous=top.context)
    assert "customer not CUST00000003 or CUST00000001" in answer.interpretation and figures(answer) == [(120.0,)]
    states = asker.ask("exclude them", previous=asker.ask("top 1 state by spend").context)
    assert figures(states) == [("TX", 120.0)]
