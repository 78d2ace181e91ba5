"""The replication config (replication.yaml): which source tables reach bronze, how, and under which contract."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from customer360.bronze.contracts import BronzeTable

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


def _table(schema: str, name: str, entry: dict) -> ReplicatedTable:
    where = f"replication.yaml: tables.{name}"
    mode = entry.get("mode")
    if mode not in MODES:
        raise ReplicationConfigError(f"{where}.mode is {mode!r}; use one of {', '.join(MODES)}")
    columns = entry.get("columns") or {}
    if not isinstance(columns, dict) or not columns:
        raise ReplicationConfigError(f"{where}.columns must map each replicated column to its SQL type")
    key, cursor = entry.get("primary_key"), entry.get("cursor")
    if key not in columns:
        raise ReplicationConfigError(f"{where}.primary_key {key!r} is not one of its columns")
    if mode == "incremental" and cursor not in columns:
        raise ReplicationConfigError(f"{where}.cursor {cursor!r} must name one of its columns (incremental mode)")
    if mode == "full-refresh" and cursor:
        raise ReplicationConfigError(f"{where}.cursor is set but mode is full-refresh; remove it or use incremental")
    ruled = [*entry.get("required", []), *entry.get("positive", []), *entry.get("accepted", {})]
    unknown = [c for c in ruled if c not in columns]
    if unknown:
        raise ReplicationConfigError(f"{where}: rules name columns it does not list: {', '.join(unknown)}")
    bronze = BronzeTable(
        name=f"{schema}_{name}",
        prefix=f"{STAGING_PREFIX}{schema}/{name}/",
        key=key,
        columns=tuple((column, str(sql_type).upper()) for column, sql_type in columns.items()),
        required=tuple(entry.get("required", ())),
        positive=tuple(entry.get("positive", ())),
        accepted=tuple((column, tuple(values)) for column, values in entry.get("accepted", {}).items()),
    )
    return ReplicatedTable(schema, name, mode, key, cursor, bronze)


def parse(text: str) -> tuple[ReplicatedTable, ...]:
    document = yaml.safe_load(text) or {}
    schema, tables = document.get("schema"), document.get("tables") or {}
    if not schema or not tables:
        raise ReplicationConfigError("replication.yaml needs `schema` and at least one entry under `tables`")
    return tuple(_table(schema, name, entry or {}) for name, entry in tables.items())


@cache
def replicated_tables() -> tuple[ReplicatedTable, ...]:
    return parse(CONFIG_PATH.read_text())


def replicated(name: str) -> ReplicatedTable:
    return next(t for t in replicated_tables() if t.name == name)
