"""The app's login settings and the group -> role rule: a mapped group gives its role (the widest of several), no
mapped group is refused naming what was found, and the secrets Streamlit reads are quoted whatever they hold."""

from __future__ import annotations

import tomllib

import pytest

from customer360.app.__main__ import command
from customer360.app.login import LoginSettingError, Refused, groups_of, role_for, secrets_toml, write_secrets
from customer360.app.warehouse import WarehouseUnavailable, app_login
from customer360.settings import SettingsError, settings

LOGIN = {"C360_APP_OIDC_METADATA_URL": "https://id.example.test/.well-known/openid-configuration",
         "C360_APP_OIDC_CLIENT_ID": "c360", "C360_APP_OIDC_CLIENT_SECRET": "s3cr\"et\\",  # pragma: allowlist secret
         "C360_APP_COOKIE_SECRET": "c" * 32, "C360_APP_PORT": "8600",
         "C360_APP_OIDC_GROUP_ROLES": "mkt=MARKETING_MANAGER, analysts=data_analyst,eng=DATA_ENGINEER"}


def test_without_a_provider_there_is_no_login_and_the_app_reads_as_c360_app_role():
    s = settings({"C360_APP_ROLE": "DATA_ANALYST"})
    assert s.app_login is None and s.app_role == "DATA_ANALYST" and s.app_address == "127.0.0.1"


def test_a_provider_without_its_client_cookie_secret_or_group_mapping_is_refused_naming_each():
    with pytest.raises(SettingsError) as refused:
        settings({"C360_APP_OIDC_METADATA_URL": LOGIN["C360_APP_OIDC_METADATA_URL"]})
    for name in ("C360_APP_OIDC_CLIENT_ID", "C360_APP_OIDC_CLIENT_SECRET", "C360_APP_COOKIE_SECRET",
                 "C360_APP_OIDC_GROUP_ROLES"):
        assert name in str(refused.value)


@pytest.mark.parametrize("change,named", [
    ({"C360_APP_COOKIE_SECRET": "short"}, "at least 32 characters"),  # pragma: allowlist secret; a guessable key would sign any groups
    ({"C360_APP_OIDC_METADATA_URL": "http://id.example.test/.well-known/openid-configuration"}, "https://"),
])
def test_a_weak_cookie_secret_or_a_provider_over_plain_http_is_refused(change, named):
    with pytest.raises(SettingsError, match=named):
        settings({**LOGIN, **change})
    local = settings({**LOGIN, "C360_APP_OIDC_METADATA_URL": "http://localhost:9400/.well-known/openid-configuration"})
    assert local.app_login is not None  # plain http only on loopback (a local provider)


def test_the_app_beyond_loopback_needs_the_login_or_an_explicit_proxy():
    with pytest.raises(SettingsError, match="C360_APP_ADDRESS=0.0.0.0 serves the app beyond this machine"):
        settings({"C360_APP_ADDRESS": "0.0.0.0"})
    assert settings({**LOGIN, "C360_APP_ADDRESS": "0.0.0.0"}).app_address == "0.0.0.0"
    assert settings({"C360_APP_ADDRESS": "0.0.0.0", "C360_APP_ALLOW_NO_LOGIN": "true"}).app_login is None


def test_a_group_mapped_to_no_known_role_is_refused():
    with pytest.raises(SettingsError, match="'mkt=MARKETING' is not group=ROLE"):
        settings({**LOGIN, "C360_APP_OIDC_GROUP_ROLES": "mkt=MARKETING"})


@pytest.mark.parametrize("groups,role", [
    (["staff", "mkt"], "MARKETING_MANAGER"),
    (["analysts"], "DATA_ANALYST"),
    (["mkt", "eng", "analysts"], "DATA_ENGINEER"),
    ("analysts", "DATA_ANALYST"),  # one string is one group
    ("mkt eng", None),  # never split: "Sales eng" must not read as eng
])
def test_the_identitys_groups_give_the_widest_mapped_role(groups, role):
    login = settings(LOGIN).app_login
    assert login.redirect_uri == "http://localhost:8600/oauth2callback"
    if role is None:
        with pytest.raises(Refused):
            role_for({"sub": "u1", "groups": groups}, login)
    else:
        assert role_for({"sub": "u1", "groups": groups}, login) == role


@pytest.mark.parametrize("claims,found", [({"email": "x@example.test", "groups": ["staff"]}, "(staff)"),
                                          ({"sub": "u2"}, "(no `groups` claim)")])
