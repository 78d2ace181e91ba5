"""When the dbt project is parsed at definitions load, and how a build's parse is kept for the next one."""

import functools
import json
import shutil

import pytest

import customer360.lib.resources.dbt as dbt_resource
from customer360.lib.resources.dbt import dbt_project, keep_partial_parse
from customer360.settings import DBT_PROJECT_DIR


def _read_manifest(path):
    """What a process loading the definitions would find at `path`: the manifest, or why it could not read one."""
    if not path.exists():
        return "missing"
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError:
        return "partial"


class _RecordingCli:
    """Stands in for dbt: records each `dbt parse` and where it was told to write, and writes the manifest as dbt
    does, in more than one write: between them it reads the project's manifest as another process would."""

    parses: list = []
    target_paths: list = []

    def __init__(self, project):
        self.project = project

    def cli(self, args, target_path):
        _RecordingCli.parses.append(args)
        _RecordingCli.target_paths.append(self.project.project_dir / target_path)
        written = self.project.project_dir / target_path / "manifest.json"
        written.parent.mkdir(parents=True, exist_ok=True)
        nodes = {f"model.c360.m{n}": {} for n in range(50)}
        text = json.dumps({"target": self.project.target, "parse": len(_RecordingCli.parses), "nodes": nodes})
        with written.open("w") as out:
            out.write(text[: len(text) // 2])
            out.flush()
            _RecordingCli.seen_during_parse = _read_manifest(self.project.manifest_path)  # dbt still writing
            out.write(text[len(text) // 2:])
        return self

    def wait(self):
        return None


@pytest.fixture
def project_copy(tmp_path, monkeypatch):
    copy = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    (copy / "target").mkdir()
    monkeypatch.setattr(dbt_resource, "DBT_PROJECT_DIR", copy)
    monkeypatch.setattr(dbt_resource, "dbt_cli", lambda project, target: _RecordingCli(project))
    monkeypatch.delenv("DAGSTER_IS_DEV_CLI", raising=False)
    _RecordingCli.parses, _RecordingCli.target_paths = [], []
    return copy


def parse(target: str, dbt_vars: str):
    return dbt_project.__wrapped__(target, dbt_vars)  # past the per-process cache, as a new process would


def test_a_new_home_reuses_the_manifest_and_a_changed_model_is_parsed_again(project_copy):
    parse("local", '{"c360_warehouse_path": "/home/a/warehouse.duckdb"}')
    assert len(_RecordingCli.parses) == 1  # no manifest yet

    parse("local", '{"c360_warehouse_path": "/home/b/warehouse.duckdb"}')
    assert len(_RecordingCli.parses) == 1  # other vars, same models: dbt's own build parses them

    model = project_copy / "models" / "marts" / "fct_transactions.sql"
    model.write_text(model.read_text() + "\n-- edited\n")
    parse("local", '{"c360_warehouse_path": "/home/b/warehouse.duckdb"}')
    assert len(_RecordingCli.parses) == 2

    parse("snowflake", '{"c360_warehouse_path": "/home/b/warehouse.duckdb"}')
    assert len(_RecordingCli.parses) == 3  # another target: another profile
    parse("local", '{"c360_warehouse_path": "/home/b/warehouse.duckdb"}')
    assert len(_RecordingCli.parses) == 3  # ...in a folder of its own: loading one target never re-parses the other


def test_each_target_reads_its_own_manifest_and_a_parse_replaces_it_in_one_step(project_copy):
    local, snowflake = parse("local", "{}"), parse("snowflake", "{}")

    assert local.manifest_path != snowflake.manifest_path
    assert json.loads(local.manifest_path.read_text())["target"] == "local"
    assert json.loads(snowflake.manifest_path.read_text())["target"] == "snowflake"
    old = json.loads(local.manifest_path.read_text())
    model = project_copy / "models" / "marts" / "fct_transactions.sql"
    model.write_text(model.read_text() + "\n-- edited\n")
    parse("local", "{}")
    # while dbt wrote the new manifest (elsewhere), a reader still found the whole old one, never a part of the new
    assert _RecordingCli.target_paths[-1] != local.manifest_path.parent
    assert _RecordingCli.seen_during_parse == old
    assert _read_manifest(local.manifest_path)["target"] == "local"  # then the new one, whole
    assert [p.name for p in local.manifest_path.parent.iterdir() if p.name.startswith(".parse")] == []


def test_a_finished_build_leaves_its_partial_parse_for_the_next(project_copy, tmp_path):
    project = parse("local", "{}")
    invocation = tmp_path / "invocation"
    invocation.mkdir()
    keep_partial_parse(invocation, project)  # dbt failed before parsing: nothing to keep, no error
    assert not (project_copy / "target" / "partial_parse.msgpack").exists()

    (invocation / "partial_parse.msgpack").write_bytes(b"parsed with these vars")
    keep_partial_parse(invocation, project)
    assert (project_copy / "target" / "partial_parse.msgpack").read_bytes() == b"parsed with these vars"
    assert [p.name for p in (project_copy / "target").iterdir() if p.suffix == ".tmp"] == []


class _Log:
    def __init__(self):
        self.warnings = []

    def warning(self, message):
        self.warnings.append(message)


def _failing_record():
    raise ConnectionError("warehouse unreachable")


def test_a_failure_to_record_after_dbt_failed_never_masks_dbts_error():
    from customer360.defs.transform.assets import record_after_dbt

    log = _Log()
    record_after_dbt(_failing_record, RuntimeError("dbt build failed: 2 errors"), log)  # does not raise
    assert "warehouse unreachable" in log.warnings[0] and "dbt's own error" in log.warnings[0]


def test_a_failure_to_record_after_dbt_succeeded_fails_the_step():
    from customer360.defs.transform.assets import record_after_dbt

    with pytest.raises(ConnectionError, match="warehouse unreachable"):
        record_after_dbt(_failing_record, None, _Log())


def test_the_private_overrides_still_replace_dagster_dbts_and_the_version_agrees_with_the_cli(monkeypatch):
    """InstalledDbtCliResource overrides dagster-dbt's private `_cli_version` to skip a `dbt --version` subprocess
    per invocation. If dagster-dbt renames it, the override is dead code: this fails and says so."""
    import subprocess

    from dagster_dbt import DbtCliResource

    from customer360.lib.resources.dbt import DBT_EXECUTABLE, InstalledDbtCliResource

    assert isinstance(DbtCliResource.__dict__.get("_cli_version"), functools.cached_property), \
        "dagster-dbt no longer has DbtCliResource._cli_version: drop the override in customer360/lib/resources/dbt.py"
    assert callable(DbtCliResource.__dict__.get("_initialize_dbt_core_adapter")), \
        "dagster-dbt no longer has DbtCliResource._initialize_dbt_core_adapter: drop that override too"
    printed = subprocess.run([DBT_EXECUTABLE, "--version"], capture_output=True, text=True, check=True).stdout
    resource = InstalledDbtCliResource(project_dir=str(DBT_PROJECT_DIR), dbt_executable=DBT_EXECUTABLE)
    monkeypatch.setattr("dagster_dbt.core.resource.check_output", lambda *a, **k: pytest.fail("ran dbt --version"))
    assert f"installed: {resource._cli_version}" in printed


def test_under_dagster_dev_every_load_prepares_the_project_the_standard_way(project_copy, monkeypatch):
    parse("local", '{"c360_as_of": "2026-06-30"}')
    monkeypatch.setenv("DAGSTER_IS_DEV_CLI", "1")  # what `dagster dev` sets: DbtProject.prepare_if_dev() parses
    parse("local", '{"c360_as_of": "2026-06-30"}')
    parse("local", '{"c360_as_of": "2026-06-30"}')
    assert _RecordingCli.parses == [["parse", "--quiet", "--vars", '{"c360_as_of": "2026-06-30"}']] * 3
