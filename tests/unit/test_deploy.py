"""deploy/: what can be checked on a machine without a container builder or a cluster (README: Deploying)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from customer360.settings import ROOT

DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent


def test_the_dockerfile_passes_hadolint():
    linted = subprocess.run([str(BIN / "hadolint"), "--no-color", str(DEPLOY / "Dockerfile")], capture_output=True,
                            text=True)
    assert linted.returncode == 0 and linted.stdout == "", linted.stdout


def test_the_image_is_multi_stage_pinned_non_root_and_parses_dbt_at_build():
    text = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+) AS (\w+)", text, re.MULTILINE)
    assert [name for _, name in stages] == ["build", "runtime"]
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11\.\d+-slim-\w+$", text, re.MULTILINE)  # a patch version
    assert "--constraint constraints.txt" in text  # the same pins as make demo
    assert re.search(r"dbt_project\('\$\{DBT_TARGET\}'\)", text)  # the manifest and its stamp, made at build
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert not re.search(r"^(ENV|ARG)\b.*(PASSWORD|SECRET|PRIVATE_KEY)\b", text, re.MULTILINE)  # nothing baked in
    for source in re.findall(r"^COPY (?!--from)(?:--\S+ )*(.+) \S+$", text, re.MULTILINE):
        for path in source.split():
            assert (ROOT / path).exists(), path
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv*", ".c360", ".env", ".git"} <= set(ignored)


def test_compose_validates_against_the_compose_specification_and_wires_the_deployment():
    checked = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec",
                              str(DEPLOY / "compose.yaml")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "code", "webserver", "daemon"}
    assert services["code"]["build"]["dockerfile"] == "deploy/Dockerfile"
    assert "dagster-webserver" in services["webserver"]["command"] and "dagster-daemon" in services["daemon"]["command"]
    # The webserver and daemon reach the definitions through the code server the workspace names.
    [location] = yaml.safe_load((DEPLOY / "workspace.yaml").read_text())["load_from"]
    assert location["grpc_server"]["host"] == "code"
    assert f"EXPOSE {location['grpc_server']['port']}" in (DEPLOY / "Dockerfile").read_text()
    # Dagster's PostgreSQL settings are the ones deploy/dagster.yaml reads; the password only from the environment.
    instance = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    wanted = {v["env"] for v in instance["storage"]["postgres"]["postgres_db"].values() if isinstance(v, dict)}
    assert wanted <= set(services["webserver"]["environment"])
    assert services["webserver"]["environment"]["DAGSTER_PG_PASSWORD"].startswith("${DAGSTER_PG_PASSWORD")
