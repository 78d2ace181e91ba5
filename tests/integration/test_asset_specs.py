"""The graph's shape as a snapshot: every asset's key, group, kinds, owners, tags, deps and checks, and every job,
schedule and sensor. A change to the graph shows here as a diff to review; to accept it:

    C360_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/integration/test_asset_specs.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg

from customer360.definitions import defs

SNAPSHOT = Path(__file__).parents[1] / "snapshots" / "definitions.json"


def _shape(definitions: dg.Definitions) -> dict:
    graph = definitions.resolve_asset_graph()
    checks: dict[str, list[str]] = {}
    for key in graph.asset_check_keys:
        checks.setdefault(key.asset_key.to_user_string(), []).append(key.name)
    repo = definitions.get_repository_def()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name, "kinds": sorted(node.kinds), "owners": list(node.owners),
            "tags": {k: v for k, v in sorted(node.tags.items()) if not k.startswith("dagster/kind/")},
            "deps": sorted(p.to_user_string() for p in node.parent_keys),
            "checks": sorted(checks.get(key.to_user_string(), [])),
        }
    return {
        "assets": assets,
        "jobs": sorted(j.name for j in repo.get_all_jobs() if not j.name.startswith("__")),
        "schedules": sorted(s.name for s in repo.schedule_defs),
        "sensors": sorted(s.name for s in repo.sensor_defs),
    }


def test_the_graph_matches_its_snapshot(c360_env):
    shape = _shape(defs())
    if os.environ.get("C360_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(shape, indent=1, sort_keys=True) + "\n")
    assert shape == json.loads(SNAPSHOT.read_text()), (
        "the graph changed; review the diff and accept it with C360_UPDATE_SNAPSHOTS=1 (see this file's docstring)")


def test_every_asset_has_an_owner_tags_and_a_code_reference_and_every_check_a_description(c360_env):
    definitions = defs()
    graph = definitions.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.owners and {"layer", "domain"} <= set(node.tags), key
        assert node.metadata.get("dagster/code_references"), key
    undescribed = [key for key in graph.asset_check_keys if not (graph.get_check_spec(key).description or "").strip()]
    assert undescribed == []


def test_bronze_tables_carry_their_name_and_typed_columns_from_the_contract(c360_env):
    graph = defs().resolve_asset_graph()
    metadata = graph.get(dg.AssetKey(["bronze", "bronze_transactions"])).metadata
    columns = {c.name: (c.type, c.constraints.nullable) for c in metadata["dagster/column_schema"].columns}
    assert metadata["dagster/table_name"] == "bronze.bronze_transactions"
    assert columns["transaction_amount"] == ("decimal(12,2)", False) and columns["merchant_name"] == ("varchar", True)


def test_kinds_name_where_each_asset_lives_on_the_target(c360_env, monkeypatch, tmp_path):
    from conftest import snowflake_settings_env

    def kinds(definitions: dg.Definitions) -> dict[str, set[str]]:
        graph = definitions.resolve_asset_graph()
        return {key.to_user_string(): set(graph.get(key).kinds) for key in graph.get_all_asset_keys()}

    local = kinds(defs())
    assert local["landing/transactions_historical"] == {"python", "filesystem"}  # a folder under C360_HOME, not S3
    assert local["staging/cards_accounts"] == {"postgres", "filesystem"}
    assert local["observability/layer_record_counts"] == local["bronze/cards_accounts"] == {"duckdb"}
    assert local["gold/fct_transactions"] == {"dbt", "duckdb"}

    for name, value in snowflake_settings_env(tmp_path, 1, "KINDS").items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("C360_STAGE_URL")  # stages and landing on s3://
    monkeypatch.setenv("C360_S3_BUCKET", "c360-landing")
    monkeypatch.setenv("C360_STORAGE_INTEGRATION", "C360_S3")
    production = kinds(defs())
    assert production["landing/transactions_historical"] == {"python", "s3"}
    assert production["staging/cards_accounts"] == {"postgres", "s3"}
    assert production["observability/layer_record_counts"] == production["bronze/cards_accounts"] == {"snowflake"}
    assert production["gold/fct_transactions"] == {"dbt", "snowflake"}
