"""A tiny gold layer in memory for Ask's unit tests: three customers and a dozen transactions whose figures can be
worked out by hand. AS_OF is 2026-06-17 (a Wednesday), so "last month" is May 2026, "last week" June 8-14, "last
quarter" January to March."""

from __future__ import annotations

import datetime as dt

import duckdb

from customer360.lib.semantic.ask import Asker

AS_OF = dt.date(2026, 6, 17)
D = dt.date
CUSTOMERS = [  # customer_id, state, card_type, segment, behavioural, value_tier, lifetime_value, churn band
    ("CUST00000001", "CA", "Premium", "High-Value Travelers", "High-Value Travelers", "Top", 900.0, "Low"),
    ("CUST00000002", "TX", "Standard", "Declining", "Budget-Conscious", "Entry", 120.0, "High"),
    ("CUST00000003", "CA", "Standard", "Stable Mid-Spenders", "Stable Mid-Spenders", "Mid", 300.0, "Medium"),
]
TRANSACTIONS = [  # id, customer, day, amount, category, channel, status
    ("T01", "CUST00000001", D(2026, 3, 20), 500.0, "Travel", "Online", "approved"),
    ("T02", "CUST00000001", D(2026, 5, 3), 300.0, "Travel", "Online", "approved"),
    ("T03", "CUST00000001", D(2026, 5, 9), 100.0, "Dining", "In-Store", "approved"),
    ("T04", "CUST00000001", D(2026, 6, 10), 70.0, "Dining", "Mobile", "declined"),
    ("T05", "CUST00000002", D(2026, 4, 2), 80.0, "Groceries", "In-Store", "approved"),
    ("T06", "CUST00000002", D(2026, 5, 30), 40.0, "Groceries", "In-Store", "approved"),
    ("T07", "CUST00000002", D(2026, 6, 12), 25.0, "Gas", "In-Store", "declined"),
    ("T08", "CUST00000003", D(2026, 1, 15), 60.0, "Groceries", "Online", "approved"),
    ("T09", "CUST00000003", D(2026, 5, 20), 140.0, "Dining", "Mobile", "approved"),
    ("T10", "CUST00000003", D(2026, 6, 9), 100.0, "Travel", "Online", "approved"),
    ("T11", "CUST00000003", D(2026, 6, 16), 900.0, "Travel", "Online", "approved"),  # the biggest ticket
]
DDL = [
    "CREATE SCHEMA gold",
    "CREATE SCHEMA observability",
    """CREATE TABLE gold.marketing_customer_audience (customer_id VARCHAR, age_band VARCHAR, state VARCHAR,
       card_type VARCHAR, customer_segment VARCHAR, behavioural_segment VARCHAR, rfm_cell VARCHAR, value_tier VARCHAR,
       lifetime_value DECIMAL(18, 2), avg_transaction_value DOUBLE, transaction_count BIGINT,
       spend_last_90_days DECIMAL(18, 2), spend_trend_pct DOUBLE, favourite_category VARCHAR,
       favourite_channel VARCHAR, spend_trend VARCHAR, churn_risk_band VARCHAR, model_churn_risk_score INTEGER,
       model_churn_risk_band VARCHAR, days_since_last_transaction BIGINT)""",
    """CREATE TABLE gold.fct_transactions_as_of (transaction_id VARCHAR, customer_id VARCHAR, transaction_date DATE,
       transaction_amount DECIMAL(18, 2), merchant_name VARCHAR, merchant_category VARCHAR, channel VARCHAR,
       status VARCHAR)""",
    """CREATE TABLE gold.monthly_customer_spending (customer_id VARCHAR, spend_month DATE, spend DECIMAL(18, 2),
       transaction_count BIGINT, is_partial_month BOOLEAN)""",
    """CREATE TABLE gold.metric_mom_spend_change (spend_month DATE, spend DECIMAL(18, 2), active_customers BIGINT,
       spend_change_pct DOUBLE, is_partial_month BOOLEAN)""",
    """CREATE TABLE observability.pipeline_run_metadata (run_id VARCHAR, job_name VARCHAR, status VARCHAR,
       started_at TIMESTAMP, ended_at TIMESTAMP, duration_s DOUBLE, rows_processed BIGINT, assets_materialized BIGINT,
       error_message VARCHAR, recorded_at TIMESTAMP)""",
    """CREATE TABLE observability.data_quality_metrics (check_name VARCHAR, asset_key VARCHAR, passed BOOLEAN,
       severity VARCHAR, observed_value DOUBLE, threshold DOUBLE, description VARCHAR, run_id VARCHAR,
       checked_at TIMESTAMP)""",
    """CREATE VIEW observability.v_latest_pipeline_runs AS SELECT * FROM (SELECT r.*, row_number() OVER (PARTITION
       BY job_name ORDER BY started_at DESC) AS recency_rank FROM observability.pipeline_run_metadata r) WHERE
       recency_rank = 1""",
    """CREATE VIEW observability.v_recent_dq_failures AS SELECT * FROM observability.data_quality_metrics
       WHERE NOT passed AND checked_at >= CURRENT_TIMESTAMP - INTERVAL '7 days'""",
]


