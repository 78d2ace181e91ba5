"""The table contract's row rules as SQL both warehouses run: which rows a load rejects, at which column, and why.

A row is rejected when a value does not convert to its column's type or would be rounded to fit it (12500.5 into an
INTEGER), a key is missing or empty, an amount is not above zero, or a value is outside the column's accepted
values: what Snowflake's COPY enforces for NOT NULL, extended to the contract's other rules so bad rows never reach
bronze (docs/operating.md: Bad input). The first broken rule names the row's column and reason; the value is quoted in the
reason.
"""

from __future__ import annotations

import re

from customer360.lib.bronze.contracts import BronzeTable

# Exact numeric types: a value they would round (12500.5 into INTEGER, 12.505 into DECIMAL(12,2)) is rejected, never
# stored changed. TIMESTAMP, DATE and the text types keep what they are given, or reject it by the type check.
EXACT_NUMERIC = re.compile(r"(?:TINYINT|SMALLINT|INTEGER|INT|BIGINT|(?:DECIMAL|NUMERIC|NUMBER)\(\d+,\s*\d+\))")
# Text is compared as the number it spells, at a scale no contract column reaches; a typed value (a Parquet double or
# decimal) is compared with its stored value, in the wider of the two types.
EXACT_TEXT = "DECIMAL(38,18)"


def rounding_reason(sql_type: str) -> str:
    return f"cannot be stored as {sql_type} without rounding"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _text(column: str) -> str:
    return f"CAST({column} AS VARCHAR)"


def _violations(table: BronzeTable) -> list[tuple[str, str, str]]:
    """(column, condition that breaks the rule, reason expression), in the order rules are checked."""
    found = []
    for column in table.required:
        found.append((column, f"{column} IS NULL OR trim({_text(column)}) = ''",
                      _quote(f"{column} is missing: every row needs it")))
    for column, sql_type in table.columns:
        # TRY_CAST straight from the source type: a no-op where the file already has the contract's type (Parquet
        # written by the generator), a parse where it has text (CSV); the value is rendered only for a bad row.
        found.append((column, f"{column} IS NOT NULL AND TRY_CAST({column} AS {sql_type}) IS NULL",
                      f"'value ''' || {_text(column)} || ''' is not a valid {sql_type}'"))
        if EXACT_NUMERIC.fullmatch(sql_type):
            stored = f"TRY_CAST({column} AS {sql_type})"
            changed = (f"CASE WHEN typeof({column}) = 'VARCHAR' THEN TRY_CAST({column} AS {EXACT_TEXT}) <> {stored} "
                       f"ELSE {stored} <> {column} END")
            found.append((column, f"{column} IS NOT NULL AND {changed}",
                          f"'value ''' || {_text(column)} || ''' {rounding_reason(sql_type)}'"))
    for column in table.positive:
        value = f"TRY_CAST({column} AS {dict(table.columns)[column]})"
        found.append((column, f"{column} IS NULL OR {value} <= 0",
                      f"'{column} must be above 0, found ' || coalesce({_text(column)}, 'nothing')"))
    for column, values in table.accepted:
        allowed = ", ".join(_quote(v) for v in values)
        found.append((column, f"{column} IS NULL OR trim({_text(column)}) NOT IN ({allowed})",
                      f"'value ''' || coalesce({_text(column)}, '') || ''' is not one of {', '.join(values)}'"))
    return found


def rejected_column_sql(table: BronzeTable) -> str:
    """A CASE giving the column of the first broken rule, NULL for a good row."""
    whens = " ".join(f"WHEN {condition} THEN {_quote(column)}" for column, condition, _ in _violations(table))
    return f"CASE {whens} END"


def rejected_reason_sql(table: BronzeTable) -> str:
    """A CASE giving the reason of the first broken rule, NULL for a good row."""
    whens = " ".join(f"WHEN {condition} THEN {reason}" for _, condition, reason in _violations(table))
    return f"CASE {whens} END"
