import datetime as dt
from pathlib import Path

import pytest

from customer360.settings import SettingsError, settings


def test_defaults_describe_the_reference_portfolio_on_the_local_target():
    s = settings({})
    assert (s.target, s.customers, s.months, s.seed, s.on_error) == ("local", 50_000, 18, 42, "ABORT_STATEMENT")
    assert s.as_of == dt.date.today()
    assert s.home == Path(".c360").resolve()
    assert s.warehouse_path == s.home / "warehouse.duckdb"


def test_values_come_from_the_environment(tmp_path):
    s = settings({"C360_HOME": str(tmp_path), "C360_CUSTOMERS": "500", "C360_MONTHS": "3",
                  "C360_SEED": "0", "C360_AS_OF": "2026-01-31", "C360_ON_ERROR": "continue"})
    assert (s.customers, s.months, s.seed, s.as_of, s.on_error) == (500, 3, 0, dt.date(2026, 1, 31), "CONTINUE")
    assert s.warehouse_path == tmp_path / "warehouse.duckdb"


@pytest.mark.parametrize("value", ["0", "-5", "many", "1.5"])
def test_bad_scale_values_are_refused_with_the_variable_named(value):
    with pytest.raises(SettingsError, match="C360_CUSTOMERS"):
        settings({"C360_CUSTOMERS": value})


def test_every_problem_is_reported_at_once():
    with pytest.raises(SettingsError) as error:
        settings({"C360_MONTHS": "0", "C360_AS_OF": "yesterday", "C360_ON_ERROR": "IGNORE", "C360_TARGET": "cloud"})
    message = str(error.value)
    for name in ("C360_MONTHS", "C360_AS_OF", "C360_ON_ERROR", "C360_TARGET"):
        assert name in message
    assert "YYYY-MM-DD" in message


def test_memory_limit_and_masking_switch_are_validated_and_reach_dbt():
    s = settings({"C360_DUCKDB_MEMORY_LIMIT": "4GB", "C360_MASK_PII": "false"})
    assert '"c360_memory_limit": "4GB"' in s.dbt_vars_json() and '"c360_mask_pii": false' in s.dbt_vars_json()
    with pytest.raises(SettingsError) as error:
        settings({"C360_DUCKDB_MEMORY_LIMIT": "lots", "C360_MASK_PII": "maybe"})
    assert "C360_DUCKDB_MEMORY_LIMIT='lots' is not a size" in str(error.value)
    assert "C360_MASK_PII='maybe' is not true or false" in str(error.value)


def test_snowflake_key_pair_auth_picks_the_keypair_dbt_target(tmp_path):
    key = tmp_path / "rsa_key.p8"
    key.write_text("placeholder")
    env = {"C360_TARGET": "snowflake", "SNOWFLAKE_ACCOUNT": "a", "SNOWFLAKE_USER": "u", "SNOWFLAKE_ROLE": "R",
           "SNOWFLAKE_WAREHOUSE": "W", "SNOWFLAKE_DATABASE": "D", "SNOWFLAKE_PRIVATE_KEY_PATH": str(key),
           "C360_S3_BUCKET": "b", "C360_STORAGE_INTEGRATION": "I"}
    s = settings(env)
    assert (s.snowflake.auth, s.dbt_target, s.snowflake.stage_url) == ("keypair", "snowflake_keypair", "s3://b/")
    with pytest.raises(SettingsError, match="SNOWFLAKE_PRIVATE_KEY_PATH=.* is not a file"):
        settings({**env, "SNOWFLAKE_PRIVATE_KEY_PATH": str(tmp_path / "missing.p8")})


def test_snowflake_names_that_would_become_extra_setup_sql_are_refused_naming_the_setting():


    env = {"C360_TARGET": "snowflake", "SNOWFLAKE_ACCOUNT": "a", "SNOWFLAKE_USER": "u", "SNOWFLAKE_PASSWORD": "p",
           "SNOWFLAKE_ROLE": "DATA_ENGINEER", "SNOWFLAKE_WAREHOUSE": "WH",
           "SNOWFLAKE_DATABASE": "DB; GRANT ROLE DATA_ENGINEER TO ROLE PUBLIC",
           "C360_STAGE_URL": "file:///tmp/l/b/'; GRANT ROLE DATA_ENGINEER TO ROLE PUBLIC; --"}
    with pytest.raises(SettingsError) as refused:
        settings(env)
    assert "SNOWFLAKE_DATABASE='DB; GRANT" in str(refused.value) and "C360_STAGE_URL=" in str(refused.value)
