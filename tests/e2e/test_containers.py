"""deploy/ for real: the image built from deploy/Dockerfile, then its code server, webserver and daemon started as
containers with deploy/dagster.yaml against PostgreSQL, and the reports job launched through the webserver's GraphQL
API on the production path (Snowflake = fakesnow, S3 = moto, both on the host's loopback).

These machines allow containers only on the host's network: dockerd runs with --bridge=none --iptables=false and
every container with --network host. No public registry is reachable, so the base is Debian's archive made into an
image (debootstrap, cached outside the repo); users keep the Dockerfile's default python:3.11 slim base.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import boto3
import dagster as dg
import pytest
import yaml
from conftest import AS_OF, free_port, snowflake_settings_env
from dagster_graphql import DagsterGraphQLClient
from gold import build_gold_on_snowflake
from gold_sample import load, sample
from image_context import gather
from moto.server import ThreadedMotoServer
from test_ui import browser_page

from customer360.lib.source.connection import connection
from customer360.lib.source.local_server import LocalPostgres
from customer360.resources import warehouse_resource
from customer360.settings import ROOT, settings

BASE_IMAGE = "c360-base:bookworm"
BASE_CACHE = Path.home() / ".cache" / "customer360" / "base-rootfs"  # ~270 MB, outside the repo
IMAGE = "customer360:e2e"
LABEL = "customer360-e2e"  # every container this module starts, so teardown finds them all
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
BUCKET = "c360-e2e"


def _docker(env: dict, *args: str, timeout: float = 600, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(["docker", *args], env=env, capture_output=True, text=True, timeout=timeout, **kwargs)
    assert not check or done.returncode == 0, f"docker {' '.join(args[:3])}: {(done.stdout + done.stderr)[-3000:]}"
    return done


@pytest.fixture(scope="module")
def docker(tmp_path_factory):
    """A Docker daemon of this module's own, on a socket of its own; stopped, with every container, at the end."""
    run = tmp_path_factory.mktemp("dockerd")
    socket = run / "docker.sock"
    log = (run / "dockerd.log").open("w")
    daemon = subprocess.Popen(["dockerd", "--bridge=none", "--iptables=false", "--host", f"unix://{socket}",
                               "--exec-root", str(run / "exec"), "--pidfile", str(run / "dockerd.pid")],
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    env = {**os.environ, "DOCKER_HOST": f"unix://{socket}", "DOCKER_BUILDKIT": "0"}
    deadline = time.monotonic() + 90
    while _docker(env, "info", check=False, timeout=30).returncode != 0:
        assert daemon.poll() is None and time.monotonic() < deadline, (run / "dockerd.log").read_text()[-3000:]
        time.sleep(1)
    try:
        yield env
    finally:
        found = _docker(env, "ps", "-aq", "--filter", f"label={LABEL}", check=False).stdout.split()
        if found:
            _docker(env, "rm", "-f", *found, check=False)
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
        log.close()
        _unmount_under(run)


def _unmount_under(root: Path) -> None:
    """dockerd leaves its network namespace mounted under its exec root: unmounted, pytest can remove the folder."""
    points = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    for point in sorted((p for p in points if p.startswith(f"{root}/")), reverse=True):
        subprocess.run(["umount", point], check=False, capture_output=True)


def _debian_mirror() -> str:
    """The archive this machine's apt uses (its sources), so debootstrap reaches what apt reaches."""
    for source in Path("/etc/apt/sources.list.d").glob("*.sources"):
        for line in source.read_text().splitlines():
            if line.startswith("URIs:"):
                return line.split()[1]
    return "http://deb.debian.org/debian"


@pytest.fixture(scope="module")
def base_image(docker):
    if _docker(docker, "image", "inspect", BASE_IMAGE, check=False).returncode == 0:
        return BASE_IMAGE
    if not (BASE_CACHE / "usr" / "bin" / "python3").exists():
        building = BASE_CACHE.with_name("base-rootfs.partial")
        shutil.rmtree(building, ignore_errors=True)
        building.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["debootstrap", "--variant=minbase", "--include=python3,python3-venv,python-is-python3,"
                        "ca-certificates", "bookworm", str(building), _debian_mirror()],
                       check=True, capture_output=True, timeout=900)
        shutil.rmtree(BASE_CACHE, ignore_errors=True)
        building.rename(BASE_CACHE)
    tar = subprocess.Popen(["tar", "-C", str(BASE_CACHE), "-c", "."], stdout=subprocess.PIPE)
    _docker(docker, "import", "-", BASE_IMAGE, stdin=tar.stdout)
    tar.wait()
    return BASE_IMAGE


