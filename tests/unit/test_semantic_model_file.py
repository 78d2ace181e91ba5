"""The semantic model file and what is generated from it, without a warehouse."""

import duckdb
import pytest
import yaml

from customer360.lib.semantic import MODEL_PATH, SemanticModelError, load, parse

HOSTILE = ("x' OR '1'='1", "a; DROP TABLE gold.fct_transactions", "-- comment", "';--")


def test_the_model_describes_the_pii_free_gold_marts_with_at_least_ten_verified_questions():
    model = load()
    assert {t.relation for t in model.tables} == {
        "gold.marketing_customer_audience", "gold.fct_transactions_as_of", "gold.metric_mom_spend_change",
        "gold.monthly_customer_spending"}
    assert len(model.verified_queries) >= 10
    named = {c.name for t in model.tables for c in t.columns}
    assert not named & {"first_name", "last_name", "email"}  # readable by MARKETING_MANAGER: no direct PII
    for table in model.tables:
        assert table.metrics, f"{table.name} has no metric"
        assert all(c.description for c in table.columns), table.name
    for query in model.verified_queries:
        assert query.tables(), f"{query.name} names no logical table"
        assert query.question.endswith("?")


def test_a_verified_query_becomes_ctes_over_the_gold_tables_it_names():
    model = load()
    sql = model.verified_sql("spend_by_segment_and_channel")
    assert sql.startswith("WITH __customers AS (SELECT customer_id AS customer_id")
    assert "FROM gold.marketing_customer_audience)" in sql and "FROM gold.fct_transactions_as_of)" in sql
    assert "__portfolio_months" not in sql  # only the tables the query uses
    own = model.with_ctes("WITH x AS (SELECT customer_id FROM __customers) SELECT COUNT(*) FROM x")
    assert own.startswith("WITH __customers AS (") and ", x AS (SELECT customer_id FROM __customers)" in own


@pytest.mark.parametrize("value", HOSTILE)
def test_explorer_values_are_bound_parameters_never_sql(value):
    model = load()
    sql, params = model.explorer_sql("customers", "customer_count", "state", {"card_type": [value, "Premium"]})
    assert value not in sql and params == [value, "Premium"]
    assert "card_type IN (?, ?)" in sql and "GROUP BY state" in sql


@pytest.mark.parametrize("table, metric, dimension, problem", [
    ("customers; DROP TABLE x", "customer_count", None, "no table"),
    ("customers", "COUNT(*) FROM gold.customer_360_profile --", None, "no metric"),
    ("customers", "customer_count", "email", "no column"),
    ("customers", "customer_count", "lifetime_value", "is a fact"),
])
def test_the_explorer_accepts_only_names_the_model_defines(table, metric, dimension, problem):
    with pytest.raises(SemanticModelError, match=problem):
        load().explorer_sql(table, metric, dimension)


@pytest.mark.parametrize("typed, expected", [
    ("how many customers might churn", "high_churn_risk_customers"),
    ("spend per merchant category", "spend_by_category"),
    ("average LTV for premium vs standard cards", "ltv_by_card_type"),
    ("month with the largest drop in spending", "biggest_monthly_drop"),
    ("declined share by category", "decline_rate_by_category"),
])
def test_typed_questions_find_the_verified_question_they_mean(typed, expected):
    matches = load().matching_questions(typed)
    assert expected in [q.name for q, _ in matches[:3]], [(q.name, s) for q, s in matches]


def test_text_with_no_meaningful_word_matches_nothing():
    assert load().matching_questions("'; -- ?") == []


def test_snowflake_copy_names_the_deployment_database_and_keeps_everything_else():
    text = load().for_snowflake("analytics_prod")
    published, original = yaml.safe_load(text), yaml.safe_load(MODEL_PATH.read_text())
    assert {t["base_table"]["database"] for t in published["tables"]} == {"ANALYTICS_PROD"}
    for table in original["tables"]:
        table["base_table"]["database"] = "ANALYTICS_PROD"
    assert published == original


@pytest.mark.parametrize("change, problem", [
    (lambda d: d["tables"].append(d["tables"][0]), "duplicate table"),
    (lambda d: d["relationships"][0]["relationship_columns"][0].update(left_column="nope"), "no column 'nope'"),
    (lambda d: d["verified_queries"][0].update(sql="SELECT 1 FROM __nowhere"), "no table 'nowhere'"),
])
def test_an_inconsistent_model_is_refused_naming_the_problem(change, problem):
    document = yaml.safe_load(MODEL_PATH.read_text())
    change(document)
    with pytest.raises(SemanticModelError, match=problem):
        parse(yaml.safe_dump(document))


@pytest.mark.parametrize("changes,answer", [
    ([None, 2.0, 0.9, None], []),  # every whole month rose: no drop to report (it answered the +0.9 % rise)
    ([None, 2.0, -3.5, -1.0], [("2026-03-01", -3.5)]),
])
def test_the_biggest_drop_question_answers_a_drop_or_nothing(changes, answer):


    months = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    with duckdb.connect() as conn:
        conn.execute("CREATE SCHEMA gold")
        conn.execute("CREATE TABLE gold.metric_mom_spend_change (spend_month DATE, spend DECIMAL(18, 2), "
                     "active_customers BIGINT, spend_change_pct DOUBLE, is_partial_month BOOLEAN)")
        conn.executemany("INSERT INTO gold.metric_mom_spend_change VALUES (?, 100, 1, ?, ?)",
                         [[m, c, i in (0, 3)] for i, (m, c) in enumerate(zip(months, changes, strict=True))])
        found = conn.execute(load().verified_sql("biggest_monthly_drop")).fetchall()
    assert [(str(month), change) for month, _, change in found] == answer
