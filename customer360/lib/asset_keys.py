"""The keys by which the graph's domains meet. A domain names another domain's asset, check or job by these, never
by importing its module (the import-linter contract in pyproject.toml), so each folder of customer360/defs can be
read, moved or tested alone."""

from __future__ import annotations

import dagster as dg

SOURCE_CARDS = dg.AssetKey(["source", "cards"])
SOURCE_CARDS_CHANGES = dg.AssetKey(["source", "cards_changes"])
LANDING_TRANSACTIONS = dg.AssetKey(["landing", "transactions_historical"])
LANDING_STREAMING = dg.AssetKey(["landing", "transactions_streaming"])
LAYER_RECORD_COUNTS = dg.AssetKey(["observability", "layer_record_counts"])
STG_TRANSACTIONS = dg.AssetKey(["silver", "stg_transactions"])
FCT_TRANSACTIONS = dg.AssetKey(["gold", "fct_transactions"])
DIM_DATE = dg.AssetKey(["gold", "dim_date"])

# Where the streaming asset writes one file per day and the streaming sensor looks for new files.
STREAMING_PREFIX = "transactions/streaming/"

# Asset groups (the layers the UI shows): jobs select by these.
SILVER, GOLD, STAGING, REPORTS_GROUP = "silver", "gold", "staging", "reports"

# Jobs other domains start or watch, by name (sensors name the job they request).
TRANSACTIONS_INCREMENT = "transactions_increment"
NIGHTLY_DBT_BUILD = "nightly_dbt_build"


def bronze_key(table_name: str) -> dg.AssetKey:
    return dg.AssetKey(["bronze", table_name])


def staging_key(asset_name: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", asset_name])


BRONZE_TRANSACTIONS_KEY = bronze_key("bronze_transactions")
# The whole-table reconciliation of bronze with gold (the nightly build's) and the one of a run's own loads (an
# increment's): each job runs one of the two.
FULL_RECONCILIATION = dg.AssetCheckKey(FCT_TRANSACTIONS, "transactions_reconcile_with_bronze")
LOAD_RECONCILIATION = dg.AssetCheckKey(FCT_TRANSACTIONS, "loaded_transactions_reached_gold")
