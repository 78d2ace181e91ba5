"""The semantic model (semantic_model/customer360.yaml, Cortex Analyst's format) read once and put to work.

- `verified_sql`: a verified query, which names logical tables as `__<name>` (Cortex Analyst's convention), made
  runnable on either engine by defining each logical table it uses as a common table expression over its gold table.
- `explorer_sql`: metric x dimension x filter, generated from the model. Only names the model defines reach the SQL;
  filter values are bound parameters (`?` on both engines), never pasted.
- `matching_questions`: the verified questions closest to what someone typed (no language model: word overlap with
  the questions and the synonyms of what they name).
- `problems`: what in the model does not exist in a built warehouse, or does not run there.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from customer360.lib.paths import ROOT

MODEL_PATH = ROOT / "semantic_model" / "customer360.yaml"
STAGE = "GOLD.SEMANTIC_MODELS"  # snowflake_setup/11_semantic_model.sql
_LOGICAL = re.compile(r"\b__([a-z_][a-z0-9_]*)\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
# Words that say nothing about which question is meant.
_STOP = frozenset("a an and are by do does each for how in is it of on per the to what which who with".split())


class SemanticModelError(ValueError):
    """The model file is inconsistent, or a request names something the model does not define."""


@dataclass(frozen=True)
class Column:
    name: str
    expr: str
    kind: str  # dimension | time_dimension | fact
    description: str
    synonyms: tuple[str, ...]
    sample_values: tuple[str, ...]


@dataclass(frozen=True)
class Metric:
    name: str
    expr: str
    description: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class NamedFilter:
    name: str
    expr: str  # a condition over the table's columns
    description: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class Relationship:
    name: str
    left_table: str  # the many side (transactions)
    right_table: str  # the one side (customers)
    columns: tuple[tuple[str, str], ...]  # (left column, right column)


@dataclass(frozen=True)
class Table:
    name: str
    schema: str
    table: str
    description: str
    synonyms: tuple[str, ...]
    columns: tuple[Column, ...]
    metrics: tuple[Metric, ...]
    filters: tuple[NamedFilter, ...] = ()
    primary_key: tuple[str, ...] = ()

    @property
    def relation(self) -> str:
        """The physical relation, `schema.table` (unquoted: lower case on DuckDB, upper case on Snowflake)."""
        return f"{self.schema.lower()}.{self.table.lower()}"

    @property
    def dimensions(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.kind in ("dimension", "time_dimension"))

    @property
    def time_dimension(self) -> Column | None:
        return next((c for c in self.columns if c.kind == "time_dimension"), None)

    def has_column(self, name: str) -> bool:
        return any(c.name == name for c in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise SemanticModelError(f"{self.name} has no column {name!r}; it has {', '.join(c.name for c in self.columns)}")

    def metric(self, name: str) -> Metric:
        for metric in self.metrics:
            if metric.name == name:
                return metric
        raise SemanticModelError(f"{self.name} has no metric {name!r}; it has {', '.join(m.name for m in self.metrics)}")

    def cte(self) -> str:
        select = ", ".join(f"{c.expr} AS {c.name}" for c in self.columns)
        return f"__{self.name} AS (SELECT {select} FROM {self.relation})"


@dataclass(frozen=True)
class VerifiedQuery:
    name: str
    question: str
    sql: str
    onboarding: bool

    def tables(self) -> list[str]:
        return sorted({name.lower() for name in _LOGICAL.findall(self.sql)})


@dataclass(frozen=True)
class SemanticModel:
    name: str
    description: str
    tables: tuple[Table, ...]
    verified_queries: tuple[VerifiedQuery, ...]
    text: str  # the file as written: what Snowflake receives (with the database filled in)
    relationships: tuple[Relationship, ...] = ()

    def relationship(self, left: str, right: str) -> Relationship | None:
        """The relationship from the many side `left` to the one side `right`, if the model has one."""
        return next((r for r in self.relationships if (r.left_table, r.right_table) == (left, right)), None)

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise SemanticModelError(f"the semantic model has no table {name!r}; it has "
                                 f"{', '.join(t.name for t in self.tables)}")

    def verified(self, name: str) -> VerifiedQuery:
        for query in self.verified_queries:
            if query.name == name:
                return query
        raise SemanticModelError(f"no verified query {name!r}")

    def with_ctes(self, sql: str) -> str:
        """`sql` over logical tables, made runnable: each `__table` it names becomes a CTE over its gold table."""
        used = sorted({name.lower() for name in _LOGICAL.findall(sql)})
        ctes = ", ".join(self.table(name).cte() for name in used)
        body = sql.strip().rstrip(";")
        if not ctes:
            return body
        if re.match(r"(?is)^with\s", body):  # the query's own CTEs follow ours
            return f"WITH {ctes}, {body[4:].lstrip()}"
        return f"WITH {ctes} {body}"

    def verified_sql(self, name: str) -> str:
        return self.with_ctes(self.verified(name).sql)

    def explorer_sql(self, table: str, metric: str, dimension: str | None = None,
                     filters: Mapping[str, Sequence[str]] | None = None, limit: int = 50) -> tuple[str, list]:
        """One metric, optionally by one dimension, filtered to the given values of any dimensions: the SQL and its
        parameters. Every name is checked against the model; every value is a bound parameter."""
        logical = self.table(table)
        aggregate = logical.metric(metric).expr
        where, params = [], []
        for name, values in (filters or {}).items():
            values = [v for v in values if v is not None]
            if not values:
                continue
            column = logical.column(name)
            if column.kind == "fact":
                raise SemanticModelError(f"{name} is a fact, not a dimension: filter on a dimension")
            where.append(f"{column.name} IN ({', '.join('?' for _ in values)})")
            params.extend(str(v) for v in values)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        if dimension is None:
            sql = f"SELECT {aggregate} AS {metric} FROM __{table}{clause}"
        else:
            column = logical.column(dimension)
            if column.kind == "fact":
                raise SemanticModelError(f"{dimension} is a fact, not a dimension: group by a dimension")
            sql = (f"SELECT {column.name}, {aggregate} AS {metric} FROM __{table}{clause} GROUP BY {column.name} "
                   f"ORDER BY {metric} DESC, {column.name} LIMIT {int(limit)}")
        return self.with_ctes(sql), params

    def matching_questions(self, typed: str, limit: int = 5) -> list[tuple[VerifiedQuery, float]]:
        """The verified queries whose question (and the synonyms of the columns and metrics their SQL names) shares
        the most words with `typed`, best first; none when nothing meaningful overlaps."""
        words = _words(typed)
        if not words:
            return []
        scored = []
        for query in self.verified_queries:
            vocabulary = _words(query.question) | self._synonym_words(query)
            overlap = len(words & vocabulary) / len(words)
            closeness = difflib.SequenceMatcher(None, typed.lower().strip(), query.question.lower()).ratio()
            score = 0.7 * overlap + 0.3 * closeness
            if overlap > 0:
                scored.append((query, round(score, 3)))
        scored.sort(key=lambda pair: (-pair[1], pair[0].name))
        return scored[:limit]

    @functools.cache  # noqa: B019 - the model is immutable and lives as long as the process
    def _synonym_words(self, query: VerifiedQuery) -> frozenset[str]:
        named = {w.lower() for w in re.findall(r"[A-Za-z_]+", query.sql)}
        words: set[str] = set()
        for table in self.tables:
            if table.name not in query.tables():
                continue
            for item in (*table.columns, *table.metrics):
                if item.name in named:
                    for phrase in (item.name.replace("_", " "), *item.synonyms):
                        words |= _words(phrase)
        return frozenset(words)

    def columns_by_relation(self) -> dict[str, set[str]]:
        """Physical relation -> the columns the model's expressions name (each expr is a plain column here)."""
        return {t.relation: {c.expr.lower() for c in t.columns} for t in self.tables}

    def for_snowflake(self, database: str) -> str:
        """The file with each base table's database set to the deployment's."""
        document = yaml.safe_load(self.text)
        for table in document["tables"]:
            table["base_table"]["database"] = database.upper()
        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)


