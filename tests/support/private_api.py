"""Which private Dagster modules a Python source imports (tests/unit/test_public_dagster_api.py)."""

from __future__ import annotations

import ast
from pathlib import Path


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


def private_imports_under(root: Path) -> dict[str, list[str]]:
    """{module path: its private Dagster imports} for every module under root/customer360 that has any."""
    modules = sorted((root / "customer360").rglob("*.py"))
    assert len(modules) > 20
    return {str(path.relative_to(root)): found for path in modules if (found := private_dagster_imports(path.read_text()))}
