"""Personal data on Snowflake, read from the setup SQL and the dbt hooks as rendered: no emulator has roles, grants or
masking policies, so these check the statements themselves (what only an account can prove: README, Who sees what).

The contracts' `pii` marks (replication.yaml, lib/bronze/contracts.py) are the source; every such column is masked in the
statement that creates its table, every column quoting raw rejected values before any reader is granted the table,
and with masking off no reader is granted a relation that holds any of them."""

from __future__ import annotations

import re
from types import SimpleNamespace

import jinja2
import pytest
import sqlglot
from sqlglot import exp

from customer360 import setup_runner
from customer360.lib.replication.config import bronze_tables
from customer360.settings import ROOT, settings

READERS = ("DATA_ANALYST", "MARKETING_MANAGER")
ENV = {"C360_TARGET": "snowflake", "SNOWFLAKE_ACCOUNT": "a", "SNOWFLAKE_USER": "u", "SNOWFLAKE_ROLE": "DATA_ENGINEER",
       "SNOWFLAKE_WAREHOUSE": "WH", "SNOWFLAKE_DATABASE": "DB", "SNOWFLAKE_PASSWORD": "x",  # pragma: allowlist secret
       "C360_STAGE_URL": "file:///tmp/lake/bucket/"}
GRANT = re.compile(r"GRANT SELECT ON (?:TABLE|VIEW) DB\.(\w+\.\w+) TO ROLE (\w+)", re.IGNORECASE)
SET_POLICY = re.compile(r"ALTER TABLE IF EXISTS (\w+\.\w+) MODIFY COLUMN (\w+) SET MASKING POLICY", re.IGNORECASE)


def plan(mask_pii: bool) -> list[str]:
    values = setup_runner.variables(settings({**ENV, "C360_MASK_PII": str(mask_pii).lower()}))
    # one line each, inline `--` comments dropped first (they would swallow the rest of the line)
    return [" ".join(re.sub(r"--[^\n]*", "", statement).split()) for _, statement in setup_runner.planned(values, s3=False)]


def masked_at_creation(statement: str) -> set[tuple[str, str]]:
    if not statement.upper().startswith("CREATE TABLE"):
        return set()
    create = sqlglot.parse_one(statement, read="snowflake")
    table = create.find(exp.Table)
    return {(f"{table.db}.{table.name}".lower(), column.name.lower()) for column in create.find_all(exp.ColumnDef)
            if any(isinstance(c.kind, exp.MaskingPolicyColumnConstraint) for c in column.constraints)}


def test_the_contracts_mark_every_name_and_email_column_as_personal_data():
    accounts = next(t for t in bronze_tables() if t.name == "cards_accounts")
    assert set(accounts.pii) == {"first_name", "last_name", "email"}


def test_every_pii_column_of_every_contract_is_masked_by_the_statement_that_creates_its_table():
    masked = set().union(*map(masked_at_creation, plan(mask_pii=True)))
    expected = {(t.qualified_name, column) for t in bronze_tables() for column in t.pii}
    assert expected and expected <= masked


def test_no_reader_is_granted_a_relation_before_each_of_its_personal_and_raw_value_columns_is_masked():
    statements, masked = plan(mask_pii=True), set()
    granted = []
    for statement in statements:
        assert not (statement.upper().startswith("GRANT SELECT ON FUTURE") and statement.upper().endswith(READERS))
        masked |= masked_at_creation(statement)
        if found := SET_POLICY.match(statement):
            masked.add((found.group(1).lower(), found.group(2).lower()))
        if (found := GRANT.match(statement)) and found.group(2).upper() in READERS:
            relation = found.group(1).lower()
            needed = {(relation, column) for column in setup_runner.masked_columns().get(relation, ())}
            assert needed <= masked, f"{statement} before {needed - masked} are masked"
            granted.append(relation)
    assert {"bronze.cards_accounts", "bronze.bronze_rejects", "bronze.load_history",
            "observability.pipeline_run_metadata"} <= set(granted)
    raw = setup_runner.masked_columns()
    assert {"raw_record", "reason"} <= set(raw["bronze.bronze_rejects"])
    assert "first_error_message" in raw["bronze.load_history"]
    assert "error_message" in raw["observability.pipeline_run_metadata"]


