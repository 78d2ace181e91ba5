"""What in a SQL text Snowflake does not have: the gate every compiled dbt node passes for the Snowflake target.

sqlglot parses in Snowflake's dialect (a syntax error fails); it accepts more than Snowflake runs, so two more rules:
- an aggregate FILTER clause (`count(*) filter (where ...)`): sqlglot would rewrite it, Snowflake rejects it;
- a function sqlglot does not know as a Snowflake function (it parses as "anonymous") must be one of the
  Snowflake built-ins listed here, so a DuckDB-only function (`list_value`, `strftime`, `epoch_ms`) fails.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

# Snowflake built-ins that sqlglot parses as anonymous functions and that the project may use.
SNOWFLAKE_FUNCTIONS_SQLGLOT_DOES_NOT_TYPE = frozenset({
    "IS_ROLE_IN_SESSION", "SYSTEM$GET_TAG_ON_CURRENT_COLUMN", "CURRENT_REGION", "CURRENT_ACCOUNT",
})


def snowflake_lacks(sql: str) -> list[str]:
    """Every construct in `sql` that Snowflake lacks (empty when Snowflake runs it); a parse error raises."""
    problems = []
    for statement in sqlglot.parse(sql, read="snowflake", error_level=ErrorLevel.RAISE):
        if statement is None:
            continue
        for node in statement.walk():
            if isinstance(node, exp.Filter):
                problems.append(f"aggregate FILTER clause: {node.sql('duckdb')[:80]}")
            elif isinstance(node, exp.Anonymous) and node.name.upper() not in SNOWFLAKE_FUNCTIONS_SQLGLOT_DOES_NOT_TYPE:
                problems.append(f"function {node.name}() is not a Snowflake function")
    return problems
