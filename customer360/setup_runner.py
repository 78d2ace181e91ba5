"""`python -m customer360 snowflake-setup`: apply snowflake_setup/*.sql in order, variables substituted.

Each statement's outcome is printed (ok / FAILED with Snowflake's message). The files are idempotent, so the command
is safe to run again after fixing a failure; by default it stops at the first failure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from customer360.lib.replication.config import bronze_tables, replicated_tables
from customer360.lib.sql import SETUP_DIR, split_statements, statements
from customer360.settings import Settings

_VARIABLE = re.compile(r"\$\{([A-Z_]+)\}")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]+$")
# Account ids of documentation examples (ours and AWS's): an ARN with one is a placeholder nobody replaced.
_EXAMPLE_ACCOUNTS = ("123456789012", "111122223333", "000000000000")


class SetupError(ValueError):
    """A setup value is missing or a placeholder; the message says which and where to get the real one."""
# Files that only make sense against real S3 (a file:// stage override has no storage integration).
S3_ONLY = ("03_storage_integration.sql",)
# Files applied only when a variable is set: the resource monitor needs ACCOUNTADMIN, so it is opt-in; masking policies
# need Enterprise edition (C360_MASK_PII=false on Standard edition).
ONLY_WITH = {"03_masking_policy.sql": "MASK_PII", "09_resource_monitor.sql": "CREDIT_QUOTA"}
MASKING_POLICY = "GOLD.PII_STRING_MASK"
READER = "DATA_ANALYST"  # the one reader role with grants in BRONZE and OBSERVABILITY (02)
# Columns outside the contracts that quote raw values: a rejected row whole, and COPY's error messages (copied into
# the reason, the load's first error and the run's error), which quote the value they refused.
RAW_VALUE_COLUMNS = {
    "bronze.bronze_rejects": ("raw_record", "reason"),
    "bronze.load_history": ("first_error_message",),
    "observability.pipeline_run_metadata": ("error_message",),
    "observability.model_execution_log": ("message",),  # dbt's message: the warehouse's error text
    "observability.report_runs": ("error_message",),
}
_CREATED = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+\.\w+)", re.IGNORECASE)


@dataclass(frozen=True)
class Outcome:
    file: str
    statement: str
    ok: bool
    message: str

    def line(self) -> str:
        first = " ".join(self.statement.split())[:90]
        return f"{'ok    ' if self.ok else 'FAILED'} {self.file}: {first}" + ("" if self.ok else f"\n       {self.message}")


def setup_files() -> list[Path]:
    return sorted(SETUP_DIR.glob("[0-9][0-9]_*.sql"))


def variables(s: Settings, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """What the setup files' ${NAME} placeholders become, from the same settings the pipeline uses."""
    env = os.environ if env is None else env
    sf = s.snowflake
    if sf is None:
        raise ValueError("snowflake-setup needs C360_TARGET=snowflake and its settings (see docs/settings.md and docs/production.md)")
    integration = sf.storage_integration or ""
    s3 = sf.stage_url.startswith("s3://")
    role_arn = env.get("C360_AWS_ROLE_ARN", "").strip()
    if s3:  # the storage integration (03) is applied: its role must be real
        _check_role_arn(role_arn)
    return {
        "DATABASE": sf.database,
        "WAREHOUSE": sf.warehouse,
        "HEAVY_WAREHOUSE": sf.backfill_warehouse,
        "HEAVY_WAREHOUSE_SIZE": sf.heavy_warehouse_size,
        "RESOURCE_MONITOR": f"{sf.warehouse}_MONITOR",
        "CREDIT_QUOTA": str(sf.credit_quota or ""),
        "STAGE_URL": sf.stage_url,
        "STORAGE_INTEGRATION": integration,
        "STAGE_CREDENTIALS": f"STORAGE_INTEGRATION = {integration}" if s3 else "",
        "AWS_ROLE_ARN": role_arn,
        "REPLICATED_BRONZE_TABLES": replicated_bronze_ddl(MASKING_POLICY if s.mask_pii else None),
        "MASK_PII": "true" if s.mask_pii else "",
        "PII_MASKING": pii_masking_sql(s.mask_pii),
        "READER_GRANTS": reader_grants_sql(sf.database, s.mask_pii),
    }


