"""Where the checkout's own files are: the repository root and the dbt project in it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = ROOT / "dbt_project"
