"""The layout's rules (pyproject.toml [tool.importlinter]): lib never imports the graph, domains never import each
other, no import cycles, and no function-local import of our own modules beyond the few that keep a cloud SDK out of
the local target's imports."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from source_scan import scanned

from customer360.settings import ROOT

LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")

# Function-local imports of customer360 modules, each only so that the local target never loads the Snowflake SDK
# (or, in the app, Dagster). grimp reads them like any other import, so the contracts still cover them.
LAZY_FOR_THE_SDK = {
    ("customer360/resources.py", "customer360.lib.resources.snowflake_warehouse"),
    ("customer360/app/warehouse.py", "customer360.resources"),
    ("customer360/resources.py", "customer360.lib.bronze.snowflake_copy"),
}


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT_IMPORTS, "--config", str(root / "pyproject.toml"), "--no-cache"], cwd=root,
                          capture_output=True, text=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


def test_the_import_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(("module", "forbidden_import", "broken"), [
    ("lib/asset_keys.py", "import customer360.defs.bronze.assets", "lib never imports the graph"),
    ("defs/reports/jobs.py", "from customer360.defs.churn import jobs", "domains do not import each other"),
    ("lib/generate/ids.py", "from customer360.lib.reports import catalogue", "no import cycles"),
])
def test_a_module_that_adds_a_forbidden_import_breaks_its_contract(tmp_path, module, forbidden_import, broken):
    copy = tmp_path / "checkout"
    shutil.copytree(ROOT / "customer360", copy / "customer360", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    if broken == "no import cycles":  # a cycle needs both directions: make the catalogue import ids first
        catalogue = copy / "customer360/lib/reports/catalogue.py"
        catalogue.write_text(catalogue.read_text() + "\nfrom customer360.lib.generate import ids  # noqa\n")
    target = copy / "customer360" / module
    target.write_text(target.read_text() + f"\n\ndef _added_by_the_test():\n    {forbidden_import}  # noqa\n")

    result = _lint_imports(copy)

    assert result.returncode != 0
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout, result.stdout


# Parsed in a fresh interpreter (tests/support/source_scan.py says why).
_SCAN = """
import ast, json, sys
from pathlib import Path
root = Path(sys.argv[1])
found = set()
for path in sorted((root / "customer360").rglob("*.py")):
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            names = ([inner.module or ""] if isinstance(inner, ast.ImportFrom)
                     else [a.name for a in inner.names] if isinstance(inner, ast.Import) else [])
            found |= {(str(path.relative_to(root)), name) for name in names if name.startswith("customer360")}
print(json.dumps(sorted(found)))
"""


def _local_imports_of_our_modules() -> set[tuple[str, str]]:
    return {tuple(pair) for pair in scanned(_SCAN, str(ROOT))}


def test_no_function_local_import_hides_a_dependency_between_our_modules():
    assert _local_imports_of_our_modules() - LAZY_FOR_THE_SDK == set(), "import it at the top of the module"
    assert LAZY_FOR_THE_SDK - _local_imports_of_our_modules() == set(), "no longer lazy: drop it from the list"


def test_each_domain_is_a_folder_of_defs_and_lib_holds_no_definitions():
    domains = {p.name for p in (ROOT / "customer360/defs").iterdir() if (p / "__init__.py").exists()}
    assert domains == {"source", "landing", "bronze", "transform", "quality", "reports", "churn", "semantic", "alerts",
                       "pipeline"}
    lib_text = "\n".join(p.read_text() for p in (ROOT / "customer360/lib").rglob("*.py"))
    assert "@dg.definitions" not in lib_text and "dg.Definitions(" not in lib_text
