"""The one place that reads the environment.

Everything else asks `settings()` and receives a frozen, validated `Settings`. It is read when a resource or the
definitions are built (not at import time), so a test sets variables with monkeypatch and calls `settings()` again.

Each variable is a field of a pydantic-settings model below (`PlatformEnvironment`, `AppLoginEnvironment`,
`SnowflakeEnvironment`, `AppUserEnvironment`): the field's alias is the variable, its default the default, its
description the meaning, and docs/settings.md's tables are generated from them (`python -m customer360.settings`).
`settings()` validates the models and turns whatever pydantic refused into one `SettingsError` that names every bad
or missing variable and its fix.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Self
from urllib.parse import urlparse

from pydantic import BeforeValidator, Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import InitErrorDetails, PydanticCustomError, PydanticKnownError
from pydantic_settings import BaseSettings, EnvSettingsSource, InitSettingsSource, NoDecode, SettingsConfigDict

from customer360.lib.alerts.config import (
    SLACK_API_URL,
    SMTP_SECURITY,
    AlertConfig,
    alert_problems,
    padded,
    recipients,
)
from customer360.lib.paths import DBT_PROJECT_DIR, ROOT  # noqa: F401 - part of this module's API
from customer360.lib.source.connection import SourceDsn

TARGETS = ("local", "snowflake")
# Two DuckDB processes (Dagster's, dbt's) and Dagster itself fit a 3 GB budget at the default scale.
DEFAULT_DUCKDB_MEMORY = "1536MB"
_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)
ON_ERROR_MODES = ("ABORT_STATEMENT", "CONTINUE", "SKIP_FILE")
STAGING_CLEANUP_MODES = ("keep", "after_each", "after_all")
# Snowflake's standard warehouse sizes, smallest first (credits per hour double at each step: 1, 2, 4 ... 512).
# The roles the app may connect as (snowflake_setup/02_roles_grants.sql); what each may see: customer360/app/access.py.
APP_ROLES = ("MARKETING_MANAGER", "DATA_ANALYST", "DATA_ENGINEER")
WAREHOUSE_SIZES = ("XSMALL", "SMALL", "MEDIUM", "LARGE", "XLARGE", "XXLARGE", "XXXLARGE", "X4LARGE", "X5LARGE",
                   "X6LARGE")


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names each one and the fix."""


# Environment variable names of the Snowflake target. Secrets are passed to resources as dg.EnvVar(name), so the
# Dagster UI and run storage show the variable's name, never its value.
SNOWFLAKE_PASSWORD = "SNOWFLAKE_PASSWORD"  # pragma: allowlist secret
SOURCE_DSN = "C360_SOURCE_DSN"
SOURCE_PASSWORD = "C360_SOURCE_PASSWORD"  # pragma: allowlist secret
SNOWFLAKE_PRIVATE_KEY = "SNOWFLAKE_PRIVATE_KEY"  # pragma: allowlist secret
SNOWFLAKE_PRIVATE_KEY_PATH = "SNOWFLAKE_PRIVATE_KEY_PATH"  # pragma: allowlist secret
SNOWFLAKE_PRIVATE_KEY_PASSPHRASE = "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"  # pragma: allowlist secret
# The app's own Snowflake login (one user per reader role, holding only that role): never the pipeline's user.
APP_USER = "C360_APP_SNOWFLAKE_USER"
APP_PASSWORD = "C360_APP_SNOWFLAKE_PASSWORD"  # pragma: allowlist secret
APP_PRIVATE_KEY_PATH = "C360_APP_SNOWFLAKE_PRIVATE_KEY_PATH"  # pragma: allowlist secret
# The app's login (OpenID Connect, Streamlit's st.login): on when the provider's metadata URL is set.
APP_OIDC_METADATA_URL = "C360_APP_OIDC_METADATA_URL"
APP_OIDC_CLIENT_SECRET = "C360_APP_OIDC_CLIENT_SECRET"  # pragma: allowlist secret
APP_COOKIE_SECRET = "C360_APP_COOKIE_SECRET"  # pragma: allowlist secret
MIN_COOKIE_SECRET = 32
API_TOKEN = "C360_API_TOKEN"  # pragma: allowlist secret
MIN_API_TOKEN = 32
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_NOT_AN_IDENTIFIER = "is not a plain Snowflake identifier (letters, digits, _ and $, not starting with a digit)"


@dataclass(frozen=True)
class SnowflakeSettings:
    """Where and as whom the Snowflake target connects; secrets stay in the environment (see `auth`). Each value's
    variable and meaning: `SnowflakeEnvironment`."""

    account: str
    user: str
    role: str
    warehouse: str
    database: str
    auth: str  # "password" or "keypair": which secret variable is set
    storage_integration: str | None
    stage_url: str  # the external stages' base URL: s3://<bucket>/ or a file:// override (an emulator)
    host: str | None
    port: int | None
    protocol: str | None
    login_timeout: int | None  # seconds; the connector's default (120) when unset
    network_timeout: int | None
    # Sizing (docs/deployment.md, "Snowflake sizing"): the heavy models, and every model of a backfill run, run on a larger
    # warehouse when one is named; without it everything runs on `warehouse`. snowflake-setup creates it.
    heavy_warehouse: str | None
    heavy_warehouse_size: str
    credit_quota: int | None  # monthly credits; snowflake-setup then adds a resource monitor (ACCOUNTADMIN)
    app_user: str | None  # the app's own user (C360_APP_SNOWFLAKE_USER); only the app reads it
    app_auth: str | None  # "password" or "keypair": which of the app's secret variables is set; None: neither
    # With the app's login, a user per role (C360_APP_SNOWFLAKE_USER_<ROLE>, its secret suffixed alike): (role, user,
    # auth). A role without one reads with C360_APP_SNOWFLAKE_USER only when it is C360_APP_ROLE.
    app_role_users: tuple[tuple[str, str, str | None], ...]

    @property
    def backfill_warehouse(self) -> str:
        """Where a backfill's models run: the heavy warehouse when there is one."""
        return self.heavy_warehouse or self.warehouse

    @property
    def connection_args(self) -> dict:
        """host/port/protocol for the connector when set (a local emulator such as fakesnow)."""
        args = {"host": self.host, "port": self.port, "protocol": self.protocol}
        return {key: value for key, value in args.items() if value is not None}


