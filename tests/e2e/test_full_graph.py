"""The whole graph, materialized by `python -m customer360 demo` (what `make demo` runs) at a small scale."""

import datetime as dt
import os
import subprocess
import sys

import duckdb
import pyarrow as pa
import pytest

from customer360.generate import generate_customers, generate_transactions
from customer360.settings import ROOT

AS_OF = dt.date(2026, 6, 30)


def run_demo(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "customer360", "demo"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def counts(home) -> dict[str, int]:
    tables = ["bronze.bronze_customers", "bronze.bronze_transactions", "bronze.load_history", "bronze.bronze_rejects",
              "silver.stg_customers", "silver.stg_transactions", "gold.dim_customer", "gold.fct_transactions",
              "gold.customer_360_profile"]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}


@pytest.fixture(scope="module")
def graph_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("e2e") / "home"
    env = {**os.environ, "C360_HOME": str(home), "C360_CUSTOMERS": "500", "C360_MONTHS": "3", "C360_SEED": "7",
           "C360_AS_OF": AS_OF.isoformat(), "C360_TARGET": "local"}
    env.pop("C360_S3_ENDPOINT_URL", None)
    first = run_demo(env)
    assert first.returncode == 0, (first.stdout + first.stderr)[-4000:]
    return home, env, first


def test_counts_reconcile_from_generated_rows_to_gold(graph_home):
    home, _, _ = graph_home
    customers = generate_customers(500, seed=7, as_of=AS_OF, months=3)
    transactions = sum(t.num_rows for t in generate_transactions(customers, 7, AS_OF, 3))
    c = counts(home)
    assert c["bronze.bronze_customers"] == c["silver.stg_customers"] == c["gold.dim_customer"] == 500
    assert c["gold.customer_360_profile"] == 500
    assert c["bronze.bronze_transactions"] == c["silver.stg_transactions"] == c["gold.fct_transactions"]
    assert c["gold.fct_transactions"] == transactions
    assert c["bronze.bronze_rejects"] == 0


def test_the_demo_prints_the_row_count_of_every_table(graph_home):
    _, _, first = graph_home
    assert "Whole graph materialized" in first.stdout
    assert "gold.customer_360_profile" in first.stdout and "500" in first.stdout


def test_profile_spend_equals_approved_spend_in_the_generated_files(graph_home):
    home, _, _ = graph_home
    customers = generate_customers(500, seed=7, as_of=AS_OF, months=3)
    generated = pa.concat_tables(generate_transactions(customers, 7, AS_OF, 3)).to_pydict()
    approved = sum(a for a, s in zip(generated["transaction_amount"], generated["status"]) if s == "approved")
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        lifetime = conn.execute("select sum(lifetime_spend) from gold.customer_360_profile").fetchone()[0]
    assert lifetime == approved


def test_every_check_result_is_also_a_row_in_observability(graph_home):
    home, _, _ = graph_home
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        rows = conn.execute("select check_name, asset_key, passed, run_id from observability.data_quality_metrics"
                            ).fetchall()
    assets = {asset for _, asset, _, _ in rows}
    assert {"bronze/bronze_transactions", "gold/customer_360_profile", "silver/stg_transactions"} <= assets
    assert all(passed for _, _, passed, _ in rows)
    assert len({run for *_, run in rows}) == 1 and None not in {run for *_, run in rows}


def test_a_second_run_adds_no_row_anywhere_but_observability(graph_home):
    home, env, _ = graph_home
    before = counts(home)
    second = run_demo(env)
    assert second.returncode == 0, (second.stdout + second.stderr)[-4000:]
    assert counts(home) == before
