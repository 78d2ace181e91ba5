"""The dbt project documents itself: every model, and every key column, has a description."""

import json

import pytest

from customer360.resources.dbt import dbt_project


@pytest.fixture(scope="module")
def manifest():
    return json.loads(dbt_project().manifest_path.read_text())


def _models(manifest):
    return [n for n in manifest["nodes"].values() if n["resource_type"] in ("model", "snapshot")]


def test_every_model_has_a_description(manifest):
    missing = [m["name"] for m in _models(manifest) if not m["description"].strip()]
    assert missing == []


def test_every_key_column_is_documented_and_tested(manifest):
    tests = [t for t in manifest["nodes"].values() if t["resource_type"] == "test" and t.get("attached_node")]
    tested = {(t["attached_node"], t["column_name"]) for t in tests}
    unique = {(t["attached_node"], t["column_name"]) for t in tests
              if t["test_metadata"].get("name") in ("unique", "unique_in_latest_batch")}
    for model in _models(manifest):
        keys = [c for c in model["columns"]
                if c.endswith(("_id", "_key")) or (model["unique_id"], c) in unique]
        assert keys, f"{model['name']} documents no key column"
        for column in keys:
            assert model["columns"][column]["description"].strip(), f"{model['name']}.{column}"
            assert (model["unique_id"], column) in tested, f"{model['name']}.{column} has no test"


# Portability to Snowflake is gated on the compiled SQL itself: tests/integration/test_snowflake_dialect.py.