def test_an_identity_with_no_mapped_group_is_refused_naming_its_groups_and_the_mapped_ones(claims, found):
    with pytest.raises(Refused) as refused:
        role_for(claims, settings(LOGIN).app_login)
    assert found in str(refused.value)
    assert "eng" not in str(refused.value).replace(found, "")  # the groups that grant access are not disclosed


def test_another_claim_can_carry_the_groups():
    login = settings({**LOGIN, "C360_APP_OIDC_GROUPS_CLAIM": "roles"}).app_login
    assert role_for({"roles": ["analysts"], "groups": ["eng"]}, login) == "DATA_ANALYST"
    assert groups_of({"roles": 7}, "roles") == ["7"]


def test_a_secret_with_a_newline_is_refused_naming_the_setting_and_a_trailing_one_is_trimmed():
    assert 'cookie_secret = "' + "c" * 32 + '"' in secrets_toml(settings(LOGIN).app_login,
                                                                 {**LOGIN, "C360_APP_COOKIE_SECRET": "c" * 32 + "\n"})
    with pytest.raises(LoginSettingError, match="client_secret"):
        secrets_toml(settings(LOGIN).app_login, {**LOGIN, "C360_APP_OIDC_CLIENT_SECRET": "a\nb"})  # pragma: allowlist secret


def test_the_secrets_file_is_valid_toml_with_every_value_quoted_and_private(tmp_path):
    s = settings(LOGIN)
    parsed = tomllib.loads(secrets_toml(s.app_login, LOGIN))["auth"]
    secret = LOGIN["C360_APP_OIDC_CLIENT_SECRET"]
    assert parsed["client_secret"] == secret and parsed["server_metadata_url"] == s.app_login.metadata_url
    assert parsed["client_kwargs"] == {"scope": "openid profile email"}
    path = write_secrets(s.app_login, LOGIN, tmp_path)
    assert oct(path.stat().st_mode & 0o777) == "0o600" and tomllib.loads(path.read_text())["auth"] == parsed


SNOWFLAKE = {"C360_TARGET": "snowflake", "SNOWFLAKE_ACCOUNT": "acme", "SNOWFLAKE_USER": "c360_pipeline",
             "SNOWFLAKE_ROLE": "DATA_ENGINEER", "SNOWFLAKE_WAREHOUSE": "WH", "SNOWFLAKE_DATABASE": "C360",
             "SNOWFLAKE_PASSWORD": "x", "C360_S3_BUCKET": "b", "C360_STORAGE_INTEGRATION": "S3_INT",
             "C360_APP_SNOWFLAKE_USER": "c360_app_marketing",
             "C360_APP_SNOWFLAKE_PASSWORD": "y"}


def test_on_snowflake_each_logged_in_role_reads_with_its_own_user_and_secret():
    s = settings({**SNOWFLAKE, **LOGIN, "C360_APP_SNOWFLAKE_USER_DATA_ANALYST": "c360_app_analyst",
                  "C360_APP_SNOWFLAKE_PASSWORD_DATA_ANALYST": "z"})
    analyst = app_login(s, "DATA_ANALYST")
    assert (analyst["user"], analyst["role"], analyst["password"].env_var_name) == (
        "c360_app_analyst", "DATA_ANALYST", "C360_APP_SNOWFLAKE_PASSWORD_DATA_ANALYST")
    marketing = app_login(s, "MARKETING_MANAGER")  # C360_APP_ROLE's: the unsuffixed user
    assert (marketing["user"], marketing["password"].env_var_name) == ("c360_app_marketing", "C360_APP_SNOWFLAKE_PASSWORD")
    with pytest.raises(WarehouseUnavailable, match="C360_APP_SNOWFLAKE_USER_DATA_ENGINEER"):
        app_login(s, "DATA_ENGINEER")  # never the C360_APP_ROLE user's login with another role


def test_the_served_app_has_no_magic_no_watcher_and_the_secrets_file_only_with_a_login(tmp_path, monkeypatch):
    monkeypatch.setenv("C360_HOME", str(tmp_path))
    argv = command(settings(app=True))
    options = dict(zip(argv[3::2], argv[4::2], strict=True))
    assert options["--runner.magicEnabled"] == "false" and options["--server.fileWatcherType"] == "none"
    assert options["--server.address"] == "127.0.0.1" and "--secrets.files" not in options
    assert command(settings(app=True), tmp_path / "secrets.toml")[-2:] == ["--secrets.files", str(tmp_path / "secrets.toml")]
