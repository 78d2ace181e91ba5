"""The dbt project, parsed once per process, and the translator that maps dbt nodes to our asset keys."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject
from packaging import version

from customer360.lib.paths import DBT_PROJECT_DIR

# dbt installed beside this interpreter (the project's .venv), found even when the venv is not on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


class InstalledDbtCliResource(DbtCliResource):
    """DbtCliResource without two set-up costs dagster-dbt pays before every dbt invocation.

    - dbt's version comes from the installed package: dagster-dbt otherwise runs `dbt --version` in a subprocess
      (~3 s here) only to learn whether dbt is the Fusion engine; ours is the dbt-core beside this interpreter.
    - No in-process dbt adapter (~2 s: loads the profile and the adapter plugin): dagster-dbt builds it only for
      `fetch_row_counts()` / `fetch_column_metadata()`; the dbt asset reads row counts and column types from the
      warehouse in its own session instead (customer360/defs/transform/assets.py, `table_metadata`).

    Both override private members: tests/unit/test_dbt_resource.py fails if dagster-dbt renames either (an override
    would silently stop saving the time) or if the version read here differs from the CLI's.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def dbt_cli(project: DbtProject, target: str) -> DbtCliResource:
    return InstalledDbtCliResource(project_dir=project, target=target, dbt_executable=DBT_EXECUTABLE)


_PARSE_STAMP = "c360_parse_stamp.json"
_PARTIAL_PARSE = "partial_parse.msgpack"
# What the manifest's shape depends on: the project's own files. Vars and the warehouse path do not change it.
_PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "models", "macros", "snapshots", "seeds", "tests")


def _project_fingerprint(project_dir: Path) -> dict[str, list[int]]:
    """Size and modification time of every project file: changes when a model, test or macro does."""
    files = []
    for name in _PROJECT_FILES:
        root = project_dir / name
        files += [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    return {f.relative_to(project_dir).as_posix(): [f.stat().st_size, f.stat().st_mtime_ns] for f in files}


def _parse_args(dbt_vars_json: str) -> list[str]:
    return ["parse", "--quiet", "--vars", dbt_vars_json]


# dagster-dbt's working folder: each invocation's own folder and the partial parse the next invocation starts from.
DBT_TARGET = "target"


def _manifest_folder(target: str) -> Path:
    """Where this target's manifest lives. Each target has its own (a Snowflake manifest differs from a DuckDB one):
    sharing one folder made a process loading one target re-parse under a process reading the other's manifest."""
    return Path(DBT_TARGET) if target == "local" else Path(DBT_TARGET) / f"manifest-{target}"


def _project(target: str, dbt_vars_json: str = "{}") -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, target=target, target_path=_manifest_folder(target),
                      prepare_project_cli_args=_parse_args(dbt_vars_json))


# What `dagster-dbt project prepare-and-package --file customer360/lib/resources/dbt.py` prepares when an image is
# built (with the venv's bin on PATH): the local target's manifest. Definitions load through dbt_project().
DBT_PROJECT = _project("local")


@cache
def dbt_project(target: str = "local", dbt_vars_json: str = "{}") -> DbtProject:
    """The project with a manifest for this target: parsed at every load under `dagster dev` (where models are being
    edited, as DbtProject.prepare_if_dev() does) and otherwise only when the project's files changed since the
    manifest was made (`make demo` after editing a model).

    The parse runs through dbt_cli (the dbt beside this interpreter): dagster-dbt's own preparer finds dbt on PATH,
    which `make demo` (.venv/bin/python, no activated venv) does not set. Vars (the as-of date, the warehouse path of
    this C360_HOME) do not change which models and tests exist, so a new home reuses the manifest: its first
    `dbt build` parses fully by itself (~7 s) instead of a separate `dbt parse` here (~14 s, most of it starting
    dbt). `keep_partial_parse` then saves that build's parse, so the next build with the same vars only re-reads
    what changed."""
    project = _project(target, dbt_vars_json)
    stamp = project.project_dir / project.target_path / _PARSE_STAMP
    wanted = json.dumps({"target": target, "files": _project_fingerprint(project.project_dir)}, sort_keys=True)
    fresh = project.manifest_path.exists() and stamp.exists() and stamp.read_text() == wanted
    if project.preparer.using_dagster_dev() or not fresh:
        _parse(project, target, dbt_vars_json)
        _replace_atomically(stamp, wanted.encode())
    return project