def replicated_bronze_ddl(masking_policy: str | None = None) -> str:
    """CREATE TABLE for each replicated table's bronze contract (replication.yaml): adding a table there adds it here,
    its PII columns masked from the start when a policy is given."""
    return ";\n\n".join(t.bronze.create_sql(masking_policy) for t in replicated_tables()) + ";"


def masked_columns() -> dict[str, tuple[str, ...]]:
    """Relation -> the columns only DATA_ENGINEER may read in clear: the contracts' PII marks and the raw values."""
    return {**{t.qualified_name: t.pii for t in bronze_tables() if t.pii}, **RAW_VALUE_COLUMNS}


def reader_relations() -> list[tuple[str, str, bool]]:
    """(TABLE | VIEW, schema.name, holds personal or raw values) for every relation the setup creates in BRONZE and
    OBSERVABILITY; a view holds them when it reads a relation that does (a view reads with its owner's grants)."""
    masked = masked_columns()
    relations = [("TABLE", t.qualified_name, t.qualified_name in masked) for t in bronze_tables()]
    for statement in (*statements("bronze_control"), *statements("observability")):
        if created := _CREATED.match(statement):
            name = created.group(2).lower()
            reads = any(other in statement.lower() for other in masked if other != name)
            relations.append((created.group(1).upper(), name, name in masked or reads))
    return relations


def pii_masking_sql(masking: bool) -> str:
    """ALTER ... SET MASKING POLICY for every masked column (FORCE: a re-run replaces it); nothing when masking is off."""
    if not masking:
        return "-- C360_MASK_PII=false: no masking policy; no reader is granted a relation that would need one (below)"
    return ";\n".join(f"ALTER TABLE IF EXISTS {relation} MODIFY COLUMN {column} SET MASKING POLICY {MASKING_POLICY} FORCE"
                      for relation, columns in masked_columns().items() for column in columns) + ";"


def reader_grants_sql(database: str, masking: bool) -> str:
    """SELECT for the reader on each relation; with masking off, a relation with personal or raw values is revoked."""
    statements = [f"GRANT SELECT ON {kind} {database}.{name} TO ROLE {READER}" if masking or not sensitive
                  else f"REVOKE SELECT ON {kind} {database}.{name} FROM ROLE {READER}"
                  for kind, name, sensitive in reader_relations()]
    return ";\n".join(statements) + ";"


def _check_role_arn(role_arn: str) -> None:
    """Refuse a missing, malformed or example role ARN: the integration would trust nothing, or someone else."""
    fix = "set C360_AWS_ROLE_ARN to `terraform output role_arn` (docs/production.md, step 2)"
    match = _ROLE_ARN.match(role_arn)
    if not role_arn:
        raise SetupError(f"C360_AWS_ROLE_ARN is not set; {fix}")
    if not match:
        raise SetupError(f"C360_AWS_ROLE_ARN={role_arn!r} is not an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>); "
                         f"{fix}")
    if match.group(1) in _EXAMPLE_ACCOUNTS:
        raise SetupError(f"C360_AWS_ROLE_ARN={role_arn!r} is the documentation's example account "
                         f"{match.group(1)}, a placeholder; {fix}")


def render(text: str, values: Mapping[str, str]) -> str:
    def substitute(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"${{{name}}} has no value; known: {', '.join(sorted(values))}")
        return values[name]

    return _VARIABLE.sub(substitute, text)


def planned(values: Mapping[str, str], s3: bool = True) -> list[tuple[str, str]]:
    """(file, statement) in the order they run."""
    return [
        (path.name, statement)
        for path in setup_files() if _applies(path.name, values, s3)
        for statement in split_statements(render(path.read_text(), values))
    ]


def _applies(name: str, values: Mapping[str, str], s3: bool) -> bool:
    if name in S3_ONLY and not s3:
        return False
    return name not in ONLY_WITH or bool(values.get(ONLY_WITH[name]))


def apply(execute: Callable[[str], object], plan: list[tuple[str, str]], keep_going: bool = False,
          report: Callable[[str], None] = print) -> list[Outcome]:
    """Run each statement; report it; stop at the first failure unless keep_going."""
    outcomes = []
    for file, statement in plan:
        try:
            result = execute(statement)
            outcome = Outcome(file, statement, True, "" if result is None else str(result))
        except Exception as error:  # noqa: BLE001 - every failure is reported with the warehouse's own message
            outcome = Outcome(file, statement, False, " ".join(str(error).split()))
        outcomes.append(outcome)
        report(outcome.line())
        if not outcome.ok and not keep_going:
            break
    return outcomes
