"""Who the app is on Snowflake and what it will send: its own user, its role alone, one SELECT per statement.

No emulator has roles or secondary roles, so these tests stand a recording connection in for Snowflake and check
what the app logs in with and sends; that Snowflake then holds the session to the role is provable only on an
account (README: Who sees what)."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from customer360.app import queries
from customer360.app.access import NotReadOnly, read_only_statement
from customer360.app.warehouse import AppWarehouse, WarehouseUnavailable
from customer360.lib.sql import statements
from customer360.settings import settings

PIPELINE = {"C360_TARGET": "snowflake", "SNOWFLAKE_ACCOUNT": "acct", "SNOWFLAKE_USER": "C360_PIPELINE",
            "SNOWFLAKE_ROLE": "DATA_ENGINEER", "SNOWFLAKE_WAREHOUSE": "WH", "SNOWFLAKE_DATABASE": "DB",
            "SNOWFLAKE_PASSWORD": "pipeline-secret", "C360_S3_BUCKET": "b",  # pragma: allowlist secret
            "C360_STORAGE_INTEGRATION": "INT", "C360_APP_ROLE": "MARKETING_MANAGER"}
APP = {"C360_APP_SNOWFLAKE_USER": "C360_APP_MARKETING", "C360_APP_SNOWFLAKE_PASSWORD": "app-secret"}  # pragma: allowlist secret
NONE_ACTIVE = '{"roles":"","value":""}'


class RecordingSnowflake:
    """Stands in for dagster-snowflake's resource and Snowflake: records the login fields and every statement."""

    def __init__(self, secondary_roles: str = NONE_ACTIVE):
        self.login: dict = {}
        self.sent: list[str] = []
        self.secondary_roles = secondary_roles
        self.closed = False

    def resource(self, s, **fields):
        self.login = fields
        return self

    # the resource's and the connection's interfaces, as the app uses them
    def process_config_and_initialize(self):
        return self

    def get_connection(self):
        return self

    def __enter__(self):
        return self

    def cursor(self):
        return self

    def execute(self, sql, params=None):
        self.sent.append(sql)

    def fetchall(self):
        return [(self.secondary_roles,)]

    def fetch_pandas_all(self):
        return pd.DataFrame({"CUSTOMERS": [3]})

    def close(self):
        self.closed = True


@pytest.fixture
def snowflake(monkeypatch):
    recording = RecordingSnowflake()
    monkeypatch.setattr("customer360.resources.snowflake_warehouse", recording.resource)
    return recording


def test_the_app_logs_in_as_its_own_user_and_drops_secondary_roles_before_its_first_query(snowflake, monkeypatch):
    for name, value in APP.items():
        monkeypatch.setenv(name, value)
    wh = AppWarehouse(settings({**PIPELINE, **APP}))
    assert wh.query("SELECT COUNT(*) AS customers FROM gold.marketing_customer_audience")["customers"].tolist() == [3]
    assert snowflake.login["user"] == "C360_APP_MARKETING" and snowflake.login["role"] == "MARKETING_MANAGER"
    assert snowflake.login["password"].env_var_name == "C360_APP_SNOWFLAKE_PASSWORD"  # never the pipeline's secret
    assert snowflake.sent == ["USE SECONDARY ROLES NONE", "SELECT CURRENT_SECONDARY_ROLES()",
                              "SELECT COUNT(*) AS customers FROM gold.marketing_customer_audience"]


def test_a_reader_role_never_logs_in_as_the_pipelines_user(snowflake):
    without_app_user = AppWarehouse(settings(PIPELINE))
    with pytest.raises(WarehouseUnavailable, match="C360_APP_SNOWFLAKE_USER or its secret is not set; create a "
                                                   "Snowflake user that holds only MARKETING_MANAGER"):
        without_app_user.query("SELECT 1")
    as_pipeline = AppWarehouse(settings({**PIPELINE, **APP, "C360_APP_SNOWFLAKE_USER": "c360_pipeline"}))
    with pytest.raises(WarehouseUnavailable, match="is the pipeline's user .* holds DATA_ENGINEER"):
        as_pipeline.query("SELECT 1")
    assert snowflake.sent == []  # no login at all


def test_a_session_that_keeps_a_secondary_role_is_closed_before_any_query(snowflake):
    snowflake.secondary_roles = json.dumps({"roles": "DATA_ENGINEER", "value": "DATA_ENGINEER"})
    wh = AppWarehouse(settings({**PIPELINE, **APP}))
    with pytest.raises(WarehouseUnavailable, match=r"still has secondary roles \(DATA_ENGINEER\)"):
        wh.query("SELECT email FROM gold.customer_360_profile")
    assert snowflake.closed and not [sql for sql in snowflake.sent if "customer_360_profile" in sql]


@pytest.mark.parametrize("sql", [
    "SELECT 1; GRANT ROLE DATA_ENGINEER TO ROLE PUBLIC",
    "select 1 ; use role DATA_ENGINEER",
    "USE SECONDARY ROLES ALL",
    "WITH x AS (SELECT 1) INSERT INTO gold.dim_date SELECT * FROM x",
    "ALTER SESSION SET QUERY_TAG = 'x'",
    "CALL system$wait(1)",
    "SHOW USERS",
])
def test_the_app_sends_nothing_but_one_read_only_select(snowflake, sql):
    wh = AppWarehouse(settings({**PIPELINE, **APP}))
    with pytest.raises(NotReadOnly, match="the app"):
        wh.query(sql)
    assert sql not in snowflake.sent


def test_semicolons_and_words_inside_literals_identifiers_and_comments_are_not_statements():
    for sql in ("SELECT 'a; DROP TABLE x' AS s, \"update\" FROM t -- ; use role x\n;",
                "WITH recent AS (SELECT * FROM gold.fct_transactions) SELECT COUNT(*) FROM recent /* ; delete */"):
        assert read_only_statement(sql) == sql


def test_locally_a_runs_error_text_is_masked_for_a_role_that_may_not_read_pii(tmp_path):
    """DuckDB has no masking policy: the app masks pipeline_run_metadata.error_message as Snowflake's policy does."""
    home = tmp_path / "home"
    home.mkdir()
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        for statement in statements("observability"):
            conn.execute(statement)
        conn.execute("INSERT INTO observability.pipeline_run_metadata (run_id, job_name, status, error_message, "
                     "started_at, recorded_at) VALUES ('r1', 'customer_refresh', 'FAILURE', ?, now(), now()), "
                     "('r2', 'reports', 'SUCCESS', NULL, now(), now())",
                     ["Numeric value 'ada@example.test' is not recognized"])
    shown = {}
    for role in ("DATA_ANALYST", "DATA_ENGINEER"):
        runs = queries.latest_runs(AppWarehouse(settings({"C360_HOME": str(home), "C360_APP_ROLE": role})))
        shown[role] = dict(zip(runs["job_name"], runs["error_message"], strict=True))
    assert shown["DATA_ANALYST"]["customer_refresh"] == "***MASKED***" and shown["DATA_ANALYST"]["reports"] is None
    assert "ada@example.test" in shown["DATA_ENGINEER"]["customer_refresh"]
