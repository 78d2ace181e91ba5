"""Lint is part of `make test`, with its configuration in the repository (pyproject.toml [tool.ruff] for Python,
.sqlfluff for the dbt project's SQL); CI and the pre-commit hooks run the same tools."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from customer360.settings import ROOT

SQL_PATHS = ["dbt_project/models", "dbt_project/tests", "dbt_project/snapshots"]


def test_ruff_finds_nothing():
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]


def test_sqlfluff_finds_nothing_in_the_dbt_project():
    sqlfluff = Path(sys.executable).parent / "sqlfluff"
    result = subprocess.run([str(sqlfluff), "lint", *SQL_PATHS], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_ci_and_pre_commit_run_the_projects_own_commands():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    steps = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
    assert ".ci/run" in steps and "make test" in (ROOT / ".ci" / "run").read_text()
    hooks = {h["id"]: h["entry"] for repo in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"]
             for h in repo["hooks"]}
    assert hooks["ruff"].startswith(".venv/bin/ruff check")
    assert hooks["sqlfluff"] == ".venv/bin/sqlfluff lint " + " ".join(SQL_PATHS)
    assert hooks["detect-secrets"] == ".venv/bin/detect-secrets-hook"
    assert "dagster definitions validate" in hooks["dagster-definitions"]