@pytest.fixture(scope="module")
def image(docker, base_image, tmp_path_factory):
    """deploy/Dockerfile built from exactly the files it copies, with this machine's CA (the documented option for a
    TLS-inspecting proxy) and hosts entries, so pip inside the build reaches the index as this machine does."""
    context = gather(tmp_path_factory.mktemp("context"))
    for name in ("deploy/Dockerfile", ".dockerignore"):
        shutil.copy(ROOT / name, context / name)
    if HOST_CA.exists():
        shutil.copy(HOST_CA, context / "deploy" / "ca-certificates" / "host.crt")
    hosts = [f"--add-host={name}:{address}" for address, *names in
             (line.split("#")[0].split() for line in Path("/etc/hosts").read_text().splitlines())
             if names and not address.startswith(("127.", "::1", "fe00", "ff0")) for name in names]
    started = time.monotonic()
    _docker(docker, "build", "--network", "host", *hosts, "--build-arg", f"PYTHON_IMAGE={base_image}",
            "-f", "deploy/Dockerfile", "-t", IMAGE, ".", cwd=context, timeout=1800)
    size = int(_docker(docker, "image", "inspect", IMAGE, "--format", "{{.Size}}").stdout)
    print(f"\nimage {IMAGE}: built in {time.monotonic() - started:.0f} s, {size / 1e6:.0f} MB")
    return IMAGE


@pytest.fixture
def production(snowflake_env, tmp_path):
    """The production path on loopback: fakesnow with the setup applied and a small gold layer, a moto S3 bucket,
    and PostgreSQL (the project's own local server) with a `dagster` database for the instance."""
    s = settings()
    warehouse = warehouse_resource(s)
    build_gold_on_snowflake(warehouse, s)
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port())
    moto.start()
    endpoint = f"http://127.0.0.1:{moto._server.server_port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="e2e",
                 aws_secret_access_key="e2e").create_bucket(Bucket=BUCKET)  # pragma: allowlist secret
    postgres = LocalPostgres(tmp_path / "postgres-home")
    postgres.start()
    with connection(postgres.dsn("postgres"), autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("CREATE DATABASE dagster")
    env = snowflake_settings_env(snowflake_env, int(os.environ["SNOWFLAKE_PORT"]), os.environ["SNOWFLAKE_DATABASE"])
    # The stages' URL on S3 (the bucket), so the object store is S3 (moto) as in production, not a file:// stage.
    env.update({"C360_HOME": "/var/lib/customer360", "C360_S3_ENDPOINT_URL": endpoint, "C360_S3_BUCKET": BUCKET,
                "C360_STAGE_URL": f"s3://{BUCKET}/",
                "AWS_ACCESS_KEY_ID": "e2e", "AWS_SECRET_ACCESS_KEY": "e2e", "AWS_DEFAULT_REGION": "us-east-1",
                "DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(postgres.port), "DAGSTER_PG_USERNAME": "c360",
                "DAGSTER_PG_PASSWORD": postgres.password, "DAGSTER_PG_DB": "dagster"})
    try:
        yield env, endpoint, postgres
    finally:
        moto.stop()
        postgres.stop()


def _run(docker: dict, env: dict, name: str, *command: str, mounts: tuple[str, ...] = ()) -> None:
    env_file = Path(docker["DOCKER_HOST"].removeprefix("unix://")).parent / f"{name}.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    env_file.chmod(0o600)
    _docker(docker, "run", "-d", "--name", name, "--label", LABEL, "--network", "host", "--env-file", str(env_file),
            *(f"--volume={m}" for m in mounts), IMAGE, *command)


def _wait_for(url: str, timeout: float, logs) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"{url} never answered: {logs()}"
        time.sleep(2)


@pytest.mark.e2e
def test_the_definitions_load_inside_the_image(docker, image, production):
    env, _, _ = production
    loaded = _docker(docker, "run", "--rm", "--network", "host", *(f"--env={k}={v}" for k, v in env.items()), image,
                     "python", "-c", "import customer360.definitions as d; "
                     "print(len(list(d.defs().resolve_all_asset_keys())))", timeout=300, check=False)
    assert loaded.returncode == 0 and int(loaded.stdout.split()[-1]) > 0, loaded.stderr[-3000:]


@pytest.mark.e2e
def test_the_platform_starts_in_containers_and_runs_a_job_launched_through_graphql(docker, image, production,
                                                                                   tmp_path):
    env, endpoint, postgres = production
    code_port, web_port = free_port(), free_port()
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "workspace.yaml").write_text(json.dumps({"load_from": [{"grpc_server": {
        "host": "127.0.0.1", "port": code_port, "location_name": "customer360"}}]}))
    workspace.chmod(0o755)  # the containers' user (10001) reads it; the platform's umask makes files private
    (workspace / "workspace.yaml").chmod(0o644)
    mounts = (f"{workspace}:/opt/dagster/app:ro",)
    started = time.monotonic()
    _run(docker, env, "c360-e2e-code", "dagster", "code-server", "start", "--host", "127.0.0.1", "--port",
         str(code_port), "--module-name", "customer360.definitions")
    _run(docker, env, "c360-e2e-webserver", "dagster-webserver", "--host", "127.0.0.1", "--port", str(web_port),
         "--workspace", "/opt/dagster/app/workspace.yaml", mounts=mounts)
    _run(docker, env, "c360-e2e-daemon", "dagster-daemon", "run", "--workspace", "/opt/dagster/app/workspace.yaml",
         mounts=mounts)

    def logs() -> str:
        return "".join(f"\n--- {n}:\n" + _docker(docker, "logs", "--tail", "40", n, check=False).stderr
                       for n in ("c360-e2e-code", "c360-e2e-webserver", "c360-e2e-daemon"))

    _wait_for(f"http://127.0.0.1:{web_port}/server_info", 240, logs)
    client = DagsterGraphQLClient("127.0.0.1", port_number=web_port, timeout=60)
    deadline = time.monotonic() + 240
    while True:  # the webserver answers before it has loaded the code location
        try:
            run_id = client.submit_job_execution("reports", repository_location_name="customer360",
                                                 repository_name="__repository__")
            break
        except Exception as error:  # noqa: BLE001 - the location still loading; any other cause shows in the logs
            assert time.monotonic() < deadline, f"{error}{logs()}"
            time.sleep(3)
    up = time.monotonic() - started
    deadline = time.monotonic() + 300
    while (state := client.get_run_status(run_id)) not in (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE):
        assert time.monotonic() < deadline, f"run {run_id} still {state}{logs()}"
        time.sleep(3)
    print(f"\ncontainers up and the job accepted in {up:.0f} s; run {run_id}: {state.value}")
    assert state == dg.DagsterRunStatus.SUCCESS, logs()

    # The run and its events are in PostgreSQL, the reports in S3.
    with connection(postgres.dsn("dagster"), autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM event_logs WHERE run_id = $1 AND dagster_event_type = 'ASSET_MATERIALIZATION'",
                    [run_id])
        assert cur.fetchone()[0] == 4  # the four reports
        cur.execute("SELECT status FROM runs WHERE run_id = $1", [run_id])
        assert cur.fetchone()[0] == "SUCCESS"
    keys = [o["Key"] for o in boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                                             aws_access_key_id="e2e", aws_secret_access_key="e2e"  # pragma: allowlist secret
                                             ).list_objects_v2(Bucket=BUCKET, Prefix="reports/")["Contents"]]
    assert len(keys) == 12 and all(f"/{AS_OF.isoformat()}/{run_id}/" in key for key in keys)