def _parse(project: DbtProject, target: str, dbt_vars_json: str) -> None:
    """`dbt parse` into a scratch folder, then the manifest moved into place in one step: another process loading the
    definitions meanwhile reads the old manifest or the new one, never a half-written file."""
    folder = project.project_dir / project.target_path
    scratch = folder / f".parse-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        dbt_cli(project, target).cli(_parse_args(dbt_vars_json), target_path=scratch).wait()
        os.replace(scratch / "manifest.json", project.manifest_path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _replace_atomically(path: Path, content: bytes) -> None:
    scratch = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    scratch.write_bytes(content)
    os.replace(scratch, path)


def keep_partial_parse(invocation_target: Path, project: DbtProject) -> None:
    """Make a finished dbt invocation's parse the one the next invocation starts from.

    dagster-dbt copies the project's partial_parse.msgpack into each invocation's own target folder; dbt checks
    that the vars and profile it was made with match (else it parses fully), so replacing it is always safe."""
    made = invocation_target / _PARTIAL_PARSE
    if made.exists():  # where dagster-dbt copies it from for every invocation, whatever the target
        # atomic: a concurrent invocation copies the old file or the new one, never half
        _replace_atomically(project.project_dir / DBT_TARGET / _PARTIAL_PARSE, made.read_bytes())


# dagster-dbt gives every invocation a folder of its own under target/ (`<op>-<run id[:7]>-<random>`: manifest, run
# results, compiled SQL, dbt.log; ~4 MB here) and never removes one. The streaming increment runs dbt per file, so
# the folders would grow without bound (1.5 GB after a day of development and tests): keep the newest ones.
INVOCATIONS_KEPT = 20
_INVOCATION_FOLDER = re.compile(r"^.+-(?P<run>[0-9a-f]{7})-[0-9a-f]{7}$")


def prune_invocations(target_dir: Path, active_run_ids: set[str], keep: int = INVOCATIONS_KEPT) -> list[Path]:
    """Delete dagster-dbt's invocation folders in `target_dir` beyond the `keep` most recently modified, never one
    of a run still in progress (its dbt may be writing there); return what was deleted. Other files and folders of
    the project's target/ (the manifest, partial parse, `dbt docs`) are not touched."""
    active = {run_id[:7] for run_id in active_run_ids}
    folders = sorted((f for f in target_dir.iterdir() if f.is_dir() and _INVOCATION_FOLDER.match(f.name)),
                     key=lambda f: f.stat().st_mtime_ns, reverse=True) if target_dir.is_dir() else []
    deleted = []
    for folder in folders[keep:]:
        if _INVOCATION_FOLDER.match(folder.name)["run"] not in active:
            shutil.rmtree(folder, ignore_errors=True)  # another process pruning at the same time is harmless
            deleted.append(folder)
    return deleted


class LayerTranslator(DagsterDbtTranslator):
    """Models become `<schema>/<name>` (silver/stg_customers, gold/dim_customer), grouped by their layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "snapshot", "seed"):
            return dg.AssetKey([dbt_resource_props["config"]["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """The layer (schema), unless the model names a group (`meta: dagster: group:`), as the churn features do:
        they are built with the model that reads them, not in every gold build."""
        meta = dbt_resource_props["config"].get("meta") or {}
        return ((meta.get("dagster") or {}).get("group") or dbt_resource_props["config"].get("schema")
                or super().get_group_name(dbt_resource_props))

    def get_asset_check_spec(self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str,
                             project: DbtProject | None) -> dg.AssetCheckSpec | None:
        """dbt's generic tests have no description: say what each one checks (the test, its column, its values)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or (spec.description or "").strip():
            return spec
        return spec._replace(description=describe_test(manifest["nodes"][unique_id]))  # a NamedTuple, no public setter


def describe_test(test: Mapping[str, Any]) -> str:
    """`unique` on customer_id -> "dbt test unique on customer_id"; values and relations are named too."""
    meta = test.get("test_metadata") or {}
    name, column = meta.get("name") or test["name"], test.get("column_name")
    described = f"dbt test {name}" + (f" on {column}" if column else "")
    kwargs = meta.get("kwargs") or {}
    if kwargs.get("values"):
        described += ": one of " + ", ".join(str(v) for v in kwargs["values"])
    if kwargs.get("to"):
        described += f": every value exists in {kwargs['to']}.{kwargs.get('field', '')}".replace("{{ ", "").replace(" }}", "")
    return described