# Columns only the churn model fills (null until it has scored a customer): a figure over them is computed from
# nothing until then, so the app says what is missing instead of showing it.
CHURN_MODEL_COLUMNS = ("model_churn_risk_band", "model_churn_risk_score")


def uses_churn_model(sql: str) -> bool:
    return any(re.search(rf"\b{column}\b", sql, re.IGNORECASE) for column in CHURN_MODEL_COLUMNS)


def _stem(word: str) -> str:
    """churning, churned, churns -> churn: enough for questions to meet their synonyms."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP}


def _strings(values) -> tuple[str, ...]:
    return tuple(str(v) for v in (values or ()))


def _table(raw: dict) -> Table:
    columns = []
    for kind, key in (("dimension", "dimensions"), ("time_dimension", "time_dimensions"), ("fact", "facts")):
        for c in raw.get(key, []) or []:
            if not _IDENTIFIER.match(c["name"]):
                raise SemanticModelError(f"{raw['name']}.{c['name']}: column names must be lower-case identifiers")
            columns.append(Column(c["name"], c.get("expr", c["name"]), kind, c.get("description", ""),
                                  _strings(c.get("synonyms")), _strings(c.get("sample_values"))))
    metrics = tuple(Metric(m["name"], m["expr"], m.get("description", ""), _strings(m.get("synonyms")))
                    for m in raw.get("metrics", []) or [])
    filters = tuple(NamedFilter(f["name"], f["expr"], f.get("description", ""), _strings(f.get("synonyms")))
                    for f in raw.get("filters", []) or [])
    base = raw["base_table"]
    return Table(raw["name"], base["schema"], base["table"], raw.get("description", ""), _strings(raw.get("synonyms")),
                 tuple(columns), metrics, filters, tuple(raw.get("primary_key", {}).get("columns", ())))


def parse(text: str) -> SemanticModel:
    """The model from its YAML; names that do not resolve (a relationship's tables and columns, a verified query's
    logical tables, duplicates) are errors here, before anything runs."""
    raw = yaml.safe_load(text)
    tables = tuple(_table(t) for t in raw["tables"])
    queries = tuple(VerifiedQuery(q["name"], q["question"], q["sql"], bool(q.get("use_as_onboarding_question")))
                    for q in raw.get("verified_queries", []) or [])
    relationships = tuple(Relationship(r["name"], r["left_table"], r["right_table"],
                                       tuple((p["left_column"], p["right_column"]) for p in r["relationship_columns"]))
                          for r in raw.get("relationships", []) or [])
    model = SemanticModel(raw["name"], raw.get("description", ""), tables, queries, text, relationships)
    for label, names in (("table", [t.name for t in tables]), ("verified query", [q.name for q in queries])):
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise SemanticModelError(f"duplicate {label} names: {', '.join(duplicated)}")
    for table in tables:
        names = [c.name for c in table.columns] + [m.name for m in table.metrics]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise SemanticModelError(f"{table.name}: duplicate column or metric names: {', '.join(duplicated)}")
    for relationship in raw.get("relationships", []) or []:
        left, right = model.table(relationship["left_table"]), model.table(relationship["right_table"])
        for pair in relationship["relationship_columns"]:
            left.column(pair["left_column"])
            right.column(pair["right_column"])
    for query in queries:
        for name in query.tables():
            model.table(name)
    return model


@functools.cache
def load(path: Path = MODEL_PATH) -> SemanticModel:
    return parse(path.read_text())


def problems(model: SemanticModel, fetchall) -> list[str]:
    """What does not hold in a built warehouse, via `fetchall(sql, params)` (either engine): every column the model
    names exists in its relation, and every verified query runs. Empty when the model is sound."""
    found: list[str] = []
    for relation, columns in model.columns_by_relation().items():
        schema, table = relation.split(".")
        rows = fetchall("SELECT lower(column_name) FROM information_schema.columns WHERE lower(table_schema) = ? "
                        "AND lower(table_name) = ?", [schema, table])
        present = {r[0] for r in rows}
        if not present:
            found.append(f"{relation} does not exist (build the gold layer first)")
            continue
        missing = sorted(columns - present)
        if missing:
            found.append(f"{relation} has no column {', '.join(missing)}")
    if found:
        return found
    for query in model.verified_queries:
        try:
            fetchall(model.verified_sql(query.name), [])
        except Exception as error:  # noqa: BLE001 - each failing query is reported by name with the engine's message
            found.append(f"verified query {query.name} fails: {str(error).splitlines()[0]}")
    return found
