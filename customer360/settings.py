"""The one place that reads the environment.

Everything else asks `settings()` and receives a frozen, validated `Settings`. It is read when a resource or the
definitions are built (not at import time), so a test sets variables with monkeypatch and calls `settings()` again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlparse

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
APP_OIDC_CLIENT_SECRET = "C360_APP_OIDC_CLIENT_SECRET"  # pragma: allowlist secret
APP_COOKIE_SECRET = "C360_APP_COOKIE_SECRET"  # pragma: allowlist secret
MIN_COOKIE_SECRET = 32
LOOPBACK = ("127.0.0.1", "localhost", "::1")
SNOWFLAKE_REQUIRED = ("SNOWFLAKE_ACCOUNT", "SNOWFLAKE_USER", "SNOWFLAKE_ROLE", "SNOWFLAKE_WAREHOUSE",
                      "SNOWFLAKE_DATABASE")


@dataclass(frozen=True)
class SnowflakeSettings:
    """Where and as whom the Snowflake target connects; secrets stay in the environment (see `auth`)."""

    account: str
    user: str
    role: str
    warehouse: str
    database: str
    auth: str  # "password" or "keypair": which secret variable is set
    storage_integration: str | None
    stage_url: str  # the external stages' base URL: s3://<bucket>/ or a file:// override (an emulator)
    host: str | None = None
    port: int | None = None
    protocol: str | None = None
    login_timeout: int | None = None  # seconds; the connector's default (120) when unset
    network_timeout: int | None = None
    # Sizing (docs/deployment.md, "Snowflake sizing"): the heavy models, and every model of a backfill run, run on a larger
    # warehouse when one is named; without it everything runs on `warehouse`. snowflake-setup creates it.
    heavy_warehouse: str | None = None
    heavy_warehouse_size: str = "MEDIUM"
    credit_quota: int | None = None  # monthly credits; snowflake-setup then adds a resource monitor (ACCOUNTADMIN)
    app_user: str | None = None  # the app's own user (C360_APP_SNOWFLAKE_USER); only the app reads it
    app_auth: str | None = None  # "password" or "keypair": which of the app's secret variables is set; None: neither
    # With the app's login, a user per role (C360_APP_SNOWFLAKE_USER_<ROLE>, its secret suffixed alike): (role, user,
    # auth). A role without one reads with C360_APP_SNOWFLAKE_USER only when it is C360_APP_ROLE.
    app_role_users: tuple[tuple[str, str, str | None], ...] = ()

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
    cookie secrets stay in the environment (APP_OIDC_CLIENT_SECRET, APP_COOKIE_SECRET)."""

    metadata_url: str  # the provider's /.well-known/openid-configuration
    client_id: str
    redirect_uri: str  # this app's /oauth2callback as the browser reaches it
    groups_claim: str = "groups"  # the ID-token claim that lists the identity's groups (or roles)
    # group -> app role (C360_APP_OIDC_GROUP_ROLES, required); an identity none of whose groups is here is refused
    group_roles: tuple[tuple[str, str], ...] = ()
    scopes: str = "openid profile email"


