"""replication.yaml becomes SQL (PostgreSQL's extract, DuckDB's loads, the DDL snowflake-setup runs as an
administrator), so its names and types are checked when it is read, each refusal naming the field and the rule."""

from __future__ import annotations

import re

import pytest

from customer360.lib.replication.config import ReplicationConfigError, parse
from customer360.setup_runner import replicated_bronze_ddl

VALID = {"mode": "incremental", "primary_key": "id", "cursor": "updated_at",
         "columns": "{id: BIGINT, updated_at: TIMESTAMP, note: VARCHAR, fee: 'DECIMAL(8,2)'}"}


def _config(**changes: str) -> str:
    entry = {**VALID, **changes}
    return "schema: cards\ntables:\n  things:\n" + "".join(f"    {k}: {v}\n" for k, v in entry.items())


@pytest.mark.parametrize("changes, field, rule", [
    ({"columns": "{id: BIGINT, updated_at: TIMESTAMP, note: 'VARCHAR); GRANT ROLE DATA_ENGINEER TO ROLE PUBLIC; --'}"},
     "tables.things.columns.note", "must be one of VARCHAR"),
    ({"columns": "{id: BIGINT, updated_at: TIMESTAMP, 'note text': VARCHAR}"}, "tables.things.columns key",
     "must be a lowercase identifier"),
    ({"cursor": "'updated_at; DROP TABLE x'",
      "columns": "{id: BIGINT, 'updated_at; DROP TABLE x': TIMESTAMP}"}, "tables.things.columns key",
     "must be a lowercase identifier"),
    ({"required": "['id OR 1=1']"}, "tables.things.required[0]", "must be a lowercase identifier"),
    ({"pii": "[email]"}, "tables.things: rules or pii marks", "email"),
])
def test_a_name_or_type_that_is_not_plain_sql_is_refused_naming_the_field_and_the_rule(changes, field, rule):
    with pytest.raises(ReplicationConfigError, match=rf"{re.escape(field)}.*{rule}") as refusal:
        parse(_config(**changes))
    assert "replication.yaml" in str(refusal.value)


def test_a_table_or_schema_name_that_is_not_an_identifier_is_refused():
    with pytest.raises(ReplicationConfigError, match="replication.yaml: schema is 'cards; drop'"):
        parse(_config().replace("schema: cards", "schema: 'cards; drop'"))
    with pytest.raises(ReplicationConfigError, match=r"a key under tables is 'Things\(x\)'"):
        parse(_config().replace("  things:", "  Things(x):"))


def test_the_shipped_config_renders_one_create_statement_per_table_and_nothing_else():
    [table] = parse(_config(pii="[note]"))
    assert table.bronze.columns == (("id", "BIGINT"), ("updated_at", "TIMESTAMP"), ("note", "VARCHAR"),
                                    ("fee", "DECIMAL(8,2)"))
    statements = [s for s in replicated_bronze_ddl().split(";") if s.strip()]
    assert all(s.strip().startswith("CREATE TABLE IF NOT EXISTS bronze.cards_") for s in statements)
