"""The definitions load the way the `dagster` CLI loads them, and the graph has the expected shape."""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
from dagster._core.definitions.dependency import NodeHandle

from customer360.definitions import defs
from customer360.lib.observability.hooks import RUN_HOOKS

DAGSTER = str(Path(sys.executable).parent / "dagster")
ROOT = Path(__file__).resolve().parents[2]

EXPECTED_ASSETS = {
    "source/cards", "source/cards_changes",
    "staging/cards_accounts", "staging/cards_credit_limit_events", "staging/cards_card_products",
    "landing/transactions_historical", "landing/transactions_streaming",
    "bronze/cards_accounts", "bronze/cards_credit_limit_events", "bronze/cards_card_products",
    "bronze/bronze_transactions",
    "silver/stg_customers", "silver/stg_transactions", "silver/customers_snapshot",
    "silver/stg_credit_limit_events", "silver/stg_card_products",
    "silver/int_customer_activity_summarized", "silver/int_customer_preferences_ranked", "silver/merchant_categories",
    "gold/dim_customer", "gold/dim_date", "gold/dim_month", "gold/dim_merchant_category", "gold/fct_transactions",
    "gold/fct_transactions_as_of",
    "gold/customer_360_profile", "gold/customer_segments", "gold/monthly_customer_spending",
    "gold/metric_customer_ltv", "gold/metric_avg_transaction_value", "gold/metric_mom_spend_change",
    "gold/marketing_customer_audience", "gold/semantic_model", "observability/layer_record_counts",
    "gold/ml_churn_features", "churn/churn_model_candidate", "churn/churn_model", "gold/churn_predictions",
    "reports/executive_summary", "reports/segment_performance", "reports/churn_watchlist", "reports/monthly_spend",
}


def load() -> dg.Definitions:
    return defs() if callable(defs) else defs


