"""Ask's SQL: a question understood -> one SELECT over the model's logical tables (CTEs over the gold tables), its
bound values, and the chart its shape calls for.

Only what the model defines (tables, columns, metric expressions), the relationship it declares and this module's
own keywords reach the SQL text; every value a question carries (a filter value, a date, N) is a `?` placeholder,
bound by both engines. The SQL is the dialect DuckDB and Snowflake share (CAST, DATE_TRUNC, window functions, NULLS
LAST), so the same question gives the same rows on both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from customer360.lib.semantic import SemanticModel, SemanticModelError, Table
from customer360.lib.semantic.periods import month_end
from customer360.lib.semantic.preaggregate import two_steps
from customer360.lib.semantic.understanding import Dim, Question, compared_wholes

GRAINS = ("day", "week", "month", "quarter", "year")
MONTHLY = "monthly_spend"  # customer-months: transactions' figures a month holds whole (by_customer_month)


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple
    chart: str  # number | bar | line | table


def chart(question: Question) -> str:
    """A number for one figure, a line over time, bars for groups and rankings."""
    if question.grain and not (question.rank and not question.dims):
        return "line"
    if question.dims or question.rank:
        return "bar"
    return "number"


def measure_expr(table: Table, question: Question) -> str:
    """A sum over no row is 0 ("spend in 2025" before the history begins), not an empty figure; an average, a rate or
    a ratio over no row stays empty: it has no value."""
    measure = question.measure
    if measure.name in {m.name for m in table.metrics}:
        expr = " ".join(table.metric(measure.name).expr.split())
        return f"COALESCE({expr}, 0)" if expr.upper().startswith("SUM(") and "/" not in expr else expr
    column = table.column(measure.name)
    if column.kind != "fact":
        raise SemanticModelError(f"{measure.name} is not a measure of {table.name}")
    if measure.aggregate == "SUM":
        return f"COALESCE(SUM({column.name}), 0)"
    return f"{measure.aggregate or 'SUM'}({column.name})"  # SUM of one row when grouped by the table's key


def _grain_expr(table: Table, grain: str) -> str:
    if grain not in GRAINS:
        raise SemanticModelError(f"{grain!r} is not a time grain; use one of {', '.join(GRAINS)}")
    time = table.time_dimension
    if time is None:
        raise SemanticModelError(f"{table.name} has no time dimension to group by {grain}")
    if table.name != "transactions" and grain == "month":  # spend_month is already the month's first day
        return time.name
    return f"CAST(DATE_TRUNC('{grain}', {time.name}) AS DATE)"


def _joined(model: SemanticModel, question: Question) -> list[str]:
    """The tables other than the measure's that the question's groupings and filters name."""
    base = question.measure.table
    used = {*question.dims, *(f.dim for f in (*question.filters, *question.share_of))}
    return sorted({d.table for d in used if d.table != base})


def _source(model: SemanticModel, question: Question, rows: str | None = None) -> str:
    """The measure's table (or `rows` of it, aggregated per key first), joined (many to one, as the model declares) to
    the tables other dimensions live in."""
    base = model.table(question.measure.table)
    rows = rows or f"__{base.name}"
    used = {*question.dims, *(f.dim for f in (*question.filters, *question.share_of))}
    others = _joined(model, question)
    if not others:
        return rows if rows.startswith("__") else f"{rows} AS facts"
    columns, joins = [], []
    for i, other in enumerate(others):
        relationship = model.relationship(base.name, other)
        if relationship is None:
            raise SemanticModelError(f"the model does not relate {base.name} to {other}")
        alias = f"r{i}"
        on = " AND ".join(f"b.{left} = {alias}.{right}" for left, right in relationship.columns)
        joins.append(f"LEFT JOIN __{other} AS {alias} ON {on}")
        for column in sorted({d.column for d in used if d.table == other}):
            model.table(other).column(column)
            if base.has_column(column):
                raise SemanticModelError(f"{column} is in both {base.name} and {other}")
            columns.append(f"{alias}.{column} AS {column}")
    return f"(SELECT b.*, {', '.join(columns)} FROM {rows} AS b {' '.join(joins)}) AS facts"


@dataclass(frozen=True)
class _From:
    source: str  # the FROM clause
    measure: str  # the measure's expression over it
    grain: str | None  # the time grain's expression over it
    conditions: list[str]
    params: list


def _from(model: SemanticModel, question: Question, table: Table) -> _From:
    """Where the answer's rows come from: the measure's table as it is, or aggregated first (preaggregate.py) when
    the measure allows it and fewer rows are then joined or grouped: per customer when it is joined to the accounts
    and grouped by nothing of its own (no time grain, no category or channel), or per day and its own groupings when
    it is grouped by week, month, quarter or year and joined to nothing."""
    measure = measure_expr(table, question)
    grain = _grain_expr(table, question.grain) if question.grain else None
    conditions, params = _where(model, question)
    plain = _From(_source(model, question), measure, grain, conditions, params)
    others = _joined(model, question)
    time = table.time_dimension
    if others:  # per customer: by a grain or a transaction's own attribute as well, more rows than the join saves
        keys = [left for other in others for left, _ in model.relationship(table.name, other).columns]
        if question.grain or any(d.table == table.name and d.column not in keys for d in question.dims):
            return plain
        time_key = None
    else:
        if question.grain not in ("week", "month", "quarter", "year") or grain == time.name:
            return plain
        keys, time_key = [], time.name
    keys += [d.column for d in question.dims if d.table == table.name]
    keys = list(dict.fromkeys(keys))
    steps = two_steps(measure, {*keys, *([] if others else [time.name])}, [c.name for c in table.columns])
    if steps is None:
        return plain
    inner_filters = replace(question, filters=tuple(f for f in question.filters if f.dim.table == table.name))
    outer_filters = replace(question, filters=tuple(f for f in question.filters if f.dim.table != table.name),
                            period=None)
    inner_conditions, inner_params = _where(model, inner_filters)
    outer_conditions, outer_params = _where(model, outer_filters)
    select = [*keys, *([time_key] if time_key else []), *steps.partials]
    rows = f"(SELECT {', '.join(select)} FROM __{table.name}"
    if inner_conditions:
        rows += f" WHERE {' AND '.join(inner_conditions)}"
    rows += f" GROUP BY {', '.join([*keys, *([time_key] if time_key else [])])})"
    return _From(_source(model, question, rows), steps.measure, grain, outer_conditions, inner_params + outer_params)


def _where(model: SemanticModel, question: Question) -> tuple[list[str], list]:
    conditions, params = [], []
    for f in question.filters:
        model.table(f.dim.table).column(f.dim.column)
        listed = f"{f.dim.column} {'NOT IN' if f.negated else 'IN'} ({', '.join('?' for _ in f.values)})"
        # "excluding High churn band": a row with no value (a customer the churn model has not scored) is not High
        conditions.append(f"({f.dim.column} IS NULL OR {listed})" if f.negated else listed)
        params += list(f.values)
    if question.period:
        time = model.table(question.measure.table).time_dimension
        if time is None:
            raise SemanticModelError(f"{question.measure.table} has no date to filter on")
        if question.period.start:
            conditions.append(f"{time.name} >= CAST(? AS DATE)")
            params.append(question.period.start.isoformat())
        conditions.append(f"{time.name} <= CAST(? AS DATE)")
        params.append(question.period.end.isoformat())
    return conditions, params


def question_sql(model: SemanticModel, question: Question, as_of: dt.date | None = None) -> Statement:
    if question.change:
        return _change_sql(model, question)
    question = by_customer_month(model, question, as_of)
    table = model.table(question.measure.table)
    rows = _from(model, question, table)
    measure, conditions, params = rows.measure, rows.conditions, rows.params
    groups: list[tuple[str, str, Dim | None]] = [(d.column, d.column, d) for d in question.dims]
    if question.grain:
        groups.append((rows.grain, question.grain, None))
    share_columns = {f.dim.column for f in question.share_of}
    select = [f"{expr} AS {alias}" for expr, alias, _ in groups] + [f"{measure} AS {question.measure.column}"]
    shown = [alias for _, alias, _ in groups] + [question.measure.column]
    # "share of spend that is Online" within each other group; "share of spend by category" of all, "by category and
    # month" within each month; "share of spend by month" of all
    if question.share:  # ...and "by card type for Texas and California" within each state compared
        compared = compared_wholes(question)
        partition = [expr for expr, alias, dim in groups if alias not in share_columns and
                     (question.share_of or dim is None and len(groups) > 1 or dim in compared)]
        over = f"PARTITION BY {', '.join(partition)}" if partition else ""
        select.append(f"{measure} / NULLIF(SUM({measure}) OVER ({over}), 0) AS share")
        shown.append("share")
    if question.rank:
        ties = ", ".join(expr for expr, _, _ in groups)
        direction = "DESC" if question.rank.descending else "ASC"
        select.append(f"ROW_NUMBER() OVER (ORDER BY {measure} {direction} NULLS LAST, {ties}) AS place")
    inner = f"SELECT {', '.join(select)} FROM {rows.source}"
    if conditions:
        inner += f" WHERE {' AND '.join(conditions)}"
    if groups:
        inner += f" GROUP BY {', '.join(expr for expr, _, _ in groups)}"
    if question.share_of and all(len(f.values) == 1 for f in question.share_of):
        return _share_of_sql(model, question, inner, params, groups, share_columns)
    outer, outer_params = [], []
    for f in question.share_of:
        outer.append(f"{f.dim.column} IN ({', '.join('?' for _ in f.values)})")
        outer_params += list(f.values)
    if question.rank:
        outer.append("place <= ?")
        outer_params.append(question.rank.n)
    order = _order(question, groups)
    if outer:
        sql = f"SELECT {', '.join(shown)} FROM ({inner}) AS answer WHERE {' AND '.join(outer)} ORDER BY {order}"
    else:
        sql = f"{inner} ORDER BY {order}" if groups else inner
    return Statement(model.with_ctes(sql), tuple(params + outer_params), chart(question))


def _share_of_sql(model: SemanticModel, question: Question, inner: str, params: list,
                  groups: list[tuple[str, str, Dim | None]], share_columns: set[str]) -> Statement:
    """"What share of Premium customers are in Texas": the part's share within each other group, 0 where the part
    has no rows at all (a window over groups cannot show a group that is absent), none where the whole is 0."""
    measure = question.measure.column
    others = [alias for _, alias, _ in groups if alias not in share_columns]
    values = {f.dim.column: f.values[0] for f in question.share_of}
    part = " AND ".join(f"{column} = ?" for column in values)
    shown = [f"CAST(? AS VARCHAR) AS {alias}" if alias in share_columns else alias for _, alias, _ in groups]
    shown_params = [values[alias] for _, alias, _ in groups if alias in share_columns]
    sql = (f"SELECT {', '.join(shown)}, COALESCE(SUM(CASE WHEN {part} THEN {measure} END), 0) AS {measure}, "
           f"CASE WHEN SUM({measure}) <> 0 THEN COALESCE(SUM(CASE WHEN {part} THEN share END), 0) END AS share "
           f"FROM ({inner}) AS answer")
    # the bound values in the order they appear: the shown constants, the part's twice, the inner query's
    bound = [*shown_params, *values.values(), *values.values(), *params]
    if question.rank:  # "Premium share of customers by state, top 3": the groups ranked by the share, not the count
        if others:
            sql += f" GROUP BY {', '.join(others)}"
        columns = [alias for _, alias, _ in groups] + [measure, "share"]
        direction = "DESC" if question.rank.descending else "ASC"
        sql = (f"SELECT {', '.join(columns)} FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY share {direction} NULLS LAST"
               f"{''.join(', ' + o for o in others)}) AS place FROM ({sql}) AS shares) AS ranked WHERE place <= ? "
               "ORDER BY place")
        return Statement(model.with_ctes(sql), tuple([*bound, question.rank.n]), chart(question))
    if others:
        sql += f" GROUP BY {', '.join(others)} ORDER BY {_order(question, [g for g in groups if g[1] in others])}"
    return Statement(model.with_ctes(sql), tuple(bound), chart(question))


def by_customer_month(model: SemanticModel, question: Question, as_of: dt.date | None) -> Question:
    """The question over the customer-months (monthly_spend) when they hold its answer whole: a measure the model
    defines there too, groupings and filters only by customer attributes (not by customer) and months, whole months
    (a period from a month's first day to a month's last day or to as-of), and no ranking from the bottom. One row per
    customer and month instead of one per transaction: the same figures from ~25 times fewer rows.

    A customer-month exists only with an approved transaction, so a customer whose transactions were all declined
    has no row there; over the transactions that customer counts 0. Questions where that shows (one customer, a
    ranking of customers or from the bottom) stay on the transactions; a group of customers with no approved
    transaction in whole months would be left out rather than shown at 0."""
    monthly = model.table(MONTHLY)
    if question.measure.table != "transactions" or question.measure.aggregate or \
            question.measure.name not in {m.name for m in monthly.metrics}:
        return question
    dims = [*question.dims, *(f.dim for f in (*question.filters, *question.share_of))]
    if any(d.table == "transactions" or d.column in monthly.primary_key for d in dims) or \
            question.grain not in (None, "month", "quarter", "year") or (question.rank and not question.rank.descending):
        return question
    period = question.period
    if period and not ((period.start is None or period.start.day == 1) and
                       (period.end == month_end(period.end) or period.end == as_of)):
        return question
    return replace(question, measure=replace(question.measure, table=MONTHLY))


def _order(question: Question, groups: list[tuple[str, str, Dim | None]]) -> str:
    if question.rank:
        return "place"
    aliases = [alias for _, alias, _ in groups]
    if question.grain:
        return ", ".join([question.grain, *(a for a in aliases if a != question.grain)])
    ordered_by = "share" if question.share else question.measure.column  # "states ranked by Premium share": the share
    return ", ".join([f"{ordered_by} DESC NULLS LAST", *aliases])


def _change_sql(model: SemanticModel, question: Question) -> Statement:
    """Month over month change of the portfolio's approved spend; its biggest drop or rise among whole months."""
    table = model.table(question.measure.table)
    time = table.time_dimension.name
    conditions, params = [], []
    if question.period:
        if question.period.start:
            conditions.append(f"{time} >= CAST(? AS DATE)")
            params.append(question.period.start.isoformat())
        conditions.append(f"{time} <= CAST(? AS DATE)")
        params.append(question.period.end.isoformat())
    if question.change == "all":
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        sql = (f"SELECT {time} AS month, spend, spend_change_pct, is_partial_month FROM __{table.name}{where} "
               f"ORDER BY {time}")
        return Statement(model.with_ctes(sql), tuple(params), "line")
    falling = question.change == "drop"
    conditions = ["NOT is_partial_month", f"spend_change_pct {'<' if falling else '>'} 0", *conditions]
    sql = (f"SELECT month, spend, spend_change_pct FROM (SELECT {time} AS month, spend, spend_change_pct, "
           f"ROW_NUMBER() OVER (ORDER BY spend_change_pct {'ASC' if falling else 'DESC'}, {time}) AS place "
           f"FROM __{table.name} WHERE {' AND '.join(conditions)}) AS answer WHERE place <= ? ORDER BY place")
    return Statement(model.with_ctes(sql), tuple([*params, question.rank.n if question.rank else 1]), "bar")