@dataclass(frozen=True)
class AppLogin:
    """Who may open the app: an OpenID Connect provider, and which group claim makes which app role. The client and
    cookie secrets stay in the environment (APP_OIDC_CLIENT_SECRET, APP_COOKIE_SECRET). Each value's variable and
    meaning: `AppLoginEnvironment`."""

    metadata_url: str  # the provider's /.well-known/openid-configuration
    client_id: str
    redirect_uri: str  # this app's /oauth2callback as the browser reaches it
    groups_claim: str
    # group -> app role; an identity none of whose groups is here is refused
    group_roles: tuple[tuple[str, str], ...]
    scopes: str


@dataclass(frozen=True)
class Settings:
    """What the platform runs with. Each value's variable, default and meaning: `PlatformEnvironment` (the Snowflake
    target's: `snowflake`, the app's login: `app_login`)."""

    target: str
    home: Path
    customers: int
    months: int
    seed: int
    as_of: dt.date
    s3_bucket: str
    s3_endpoint_url: str | None
    on_error: str
    snowflake: SnowflakeSettings | None
    mask_pii: bool
    grants: bool
    lock_wait_s: int
    port: int
    git_url: str | None
    git_branch: str
    duckdb_memory_limit: str
    source_dsn: str | None = field(repr=False)  # may hold a password: never printed
    source_connect_attempts: int
    source_writable: bool
    staging_cleanup: str
    staging_csv_max_rows: int
    staging_batch_rows: int
    app_port: int
    app_role: str
    app_address: str
    app_login: AppLogin | None  # None: no login; everyone who reaches the app reads as app_role
    api_port: int
    api_address: str
    api_token: SecretStr | None = field(repr=False)  # the report requests API's bearer token: never printed
    as_of_pinned: bool  # C360_AS_OF set; unset, as-of is today and moves with the calendar
    alerts: AlertConfig  # where failures are announced (AlertsEnvironment); no channel: nothing is sent

    @property
    def scale(self) -> dict[str, str]:
        """What a home is built at (home.claim_scale): the generator's inputs, as the settings that set them."""
        return {"C360_CUSTOMERS": str(self.customers), "C360_MONTHS": str(self.months), "C360_SEED": str(self.seed),
                "C360_AS_OF": self.as_of.isoformat() if self.as_of_pinned else "today"}

    @property
    def as_of_now(self) -> dt.date:
        """as-of as a long-running process (the API, the app) must read it at each call: C360_AS_OF when set, else
        today's date now, not the day the process read its settings."""
        return self.as_of if self.as_of_pinned else dt.date.today()

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def lake_root(self) -> Path:
        return self.home / "lake"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def dbt_target(self) -> str:
        """The profiles.yml output: local, snowflake (password) or snowflake_keypair."""
        if self.snowflake is None:
            return "local"
        return "snowflake_keypair" if self.snowflake.auth == "keypair" else "snowflake"

    @property
    def landing_root(self) -> Path | None:
        """The directory that stands in for the bucket, or None when landing goes to S3.

        Local target: `C360_HOME/lake` unless an S3 endpoint is configured. Snowflake target: S3, unless the stage URL
        is overridden with file://<dir>/<bucket>/ (an emulator reading local files), in which case landing writes
        there (the bucket is then the URL's last folder)."""
        if self.snowflake is not None:
            url = urlparse(self.snowflake.stage_url)
            return Path(url.path).parent if url.scheme == "file" else None
        return None if self.s3_endpoint_url else self.lake_root

    def dbt_vars_json(self, backfill: bool = False) -> str:
        """What dbt needs from us, as `--vars`: where the warehouse is and the day the data ends (recency); on
        Snowflake, the heavy warehouse, and for a backfill run the warehouse every model runs on."""
        sf = self.snowflake
        extra = {}
        if sf is not None:
            extra["c360_heavy_warehouse"] = sf.heavy_warehouse
            if backfill:
                extra["c360_run_warehouse"] = sf.backfill_warehouse
        return dbt_vars_json(str(self.warehouse_path), self.as_of.isoformat(), self.mask_pii,
                             self.duckdb_memory_limit, self.grants, **extra)


def dbt_vars_json(warehouse_path: str, as_of: str, mask_pii: bool = True,
                  memory_limit: str = DEFAULT_DUCKDB_MEMORY, grants: bool = True, **snowflake) -> str:
    """One spelling of dbt's vars for parse time and run time: dbt reuses its parse only if they are equal (a
    backfill run's differ, so it parses again: seconds, beside a backfill's minutes)."""
    values = {"c360_as_of": as_of, "c360_warehouse_path": warehouse_path, "c360_mask_pii": mask_pii,
              "c360_memory_limit": memory_limit, "c360_grants": grants, **snowflake}
    return json.dumps(values, sort_keys=True)


# --- Reading and checking the environment ---------------------------------------------------------------------------

PROBLEM = "c360_setting"  # pydantic's error type for a problem worded here in full (it names its variable)
_BULLET = "\n  - "


def _problem(*messages: str) -> PydanticCustomError:
    """A validation error whose text is the message the user reads, as is (several: one bullet each)."""
    return PydanticCustomError(PROBLEM, "{message}", {"message": _BULLET.join(messages)})


def _var(name: str, default: Any = ..., description: str = "", *, shown: str | None = None,
         required: str | None = None, **constraints: Any) -> Any:
    """A field read from the variable `name`. `shown`: the default as the settings page words it, when the value
    alone would mislead; `required`: when it is needed, on the Snowflake table (default: yes if it has no default)."""
    extra = {key: value for key, value in (("shown", shown), ("required", required)) if value is not None}
    return Field(default, alias=name, description=description, json_schema_extra=extra or None, **constraints)


