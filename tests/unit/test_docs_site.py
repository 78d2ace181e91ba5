"""The documentation site: it builds with --strict (a broken link fails), the README stays a front door, and the
settings page lists exactly the variables the settings code reads: its tables are generated from the settings models
(each variable a field's alias, its meaning the field's description), and nothing reads a variable past them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from customer360.settings import ENVIRONMENTS, ROOT, settings_page

MKDOCS = Path(sys.executable).parent / "mkdocs"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def _build(config: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(MKDOCS), "build", "--strict", "-f", str(config), "-d", str(site)], capture_output=True,
                          text=True, env=ENV, timeout=300)


def test_the_site_builds_strictly_with_every_page_in_the_nav(tmp_path):
    built = _build(ROOT / "mkdocs.yml", tmp_path / "site")
    assert built.returncode == 0, built.stderr[-3000:]
    pages = {p.stem for p in (ROOT / "docs").glob("*.md")}
    assert {p for p in pages if not (tmp_path / "site" / ("" if p == "index" else p) / "index.html").exists()} == set()


def test_a_broken_link_fails_the_build(tmp_path):
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    page = tmp_path / "docs" / "settings.md"
    page.write_text(page.read_text() + "\nSee [the missing page](missing.md).\n")
    built = _build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert built.returncode != 0 and "missing.md" in built.stderr
    page.write_text(page.read_text().replace("(missing.md)", "(app.md#no-such-section)"))
    built = _build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert built.returncode != 0 and "no-such-section" in built.stderr  # an anchor that moved away fails too


def test_the_readme_is_a_front_door_of_at_most_200_lines_that_links_every_page():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    linked = set(re.findall(r"\]\(docs/(\w+)\.md\)", readme))
    assert linked == {p.stem for p in (ROOT / "docs").glob("*.md")}


def test_the_settings_pages_tables_are_the_ones_the_settings_models_generate():
    page = (ROOT / "docs" / "settings.md").read_text()
    assert page == settings_page(page), "docs/settings.md's tables are stale: run `python -m customer360.settings`"
    assert all(info.description for model in ENVIRONMENTS for info in model.variables().values())


def test_python_m_customer360_settings_rewrites_the_settings_pages_tables(tmp_path):
    page = (ROOT / "docs" / "settings.md").read_text()
    stale = tmp_path / "settings.md"
    stale.write_text(page.replace("| `C360_CUSTOMERS` | `50000` |", "| `C360_CUSTOMERS` | `1` |"))
    subprocess.run([sys.executable, "-m", "customer360.settings", str(stale)], cwd=ROOT, check=True, timeout=120)
    assert stale.read_text() == page


def test_the_settings_page_lists_exactly_the_variables_the_settings_code_reads():
    # settings.py reads variables only as its models' fields (the alias is the variable); a name it quotes elsewhere
    # would be read by hand, past the models and so past the page. setup_runner.py reads the ones only
    # snowflake-setup needs, by name.
    quoted = re.compile(r'"((?:C360|SNOWFLAKE)_[A-Z0-9_]+)"')
    modelled = {name for model in ENVIRONMENTS for name in model.variables()}
    assert set(quoted.findall((ROOT / "customer360" / "settings.py").read_text())) - modelled == set()
    read = modelled | set(quoted.findall((ROOT / "customer360" / "setup_runner.py").read_text()))
    page = (ROOT / "docs" / "settings.md").read_text()
    documented = {name.rstrip("_") for row in re.findall(r"^\| (.+?) \|", page, re.MULTILINE)
                  for name in re.findall(r"`((?:C360|SNOWFLAKE)_[A-Z0-9_]+)", row)}
    # Per-role app users are read as C360_APP_SNOWFLAKE_USER + "_<ROLE>" (documented with that suffix).
    assert read - documented == set(), "read by the settings code but not on docs/settings.md"
    assert documented - read == set(), "documented, never read"


def test_make_check_runs_the_linters_and_the_unit_tests_only():
    planned = subprocess.run(["make", "-n", "check"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "ruff check ." in planned and "pytest -m unit" in planned


def test_make_docs_site_serves_the_site_strictly_on_loopback():
    planned = subprocess.run(["make", "-n", "docs-site"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "mkdocs serve --strict -a 127.0.0.1:8000" in planned
