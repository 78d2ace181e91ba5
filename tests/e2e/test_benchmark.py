"""`make bench` at a tiny scale: the script runs the whole graph and an increment and reports every figure."""

import json
import subprocess
import sys

from customer360.settings import ROOT

REQUIRED = ("whole_graph_s", "peak_rss_mb", "txn_gen_rows_per_s", "customer_gen_speedup", "increment_s", "customers",
            "transactions", "replication_rows_per_s", "replication_refresh_s", "replication_vs_dlt", "reports_s",
            "churn_train_score_s", "churn_job_s", "app_lookup_p50_ms", "app_lookup_p95_ms", "app_explorer_s",
            "app_server_start_s", "app_first_page_s", "freshness_latency_s", "freshness_pickup_s", "freshness_launch_s",
            "freshness_run_s", "bronze_vs_floor", "fact_model_vs_floor", "increment_noop_s", "increment_fixed_share",
            "start_import_s", "start_definitions_s")


def test_the_benchmark_prints_every_stage_and_its_figures_as_json_last(tmp_path):
    result = subprocess.run([sys.executable, "benchmarks/run_graph.py", "--customers", "300", "--months", "2"],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    lines = result.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert set(REQUIRED) <= set(figures)
    assert figures["customers"] == 300 and figures["transactions"] > 0
    assert figures["checks_failed"] == 0 and figures["reconciled"] is True and figures["reports_completed"] == 4
    # The streamed day the daemon's sensor picked up arrived whole, and the split of its latency adds up.
    assert figures["freshness_latency_s"] > 0 and figures["bronze_vs_floor"] > 0 and figures["fact_model_vs_floor"] > 0
    parts = figures["freshness_pickup_s"] + figures["freshness_launch_s"] + figures["freshness_run_s"]
    assert abs(parts - figures["freshness_latency_s"]) < 0.05
    # The increment was run again with no new file: it loaded nothing twice (reconciled above) and was measured.
    assert figures["increment_noop_s"] > 0 and figures["start_import_s"] > 0 and figures["start_definitions_s"] > 0
    assert figures["customer_gen_speedup"] > 1  # vectorized beats one Faker call per field, even at 300 rows
    # 2 months leave no churn training cut-off: the bench says so instead of failing (make bench trains at 18)
    assert figures["churn_train_score_s"] is None and "churn not trained (2 months < 9)" in result.stdout
    stages = [line.split("  ")[0] for line in lines]
    for stage in ("graph: seed source", "graph: replicate", "replicate: accounts, full (med. 3)",
                  "replicate: 5 % of accounts changed", "baseline: dlt sql_database (med. 3)", "graph: land",
                  "graph: bronze", "graph: dbt", "graph: checks", "graph: whole (CLI wall, empty home)",
                  "increment: dbt", "increment: whole (CLI wall)", "nothing new: dbt", "nothing new: whole (CLI wall)",
                  "start: import dagster, dagster-dbt", "start: + load the definitions", "baseline: Faker per row customers",
                  "reports: 4 reports (steps)", "reports: whole (CLI wall)", "app: profile lookup (p95 of 50)",
                  "app: segment explorer (med. 5)", "app: first page, fresh process", "floor: read_parquet CTAS (bronze)",
                  "floor: CTAS of fct_transactions", "freshness: file to gold (daemon)"):
        assert stage in stages, stage
