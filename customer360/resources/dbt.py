"""The dbt project, parsed once per process, and the translator that maps dbt nodes to our asset keys."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject
from dagster_dbt.dbt_project import using_dagster_dev
from packaging import version

from customer360.settings import DBT_PROJECT_DIR


# dbt installed beside this interpreter (the project's .venv), found even when the venv is not on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


class InstalledDbtCliResource(DbtCliResource):
    """DbtCliResource that reads dbt's version from the installed package.

    dagster-dbt otherwise runs `dbt --version` in a subprocess before every invocation (~3 s here) only to learn
    whether dbt is the Fusion engine; our dbt is the dbt-core installed beside this interpreter.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__

        return version.parse(__version__)


def dbt_cli(project: DbtProject, target: str) -> DbtCliResource:
    return InstalledDbtCliResource(project_dir=project, target=target, dbt_executable=DBT_EXECUTABLE)


_PARSE_STAMP = "c360_parse_stamp.json"


@cache
def dbt_project(target: str = "local", dbt_vars_json: str = "{}") -> DbtProject:
    """The project with a manifest parsed for these vars and target.

    dbt only reuses its partial parse (saving ~5 s per `dbt build`) when vars and profile match the parse, so the
    manifest is re-parsed whenever they change (and at every load under `dagster dev`, where models change)."""
    project = DbtProject(project_dir=DBT_PROJECT_DIR, target=target)
    stamp = project.project_dir / project.target_path / _PARSE_STAMP
    wanted = json.dumps({"target": target, "vars": json.loads(dbt_vars_json)}, sort_keys=True)
    fresh = project.manifest_path.exists() and stamp.exists() and stamp.read_text() == wanted
    if using_dagster_dev() or not fresh:
        args = ["parse", "--quiet", "--vars", dbt_vars_json]
        dbt_cli(project, target).cli(args, target_path=project.target_path).wait()
        stamp.write_text(wanted)
    return project


class LayerTranslator(DagsterDbtTranslator):
    """Models become `<schema>/<name>` (silver/stg_customers, gold/dim_customer), grouped by their layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "snapshot", "seed"):
            return dg.AssetKey([dbt_resource_props["config"]["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["config"].get("schema") or super().get_group_name(dbt_resource_props)
