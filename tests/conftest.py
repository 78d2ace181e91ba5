"""Shared fixtures. Every test gets its own C360_HOME; no test reads the developer's .c360."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import pytest
from built import built_env
from filelock import FileLock

from customer360.settings import ROOT

AS_OF = dt.date(2026, 6, 30)


def pytest_collection_modifyitems(items):
    """Every test carries the marker of its folder (unit, integration, e2e), so `-m unit` is the quick loop."""
    for item in items:
        folder = item.path.relative_to(ROOT / "tests").parts[0]
        if folder in ("unit", "integration", "e2e"):
            item.add_marker(getattr(pytest.mark, folder))


@pytest.fixture
def c360_env(tmp_path, monkeypatch):
    """A small, fixed portfolio in a temporary home; returns the home path."""
    home = tmp_path / "home"
    for name, value in {
        "C360_HOME": str(home), "C360_CUSTOMERS": "500", "C360_MONTHS": "3", "C360_SEED": "7",
        "C360_AS_OF": AS_OF.isoformat(), "C360_TARGET": "local",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("C360_S3_ENDPOINT_URL", "C360_ON_ERROR", "C360_S3_BUCKET", "C360_SOURCE_DSN", "C360_SOURCE_PASSWORD",
                 "C360_STAGING_CLEANUP"):
        monkeypatch.delenv(name, raising=False)
    yield home
    stop_source_servers(home)


def stop_source_servers(root) -> list:
    """Stop every source PostgreSQL (customer360/lib/source/local_server.py) a test started under `root`."""
    from customer360.lib.source.local_server import LocalPostgres

    stopped = []
    for pid_file in sorted(root.glob("**/postgres/data/postmaster.pid")):
        server = LocalPostgres(pid_file.parents[2])
        if server.stop():
            stopped.append(server.home)
    return stopped


@pytest.fixture(scope="session", autouse=True)
def _no_source_server_outlives_the_tests(tmp_path_factory):
    """Servers started inside runs, `make dev` or module-scoped homes are stopped when the session ends."""
    yield
    stop_source_servers(tmp_path_factory.getbasetemp())


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def fakesnow_port():
    """A fakesnow server on a free loopback port for the whole session (tests/support/fakesnow_server.py)."""
    from fakesnow_server import running

    with running(free_port()) as port:
        yield port


SNOWFLAKE_TEST_PASSWORD = "c360-fake-password-4f1d9a"  # pragma: allowlist secret (fakesnow accepts any)


def snowflake_settings_env(home, port: int, database: str) -> dict[str, str]:
    """The environment of C360_TARGET=snowflake against fakesnow on `port`, stages on file:// under `home`."""
    stage_dir = home / "lake" / "c360-landing"
    stage_dir.mkdir(parents=True, exist_ok=True)
    return {
        "C360_HOME": str(home), "C360_CUSTOMERS": "500", "C360_MONTHS": "3", "C360_SEED": "7",
        "C360_AS_OF": AS_OF.isoformat(),
        "C360_TARGET": "snowflake", "SNOWFLAKE_ACCOUNT": "c360test", "SNOWFLAKE_USER": "pipeline",
        "SNOWFLAKE_PASSWORD": SNOWFLAKE_TEST_PASSWORD, "SNOWFLAKE_ROLE": "DATA_ENGINEER",
        "SNOWFLAKE_WAREHOUSE": "C360_WH", "SNOWFLAKE_DATABASE": database, "SNOWFLAKE_HOST": "127.0.0.1",
        "SNOWFLAKE_PORT": str(port), "SNOWFLAKE_PROTOCOL": "http", "SNOWFLAKE_NETWORK_TIMEOUT": "5",
        "SNOWFLAKE_LOGIN_TIMEOUT": "5", "C360_STAGE_URL": stage_dir.as_uri() + "/",
        # fakesnow has no masking policies or grants (Snowflake Standard edition has no masking either)
        "C360_MASK_PII": "false", "C360_GRANTS": "false",
        # The app reads with a user of its own (fakesnow accepts any user and password)
        "C360_APP_SNOWFLAKE_USER": "app_reader", "C360_APP_SNOWFLAKE_PASSWORD": SNOWFLAKE_TEST_PASSWORD,
    }


@pytest.fixture
def snowflake_env(c360_env, fakesnow_port, monkeypatch, request):
    """C360_TARGET=snowflake against fakesnow, stages on file:// in this test's home; returns the home path.

    Each test gets its own database (fakesnow shares one in-memory instance across sessions)."""
    import hashlib
    import re

    name = request.node.name  # parametrized tests share a prefix: the hash keeps their databases apart
    database = "C360_" + re.sub(r"\W", "_", name)[:30].upper() + "_" + hashlib.sha1(name.encode()).hexdigest()[:8]
    for name, value in snowflake_settings_env(c360_env, fakesnow_port, database).items():
        monkeypatch.setenv(name, value)
    return c360_env


@pytest.fixture(scope="session")
def built_home(tmp_path_factory):
    """A home whose whole graph `make demo` built (tests/support/built.py); read it, never write it (copy the
    warehouse to change it). Built once per test session: `make test` runs on both cores (pytest-xdist), and the
    worker that comes second waits for the first's build and reads it."""
    basetemp = tmp_path_factory.getbasetemp()
    workers_root = basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp  # this session's, shared
    home = workers_root / "built" / "home"
    with FileLock(str(workers_root / "built.lock")):
        if not (workers_root / "built" / "done").exists():
            shutil.rmtree(home.parent, ignore_errors=True)
            home.parent.mkdir()
            subprocess.run([sys.executable, "-m", "customer360", "demo"], env=built_env(home), cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
            (workers_root / "built" / "done").touch()
    return home