class _Environ(EnvSettingsSource):
    """The environment a model reads: os.environ, or the mapping given to `settings()`. Each value is stripped, and a
    blank one counts as unset (the default applies); only the fields' variables (aliases) are read, never a flag
    such as `app` that `settings()` passes itself."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]):
        self.environ = environ
        super().__init__(settings_cls, case_sensitive=True)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name: value.strip() for name, value in self.environ.items() if value.strip()}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        if field.alias is None:
            return None, field_name, False
        return super().get_field_value(field, field_name)


def _whole_number(value: Any) -> Any:
    """Text as Python's int() reads it: "1.0" or "1e3" is not a whole number (pydantic's int would take "1.0")."""
    if not isinstance(value, str):
        return value
    try:
        return int(value)
    except ValueError:
        raise PydanticKnownError("int_parsing") from None


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _word(value: Any) -> Any:
    """true/false, yes/no, on/off, 1/0 in any case (pydantic's bool would also take t/f/y/n)."""
    if not isinstance(value, str):
        return value
    if value.lower() in _TRUE + _FALSE:
        return value.lower() in _TRUE
    raise PydanticKnownError("bool_parsing")


def _choice(allowed: tuple[str, ...]) -> Any:
    """One of `allowed`, in the case the options use (`continue` is CONTINUE, `Snowflake` is snowflake)."""
    upper = all(option.isupper() for option in allowed)

    def pick(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if (normalized := value.upper() if upper else value.lower()) not in allowed:
            raise PydanticKnownError("literal_error", {"expected": ", ".join(allowed)})
        return normalized

    return Annotated[Literal[allowed], BeforeValidator(pick)]


Target = _choice(TARGETS)
OnError = _choice(ON_ERROR_MODES)
StagingCleanup = _choice(STAGING_CLEANUP_MODES)
SmtpSecurity = _choice(SMTP_SECURITY)
AppRole = _choice(APP_ROLES)
WarehouseSize = _choice(WAREHOUSE_SIZES)
Int = Annotated[int, BeforeValidator(_whole_number)]
OptionalInt = Annotated[int | None, BeforeValidator(_whole_number)]
Bool = Annotated[bool, BeforeValidator(_word)]


class _Environment(BaseSettings):
    """A group of variables. Each field's own checks (types, bounds, its validators) and the rules that look at
    several variables at once (`_rules`) end in one pydantic ValidationError, which `settings()` words for people."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", frozen=True)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        return init_settings, _Environ(settings_cls, os.environ)

    @classmethod
    def read(cls, environ: Mapping[str, str], **flags: Any) -> Self:
        """The model from `environ`; `flags`: fields that are not variables (e.g. `app`)."""
        return cls(_build_sources=((InitSettingsSource(cls, flags), _Environ(cls, environ)), {}))

    def build(self, result: type, **computed: Any) -> Any:
        """The frozen dataclass `result`: `computed`'s values, and each other field this model's field of its name."""
        return result(**{f.name: getattr(self, f.name) for f in fields(result) if f.name not in computed}, **computed)

    @classmethod
    def variables(cls) -> dict[str, FieldInfo]:
        """Variable name -> its field, in the order they are declared."""
        return {info.alias: info for info in cls.model_fields.values() if info.alias}

    @classmethod
    def _rules(cls, given: Mapping[str, Any]) -> list[InitErrorDetails]:
        """Problems that depend on several variables, from the values as given (stripped strings, and the flags)."""
        return []

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem_at_once(cls, given: Any, handler):
        # The rules run on the values as given, beside the fields' own checks: an after-validator would not run once
        # any field failed, and the message must name every problem at once.
        rules = cls._rules(given) if isinstance(given, Mapping) else []
        try:
            model = handler(given)
        except ValidationError as error:
            if not rules:
                raise
            rules = [*map(_again, error.errors()), *rules]
        if rules:
            raise ValidationError.from_exception_data(cls.__name__, rules)
        return model

    @classmethod
    def explain(cls, error: ValidationError) -> list[str]:
        """One line per problem, each naming its variable and the fix (pydantic's own wording only for an error no
        check here expects), never a secret's value."""
        unset, lines = [], []
        for detail in error.errors(include_url=False):
            name = str(detail["loc"][0]) if detail["loc"] else cls.__name__
            if detail["type"] == "missing":
                unset.append(name)
            else:
                lines.append(cls._explain(name, detail))
        return (cls._unset(unset) if unset else []) + lines

    @classmethod
    def _unset(cls, names: list[str]) -> list[str]:
        """What to say about the required variables that are unset."""
        return [f"{name} is not set" for name in names]

    @classmethod
    def _explain(cls, name: str, detail: Any) -> str:
        kind, given = detail["type"], detail["input"]
        info = cls.variables().get(name)
        if kind == PROBLEM:
            return detail["ctx"]["message"]
        default = _shown_default(info.default) if info else "unset"
        minimum = next((m.ge for m in info.metadata if hasattr(m, "ge")), None) if info else None  # Field(ge=)
        if kind == "int_parsing":
            return f"{name}={given!r} is not a whole number; set it to an integer >= {minimum} (default {default})"
        if kind == "greater_than_equal":
            return f"{name}={given} is too small; set it to an integer >= {minimum} (default {default})"
        if kind == "literal_error":
            return f"{name}={given!r} is not one of {detail['ctx']['expected']}; pick one (default {default})"
        if kind == "bool_parsing":
            return f"{name}={str(given).lower()!r} is not true or false; set it to true or false (default {default})"
        secret = info is not None and SecretStr in (info.annotation, *getattr(info.annotation, "__args__", ()))
        return f"{name}={'(hidden)' if secret else repr(given)}: {detail['msg']}"


def _again(detail: Any) -> InitErrorDetails:
    """An error pydantic reported, as it can be raised again beside others."""
    kind = _problem(detail["ctx"]["message"]) if detail["type"] == PROBLEM else detail["type"]
    again = InitErrorDetails(type=kind, loc=detail["loc"], input=detail["input"])
    if "ctx" in detail and detail["type"] != PROBLEM:
        again["ctx"] = detail["ctx"]
    return again


def _shown_default(value: Any) -> str:
    if value is None:
        return "unset"
    return str(value).lower() if isinstance(value, bool) else str(value)


class PlatformEnvironment(_Environment):
    """The platform's variables (C360_*): the target, the generated portfolio, the warehouse, the source, the app."""

    target: Target = _var(
        "C360_TARGET", "local",
        "`local` (DuckDB + local object store) or `snowflake` (Snowflake + S3; its variables are below)")
    home: Path = _var(
        "C360_HOME", Path(".c360"),
        "holds `warehouse.duckdb`, the local lake `lake/<bucket>/<key>`, the Dagster home `dagster/` and `scale.json` "
        "(the scale it was built at; another is refused); created (or tightened to) 0700, its files 0600")
    customers: Int = _var("C360_CUSTOMERS", 50_000, "customers to generate (integer ≥ 1)", ge=1)
    months: Int = _var("C360_MONTHS", 18, "months of history ending on the as-of date (integer ≥ 1)", ge=1)
    seed: Int = _var("C360_SEED", 42, "random seed (integer ≥ 0); same seed and as-of date give byte-identical files",
                     ge=0)
    as_of: dt.date | None = _var(
        "C360_AS_OF", None, "the last day of generated history, `YYYY-MM-DD`; recency figures in gold count from it",
        shown="today")
    on_error: OnError = _var(
        "C360_ON_ERROR", "ABORT_STATEMENT", "bronze load mode: `ABORT_STATEMENT`, `CONTINUE` or `SKIP_FILE`")
    s3_bucket: str = _var("C360_S3_BUCKET", "customer360-landing",
                          "landing bucket (a folder of the local lake on the local target)")
    s3_endpoint_url: str | None = _var(
        "C360_S3_ENDPOINT_URL", None, "an S3-compatible endpoint (MinIO, moto) to use instead of the local lake; "
        "credentials come from boto3's usual chain")
    duckdb_memory_limit: str = _var(
        "C360_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY,
        "memory limit of each DuckDB process (Dagster's and dbt's); larger work spills to `C360_HOME`. The default "
        "keeps the default scale within 3 GB; the 10× run used `4GB`")
    mask_pii: Bool = _var(
        "C360_MASK_PII", True,
        "Snowflake: mask every column the contracts mark `pii` (names, e-mail) and the raw rejected values, in bronze "
        "and every dbt relation (needs Enterprise edition); `false` on Standard edition or an emulator, and then no "
        "reader is granted a relation with such a column")
    grants: Bool = _var(
        "C360_GRANTS", True, "Snowflake: dbt grants the reader roles SELECT on each relation after masking it "
        "(`false` on an emulator without roles)")
    lock_wait_s: Int = _var(
        "C360_LOCK_WAIT_S", 120, "local: seconds a step waits for the DuckDB file while another process holds it, "
        "logging that it waits, before it fails naming the holder", ge=0)
    port: Int = _var("C360_PORT", 3000, "the port `make dev` serves the Dagster UI on", ge=1)
    git_url: str | None = _var("C360_GIT_URL", None, "link each asset's code references to this repository (on "
                               "`C360_GIT_BRANCH`) instead of local files")
    git_branch: str = _var("C360_GIT_BRANCH", "main", "the branch of `C360_GIT_URL` the code references link to")
    source_dsn: str | None = _var(
        SOURCE_DSN, None, "the operational PostgreSQL, `postgresql://user@host:5432/database` (Aurora/RDS in "
        "production; `?sslmode=require` and other libpq options pass through); unset: the project's own server under "
        "`C360_HOME/postgres`", repr=False)
    source_password: SecretStr | None = _var(
        SOURCE_PASSWORD, None, "the source password when it is not in the DSN; like the DSN, Dagster reads it as an "
        "`EnvVar` (shown by name, never value)")
    source_writable: Bool = _var(
        "C360_SOURCE_WRITABLE", False, "let the generator's `source/*` assets seed and change the `C360_SOURCE_DSN` "
        "database (a test instance; never the production source)")
    source_connect_attempts: Int = _var(
        "C360_SOURCE_CONNECT_ATTEMPTS", 5, "tries, with backoff, before an unanswering source is an error", ge=1)
    staging_cleanup: StagingCleanup = _var(
        "C360_STAGING_CLEANUP", "keep",
        "`keep`, `after_each` or `after_all`: staged files deleted once bronze has loaded them")
    staging_csv_max_rows: Int = _var(
        "C360_STAGING_CSV_MAX_ROWS", 100_000,
        "an extract below this many rows is staged as CSV, at or above as Parquet", ge=0)
    staging_batch_rows: Int = _var("C360_STAGING_BATCH_ROWS", 100_000, "rows per staged file", ge=1)
    app_port: Int = _var("C360_APP_PORT", 8501, "the port `make app` serves the app on", ge=1)
    # The least-privileged reader by default: the app is the marketing team's.
    app_role: AppRole = _var(
        "C360_APP_ROLE", "MARKETING_MANAGER", "the role the app reads as: `MARKETING_MANAGER`, `DATA_ANALYST` or "
        "`DATA_ENGINEER` (on Snowflake the session's role; locally the same rule of what it may show)")
    app_address: str = _var(
        "C360_APP_ADDRESS", "127.0.0.1", "the address the app listens on; `0.0.0.0` in a container (compose, "
        "`deploy/helm/app.yaml`): refused without the login unless `C360_APP_ALLOW_NO_LOGIN=true`")
    allow_no_login: Bool = _var(
        "C360_APP_ALLOW_NO_LOGIN", False,
        "`true`: serve beyond loopback with no login, because a proxy in front of the app authenticates")
    api_port: Int = _var("C360_API_PORT", 8040, "the port `python -m customer360 api` serves the report requests "
                         "API on", ge=1)
    api_address: str = _var("C360_API_ADDRESS", "127.0.0.1", "the address that API listens on (`0.0.0.0` in a "
                            "container); every call but `/health` needs `C360_API_TOKEN`")
    api_token: SecretStr | None = _var(
        API_TOKEN, None, "the bearer token callers of the report requests API send (`Authorization: Bearer ...`), at "
        f"least {MIN_API_TOKEN} characters (`secrets.token_hex(32)`), from the environment only; unset, the API does "
        "not start")
    login: bool = Field(False, description="the app's login is configured (C360_APP_OIDC_METADATA_URL is set)")

    @field_validator("as_of", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _problem(f"C360_AS_OF={value!r} is not a date; use YYYY-MM-DD, or leave it unset for today") from None

    @field_validator("api_token")
    @classmethod
    def _long_api_token(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and len(token.get_secret_value()) < MIN_API_TOKEN:
            raise _problem(f"{API_TOKEN} must be at least {MIN_API_TOKEN} characters (a short token can be guessed); "
                           "make one with: python -c 'import secrets; print(secrets.token_hex(32))'")
        return token

    @field_validator("duckdb_memory_limit")
    @classmethod
    def _size(cls, value: str) -> str:
        if not _MEMORY.match(value):
            raise _problem(f"C360_DUCKDB_MEMORY_LIMIT={value!r} is not a size; use e.g. 1536MB or 4GB (default "
                           f"{DEFAULT_DUCKDB_MEMORY})")
        return value

    @field_validator("source_dsn")
    @classmethod
    def _source_dsn(cls, dsn: str | None) -> str | None:
        """C360_SOURCE_DSN as given (checked for shape); the password may be in it or in C360_SOURCE_PASSWORD."""
        if dsn is None:
            return None
        try:
            SourceDsn.parse(dsn)
        except ValueError as error:
            raise _problem(str(error)) from None
        return dsn

    @classmethod
    def _rules(cls, given: Mapping[str, Any]) -> list[InitErrorDetails]:
        """Where the app listens: beyond loopback only behind the login, unless C360_APP_ALLOW_NO_LOGIN=true says a
        proxy in front of it authenticates; otherwise anyone who reaches it would read as C360_APP_ROLE."""
        address = given.get("C360_APP_ADDRESS") or "127.0.0.1"
        try:
            allowed = _word(given.get("C360_APP_ALLOW_NO_LOGIN", False))
        except PydanticKnownError:  # reported on its own; until it is fixed, no proxy is assumed
            allowed = False
        if address in LOOPBACK or given.get("login") or allowed:
            return []
        return [InitErrorDetails(loc=("C360_APP_ADDRESS",), input=address, type=_problem(
            f"C360_APP_ADDRESS={address} serves the app beyond this machine with no login in front of it; "
            f"set {APP_OIDC_METADATA_URL} and its settings (docs: The app, Log in), or "
            "C360_APP_ALLOW_NO_LOGIN=true when a proxy in front of it authenticates"))]

    def to_settings(self, snowflake: SnowflakeSettings | None, app_login: AppLogin | None,
                    alerts: AlertConfig) -> Settings:
        stage = snowflake.stage_url if snowflake else ""
        return self.build(
            Settings, home=self.home.expanduser().resolve(), as_of=self.as_of or dt.date.today(),
            as_of_pinned=self.as_of is not None, snowflake=snowflake, app_login=app_login, alerts=alerts,
            # On a file:// stage the bucket is the stage folder's name.
            s3_bucket=Path(urlparse(stage).path).name if stage.startswith("file://") else self.s3_bucket)


class AppLoginEnvironment(_Environment):
    """The app's OpenID Connect login, read when C360_APP_OIDC_METADATA_URL is set; each missing or weak piece is
    named. The role comes from claims in a cookie signed with C360_APP_COOKIE_SECRET, so a guessable secret, a
    provider reached over plain http or a mapping left to chance would let someone read as a role they do not hold."""

    metadata_url: str = _var(
        APP_OIDC_METADATA_URL, ..., "the OpenID provider's discovery URL (https; http only on localhost); set, a login "
        "is in front of every page ([The app: Log in](app.md#the-app))", shown="unset")
    client_id: str = _var("C360_APP_OIDC_CLIENT_ID", ..., "the app's client at the provider", shown="with the login")
    client_secret: SecretStr = _var(APP_OIDC_CLIENT_SECRET, ..., "the app's client secret at the provider, from the "
                                    "environment only", shown="with the login")
    cookie_secret: SecretStr | None = _var(
        APP_COOKIE_SECRET, None, "signs the login cookie that carries the groups; at least 32 characters "
        "(`secrets.token_hex(32)`), from the environment only", shown="with the login")
    redirect_uri: str | None = _var(
        "C360_APP_OIDC_REDIRECT_URI", None,
        "the callback URL as the browser reaches it (register it at the provider)",
        shown="`http://localhost:<C360_APP_PORT>/oauth2callback`")
    groups_claim: str = _var("C360_APP_OIDC_GROUPS_CLAIM", "groups",
                             "the ID-token claim that lists the identity's groups")
    group_roles: Annotated[tuple[tuple[str, str], ...], NoDecode] = _var(
        "C360_APP_OIDC_GROUP_ROLES", ..., "`group=ROLE,...`: which of the provider's groups reads as which role; an "
        "identity with none is refused", shown="with the login")
    scopes: str = _var("C360_APP_OIDC_SCOPES", "openid profile email", "the scopes the login asks for (add the one "
                       "your provider needs for the groups claim)")

    @classmethod
    def _unset(cls, names: list[str]) -> list[str]:
        return [f"{name} is not set; the app's login ({APP_OIDC_METADATA_URL}) needs it" for name in names]

    @field_validator("metadata_url")
    @classmethod
    def _trusted_provider(cls, url: str) -> str:
        """Its keys decide which ID tokens the app trusts: https, or plain http to a provider on this machine."""
        if not (url.startswith("https://") or (url.startswith("http://") and urlparse(url).hostname in LOOPBACK)):
            raise _problem(f"{APP_OIDC_METADATA_URL}={url!r} must be an https:// URL (plain http only on localhost): "
                           "its keys decide which ID tokens the app trusts")
        return url

    @field_validator("cookie_secret")
    @classmethod
    def _long_cookie_secret(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is None or len(secret.get_secret_value()) < MIN_COOKIE_SECRET:
            raise _problem(f"{APP_COOKIE_SECRET} must be at least {MIN_COOKIE_SECRET} characters (it signs the login "
                           "cookie that carries the groups); make one with: python -c 'import secrets; "
                           "print(secrets.token_hex(32))'")
        return secret

    @field_validator("group_roles", mode="before")
    @classmethod
    def _group_roles(cls, raw: Any) -> Any:
        """`group=ROLE,group=ROLE`: which of the provider's groups reads as which role; each bad entry is named."""
        if not isinstance(raw, str):
            return raw
        pairs, wrong = [], []
        for entry in (e.strip() for e in raw.split(",") if e.strip()):
            group, _, role = entry.rpartition("=")
            if not group.strip() or role.strip().upper() not in APP_ROLES:
                wrong.append(f"C360_APP_OIDC_GROUP_ROLES entry {entry!r} is not group=ROLE with ROLE one of "
                             f"{', '.join(APP_ROLES)}")
            else:
                pairs.append((group.strip(), role.strip().upper()))
        if wrong:
            raise _problem(*wrong)
        return tuple(pairs)

    def to_login(self, app_port: int) -> AppLogin:
        return self.build(AppLogin, redirect_uri=self.redirect_uri or f"http://localhost:{app_port}/oauth2callback")


class SnowflakeEnvironment(_Environment):
    """The Snowflake target's variables (read when C360_TARGET=snowflake); every missing one is named in one message.
    The app reads with users of its own (`app`): it neither needs nor should hold the pipeline's secret."""

    account: str = _var("SNOWFLAKE_ACCOUNT", ..., "the account the pipeline connects to")
    user: str = _var("SNOWFLAKE_USER", ..., "the pipeline's user")
    role: str = _var("SNOWFLAKE_ROLE", ..., "the pipeline's role (`DATA_ENGINEER` as `snowflake_setup/` creates it)")
    warehouse: str = _var("SNOWFLAKE_WAREHOUSE", ..., "the warehouse everything runs on (but the heavy models, below)")
    database: str = _var("SNOWFLAKE_DATABASE", ...,
                         "the database (`CUSTOMER_ANALYTICS` as `snowflake_setup/` creates it)")
    password: SecretStr | None = _var(SNOWFLAKE_PASSWORD, None, "password auth", required="one of the auth variables")
    private_key_path: str | None = _var(
        SNOWFLAKE_PRIVATE_KEY_PATH, None, "key-pair auth: the PEM private key file; chosen when set (or "
        f"`{SNOWFLAKE_PRIVATE_KEY}`); dbt uses its `snowflake_keypair` target", required="one of the auth variables")
    private_key: SecretStr | None = _var(SNOWFLAKE_PRIVATE_KEY, None, "key-pair auth: the PEM private key itself",
                                         required="one of the auth variables")
    private_key_passphrase: SecretStr | None = _var(SNOWFLAKE_PRIVATE_KEY_PASSPHRASE, None,
                                                    "the key's passphrase, if it is encrypted")
    bucket: str | None = _var(
        "C360_S3_BUCKET", None, "the landing bucket; stages point at `s3://<bucket>/staging/`, "
        "`.../transactions/historical/`, `.../transactions/streaming/`", required="yes (unless `C360_STAGE_URL`)")
    storage_integration: str | None = _var(
        "C360_STORAGE_INTEGRATION", None, "the storage integration the stages use (`snowflake_setup/03`)",
        required="yes (unless `C360_STAGE_URL`)")
    # Read and checked by snowflake-setup (setup_runner.variables); declared here so the settings page lists it.
    aws_role_arn: str | None = _var("C360_AWS_ROLE_ARN", None, "the IAM role the integration assumes (`terraform "
                                    "output role_arn`)", required="for `snowflake-setup`")
    host: str | None = _var("SNOWFLAKE_HOST", None, "passed to the connector and dbt, so the target can point at a "
                            "local emulator (the tests use fakesnow)")
    port: OptionalInt = _var("SNOWFLAKE_PORT", None, "the emulator's port (with `SNOWFLAKE_HOST`)", ge=1)
    protocol: str | None = _var("SNOWFLAKE_PROTOCOL", None, "`http` or `https` (with `SNOWFLAKE_HOST`)")
    login_timeout: OptionalInt = _var("SNOWFLAKE_LOGIN_TIMEOUT", None, "connector login timeout in seconds", ge=1)
    network_timeout: OptionalInt = _var("SNOWFLAKE_NETWORK_TIMEOUT", None, "connector network timeout in seconds",
                                        ge=1)
    stage_url: str | None = _var(
        "C360_STAGE_URL", None, "overrides the stages' base URL: a bucket alone, `s3://<bucket>/` (no folder; the stages "
        "add theirs), or `file:///dir/<bucket>/`, which makes a local folder stand in for S3 (landing then writes there)")
    heavy_warehouse: str | None = _var(
        "C360_SNOWFLAKE_HEAVY_WAREHOUSE", None, "the warehouse for the heavy models and backfill runs (created by "
        "`snowflake-setup`); unset, everything runs on `SNOWFLAKE_WAREHOUSE`")
    heavy_warehouse_size: WarehouseSize = _var(
        "C360_SNOWFLAKE_HEAVY_SIZE", "MEDIUM", "its size when `snowflake-setup` creates it: `XSMALL` … `X6LARGE`")
    credit_quota: OptionalInt = _var(
        "C360_SNOWFLAKE_CREDIT_QUOTA", None, "monthly credits; `snowflake-setup` then adds a resource monitor on both "
        "warehouses (needs ACCOUNTADMIN)", ge=1)
    app: bool = Field(False, description="the app's process: the pipeline's secret is not required")

    @classmethod
    def _unset(cls, names: list[str]) -> list[str]:
        """One message naming them all."""
        key_pair = f" (or {SNOWFLAKE_PRIVATE_KEY_PATH} / {SNOWFLAKE_PRIVATE_KEY} for key-pair auth)"
        named = ", ".join(name + (key_pair if name == SNOWFLAKE_PASSWORD else "") for name in names)
        return [f"C360_TARGET=snowflake needs {named}; set them (see the example .env of docs/settings.md) or use "
                "C360_TARGET=local"]

    @classmethod
    def _rules(cls, given: Mapping[str, Any]) -> list[InitErrorDetails]:
        """What is required only without another: the bucket and the integration without a stage URL, a secret
        unless this is the app."""
        unset = []
        if not given.get("C360_STAGE_URL"):
            unset += [name for name in ("C360_S3_BUCKET", "C360_STORAGE_INTEGRATION") if not given.get(name)]
        secrets = (SNOWFLAKE_PASSWORD, SNOWFLAKE_PRIVATE_KEY_PATH, SNOWFLAKE_PRIVATE_KEY)
        if not given.get("app") and not any(given.get(name) for name in secrets):
            unset.append(SNOWFLAKE_PASSWORD)
        return [InitErrorDetails(type="missing", loc=(name,), input=None) for name in unset]

    # snowflake-setup writes these into the SQL it runs as an administrator: plain names and a URL without quotes.
    @field_validator("warehouse", "database", "storage_integration")
    @classmethod
    def _plain_name(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and not _IDENTIFIER.fullmatch(value):
            raise _problem(f"{cls.model_fields[info.field_name].alias}={value!r} {_NOT_AN_IDENTIFIER}")
        return value

    @field_validator("heavy_warehouse", mode="before")
    @classmethod
    def _plain_upper_name(cls, value: Any) -> Any:
        if isinstance(value, str) and not _IDENTIFIER.fullmatch(value := value.upper()):
            raise _problem(f"C360_SNOWFLAKE_HEAVY_WAREHOUSE={value!r} {_NOT_AN_IDENTIFIER}")
        return value

    @field_validator("private_key_path")
    @classmethod
    def _key_file(cls, path: str | None) -> str | None:
        if path is not None and not Path(path).expanduser().is_file():
            raise _problem(f"{SNOWFLAKE_PRIVATE_KEY_PATH}={path!r} is not a file; point it at the PEM private key")
        return path

    @field_validator("stage_url")
    @classmethod
    def _stage_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        parsed, problems = urlparse(url), []
        if parsed.scheme not in ("s3", "file"):
            problems.append(f"C360_STAGE_URL={url!r} must start with s3:// or file://")
        if parsed.scheme == "s3" and parsed.path.strip("/"):
            # The stages append transactions/historical/ etc. to this URL and landing writes those keys at the bucket's
            # root: a folder here would point every stage where nothing lands.
            problems.append(f"C360_STAGE_URL={url!r} names a folder inside the bucket; give the bucket alone, "
                            f"s3://{parsed.netloc}/ (the stages add transactions/..., staging/ and reports/ to it)")
        if not url.endswith("/"):
            problems.append(f"C360_STAGE_URL={url!r} must end with '/' (the stages append their folders to it)")
        if re.search(r"['\";\s\\]", url):
            problems.append(f"C360_STAGE_URL={url!r} holds a quote, a semicolon, a backslash or a space; give the "
                            "bucket URL alone")
        if problems:
            raise _problem(*problems)
        return url

    @field_validator("protocol", mode="before")
    @classmethod
    def _protocol(cls, value: Any) -> Any:
        if isinstance(value, str) and (value := value.lower()) not in ("http", "https"):
            raise _problem(f"SNOWFLAKE_PROTOCOL={value!r} is not http or https")
        return value

    def to_settings(self, environ: Mapping[str, str]) -> SnowflakeSettings:
        app = AppUserEnvironment.read(environ)
        roles = {role: AppUserEnvironment.read(environ, suffix=f"_{role}") for role in APP_ROLES}
        return self.build(
            SnowflakeSettings, auth="keypair" if self.private_key_path or self.private_key else "password",
            stage_url=(self.stage_url or f"s3://{self.bucket}/").rstrip("/") + "/", app_user=app.user, app_auth=app.auth,
            app_role_users=tuple((role, login.user, login.auth) for role, login in roles.items() if login.user))


class AppUserEnvironment(_Environment):
    """The app's own Snowflake login on the Snowflake target (one user per reader role, holding only that role; never
    the pipeline's user). With the login, each role's user and secret are these variables suffixed `_<ROLE>`."""

    per_role: ClassVar[str] = (f"each role's own user and secret (`<ROLE>`: {', '.join(f'`{r}`' for r in APP_ROLES)}); "
                               "a role without one reads with `C360_APP_SNOWFLAKE_USER` only when it is `C360_APP_ROLE`")

    user: str | None = _var(APP_USER, None, "the app's own user, holding only `C360_APP_ROLE` (never `SNOWFLAKE_USER` "
                            "for a reader role)", required="for the app")
    password: SecretStr | None = _var(APP_PASSWORD, None, "that user's password (read as `EnvVar`, like the "
                                      "pipeline's)", required="for the app (or the key)")
    private_key_path: str | None = _var(APP_PRIVATE_KEY_PATH, None, "that user's PEM key file (read as `EnvVar`, "
                                        "like the pipeline's)", required="for the app (or the password)")

    @classmethod
    def read(cls, environ: Mapping[str, str], suffix: str = "", **flags: Any) -> Self:
        """`suffix`: a role's login (`_DATA_ANALYST`): its variables are these names with the suffix."""
        return super().read({name.removesuffix(suffix): v for name, v in environ.items() if name.endswith(suffix)}, **flags)

    @property
    def auth(self) -> str | None:
        if self.private_key_path:
            return "keypair"
        return "password" if self.password else None


class AlertsEnvironment(_Environment):
    """Where failures are announced (docs/alerts.md): Slack (an incoming webhook, or a bot token and a channel) and
    e-mail (SMTP), each on when its variables are set. The secrets are read by the `alerts` resource as `EnvVar`, as
    set: a value with whitespace around it is refused."""

    slack_webhook_url: SecretStr | None = _var(
        "C360_SLACK_WEBHOOK_URL", None, "Slack's incoming webhook (`https://hooks.slack.com/services/...`, a secret: "
        "from the environment only); set, alerts go to its channel")
    slack_bot_token: SecretStr | None = _var(
        "C360_SLACK_BOT_TOKEN", None, "instead of the webhook: a bot token (`xoxb-...`, a secret) that posts to "
        "`C360_SLACK_CHANNEL` through dagster-slack's client")
    slack_channel: str | None = _var("C360_SLACK_CHANNEL", None, "the channel the bot token posts to "
                                     "(`#data-alerts`)", shown="with the bot token")
    slack_api_url: str = _var("C360_SLACK_API_URL", SLACK_API_URL, "Slack's Web API the bot token is sent to "
                              "(https only; plain http only to localhost, for tests)")
    smtp_host: str | None = _var("C360_SMTP_HOST", None, "the mail server; set, alerts are also e-mailed")
    smtp_port: Int = _var("C360_SMTP_PORT", 587, "its port (587 with STARTTLS, 465 with `ssl`)", ge=1)
    smtp_security: SmtpSecurity = _var(
        "C360_SMTP_SECURITY", "starttls", "`starttls`, `ssl` or `none` (`none` with a password only to localhost)")
    smtp_user: str | None = _var("C360_SMTP_USER", None, "the server's login, with `C360_SMTP_PASSWORD`")
    smtp_password: SecretStr | None = _var("C360_SMTP_PASSWORD", None, "its password (a secret: from the "
                                           "environment only)")
    smtp_from: str | None = _var("C360_SMTP_FROM", None, "the sender address", shown="with the host")
    smtp_to: str | None = _var("C360_SMTP_TO", None, "the recipients, comma-separated", shown="with the host")
    ui_url: str | None = _var(
        "C360_ALERT_UI_URL", None, "the Dagster UI as the people alerted reach it: each alert links "
        "`<url>/runs/<run id>`; set it in production (the default opens on this machine only: on the snowflake "
        "target, a warning at load)", shown="`http://localhost:<C360_PORT>`")
    request_alert_after_min: Int = _var(
        "C360_REQUEST_ALERT_AFTER_MIN", 30, "a report request still waiting to start or still running this many "
        "minutes after it was asked for is alerted, once (integer ≥ 1); a failed one is alerted at once", ge=1)
    padded: tuple[str, ...] = Field((), description="the variables set with whitespace around their value")

    @classmethod
    def read(cls, environ: Mapping[str, str], **flags: Any) -> Self:
        return super().read(environ, padded=tuple(padded(dict(environ), cls.variables())), **flags)

    @classmethod
    def _rules(cls, given: Mapping[str, Any]) -> list[InitErrorDetails]:
        """Whitespace around a value (the resource reads it as set), one Slack route, each channel complete."""
        problems = [(name, f"{name} has whitespace around its value (a pasted newline?); remove it: the alerts "
                           "resource reads its secrets from the environment as set") for name in given.get("padded", ())]
        values = {name: value for name, value in given.items() if name != "padded"}
        problems += alert_problems(values)
        return [InitErrorDetails(loc=(name,), input=None, type=_problem(message)) for name, message in problems]

    @field_validator("ui_url")
    @classmethod
    def _ui_url(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("http://", "https://")):
            raise _problem(f"C360_ALERT_UI_URL={url!r} is not an http(s) URL; give the Dagster UI's address, e.g. "
                           "https://dagster.example.com")
        return url

    def to_config(self, port: int) -> AlertConfig:
        webhook, token = self.slack_webhook_url, self.slack_bot_token
        return AlertConfig(
            slack="webhook" if webhook else "bot" if token else None, slack_channel=self.slack_channel,
            slack_api_url=self.slack_api_url, smtp_host=self.smtp_host, smtp_port=self.smtp_port,
            smtp_security=self.smtp_security, smtp_user=self.smtp_user, smtp_password_set=bool(self.smtp_password),
            smtp_from=self.smtp_from, smtp_to=recipients(self.smtp_to),
            ui_url=(self.ui_url or f"http://localhost:{port}").rstrip("/"),
            request_alert_after_min=self.request_alert_after_min)


ENVIRONMENTS = (PlatformEnvironment, AppLoginEnvironment, SnowflakeEnvironment, AppUserEnvironment,
                AlertsEnvironment)


def settings(environ: Mapping[str, str] | None = None, app: bool = False) -> Settings:
    """Read and validate every setting; raise one `SettingsError` that names all the problems at once. `app`: the
    app's process, which never connects as the pipeline (SNOWFLAKE_PASSWORD / key not required)."""
    env = os.environ if environ is None else environ
    problems: list[str] = []

    def read(model: type[_Environment], **flags: Any) -> Any:
        try:
            return model.read(env, **flags)
        except ValidationError as error:
            problems.extend(model.explain(error))
            return None

    login_on = bool(env.get(APP_OIDC_METADATA_URL, "").strip())
    platform = read(PlatformEnvironment, login=login_on)
    login = read(AppLoginEnvironment) if login_on else None
    # The target is checked with the platform's variables; the Snowflake ones count only when it is snowflake.
    snowflake = read(SnowflakeEnvironment, app=app) if env.get("C360_TARGET", "").strip().lower() == "snowflake" else None
    alerts = read(AlertsEnvironment)
    if problems:
        raise SettingsError("Invalid Customer 360 settings:" + _BULLET + _BULLET.join(problems))
    return platform.to_settings(snowflake.to_settings(env) if snowflake else None,
                                login.to_login(platform.app_port) if login else None, alerts.to_config(platform.port))


# --- The settings page's tables, from the models ---------------------------------------------------------------------

def settings_tables() -> dict[str, str]:
    """docs/settings.md's tables (name -> markdown): one row per variable, its default and meaning from its field."""

    def default(info: FieldInfo) -> str:
        shown = (info.json_schema_extra or {}).get("shown")
        if shown or info.is_required():
            return shown or "—"
        return "unset" if info.default is None else f"`{_shown_default(info.default)}`"

    def required(info: FieldInfo) -> str:
        return (info.json_schema_extra or {}).get("required") or ("yes" if info.is_required() else "no")

    platform = ["| variable | default | meaning |", "|---|---|---|"] + [
        f"| `{name}` | {default(info)} | {info.description} |"
        for model in (PlatformEnvironment, AppLoginEnvironment) for name, info in model.variables().items()]
    snowflake = ["| variable | required | default | meaning |", "|---|---|---|---|"] + [
        f"| `{name}` | {required(info)} | {default(info)} | {info.description} |"
        for model in (SnowflakeEnvironment, AppUserEnvironment) for name, info in model.variables().items()]
    per_role = ", ".join(f"`{name}_<ROLE>`" for name in AppUserEnvironment.variables())
    snowflake.append(f"| {per_role} | with the login | unset | {AppUserEnvironment.per_role} |")
    alerts = ["| variable | default | meaning |", "|---|---|---|"] + [
        f"| `{name}` | {default(info)} | {info.description} |" for name, info in AlertsEnvironment.variables().items()]
    return {"platform": "\n".join(platform), "snowflake": "\n".join(snowflake), "alerts": "\n".join(alerts)}


def settings_page(page: str) -> str:
    """`page` with each generated table (between its BEGIN/END markers) replaced by the models' current one."""
    for name, table in settings_tables().items():
        begin, end = f"<!-- BEGIN generated table: {name} -->", f"<!-- END generated table: {name} -->"
        before, found, rest = page.partition(begin)
        if not found or end not in rest:
            raise ValueError(f"docs/settings.md has no {begin} ... {end} markers")
        page = f"{before}{begin}\n{table}\n{end}{rest.partition(end)[2]}"
    return page


if __name__ == "__main__":  # python -m customer360.settings [page]: regenerate docs/settings.md's tables
    import sys

    PAGE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "settings.md"
    PAGE.write_text(settings_page(PAGE.read_text()))
