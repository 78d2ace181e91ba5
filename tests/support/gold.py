"""A tiny gold layer with known rows, so every report's figures can be checked by hand.

Four customers, eight transactions (one declined, one before the default range), the monthly spend dbt would derive
from them. AS_OF is the data's as-of date (conftest.AS_OF, 2026-06-30).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from customer360 import setup_runner

D = dt.date
AS_OF = D(2026, 6, 30)  # conftest.AS_OF
PROFILE = [  # customer_id, segment, band, score, lifetime_value, days since last, spend 90, prior 90, trend
    ("C1", "Declining", "High", 90, 150, 46, 50, 100, "declining"),
    ("C2", "Declining", "Medium", 60, 220, 1, 20, 200, "declining"),
    ("C3", "High-Value Travelers", "Low", 10, 1699, 20, 700, 0, "growing"),
    ("C4", "Stable Mid-Spenders", "High", 80, 70, 0, 70, 0, "stable"),
]
TRANSACTIONS = [  # customer_id, date, amount, approved
    ("C1", D(2026, 4, 10), 100, True), ("C1", D(2026, 5, 15), 50, True), ("C1", D(2026, 6, 1), 30, False),
    ("C2", D(2026, 4, 20), 200, True), ("C2", D(2026, 6, 29), 20, True),
    ("C3", D(2025, 1, 5), 999, True), ("C3", D(2026, 5, 5), 300, True), ("C3", D(2026, 6, 10), 400, True),
    ("C4", D(2026, 6, 30), 70, True),
]
SECRET_NAMES = ("Alice Example", "alice@example.com")  # in the profile's PII columns: no report may carry them

DDL = [
    "CREATE SCHEMA IF NOT EXISTS gold",
    """CREATE OR REPLACE TABLE gold.customer_360_profile (customer_id VARCHAR, customer_segment VARCHAR,
       churn_risk_band VARCHAR, churn_risk_score BIGINT, lifetime_value DECIMAL(18, 2),
       days_since_last_transaction BIGINT, spend_last_90_days DECIMAL(18, 2), spend_prior_90_days DECIMAL(18, 2),
       spend_trend VARCHAR, card_type VARCHAR, state VARCHAR, first_name VARCHAR, email VARCHAR)""",
    """CREATE OR REPLACE TABLE gold.fct_transactions (transaction_id VARCHAR, customer_id VARCHAR,
       transaction_date DATE, transaction_amount DECIMAL(18, 2), is_approved BOOLEAN)""",
    """CREATE OR REPLACE TABLE gold.monthly_customer_spending (customer_id VARCHAR, spend_month DATE,
       spend DECIMAL(18, 2), transaction_count BIGINT, is_partial_month BOOLEAN)""",
    """CREATE OR REPLACE TABLE gold.dim_month (month_start DATE, month_end DATE, first_covered_day DATE,
       last_covered_day DATE, is_partial_month BOOLEAN)""",
]


def monthly_rows() -> list[dict]:
    months: dict[tuple[str, dt.date], list] = {}
    for customer, day, amount, approved in TRANSACTIONS:
        if approved:
            entry = months.setdefault((customer, day.replace(day=1)), [0, 0])
            entry[0] += amount
            entry[1] += 1
    first = min(day for _, day, _, _ in TRANSACTIONS)
    return [{"customer_id": c, "spend_month": m, "spend": Decimal(spend), "transaction_count": n,
             "is_partial_month": m == first.replace(day=1)} for (c, m), (spend, n) in sorted(months.items())]


def month_rows() -> list[dict]:
    """gold.dim_month as dbt derives it: the months from the first approved day's to AS_OF's, with the days covered."""
    first = min(day for _, day, _, approved in TRANSACTIONS if approved)
    found, month = [], first.replace(day=1)
    while month <= AS_OF:
        end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        covered = (max(month, first), min(end, AS_OF))
        found.append({"month_start": month, "month_end": end, "first_covered_day": covered[0],
                      "last_covered_day": covered[1], "is_partial_month": covered != (month, end)})
        month = end + dt.timedelta(days=1)
    return found


def build_gold(session) -> None:
    """Create and fill the gold relations the reports read (and the app's audience), through any warehouse session."""
    for statement in DDL:
        session.execute(statement)
    session.insert_rows("gold.customer_360_profile", [
        {"customer_id": c, "customer_segment": seg, "churn_risk_band": band, "churn_risk_score": score,
         "lifetime_value": Decimal(ltv), "days_since_last_transaction": days, "spend_last_90_days": Decimal(s90),
         "spend_prior_90_days": Decimal(p90), "spend_trend": trend, "card_type": "gold", "state": "CA",
         "first_name": SECRET_NAMES[0], "email": SECRET_NAMES[1]}
        for c, seg, band, score, ltv, days, s90, p90, trend in PROFILE])
    session.insert_rows("gold.fct_transactions", [
        {"transaction_id": f"T{i}", "customer_id": c, "transaction_date": day, "transaction_amount": Decimal(amount),
         "is_approved": approved} for i, (c, day, amount, approved) in enumerate(TRANSACTIONS)])
    session.insert_rows("gold.monthly_customer_spending", monthly_rows())
    session.insert_rows("gold.dim_month", month_rows())
    session.execute("CREATE OR REPLACE VIEW gold.fct_transactions_as_of AS SELECT * FROM gold.fct_transactions "
                    f"WHERE transaction_date <= DATE '{AS_OF.isoformat()}'")
    # The PII-free audience every app role may read (the app's segment lists come from it, never from the profile).
    session.execute("CREATE OR REPLACE VIEW gold.marketing_customer_audience AS SELECT customer_id, customer_segment, "
                    "card_type, state FROM gold.customer_360_profile")


def build_gold_on_snowflake(warehouse, s) -> None:
    """The setup (snowflake_setup/, as `snowflake-setup` applies it, S3 parts left out) and the gold relations above,
    on a Snowflake warehouse (fakesnow)."""
    plan = setup_runner.planned(setup_runner.variables(s), s3=False)
    with warehouse.session() as session:
        setup_runner.apply(session.fetchall, plan, keep_going=True, report=lambda line: None)
        build_gold(session)