@dataclass(frozen=True)
class Settings:
    target: str
    home: Path
    customers: int
    months: int
    seed: int
    as_of: dt.date
    s3_bucket: str
    s3_endpoint_url: str | None
    on_error: str
    snowflake: SnowflakeSettings | None = None
    mask_pii: bool = True  # Snowflake: attach the PII masking policy in dbt post-hooks (needs Enterprise edition)
    grants: bool = True  # Snowflake: dbt grants readers SELECT on each relation it builds, after masking it
    lock_wait_s: int = 120  # local: how long a step waits for a warehouse file another process holds
    port: int = 3000  # `make dev`: the Dagster UI's port
    git_url: str | None = None  # code references link to this repository (C360_GIT_URL), on C360_GIT_BRANCH
    git_branch: str = "main"
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY  # per DuckDB process (Dagster's and dbt's); larger work spills
    # The operational source (replication): C360_SOURCE_DSN (production), else a local server under the home.
    source_dsn: str | None = field(default=None, repr=False)  # may hold a password: never printed
    source_connect_attempts: int = 5
    source_writable: bool = False  # C360_SOURCE_WRITABLE: the generator may write the C360_SOURCE_DSN database
    staging_cleanup: str = "keep"  # keep | after_each | after_all: staged files deleted once bronze has them
    staging_csv_max_rows: int = 100_000  # an extract below this many rows is staged as CSV, else as Parquet
    staging_batch_rows: int = 100_000  # rows per staged file
    # `make app`: the Streamlit app's port and the role it reads as (on Snowflake, the session's role; locally the
    # same rule decides what the app shows). The least-privileged reader by default: the app is the marketing team's.
    app_port: int = 8501
    app_role: str = "MARKETING_MANAGER"
    app_address: str = "127.0.0.1"  # C360_APP_ADDRESS: 0.0.0.0 in a container, behind the login
    app_login: AppLogin | None = None  # None: no login; everyone who reaches the app reads as app_role
    as_of_pinned: bool = True  # C360_AS_OF set; unset, as-of is today and moves with the calendar

    @property
    def scale(self) -> dict[str, str]:
        """What a home is built at (home.claim_scale): the generator's inputs, as the settings that set them."""
        return {"C360_CUSTOMERS": str(self.customers), "C360_MONTHS": str(self.months), "C360_SEED": str(self.seed),
                "C360_AS_OF": self.as_of.isoformat() if self.as_of_pinned else "today"}

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


def _int(env: Mapping[str, str], name: str, default: int, errors: list[str], minimum: int = 1) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        errors.append(f"{name}={raw!r} is not a whole number; set it to an integer >= {minimum} (default {default})")
        return default
    if value < minimum:
        errors.append(f"{name}={value} is too small; set it to an integer >= {minimum} (default {default})")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...], errors: list[str]) -> str:
    value = env.get(name, "").strip() or default
    normalized = value.upper() if all(a.isupper() for a in allowed) else value.lower()  # the case the options use
    if normalized not in allowed:
        errors.append(f"{name}={value!r} is not one of {', '.join(allowed)}; pick one (default {default})")
    return normalized


def _bool(env: Mapping[str, str], name: str, default: bool, errors: list[str]) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    errors.append(f"{name}={raw!r} is not true or false; set it to true or false (default {str(default).lower()})")
    return default


def _memory(env: Mapping[str, str], name: str, errors: list[str]) -> str:
    raw = env.get(name, "").strip()
    if not raw:
        return DEFAULT_DUCKDB_MEMORY
    if not _MEMORY.match(raw):
        errors.append(f"{name}={raw!r} is not a size; use e.g. 1536MB or 4GB (default {DEFAULT_DUCKDB_MEMORY})")
    return raw


def _date(env: Mapping[str, str], name: str, errors: list[str]) -> dt.date:
    raw = env.get(name, "").strip()
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(f"{name}={raw!r} is not a date; use YYYY-MM-DD, or leave it unset for today")
        return dt.date.today()