def tiny_warehouse(scored: bool = False, path: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """The tiny gold layer in a new DuckDB database (in memory, or the file `path`)."""
    conn = duckdb.connect(path)
    for statement in DDL:
        conn.execute(statement)
    for cid, state, card, segment, behaviour, tier, ltv, band in CUSTOMERS:
        conn.execute("INSERT INTO gold.marketing_customer_audience (customer_id, state, card_type, customer_segment, "
                     "behavioural_segment, value_tier, lifetime_value, churn_risk_band, model_churn_risk_band, "
                     "model_churn_risk_score, spend_trend, age_band) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                     "'No baseline', '30-44')",
                     [cid, state, card, segment, behaviour, tier, ltv, band, band if scored else None,
                      {"High": 90, "Medium": 50, "Low": 10}[band] if scored else None])
    for tid, cid, day, amount, category, channel, status in TRANSACTIONS:
        conn.execute("INSERT INTO gold.fct_transactions_as_of VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     [tid, cid, day, amount, f"{category} Co", category, channel, status])
    # As dbt derives it: approved spend per customer and month; the history's first month (from January 15) and the
    # month of as-of are partial.
    conn.execute("INSERT INTO gold.monthly_customer_spending SELECT customer_id, "
                 "CAST(date_trunc('month', transaction_date) AS DATE) AS month, SUM(transaction_amount), COUNT(*), "
                 "month IN ('2026-01-01', '2026-06-01') FROM gold.fct_transactions_as_of WHERE status = 'approved' "
                 "GROUP BY 1, 2")
    conn.execute("INSERT INTO gold.metric_mom_spend_change VALUES ('2026-01-01', 60, 1, NULL, true), "
                 "('2026-03-01', 500, 1, NULL, true), ('2026-04-01', 80, 1, -84.0, false), "
                 "('2026-05-01', 580, 3, 625.0, false), ('2026-06-01', 1000, 1, NULL, true)")
    conn.execute("INSERT INTO observability.pipeline_run_metadata VALUES ('r1', 'customer360_full_graph', 'SUCCESS', "
                 "CURRENT_TIMESTAMP - INTERVAL '1 hour', CURRENT_TIMESTAMP, 60, 1000, 30, 'quoted CUST00000001 value', "
                 "CURRENT_TIMESTAMP)")
    # An earlier run of another job, and an earlier failed run of the full graph: "the last run" is each job's latest.
    conn.execute("INSERT INTO observability.pipeline_run_metadata VALUES ('r0', 'customer360_full_graph', 'FAILURE', "
                 "CURRENT_TIMESTAMP - INTERVAL '1 day', CURRENT_TIMESTAMP - INTERVAL '23 hours', 50, 0, 0, NULL, "
                 "CURRENT_TIMESTAMP), ('r2', 'reports', 'SUCCESS', CURRENT_TIMESTAMP - INTERVAL '2 hours', "
                 "CURRENT_TIMESTAMP - INTERVAL '2 hours', 5, 0, 4, NULL, CURRENT_TIMESTAMP)")
    return conn


def fetch_from(conn: duckdb.DuckDBPyConnection):
    def fetch(sql: str, params) -> tuple[list[str], list[tuple]]:
        cursor = conn.execute(sql, list(params))
        return [d[0] for d in cursor.description], cursor.fetchall()
    return fetch


def tiny_asker(role: str = "DATA_ANALYST", scored: bool = False) -> Asker:
    conn = tiny_warehouse(scored)
    return Asker.over(fetch_from(conn), AS_OF, role, role != "MARKETING_MANAGER")
