"""deploy/: what can be checked on a machine without a container builder or a cluster (README: Deploying)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from image_context import gather

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


def test_the_definitions_load_from_exactly_the_files_the_image_copies(tmp_path):
    """The image's code server, webserver and daemon load customer360.definitions from /opt/customer360: a file read
    at import that the Dockerfile does not copy (semantic_model/ was one) stops all three from starting."""
    image = gather(tmp_path / "image", stage="build")
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(image), "C360_HOME": str(tmp_path / "home"),
           "C360_TARGET": "local", "DAGSTER_HOME": str(tmp_path / "dagster"), "DO_NOT_TRACK": "1"}
    (tmp_path / "dagster").mkdir()
    loaded = subprocess.run([sys.executable, "-c", "import customer360, customer360.definitions as d; "
                             "print(customer360.__file__, len(list(d.defs().resolve_all_asset_keys())))"],
                            cwd=image, env=env, capture_output=True, text=True, timeout=300)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    where, assets = loaded.stdout.split()
    assert where.startswith(str(image))
    with_checkout = subprocess.run([sys.executable, "-c", "import customer360.definitions as d; "
                                    "print(len(list(d.defs().resolve_all_asset_keys())))"],
                                   cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                                   timeout=300)
    assert int(assets) == int(with_checkout.stdout) > 0  # the same graph as a checkout


def test_compose_validates_against_the_compose_specification_and_wires_the_deployment():
    checked = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec",
                              str(DEPLOY / "compose.yaml")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "code", "webserver", "daemon", "app", "api"}
    # The report requests API: the same image, its CLI command, a health check on the one call without a token.
    api = services["api"]
    assert api["image"] == services["code"]["image"] and api["command"] == ["python", "-m", "customer360", "api"]
    assert api["environment"] == {"C360_API_ADDRESS": "0.0.0.0", "C360_API_PORT": "8040"}
    assert "http://127.0.0.1:8040/health" in " ".join(api["healthcheck"]["test"]) and api["ports"] == ["127.0.0.1:8040:8040"]
    # The app: the same image, on every address of its container, a health check, and none of the pipeline's .env.
    app = services["app"]
    assert app["image"] == services["code"]["image"] and app["command"] == ["python", "-m", "customer360.app"]
    assert app["environment"]["C360_APP_ADDRESS"] == "0.0.0.0" and "/_stcore/health" in " ".join(app["healthcheck"]["test"])
    assert [f["path"] for f in app["env_file"]] == ["../.env.app"]
    assert services["code"]["build"]["dockerfile"] == "deploy/Dockerfile"
    assert "dagster-webserver" in services["webserver"]["command"] and "dagster-daemon" in services["daemon"]["command"]
    # The webserver and daemon reach the definitions through the code server the workspace names.
    [location] = yaml.safe_load((DEPLOY / "workspace.yaml").read_text())["load_from"]
    assert location["grpc_server"]["host"] == "code"
    assert f"EXPOSE {location['grpc_server']['port']} 8501" in (DEPLOY / "Dockerfile").read_text()
    # Dagster's PostgreSQL settings are the ones deploy/dagster.yaml reads; the password only from the environment.
    instance = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    wanted = {v["env"] for v in instance["storage"]["postgres"]["postgres_db"].values() if isinstance(v, dict)}
    assert wanted <= set(services["webserver"]["environment"])
    assert services["webserver"]["environment"]["DAGSTER_PG_PASSWORD"].startswith("${DAGSTER_PG_PASSWORD")


def test_the_apps_kubernetes_manifest_runs_the_image_with_health_probes_and_its_own_secret():
    """No cluster here: the manifest is checked for agreement with the image, the chart values and the compose app."""
    deployment, service = yaml.safe_load_all((DEPLOY / "helm" / "app.yaml").read_text())
    values = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())
    [code] = values["dagster-user-deployments"]["deployments"]
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == f"{code['image']['repository']}:{code['image']['tag']}"
    assert container["command"] == ["python", "-m", "customer360.app"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["C360_APP_ADDRESS"] == "0.0.0.0" and container["ports"][0]["containerPort"] == int(env["C360_APP_PORT"])
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/_stcore/health"
    assert [ref["secretRef"]["name"] for ref in container["envFrom"]] == ["customer360-app-env"]
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == 10001
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert not re.search(r"(?i)(password|secret_key|private_key)\s*:\s*\S", (DEPLOY / "helm" / "app.yaml").read_text())


def test_helm_values_and_dagster_plus_keep_the_instances_queue_retries_and_secrets():
    """The Helm values and dagster_cloud.yaml say what deploy/dagster.yaml says, and name secrets instead of holding
    them. (The chart's values schema is not on this machine: this checks our intent, not the chart's keys.)"""
    values = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())
    instance = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    queue = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    assert queue["maxConcurrentRuns"] == instance["run_coordinator"]["config"]["max_concurrent_runs"]
    assert queue["tagConcurrencyLimits"] == instance["run_coordinator"]["config"]["tag_concurrency_limits"]
    assert values["dagsterDaemon"]["runRetries"] == {"enabled": True, "maxRetries": instance["run_retries"]["max_retries"]}
    assert values["dagsterDaemon"]["runMonitoring"] == {
        "enabled": True, "pollIntervalSeconds": instance["run_monitoring"]["poll_interval_seconds"]}
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["telemetry"] == {"enabled": False} == instance["telemetry"]  # the chart's default is on
    [code] = values["dagster-user-deployments"]["deployments"]
    assert code["dagsterApiGrpcArgs"] == ["--module-name", "customer360.definitions"] and code["port"] == 4000
    assert code["podSecurityContext"]["runAsUser"] == 10001  # the Dockerfile's user
    assert values["postgresql"]["enabled"] is False and "postgresqlPassword" not in values["postgresql"]
    cloud = yaml.safe_load((ROOT / "dagster_cloud.yaml").read_text())
    [location] = cloud["locations"]
    assert location["location_name"] == "customer360" and location["code_source"]["module_name"] == "customer360.definitions"
    assert location["container_context"]["k8s"]["env_secrets"] == ["customer360-env"]
    for text in ((DEPLOY / "helm" / "values.yaml").read_text(), (ROOT / "dagster_cloud.yaml").read_text()):
        assert not re.search(r"(?i)(password|secret_key|private_key)\s*:\s*\S", text)