def _snowflake(env: Mapping[str, str], bucket: str | None, errors: list[str],
               app: bool = False) -> SnowflakeSettings | None:
    """The Snowflake target's settings; every missing variable is named in one message. The app reads with users of
    its own (`app`): it neither needs nor should hold the pipeline's secret."""
    value = {name: env.get(name, "").strip() for name in (*SNOWFLAKE_REQUIRED, "C360_STORAGE_INTEGRATION",
                                                          "C360_STAGE_URL", "SNOWFLAKE_HOST", "SNOWFLAKE_PROTOCOL")}
    missing = [name for name in SNOWFLAKE_REQUIRED if not value[name]]
    stage_url = value["C360_STAGE_URL"]
    if not bucket and not stage_url:
        missing.append("C360_S3_BUCKET")
    if not stage_url and not value["C360_STORAGE_INTEGRATION"]:
        missing.append("C360_STORAGE_INTEGRATION")
    has_key = any(env.get(n, "").strip() for n in (SNOWFLAKE_PRIVATE_KEY, SNOWFLAKE_PRIVATE_KEY_PATH))
    if not has_key and not env.get(SNOWFLAKE_PASSWORD, "").strip() and not app:
        missing.append(f"{SNOWFLAKE_PASSWORD} (or {SNOWFLAKE_PRIVATE_KEY_PATH} / {SNOWFLAKE_PRIVATE_KEY} for "
                       "key-pair auth)")
    if missing:
        errors.append("C360_TARGET=snowflake needs " + ", ".join(missing) + "; set them (see the example .env of "
                      "docs/settings.md) or use C360_TARGET=local")
    key_path = env.get(SNOWFLAKE_PRIVATE_KEY_PATH, "").strip()
    if key_path and not Path(key_path).expanduser().is_file():
        errors.append(f"{SNOWFLAKE_PRIVATE_KEY_PATH}={key_path!r} is not a file; point it at the PEM private key")
    if stage_url and urlparse(stage_url).scheme not in ("s3", "file"):
        errors.append(f"C360_STAGE_URL={stage_url!r} must start with s3:// or file://")
    # snowflake-setup writes these into the SQL it runs as an administrator: plain names and a URL without quotes.
    for name in ("SNOWFLAKE_WAREHOUSE", "SNOWFLAKE_DATABASE", "C360_STORAGE_INTEGRATION"):
        if value[name] and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", value[name]):
            errors.append(f"{name}={value[name]!r} is not a plain Snowflake identifier (letters, digits, _ and $, "
                          "not starting with a digit)")
    if stage_url and re.search(r"['\";\s\\]", stage_url):
        errors.append(f"C360_STAGE_URL={stage_url!r} holds a quote, a semicolon, a backslash or a space; give the "
                      "bucket URL alone")
    protocol = value["SNOWFLAKE_PROTOCOL"].lower() or None
    if protocol not in (None, "http", "https"):
        errors.append(f"SNOWFLAKE_PROTOCOL={protocol!r} is not http or https")
    port = _int(env, "SNOWFLAKE_PORT", 0, errors) or None
    login_timeout = _int(env, "SNOWFLAKE_LOGIN_TIMEOUT", 0, errors) or None
    network_timeout = _int(env, "SNOWFLAKE_NETWORK_TIMEOUT", 0, errors) or None
    heavy = env.get("C360_SNOWFLAKE_HEAVY_WAREHOUSE", "").strip().upper() or None
    if heavy and not re.fullmatch(r"[A-Z_][A-Z0-9_$]*", heavy):
        errors.append(f"C360_SNOWFLAKE_HEAVY_WAREHOUSE={heavy!r} is not a plain Snowflake identifier (letters, digits, "
                      "_ and $, not starting with a digit)")
    heavy_size = _choice(env, "C360_SNOWFLAKE_HEAVY_SIZE", "MEDIUM", WAREHOUSE_SIZES, errors)
    credit_quota = _int(env, "C360_SNOWFLAKE_CREDIT_QUOTA", 0, errors) or None
    if missing:
        return None
    return SnowflakeSettings(
        account=value["SNOWFLAKE_ACCOUNT"], user=value["SNOWFLAKE_USER"], role=value["SNOWFLAKE_ROLE"],
        warehouse=value["SNOWFLAKE_WAREHOUSE"], database=value["SNOWFLAKE_DATABASE"],
        auth="keypair" if has_key else "password",
        storage_integration=value["C360_STORAGE_INTEGRATION"] or None,
        stage_url=(stage_url or f"s3://{bucket}/").rstrip("/") + "/",
        host=value["SNOWFLAKE_HOST"] or None, port=port, protocol=protocol,
        login_timeout=login_timeout, network_timeout=network_timeout,
        heavy_warehouse=heavy, heavy_warehouse_size=heavy_size, credit_quota=credit_quota,
        app_user=env.get(APP_USER, "").strip() or None, app_auth=_app_auth(env),
        app_role_users=tuple((role, env[f"{APP_USER}_{role}"].strip(), _app_auth(env, f"_{role}"))
                             for role in APP_ROLES if env.get(f"{APP_USER}_{role}", "").strip()),
    )