@pytest.mark.e2e
def test_the_app_is_a_service_of_the_image_and_reads_without_the_pipelines_secret(docker, image, production,
                                                                                  built_home, tmp_path):
    """The app container as deploy/compose.yaml runs it (same image, `python -m customer360.app`, the compose health
    check), on Snowflake (fakesnow) with the app's own user and none of the pipeline's secret; its first page opens
    in Chromium and says that no login is in front of it (no provider configured here; test_app_login.py logs in)."""
    env, _, _ = production
    with warehouse_resource(settings()).session() as session:  # the marts the app reads, sampled from a built gold
        for (view,) in session.fetchall("SELECT table_name FROM information_schema.views "
                                        "WHERE lower(table_schema) = 'gold'"):
            session.execute(f"DROP VIEW gold.{view}")  # the reports' small gold: replaced by tables of the sample
        load(session, sample(built_home / "warehouse.duckdb"), tmp_path / "gold")
    port = free_port()
    app_env = {k: v for k, v in env.items() if not k.startswith(("SNOWFLAKE_PASSWORD", "SNOWFLAKE_PRIVATE_KEY",
                                                                 "DAGSTER_PG_", "AWS_"))}
    app_env.update({"C360_APP_ADDRESS": "127.0.0.1", "C360_APP_PORT": str(port), "C360_APP_ROLE": "MARKETING_MANAGER",
                    "C360_APP_SNOWFLAKE_USER": "c360_app_marketing", "C360_APP_SNOWFLAKE_PASSWORD": "e2e"})  # pragma: allowlist secret
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())["services"]["app"]
    started = time.monotonic()
    _run(docker, app_env, "c360-e2e-app", *compose["command"])

    def logs() -> str:
        return _docker(docker, "logs", "--tail", "60", "c360-e2e-app", check=False).stdout[-4000:]

    _wait_for(f"http://127.0.0.1:{port}/_stcore/health", 180, logs)
    print(f"\napp container healthy in {time.monotonic() - started:.0f} s")
    _, *check = compose["healthcheck"]["test"]  # ["CMD", ...]: run inside the container, on this test's port
    healthy = _docker(docker, "exec", "c360-e2e-app", *(c.replace(":8501/", f":{port}/") for c in check), check=False)
    assert healthy.returncode == 0, healthy.stderr + logs()
    with browser_page() as page:
        page.goto(f"http://127.0.0.1:{port}")
        page.get_by_text("Role: MARKETING_MANAGER").first.wait_for(timeout=120_000)
        page.get_by_text("No login in front of this app").first.wait_for()
        search = page.get_by_label("Search customers by customer id", exact=True)
        try:
            search.wait_for(timeout=60_000)
        except Exception:  # noqa: BLE001 - the page's own text says why
            raise AssertionError(page.inner_text("body")[-3000:] + logs()) from None
        assert page.get_by_text("cannot be read").count() == 0
