"""Secrets stay in the files meant for them: git ignores them, and compose hands each service only what it uses."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from customer360.settings import ROOT

COMPOSE = ROOT / "deploy" / "compose.yaml"


@pytest.mark.parametrize("path", [".env", "deploy/.env", ".env.production", "terraform/terraform.tfstate",
                                  "terraform/terraform.tfstate.backup", "terraform/.terraform/providers.lock"])
def test_git_ignores_the_files_that_hold_secrets(path):
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT)
    assert ignored.returncode == 0, f"{path} would be committed"


def _services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_only_the_code_server_reads_the_env_file_and_the_webserver_and_daemon_get_dagsters_database_only():
    services = _services()
    env_files = {name: [f["path"] for f in service["env_file"]] for name, service in services.items() if "env_file" in service}
    # The pipeline's .env to the code server only; the app its own .env.app (its login and Snowflake users); the report
    # requests API its own .env.api (its token and a warehouse user that files requests).
    assert env_files == {"code": ["../.env"], "app": ["../.env.app"], "api": ["../.env.api"]}
    assert not set(services["app"]["environment"]) & {"DAGSTER_PG_PASSWORD", "SNOWFLAKE_PASSWORD"}
    for name in ("webserver", "daemon"):
        assert set(services[name]["environment"]) == {"DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_USERNAME",
                                                      "DAGSTER_PG_PASSWORD", "DAGSTER_PG_DB"}, name
    assert set(services["postgres"]["environment"]) == {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}
