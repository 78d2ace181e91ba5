"""The platform's code uses Dagster's public API only: no module under customer360/ imports a private module of
Dagster or of its integrations (`dagster._core`, `dagster._grpc`, `dagster._serdes`, `dagster_dbt._...`), whose
names and signatures change between releases without a deprecation. Tests may reach into Dagster; the platform may
not."""

from __future__ import annotations

from private_api import private_dagster_imports
from source_scan import scanned

from customer360.settings import ROOT


def test_the_scan_finds_each_way_of_importing_a_private_module():
    source = ("import dagster._core.events\nfrom dagster._grpc.types import ExecuteRunArgs\n"
              "from dagster import _serdes\nimport importlib\nimportlib.import_module('dagster._utils')\n"
              "from dagster_dbt._version import __version__\nimport dagster as dg\nfrom dagster import AssetKey\n"
              "from dagster_dbt import DbtCliResource\n")
    assert sorted(private_dagster_imports(source)) == [
        "dagster._core.events", "dagster._grpc.types.ExecuteRunArgs", "dagster._serdes", "dagster._utils",
        "dagster_dbt._version.__version__"]


def test_no_module_under_customer360_imports_a_private_dagster_module():
    offending = scanned("import json, sys\nfrom pathlib import Path\nfrom private_api import private_imports_under\n"
                        "print(json.dumps(private_imports_under(Path(sys.argv[1]))))", str(ROOT))
    assert offending == {}
