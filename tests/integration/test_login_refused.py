"""A login Snowflake refuses (a wrong password) fails at once and is tried once: neither the pipeline's steps nor
dbt retry it, because every failed password login counts towards locking the user out, and then even the corrected
password fails. A fake login endpoint answers as Snowflake does (code 390100) and counts the attempts. A warehouse
that does not answer is still retried (tests/e2e/test_crash_and_retry.py)."""

from __future__ import annotations

import os
import shutil
import subprocess

import dagster as dg
import pytest
from conftest import snowflake_settings_env
from refusing_snowflake import RefusingSnowflake

from customer360.defs.bronze.assets import bronze_assets
from customer360.lib.resources.dbt import DBT_EXECUTABLE
from customer360.resources import build_resources, snowflake_warehouse
from customer360.settings import DBT_PROJECT_DIR, settings

WRONG_PASSWORD = "not-the-password"  # pragma: allowlist secret


@pytest.fixture
def refusing(c360_env, monkeypatch):
    """C360_TARGET=snowflake against an endpoint that refuses every login; yields the endpoint."""
    with RefusingSnowflake() as server:
        for name, value in snowflake_settings_env(c360_env, server.port, "C360_REFUSED").items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("SNOWFLAKE_PASSWORD", WRONG_PASSWORD)
        yield server


def test_a_refused_login_fails_the_step_at_once_saying_what_to_check(refusing):
    s = settings()
    # Retries configured as in production (3), only shorter, so a retried refusal would show as more logins.
    resources = {**build_resources(s), "warehouse": snowflake_warehouse(s, connect_retries=3, connect_retry_wait_s=0.1)}
    bronze_transactions = bronze_assets("snowflake", "keep")[0]

    result = dg.materialize([bronze_transactions], resources=resources, raise_on_error=False)

    assert not result.success
    assert refusing.logins == 1
    assert not [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
    [failure] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    error = failure.step_failure_data.error
    [message] = [e.message for e in (error, error.cause) if e and "refused the login" in e.message]
    assert "Snowflake refused the login (account c360test, user pipeline, role DATA_ENGINEER)" in message
    assert "390100" in message and "Incorrect username or password" in message
    assert "Not retried" in message and "SNOWFLAKE_PASSWORD" in message and "check-connection" in message
    assert WRONG_PASSWORD not in message


def test_dbt_does_not_retry_a_refused_login(refusing, tmp_path):
    """dbt's Snowflake profile retries its connection (connect_retries: 3), but only on Snowflake's transient
    answers: with retry_on_database_errors it would log in four times with the wrong password."""
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(DBT_PROJECT_DIR / name, tmp_path / name)
    done = subprocess.run([DBT_EXECUTABLE, "debug", "--target", "snowflake", "--project-dir", tmp_path,
                           "--profiles-dir", tmp_path], capture_output=True, text=True, timeout=180,
                          env={**os.environ, "DO_NOT_TRACK": "1"})
    assert done.returncode != 0
    assert "Incorrect username or password" in done.stdout + done.stderr
    assert refusing.logins == 1
