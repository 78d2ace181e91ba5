"""Month-on-month figures on partial months: dbt builds the two monthly marts over a hand-made fact table whose
history starts mid-month and whose as-of date is mid-month (the default as-of, today, usually is)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from customer360.settings import DBT_PROJECT_DIR, dbt_vars_json

# Approved spend of one customer: 10 in the partial first month (from May 20), 100 in June and July, 50 in August
# up to as-of (August 15).
FACTS = [("2026-05-20", 10), ("2026-06-10", 100), ("2026-07-10", 100), ("2026-08-10", 50)]


def test_partial_first_and_as_of_months_are_flagged_and_have_no_change(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("CREATE SCHEMA gold")
        conn.execute("CREATE TABLE gold.fct_transactions (customer_id VARCHAR, transaction_date DATE, "
                     "transaction_amount DECIMAL(12,2), is_approved BOOLEAN)")
        conn.executemany("INSERT INTO gold.fct_transactions VALUES ('C1', ?, ?, true)", FACTS)
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [str(dbt), "run", "--select", "dim_date", "dim_month", "monthly_customer_spending", "metric_mom_spend_change",
         "--vars",
         dbt_vars_json(str(warehouse), "2026-08-15"), "--target-path", str(tmp_path / "target")],
        cwd=DBT_PROJECT_DIR, env={**os.environ, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)},
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        portfolio = conn.execute("SELECT strftime(spend_month, '%Y-%m'), is_partial_month, spend_change_pct "
                                 "FROM gold.metric_mom_spend_change ORDER BY 1").fetchall()
        customer = conn.execute("SELECT strftime(spend_month, '%Y-%m'), is_partial_month, spend_change "
                                "FROM gold.monthly_customer_spending ORDER BY 1").fetchall()
    assert portfolio == [("2026-05", True, None), ("2026-06", False, None), ("2026-07", False, 0.0),
                         ("2026-08", True, None)]
    assert [(m, partial) for m, partial, _ in customer] == [(m, partial) for m, partial, _ in portfolio]
    assert [change for *_, change in customer] == [None, None, 0, None]