def _app_auth(env: Mapping[str, str], suffix: str = "") -> str | None:
    if env.get(APP_PRIVATE_KEY_PATH + suffix, "").strip():
        return "keypair"
    return "password" if env.get(APP_PASSWORD + suffix, "").strip() else None


def _app_login(env: Mapping[str, str], port: int, errors: list[str]) -> AppLogin | None:
    """The app's OpenID Connect login, when C360_APP_OIDC_METADATA_URL is set; each missing or weak piece is named.
    The role comes from claims in a cookie signed with C360_APP_COOKIE_SECRET, so a guessable secret, a provider
    reached over plain http or a mapping left to chance would let someone read as a role they do not hold."""
    metadata_url = env.get("C360_APP_OIDC_METADATA_URL", "").strip()
    if not metadata_url:
        return None
    for name in ("C360_APP_OIDC_CLIENT_ID", APP_OIDC_CLIENT_SECRET, "C360_APP_OIDC_GROUP_ROLES"):
        if not env.get(name, "").strip():
            errors.append(f"{name} is not set; the app's login (C360_APP_OIDC_METADATA_URL) needs it")
    if len(env.get(APP_COOKIE_SECRET, "").strip()) < MIN_COOKIE_SECRET:
        errors.append(f"{APP_COOKIE_SECRET} must be at least {MIN_COOKIE_SECRET} characters (it signs the login "
                      "cookie that carries the groups); make one with: python -c 'import secrets; "
                      "print(secrets.token_hex(32))'")
    host = urlparse(metadata_url).hostname or ""
    if not (metadata_url.startswith("https://") or (metadata_url.startswith("http://") and host in LOOPBACK)):
        errors.append(f"C360_APP_OIDC_METADATA_URL={metadata_url!r} must be an https:// URL (plain http only on "
                      "localhost): its keys decide which ID tokens the app trusts")
    return AppLogin(
        metadata_url=metadata_url, client_id=env.get("C360_APP_OIDC_CLIENT_ID", "").strip(),
        redirect_uri=env.get("C360_APP_OIDC_REDIRECT_URI", "").strip() or f"http://localhost:{port}/oauth2callback",
        groups_claim=env.get("C360_APP_OIDC_GROUPS_CLAIM", "").strip() or "groups",
        group_roles=_group_roles(env.get("C360_APP_OIDC_GROUP_ROLES", ""), errors),
        scopes=env.get("C360_APP_OIDC_SCOPES", "").strip() or "openid profile email",
    )


def _group_roles(raw: str, errors: list[str]) -> tuple[tuple[str, str], ...]:
    """`group=ROLE,group=ROLE` (C360_APP_OIDC_GROUP_ROLES): which of the provider's groups reads as which role."""
    pairs = []
    for entry in (e.strip() for e in raw.split(",") if e.strip()):
        group, _, role = entry.rpartition("=")
        if not group.strip() or role.strip().upper() not in APP_ROLES:
            errors.append(f"C360_APP_OIDC_GROUP_ROLES entry {entry!r} is not group=ROLE with ROLE one of "
                          f"{', '.join(APP_ROLES)}")
            continue
        pairs.append((group.strip(), role.strip().upper()))
    return tuple(pairs)


def _app_address(env: Mapping[str, str], login: AppLogin | None, errors: list[str]) -> str:
    """Where the app listens. Beyond loopback only behind the login, unless C360_APP_ALLOW_NO_LOGIN=true says a
    proxy in front of it authenticates: otherwise anyone who reaches it would read as C360_APP_ROLE."""
    address = env.get("C360_APP_ADDRESS", "").strip() or "127.0.0.1"
    if address not in LOOPBACK and login is None and not _bool(env, "C360_APP_ALLOW_NO_LOGIN", False, errors):
        errors.append(f"C360_APP_ADDRESS={address} serves the app beyond this machine with no login in front of it; "
                      "set C360_APP_OIDC_METADATA_URL and its settings (docs: The app, Log in), or "
                      "C360_APP_ALLOW_NO_LOGIN=true when a proxy in front of it authenticates")
    return address


