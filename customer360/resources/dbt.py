"""The dbt project, parsed once per process, and the translator that maps dbt nodes to our asset keys."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtProject

from customer360.settings import DBT_PROJECT_DIR


@cache
def dbt_project(target: str = "local") -> DbtProject:
    """The project with a manifest ready: `dagster dev` re-parses on change; otherwise parse once if missing."""
    project = DbtProject(project_dir=DBT_PROJECT_DIR, target=target)
    project.prepare_if_dev()
    if not project.manifest_path.exists():
        project.preparer.prepare(project)
    return project


class LayerTranslator(DagsterDbtTranslator):
    """Models become `<schema>/<name>` (silver/stg_customers, gold/dim_customer), grouped by their layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "snapshot", "seed"):
            return dg.AssetKey([dbt_resource_props["config"]["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["config"].get("schema") or super().get_group_name(dbt_resource_props)
