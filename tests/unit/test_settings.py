import datetime as dt
from pathlib import Path

import pytest

from customer360.settings import PlatformEnvironment, Settings, SettingsError, settings


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


def test_a_field_error_and_a_rule_across_variables_are_reported_together():
    with pytest.raises(SettingsError) as error:
        settings({"C360_CUSTOMERS": "0", "C360_APP_ADDRESS": "0.0.0.0", "C360_TARGET": "snowflake", "SNOWFLAKE_ROLE": "R",
                  "SNOWFLAKE_PORT": "0", "C360_SNOWFLAKE_HEAVY_SIZE": "huge"})
    message = str(error.value)
    assert "C360_CUSTOMERS=0 is too small" in message and "C360_APP_ADDRESS=0.0.0.0 serves the app" in message
    # The required variables and the ones required only without another (no stage URL, no key) in one line.
    assert ("C360_TARGET=snowflake needs SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER, SNOWFLAKE_WAREHOUSE, SNOWFLAKE_DATABASE, "
            "C360_S3_BUCKET, C360_STORAGE_INTEGRATION, SNOWFLAKE_PASSWORD (or SNOWFLAKE_PRIVATE_KEY_PATH") in message
    assert "SNOWFLAKE_PORT=0 is too small; set it to an integer >= 1 (default unset)" in message
    assert "C360_SNOWFLAKE_HEAVY_SIZE='huge' is not one of" in message


def test_the_message_is_ours_with_no_pydantic_wording_and_no_secret():
    env = {"C360_TARGET": "snowflake", "C360_MONTHS": "x", "C360_APP_OIDC_METADATA_URL": "https://id.example.test/x",
           "SNOWFLAKE_PASSWORD": "hunter2-not-shown",  # pragma: allowlist secret
           "C360_APP_COOKIE_SECRET": "short-not-shown"}  # pragma: allowlist secret
    with pytest.raises(SettingsError) as error:
        settings(env)
    message = str(error.value)
    assert message.startswith("Invalid Customer 360 settings:\n  - ")
    assert not any(word in message for word in ("validation error", "Input should", "pydantic", "hunter2", "short-not"))
    assert error.value.__cause__ is None and error.value.__context__ is None  # no pydantic traceback beneath it


def test_blank_values_are_unset_values_are_stripped_and_the_flags_are_not_variables():
    s = settings({"C360_CUSTOMERS": "  ", "C360_MONTHS": " 3 ", "C360_TARGET": " ", "C360_AS_OF": ""})
    assert (s.customers, s.months, s.target, s.as_of_pinned) == (50_000, 3, "local", False)
    with pytest.raises(SettingsError, match="SNOWFLAKE_PASSWORD"):  # `app` is settings(app=True), never the environment
        settings({"app": "true", "C360_TARGET": "snowflake"})


def test_without_a_mapping_the_process_environment_is_read(monkeypatch):
    monkeypatch.setenv("C360_MONTHS", "7")
    assert settings().months == 7


def test_the_defaults_the_settings_page_shows_are_the_ones_settings_returns():
    # The page's defaults come from PlatformEnvironment's fields; Settings takes each under the same name.
    s = settings({})
    same = {name: info.default for name, info in PlatformEnvironment.model_fields.items() if name in Settings.__annotations__}
    assert len(same) > 20 and {name: getattr(s, name) for name in same if name not in ("home", "as_of")} == {
        name: default for name, default in same.items() if name not in ("home", "as_of")}


SNOWFLAKE_NO_SECRET = {"SNOWFLAKE_ACCOUNT": "a", "SNOWFLAKE_USER": "u", "SNOWFLAKE_ROLE": "R", "SNOWFLAKE_WAREHOUSE": "W",
                       "SNOWFLAKE_DATABASE": "D", "C360_STAGE_URL": "file:///tmp/lake/bucket1/"}


def test_the_app_on_a_file_stage_needs_no_secret_bucket_or_integration_and_the_bucket_is_the_folder():
    s = settings({"C360_TARGET": "snowflake", **SNOWFLAKE_NO_SECRET}, app=True)
    assert (s.snowflake.auth, s.snowflake.app_auth, s.snowflake.storage_integration) == ("password", None, None)
    assert (s.s3_bucket, s.snowflake.stage_url, s.landing_root) == ("bucket1", "file:///tmp/lake/bucket1/",
                                                                    Path("/tmp/lake"))


def test_a_stage_url_that_would_point_the_stages_where_nothing_lands_is_refused_saying_what_to_give():
    env = {"C360_TARGET": "snowflake", "SNOWFLAKE_ACCOUNT": "a", "SNOWFLAKE_USER": "u", "SNOWFLAKE_PASSWORD": "p",
           "SNOWFLAKE_ROLE": "DATA_ENGINEER", "SNOWFLAKE_WAREHOUSE": "WH", "SNOWFLAKE_DATABASE": "DB"}
    with pytest.raises(SettingsError) as folder:
        settings({**env, "C360_STAGE_URL": "s3://landing/c360/"})
    assert "names a folder inside the bucket; give the bucket alone, s3://landing/" in str(folder.value)
    with pytest.raises(SettingsError, match="must end with '/'"):
        settings({**env, "C360_STAGE_URL": "s3://landing"})
    assert settings({**env, "C360_STAGE_URL": "s3://landing/"}).snowflake.stage_url == "s3://landing/"
    assert settings({**env, "C360_STAGE_URL": "file:///tmp/lake/landing/"}).landing_root.name == "lake"