def test_with_masking_off_no_reader_is_granted_a_relation_with_personal_or_raw_values_and_earlier_grants_are_revoked():
    statements = plan(mask_pii=False)
    assert not [s for s in statements if "MASKING POLICY" in s.upper()]  # Standard edition has none
    sensitive = {"bronze.cards_accounts", "bronze.bronze_rejects", "bronze.load_history",
                 "observability.pipeline_run_metadata", "observability.v_latest_pipeline_runs",
                 "observability.model_execution_log", "observability.report_runs"}
    granted = {found.group(1).lower() for s in statements if (found := GRANT.match(s))}
    assert granted and not granted & sensitive
    revoked = {m.group(1).lower() for s in statements
               if (m := re.match(r"REVOKE SELECT ON (?:TABLE|VIEW) DB\.(\w+\.\w+) FROM ROLE DATA_ANALYST", s))}
    assert revoked == sensitive


# --- dbt: the post-hooks every model and snapshot runs -------------------------------------------------------------

def _macros() -> str:
    return "\n".join((ROOT / "dbt_project" / "macros" / name).read_text()
                     for name in ("mask_pii.sql", "grant_readers.sql"))


def test_dbt_masks_every_column_the_contracts_mark_as_personal_data():
    listed = re.search(r"macro pii_columns\(\) %\}\{\{ return\((\[.*?\])\) \}\}", _macros()).group(1)
    assert sorted(eval(listed)) == sorted({c for t in bronze_tables() for c in t.pii})  # noqa: S307 - a literal


def _hooks(columns: list[str], schema: str, mask_pii: bool) -> str:
    """The two post-hooks rendered as dbt-snowflake renders them, for a relation with `columns` in `schema`."""
    source = re.sub(r"\{% macro pii_columns\(\) %\}.*?\{% endmacro %\}", "", _macros())
    context = {
        "execute": True, "target": SimpleNamespace(type="snowflake", database="db"),
        "this": type("Relation", (), {"schema": schema, "__str__": lambda self: f"db.{schema}.rel"})(),
        "var": lambda name, default=None: {"c360_mask_pii": mask_pii, "c360_grants": True}.get(name, default),
        "adapter": SimpleNamespace(get_columns_in_relation=lambda _: [SimpleNamespace(name=c.upper()) for c in columns]),
        "config": SimpleNamespace(get=lambda key: "table"),
        "pii_columns": lambda: sorted({c for t in bronze_tables() for c in t.pii}),
    }
    module = jinja2.Environment(extensions=["jinja2.ext.do"]).from_string(source).make_module(context)
    return " ".join(f"{module.mask_pii_columns()} {module.grant_readers()}".split())


@pytest.mark.parametrize("schema", ["silver", "gold"])
def test_dbt_masks_first_and_last_name_and_email_before_any_grant(schema):
    hooks = _hooks(["customer_id", "first_name", "last_name", "email"], schema, mask_pii=True)
    for column in ("first_name", "last_name", "email"):
        assert f"modify column {column} set masking policy db.gold.pii_string_mask force" in hooks
    assert hooks.index("grant select") > hooks.rindex("masking policy")
    assert "to role data_analyst" in hooks and "marketing_manager" not in hooks


def test_with_masking_off_dbt_grants_no_reader_a_relation_with_personal_data():
    hooks = _hooks(["customer_id", "first_name", "email"], "gold", mask_pii=False)
    assert "grant" not in hooks and "masking" not in hooks
    assert "revoke select on table db.gold.rel from role data_analyst" in hooks
    plain = _hooks(["customer_id", "customer_segment"], "gold", mask_pii=False)
    assert "grant select on table db.gold.rel to role data_analyst" in plain
    assert "grant select on table db.gold.rel to role marketing_manager" in plain
