"""The Snowflake dialect gate: every model, test and snapshot dbt compiles for the Snowflake target (against a
fakesnow server, so incremental branches and introspection run as in production) is SQL Snowflake has.

fakesnow runs on DuckDB and accepts DuckDB-only SQL, so running the models there proves nothing about the dialect;
this gate parses the compiled text in Snowflake's dialect instead (tests/support/snowflake_dialect.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from snowflake_dialect import snowflake_lacks
from test_snowflake_target import apply_setup

from customer360.settings import DBT_PROJECT_DIR, settings


def test_the_gate_fails_sql_snowflake_does_not_have():
    assert snowflake_lacks("select customer_id, count(*) filter (where is_current) from d group by 1")
    assert snowflake_lacks("select list_value(1, 2), epoch_ms(0)")
    assert snowflake_lacks("select customer_id from d where is_current") == []


@pytest.fixture(scope="module")
def compiled(tmp_path_factory, fakesnow_port) -> Path:
    """`dbt compile` for the Snowflake target; returns the target folder."""
    monkeypatch = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("dialect")
    from conftest import snowflake_settings_env  # one spelling of the fakesnow environment

    for name, value in snowflake_settings_env(home, fakesnow_port, "C360_DIALECT_GATE").items():
        monkeypatch.setenv(name, value)
    s = settings()
    apply_setup(s)
    target = home / "target"
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [str(dbt), "compile", "--target", s.dbt_target, "--vars", s.dbt_vars_json(), "--target-path", str(target)],
        cwd=DBT_PROJECT_DIR, env={**os.environ, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)},
        capture_output=True, text=True, timeout=600)
    monkeypatch.undo()
    assert result.returncode == 0, result.stdout[-3000:]
    return target


def test_every_compiled_model_test_and_snapshot_is_snowflake_sql(compiled):
    files = sorted((compiled / "compiled").rglob("*.sql"))
    kinds = {f.relative_to(compiled / "compiled").parts[1] for f in files}
    assert {"models", "tests", "snapshots"} <= kinds and len(files) > 80
    problems = {str(f.relative_to(compiled)): found for f in files if (found := snowflake_lacks(f.read_text()))}
    assert problems == {}
