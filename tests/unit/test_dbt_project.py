"""The dbt project documents itself (every model, and every key column, has a description) and sends nothing home."""

import json
import shutil
import subprocess

import pytest

from customer360.lib.resources.dbt import DBT_EXECUTABLE, dbt_project
from customer360.settings import DBT_PROJECT_DIR


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


def test_dbt_sends_no_usage_events_and_leaves_no_machine_id(tmp_path, monkeypatch):
    """dbt tracks usage by default: it writes a per-machine id to <profiles dir>/.user.yml and posts events to dbt
    Labs at exit. The project turns that off, so a real dbt command here leaves no id behind."""
    monkeypatch.delenv("DO_NOT_TRACK", raising=False)  # only the project's own setting may turn tracking off
    monkeypatch.delenv("DBT_SEND_ANONYMOUS_USAGE_STATS", raising=False)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(DBT_PROJECT_DIR / name, tmp_path / name)
    done = subprocess.run([DBT_EXECUTABLE, "debug", "--config-dir", "--project-dir", tmp_path, "--profiles-dir",
                           tmp_path], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (tmp_path / ".user.yml").exists()


# Portability to Snowflake is gated on the compiled SQL itself: tests/integration/test_snowflake_dialect.py.