def _source_dsn(env: Mapping[str, str], errors: list[str]) -> str | None:
    """C360_SOURCE_DSN as given (checked for shape); the password may be in it or in C360_SOURCE_PASSWORD."""
    dsn = env.get(SOURCE_DSN, "").strip()
    if not dsn:
        return None
    try:
        SourceDsn.parse(dsn)
    except ValueError as error:
        errors.append(str(error))
    return dsn


def settings(environ: Mapping[str, str] | None = None, app: bool = False) -> Settings:
    """Read and validate every setting; raise one `SettingsError` that names all the problems at once. `app`: the
    app's process, which never connects as the pipeline (SNOWFLAKE_PASSWORD / key not required)."""
    env = os.environ if environ is None else environ
    errors: list[str] = []
    target = _choice(env, "C360_TARGET", "local", TARGETS, errors)
    bucket = env.get("C360_S3_BUCKET", "").strip() or None
    app_login = _app_login(env, _int(env, "C360_APP_PORT", 8501, []), errors)
    result = Settings(
        target=target,
        home=Path(env.get("C360_HOME", "").strip() or ".c360").expanduser().resolve(),
        customers=_int(env, "C360_CUSTOMERS", 50_000, errors),
        months=_int(env, "C360_MONTHS", 18, errors),
        seed=_int(env, "C360_SEED", 42, errors, minimum=0),
        as_of=_date(env, "C360_AS_OF", errors),
        s3_bucket=bucket or "customer360-landing",
        s3_endpoint_url=env.get("C360_S3_ENDPOINT_URL", "").strip() or None,
        on_error=_choice(env, "C360_ON_ERROR", "ABORT_STATEMENT", ON_ERROR_MODES, errors),
        snowflake=_snowflake(env, bucket, errors, app) if target == "snowflake" else None,
        mask_pii=_bool(env, "C360_MASK_PII", True, errors),
        grants=_bool(env, "C360_GRANTS", True, errors),
        lock_wait_s=_int(env, "C360_LOCK_WAIT_S", 120, errors, minimum=0),
        port=_int(env, "C360_PORT", 3000, errors),
        git_url=env.get("C360_GIT_URL", "").strip() or None,
        git_branch=env.get("C360_GIT_BRANCH", "").strip() or "main",
        duckdb_memory_limit=_memory(env, "C360_DUCKDB_MEMORY_LIMIT", errors),
        source_dsn=_source_dsn(env, errors),
        source_connect_attempts=_int(env, "C360_SOURCE_CONNECT_ATTEMPTS", 5, errors),
        source_writable=_bool(env, "C360_SOURCE_WRITABLE", False, errors),
        staging_cleanup=_choice(env, "C360_STAGING_CLEANUP", "keep", STAGING_CLEANUP_MODES, errors),
        staging_csv_max_rows=_int(env, "C360_STAGING_CSV_MAX_ROWS", 100_000, errors, minimum=0),
        staging_batch_rows=_int(env, "C360_STAGING_BATCH_ROWS", 100_000, errors),
        app_port=_int(env, "C360_APP_PORT", 8501, errors),
        app_role=_choice(env, "C360_APP_ROLE", "MARKETING_MANAGER", APP_ROLES, errors),
        app_address=_app_address(env, app_login, errors),
        app_login=app_login,
        as_of_pinned=bool(env.get("C360_AS_OF", "").strip()),
    )
    if errors:
        raise SettingsError("Invalid Customer 360 settings:\n  - " + "\n  - ".join(errors))
    if result.snowflake and result.snowflake.stage_url.startswith("file://"):
        result = replace(result, s3_bucket=Path(urlparse(result.snowflake.stage_url).path).name)
    return result