HEALTH_SQL = {
    "status": "SELECT r.job_name, r.status, r.started_at, r.duration_s, r.rows_processed, "
              "(SELECT COUNT(*) FROM observability.v_recent_dq_failures) AS failed_checks_last_7_days "
              "FROM observability.v_latest_pipeline_runs AS r ORDER BY r.started_at DESC, r.job_name",
    "failures": "SELECT checked_at, check_name, asset_key, severity, observed_value, threshold, description "
                "FROM observability.v_recent_dq_failures ORDER BY checked_at DESC, check_name",
    # each job's: the newest run overall can be a small job's ("reports"), which says nothing of the data's load
    "last_run": "SELECT job_name, status, started_at, ended_at, duration_s, rows_processed, assets_materialized "
                "FROM observability.v_latest_pipeline_runs ORDER BY started_at DESC, job_name",
    "counts": "SELECT measured_date, layer, table_name, row_count FROM observability.v_record_count_trends "
              "WHERE measured_date = (SELECT MAX(measured_date) FROM observability.v_record_count_trends) "
              "ORDER BY layer, table_name",
}


def health_sql(topic: str) -> Statement:
    """Pipeline health from the observability views (no error text: it can quote a rejected value)."""
    return Statement(HEALTH_SQL[topic], (), "table")
