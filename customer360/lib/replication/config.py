"""The replication config (replication.yaml): which source tables reach bronze, how, and under which contract."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import yaml

from customer360.lib.bronze.contracts import BRONZE_TRANSACTIONS, BronzeTable

CONFIG_PATH = Path(__file__).with_name("replication.yaml")
MODES = ("incremental", "full-refresh")
STAGING_PREFIX = "staging/"
# Outside staging/: the bucket's lifecycle rule expires staging/ after its retention days, never the cursors.
STATE_PREFIX = "replication_state/"


class ReplicationConfigError(ValueError):
    """replication.yaml is not valid; the message names the table and the field."""


@dataclass(frozen=True)
class ReplicatedTable:
    schema: str
    name: str
    mode: str
    primary_key: str
    cursor: str | None
    bronze: BronzeTable

    @property
    def qualified_source(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def asset_name(self) -> str:
        return f"{self.schema}_{self.name}"

    @property
    def prefix(self) -> str:
        """staging/<schema>/<table>/: the batch files, and the bronze table's COPY source."""
        return f"{STAGING_PREFIX}{self.schema}/{self.name}/"

    @property
    def state_key(self) -> str:
        return f"{STATE_PREFIX}{self.asset_name}.json"

    @property
    def incremental(self) -> bool:
        return self.mode == "incremental"

    def batch_key(self, batch: int, stamp: str, kind: str) -> str:
        return f"{self.prefix}{self.asset_name}_batch{batch}_{stamp}.{kind}"

    def cursor_type(self) -> str | None:
        return dict(self.bronze.columns)[self.cursor] if self.cursor else None


# Every name and type below is pasted into SQL: PostgreSQL's extract, DuckDB's loads and the DDL snowflake-setup runs as
# an administrator. So a name is a plain lowercase identifier (unquoted, the same in all three engines, within
# PostgreSQL's 63 characters) and a type one of these, never free text.
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")
IDENTIFIER_RULE = "a lowercase identifier: a letter or _, then letters, digits or _ (at most 63 characters)"
_TYPE = re.compile(r"VARCHAR(\(\d{1,8}\))?|SMALLINT|INTEGER|BIGINT|DOUBLE|FLOAT|BOOLEAN|DATE|TIMESTAMP"
                   r"|(DECIMAL|NUMERIC)\(\d{1,2}, ?\d{1,2}\)")
TYPE_RULE = ("one of VARCHAR, VARCHAR(n), SMALLINT, INTEGER, BIGINT, DOUBLE, FLOAT, BOOLEAN, DATE, TIMESTAMP, "
             "DECIMAL(p,s), NUMERIC(p,s)")


def _identifier(field: str, value: object) -> str:
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
        raise ReplicationConfigError(f"{field} is {value!r}; it must be {IDENTIFIER_RULE}. Rename it in "
                                     "replication.yaml (nothing was replicated or created)")
    return value


def _sql_type(field: str, value: object) -> str:
    sql_type = str(value).strip().upper()
    if not _TYPE.fullmatch(sql_type):
        raise ReplicationConfigError(f"{field} is {value!r}; it must be {TYPE_RULE}. Fix it in replication.yaml "
                                     "(nothing was replicated or created)")
    return sql_type


def _names(field: str, values: object) -> tuple[str, ...]:
    if not isinstance(values, list):
        raise ReplicationConfigError(f"{field} must be a list of column names, got {values!r}")
    return tuple(_identifier(f"{field}[{i}]", v) for i, v in enumerate(values))


def _accepted(field: str, values: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(values, dict):
        raise ReplicationConfigError(f"{field} must map a column to its accepted values, got {values!r}")
    for column, allowed in values.items():
        if not isinstance(allowed, list) or not allowed or not all(isinstance(v, str) for v in allowed):
            raise ReplicationConfigError(f"{field}.{column} must be a list of text values, got {allowed!r}")
    return tuple((_identifier(f"{field} key", column), tuple(allowed)) for column, allowed in values.items())


def _columns(where: str, entry: dict) -> tuple[tuple[str, str], ...]:
    columns = entry.get("columns") or {}
    if not isinstance(columns, dict) or not columns:
        raise ReplicationConfigError(f"{where}.columns must map each replicated column to its SQL type")
    return tuple((_identifier(f"{where}.columns key", column), _sql_type(f"{where}.columns.{column}", sql_type))
                 for column, sql_type in columns.items())


def _table(schema: str, name: str, entry: dict) -> ReplicatedTable:
    where = f"replication.yaml: tables.{_identifier('replication.yaml: a key under tables', name)}"
    mode = entry.get("mode")
    if mode not in MODES:
        raise ReplicationConfigError(f"{where}.mode is {mode!r}; use one of {', '.join(MODES)}")
    columns = _columns(where, entry)
    names = [column for column, _ in columns]
    key, cursor = entry.get("primary_key"), entry.get("cursor")
    if key not in names:
        raise ReplicationConfigError(f"{where}.primary_key {key!r} is not one of its columns")
    if mode == "incremental" and cursor not in names:
        raise ReplicationConfigError(f"{where}.cursor {cursor!r} must name one of its columns (incremental mode)")
    if mode == "full-refresh" and cursor:
        raise ReplicationConfigError(f"{where}.cursor is set but mode is full-refresh; remove it or use incremental")
    required, positive = _names(f"{where}.required", entry.get("required", [])), _names(f"{where}.positive",
                                                                                         entry.get("positive", []))
    accepted, pii = _accepted(f"{where}.accepted", entry.get("accepted", {})), _names(f"{where}.pii",
                                                                                    entry.get("pii", []))
    unknown = [c for c in (*required, *positive, *(c for c, _ in accepted), *pii) if c not in names]
    if unknown:
        raise ReplicationConfigError(f"{where}: rules or pii marks name columns it does not list: {', '.join(unknown)}")
    bronze = BronzeTable(name=f"{schema}_{name}", prefix=f"{STAGING_PREFIX}{schema}/{name}/", key=key,
                         columns=columns, required=required, positive=positive, accepted=accepted, pii=pii)
    return ReplicatedTable(schema, name, mode, key, cursor, bronze)


def parse(text: str) -> tuple[ReplicatedTable, ...]:
    document = yaml.safe_load(text) or {}
    schema, tables = document.get("schema"), document.get("tables") or {}
    if not schema or not tables:
        raise ReplicationConfigError("replication.yaml needs `schema` and at least one entry under `tables`")
    _identifier("replication.yaml: schema", schema)
    return _record_strays(tuple(_table(schema, name, entry or {}) for name, entry in tables.items()))


def _record_strays(tables: tuple[ReplicatedTable, ...]) -> tuple[ReplicatedTable, ...]:
    """The first table's load also lists the rest of staging/ and records, per ON_ERROR, each file in a folder no
    table reads (a mistyped or retired folder), so nothing lies there unloaded without a trace."""
    first, *rest = tables
    recorder = replace(first.bronze, listed_prefix=STAGING_PREFIX, others=tuple(t.bronze.prefix for t in rest))
    return (replace(first, bronze=recorder), *rest)


@cache
def replicated_tables() -> tuple[ReplicatedTable, ...]:
    return parse(CONFIG_PATH.read_text())


def replicated(name: str) -> ReplicatedTable:
    return next(t for t in replicated_tables() if t.name == name)


def bronze_tables() -> tuple[BronzeTable, ...]:
    """Every bronze table: the replicated ones (replication.yaml) and the transactions."""
    return (*(t.bronze for t in replicated_tables()), BRONZE_TRANSACTIONS)