def test_the_dagster_cli_validates_the_definitions(c360_env):
    result = subprocess.run([DAGSTER, "definitions", "validate", "-m", "customer360.definitions"],
                            cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_graph_runs_from_landing_through_bronze_to_gold(c360_env):
    graph = load().resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert keys == EXPECTED_ASSETS
    upstream = {key.to_user_string(): {p.to_user_string() for p in graph.get(key).parent_keys}
                for key in graph.get_all_asset_keys()}
    assert upstream["bronze/bronze_transactions"] == {"landing/transactions_historical",
                                                      "landing/transactions_streaming"}
    assert upstream["silver/stg_transactions"] == {"bronze/bronze_transactions"}
    assert upstream["staging/cards_accounts"] == {"source/cards", "source/cards_changes"}
    assert upstream["bronze/cards_accounts"] == {"staging/cards_accounts"}
    assert upstream["silver/stg_customers"] == {"bronze/cards_accounts"}
    assert upstream["silver/stg_credit_limit_events"] == {"bronze/cards_credit_limit_events"}
    assert upstream["landing/transactions_historical"] == {"source/cards"}
    assert upstream["gold/dim_customer"] == {"silver/customers_snapshot"}
    assert upstream["gold/fct_transactions"] == {
        "silver/stg_transactions", "gold/dim_customer", "gold/dim_merchant_category"}
    assert upstream["reports/monthly_spend"] == {"gold/fct_transactions_as_of", "gold/customer_360_profile",
                                                 "gold/dim_month"}


def test_bronze_and_gold_carry_checks_and_dbt_tests_arrive_as_checks(c360_env):
    checks = {key.asset_key.to_user_string() + ":" + key.name
              for key in load().resolve_asset_graph().asset_check_keys}
    assert "bronze/bronze_transactions:rows_match_load_history" in checks
    assert "bronze/bronze_transactions:amount_positive" in checks
    assert "gold/customer_360_profile:lifetime_spend_matches_facts" in checks
    assert "gold/fct_transactions:unique_in_latest_batch_fct_transactions_transaction_id" in checks  # our generic test
    assert "gold/dim_customer:unique_dim_customer_customer_version_key" in checks  # a dbt generic test
    assert "gold/dim_customer:assert_customer_versions_never_overlap_or_leave_gaps" in checks  # a singular test


def test_the_refresh_job_rebuilds_what_depends_on_customers_and_not_the_transactions_load(c360_env):
    job = load().resolve_job_def("customer_refresh")
    keys = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert {"source/cards_changes", "staging/cards_accounts", "bronze/cards_accounts", "gold/dim_customer"} <= keys
    assert not keys & {"source/cards", "bronze/bronze_transactions", "silver/stg_transactions"}


def test_every_job_declares_only_checks_whose_every_input_it_runs(c360_env):
    """dbt skips a test whose other parent is outside the run (`--indirect-selection cautious`): a job that declared
    it would show the check as never run and warn that a blocking check emitted no result."""
    definitions = load()
    graph = definitions.resolve_asset_graph()
    for name in ("customer360_full_graph", "customer_refresh", "source_replication", "transactions_increment",
                 "nightly_dbt_build"):
        job = definitions.resolve_job_def(name)
        assets = job.asset_layer.selected_asset_keys
        declared = job.asset_layer.asset_graph.asset_check_keys
        outside = {key.name for key in declared
                   if any(dep.asset_key not in assets for dep in graph.get_check_spec(key).additional_deps)}
        assert declared and outside == set(), name
    increment = definitions.resolve_job_def("transactions_increment").asset_layer.asset_graph.asset_check_keys
    assert any(key.name.startswith("unique_in_latest_batch_fct_transactions") for key in increment)
    # The increment reconciles the rows it loaded; the first build (and the nightly one) the whole table.
    first = definitions.resolve_job_def("customer360_full_graph").asset_layer.asset_graph.asset_check_keys
    nightly = definitions.resolve_job_def("nightly_dbt_build").asset_layer.asset_graph.asset_check_keys
    reconciliations = {"loaded_transactions_reached_gold", "transactions_reconcile_with_bronze"}
    assert {k.name for k in increment} & reconciliations == {"loaded_transactions_reached_gold"}
    assert {k.name for k in first} & reconciliations == {"transactions_reconcile_with_bronze"}
    assert "transactions_reconcile_with_bronze" in {k.name for k in nightly}


def test_bad_settings_stop_the_definitions_from_loading_with_the_fix(c360_env, monkeypatch):
    monkeypatch.setenv("C360_CUSTOMERS", "-1")
    result = subprocess.run([DAGSTER, "definitions", "validate", "-m", "customer360.definitions"],
                            cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "C360_CUSTOMERS=-1 is too small" in result.stdout + result.stderr


def test_dagster_dbts_build_time_command_prepares_the_projects_manifest(tmp_path):
    """`dagster-dbt project prepare-and-package` (what an image build runs, the venv on PATH) finds the project in
    customer360/lib/resources/dbt.py and parses it."""
    bin_dir = str(Path(sys.executable).parent)
    manifest = ROOT / "dbt_project" / "target" / "manifest.json"
    before = manifest.stat().st_mtime_ns if manifest.exists() else 0
    result = subprocess.run([f"{bin_dir}/dagster-dbt", "project", "prepare-and-package", "--file",
                             "customer360/lib/resources/dbt.py"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert manifest.stat().st_mtime_ns > before
    assert "model.customer360.customer_360_profile" in manifest.read_text()


def test_a_job_replicates_what_changed_in_the_source_and_rebuilds_downstream_without_simulated_changes(c360_env):
    """customer_refresh also invents changes to ~5 % of accounts (the demo's); a real source needs replication only."""
    job = load().resolve_job_def("source_replication")
    keys = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert {"staging/cards_accounts", "staging/cards_credit_limit_events", "staging/cards_card_products",
            "bronze/cards_accounts", "gold/dim_customer"} <= keys
    assert not {k for k in keys if k.startswith("source/")}
    assert not keys & {"bronze/bronze_transactions", "silver/stg_transactions"}


def test_every_step_of_every_job_and_of_ad_hoc_materializations_carries_the_run_hooks(c360_env):
    """A run records itself from its own steps (lib/observability/hooks.py): a node without the hooks could be the step
    that ends the run, and the run would go unrecorded when no daemon runs."""
    definitions = load()
    jobs = [definitions.resolve_implicit_global_asset_job_def(),
            *(definitions.resolve_job_def(job.name) for job in definitions.jobs)]
    for job in jobs:
        for node in job.nodes_in_topological_order:
            assert RUN_HOOKS <= job.get_all_hooks_for_handle(NodeHandle(node.name, None)), (job.name, node.name)
