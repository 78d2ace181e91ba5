"""The one place that reads the environment.

Everything else asks `settings()` and receives a frozen, validated `Settings`. It is read when a resource or the
definitions are built (not at import time), so a test sets variables with monkeypatch and calls `settings()` again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

TARGETS = ("local", "snowflake")
ON_ERROR_MODES = ("ABORT_STATEMENT", "CONTINUE", "SKIP_FILE")
ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = ROOT / "dbt_project"


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names each one and the fix."""


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
        return self.target

    def dbt_vars_json(self) -> str:
        """What dbt needs from us, as `--vars`: where the warehouse is and the day the data ends (recency)."""
        return dbt_vars_json(str(self.warehouse_path), self.as_of.isoformat())


def dbt_vars_json(warehouse_path: str, as_of: str) -> str:
    """One spelling of dbt's vars for parse time and run time: dbt reuses its parse only if they are equal."""
    return json.dumps({"c360_as_of": as_of, "c360_warehouse_path": warehouse_path}, sort_keys=True)


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
    normalized = value.upper() if allowed == ON_ERROR_MODES else value.lower()
    if normalized not in allowed:
        errors.append(f"{name}={value!r} is not one of {', '.join(allowed)}; pick one (default {default})")
    return normalized


def _date(env: Mapping[str, str], name: str, errors: list[str]) -> dt.date:
    raw = env.get(name, "").strip()
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(f"{name}={raw!r} is not a date; use YYYY-MM-DD, or leave it unset for today")
        return dt.date.today()


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every setting; raise one `SettingsError` that names all the problems at once."""
    env = os.environ if environ is None else environ
    errors: list[str] = []
    result = Settings(
        target=_choice(env, "C360_TARGET", "local", TARGETS, errors),
        home=Path(env.get("C360_HOME", "").strip() or ".c360").expanduser().resolve(),
        customers=_int(env, "C360_CUSTOMERS", 50_000, errors),
        months=_int(env, "C360_MONTHS", 18, errors),
        seed=_int(env, "C360_SEED", 42, errors, minimum=0),
        as_of=_date(env, "C360_AS_OF", errors),
        s3_bucket=env.get("C360_S3_BUCKET", "").strip() or "customer360-landing",
        s3_endpoint_url=env.get("C360_S3_ENDPOINT_URL", "").strip() or None,
        on_error=_choice(env, "C360_ON_ERROR", "ABORT_STATEMENT", ON_ERROR_MODES, errors),
    )
    if result.target == "snowflake":
        errors.append(
            "C360_TARGET=snowflake is not available yet in this build; use C360_TARGET=local (the default)"
        )
    if errors:
        raise SettingsError("Invalid Customer 360 settings:\n  - " + "\n  - ".join(errors))
    return result
