"""The dbt project, parsed once per process, and the translator that maps dbt nodes to our asset keys."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject
from dagster_dbt.dbt_project import using_dagster_dev

from customer360.settings import DBT_PROJECT_DIR


# dbt installed beside this interpreter (the project's .venv), found even when the venv is not on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


def dbt_cli(project: DbtProject, target: str) -> DbtCliResource:
    return DbtCliResource(project_dir=project, target=target, dbt_executable=DBT_EXECUTABLE)


@cache
def dbt_project(target: str = "local") -> DbtProject:
    """The project with a manifest ready: parsed at every load under `dagster dev` (models change while you work),
    otherwise once, when the manifest is missing (a fresh clone)."""
    project = DbtProject(project_dir=DBT_PROJECT_DIR, target=target)
    if using_dagster_dev() or not project.manifest_path.exists():
        dbt_cli(project, target).cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return project


class LayerTranslator(DagsterDbtTranslator):
    """Models become `<schema>/<name>` (silver/stg_customers, gold/dim_customer), grouped by their layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "snapshot", "seed"):
            return dg.AssetKey([dbt_resource_props["config"]["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["config"].get("schema") or super().get_group_name(dbt_resource_props)
