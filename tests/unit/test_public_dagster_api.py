"""The platform's code uses Dagster's public API only: no module under customer360/ imports a private module of
Dagster or of its integrations (`dagster._core`, `dagster._grpc`, `dagster._serdes`, `dagster_dbt._...`), whose
names and signatures change between releases without a deprecation. Tests may reach into Dagster; the platform may
not."""

from __future__ import annotations

import ast

from customer360.settings import ROOT


def _private(module: str) -> bool:
    parts = module.split(".")
    return parts[0].startswith("dagster") and any(part.startswith("_") for part in parts[1:])


def private_dagster_imports(source: str) -> list[str]:
    """Every private Dagster module `source` imports: `import`, `from ... import` (a private name from a public
    module too) and importlib.import_module / __import__ with a literal name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _private(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [f"{node.module}.{alias.name}" for alias in node.names
                      if _private(f"{node.module}.{alias.name}")]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) and _private(node.args[0].value) \
                and (getattr(node.func, "attr", None) == "import_module" or getattr(node.func, "id", None) == "__import__"):
            found.append(node.args[0].value)
    return found


def test_the_scan_finds_each_way_of_importing_a_private_module():
    source = ("import dagster._core.events\nfrom dagster._grpc.types import ExecuteRunArgs\n"
              "from dagster import _serdes\nimport importlib\nimportlib.import_module('dagster._utils')\n"
              "from dagster_dbt._version import __version__\nimport dagster as dg\nfrom dagster import AssetKey\n"
              "from dagster_dbt import DbtCliResource\n")
    assert sorted(private_dagster_imports(source)) == [
        "dagster._core.events", "dagster._grpc.types.ExecuteRunArgs", "dagster._serdes", "dagster._utils",
        "dagster_dbt._version.__version__"]


def test_no_module_under_customer360_imports_a_private_dagster_module():
    modules = sorted((ROOT / "customer360").rglob("*.py"))
    assert len(modules) > 20
    offending = {str(path.relative_to(ROOT)): found for path in modules
                 if (found := private_dagster_imports(path.read_text()))}
    assert offending == {}
