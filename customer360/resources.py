"""Resources for the chosen target, built from Settings (the only input)."""

from __future__ import annotations

import logging
import os

import dagster as dg

from customer360.home import claim_scale, private_home
from customer360.lib.alerts.config import SLACK_BOT_TOKEN, SLACK_WEBHOOK_URL, SMTP_PASSWORD, ui_url_warning
from customer360.lib.alerts.resource import AlertsResource
from customer360.lib.bronze.duckdb_copy import DuckDBCopy
from customer360.lib.bronze.loader import BronzeCopy
from customer360.lib.resources.dbt import dbt_cli, dbt_project
from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.lib.resources.portfolio import PortfolioResource
from customer360.lib.resources.source import SourceDatabaseResource, StagingResource
from customer360.lib.resources.warehouse import LocalWarehouse, Warehouse
from customer360.settings import (
    SNOWFLAKE_PASSWORD,
    SNOWFLAKE_PRIVATE_KEY,
    SNOWFLAKE_PRIVATE_KEY_PASSPHRASE,
    SNOWFLAKE_PRIVATE_KEY_PATH,
    SOURCE_DSN,
    SOURCE_PASSWORD,
    Settings,
)


def _secret(name: str):
    """A secret as dg.EnvVar: read when the resource is used, shown by name (never value) in the UI and run storage."""
    return dg.EnvVar(name) if os.environ.get(name, "").strip() else None


def snowflake_warehouse(s: Settings, **overrides):
    """The Snowflake resource from settings; `overrides` replace fields (tests shorten the retry waits; the app
    connects as its own role)."""
    from customer360.lib.resources.snowflake_warehouse import SnowflakeWarehouse  # the SDK only for this target

    sf = s.snowflake
    assert sf is not None
    fields = dict(
        account=sf.account,
        user=sf.user,
        role=sf.role,
        warehouse=sf.warehouse,
        database=sf.database,
        schema="BRONZE",  # every statement names its schema; COPY also wants a current one
        password=_secret(SNOWFLAKE_PASSWORD),
        private_key=_secret(SNOWFLAKE_PRIVATE_KEY),
        private_key_path=_secret(SNOWFLAKE_PRIVATE_KEY_PATH),
        private_key_password=_secret(SNOWFLAKE_PRIVATE_KEY_PASSPHRASE),
        paramstyle="qmark",  # the same `?` placeholders as DuckDB, bound server-side
        login_timeout=sf.login_timeout,
        network_timeout=sf.network_timeout,
        # Every load and watermark time is UTC whatever the account's or user's default time zone.
        additional_snowflake_connection_args={**sf.connection_args, "session_parameters": {"TIMEZONE": "UTC"}},
    )
    return SnowflakeWarehouse(**{**fields, **overrides})


def warehouse_resource(s: Settings, **overrides) -> Warehouse:
    """The target's warehouse for use outside a Dagster run (the CLI, the demo's summary, snowflake-setup, the
    connection check); `overrides` set other fields (the connection check turns retries and waits off).

    Inside a run Dagster resolves the secrets' EnvVars when it initializes the resource; a resource used directly
    must be initialized here, or dagster-snowflake would send the EnvVar's reference ({'env': 'SNOWFLAKE_PASSWORD'})
    as the password and open {'env': ...} as the key file. An emulator that accepts any password never notices."""
    if s.snowflake is not None:
        return snowflake_warehouse(s, **overrides).process_config_and_initialize()
    return _local_warehouse(s, **overrides)


def bronze_copy_resource(s: Settings) -> BronzeCopy:
    """COPY INTO on the target's warehouse: emulated on DuckDB, Snowflake's own from its external stages."""
    if s.snowflake is None:
        return DuckDBCopy()
    from customer360.lib.bronze.snowflake_copy import SnowflakeCopy  # the SDK only for this target

    return SnowflakeCopy()


def _local_warehouse(s: Settings, **overrides) -> Warehouse:
    # Bounded (C360_DUCKDB_MEMORY_LIMIT) so the whole graph fits its memory budget; DuckDB spills larger work to disk.
    # Without insertion-order preservation a bulk COPY's row groups are written once, compressed: with it, closing
    # the connection after the historical load rewrote them (slower, and a larger file: make bench). Nothing reads
    # bronze in physical order, and a later load still lands after earlier ones (loaded_at pruning holds).
    local = {"database": str(s.warehouse_path), "lock_wait_s": s.lock_wait_s, "connection_config": {
        "memory_limit": s.duckdb_memory_limit,
        "preserve_insertion_order": False,
    }}
    return LocalWarehouse(**{**local, **overrides})


def object_store_resource(s: Settings, **overrides) -> ObjectStoreResource:
    landing = s.landing_root
    return ObjectStoreResource(bucket=s.s3_bucket, local_root=str(landing) if landing else None,
                               endpoint_url=s.s3_endpoint_url, **overrides)


def source_resource(s: Settings) -> SourceDatabaseResource:
    return SourceDatabaseResource(
        dsn=dg.EnvVar(SOURCE_DSN) if s.source_dsn else None,
        password=dg.EnvVar(SOURCE_PASSWORD) if os.environ.get(SOURCE_PASSWORD, "").strip() else None,
        home=str(s.home),
        connect_attempts=s.source_connect_attempts,
        writable=s.source_writable,
    )


def staging_resource(s: Settings) -> StagingResource:
    return StagingResource(csv_max_rows=s.staging_csv_max_rows, batch_rows=s.staging_batch_rows)


def alerts_resource(s: Settings, **overrides) -> AlertsResource:
    """The channels settings turned on; the secrets as EnvVar (shown by name in the UI, read when the resource is
    used). `overrides` set other fields (tests shorten the timeout)."""
    a = s.alerts
    if warning := ui_url_warning(a, s.target):
        logging.getLogger("customer360.alerts").warning(warning)
    fields = dict(
        slack_webhook_url=_secret(SLACK_WEBHOOK_URL), slack_bot_token=_secret(SLACK_BOT_TOKEN),
        slack_channel=a.slack_channel, slack_api_url=a.slack_api_url, smtp_host=a.smtp_host, smtp_port=a.smtp_port,
        smtp_security=a.smtp_security, smtp_user=a.smtp_user, smtp_password=_secret(SMTP_PASSWORD),
        smtp_from=a.smtp_from, smtp_to=list(a.smtp_to), ui_url=a.ui_url,
        request_alert_after_min=a.request_alert_after_min,
    )
    return AlertsResource(**{**fields, **overrides})


def prepare_home(s: Settings) -> None:
    """The home, private and claimed at this scale (home.py), before anything is written in it."""
    private_home(s.home)
    claim_scale(s.home, s.scale)


def build_resources(s: Settings) -> dict:
    prepare_home(s)
    return {
        "portfolio": PortfolioResource(
            customers=s.customers, months=s.months, seed=s.seed, as_of=s.as_of.isoformat(), on_error=s.on_error
        ),
        "object_store": object_store_resource(s),
        "warehouse": snowflake_warehouse(s) if s.snowflake is not None else _local_warehouse(s),
        "bronze_copy": bronze_copy_resource(s),
        "source": source_resource(s),
        "staging": staging_resource(s),
        "dbt": dbt_cli(dbt_project(s.dbt_target, s.dbt_vars_json()), s.dbt_target),
        "alerts": alerts_resource(s),
    }
