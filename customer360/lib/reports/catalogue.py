"""The report catalogue: what each report asks of the gold layer, its parameters, and its chart.

Every query is parameterized (qmark, as both engines bind it): dates and the segment never become SQL text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

# The filter every report shares: all segments when the parameter is empty.
_SEGMENT = "(? = '' or p.customer_segment = ?)"


class ReportParameterError(ValueError):
    """A report parameter is invalid; the message names it and what to pass instead."""


@dataclass(frozen=True)
class ReportParams:
    date_from: dt.date
    date_to: dt.date
    segment: str = ""  # a generated segment (customer_360_profile.customer_segment); empty: every segment

    @classmethod
    def parse(cls, date_from: str, date_to: str, segment: str, as_of: dt.date) -> ReportParams:
        """From run config: dates as YYYY-MM-DD (defaults: the year ending on the data's as-of date)."""
        to = _date("date_to", date_to) if date_to else as_of
        start = _date("date_from", date_from) if date_from else to - dt.timedelta(days=364)
        if start > to:
            raise ReportParameterError(f"date_from {start} is after date_to {to}; give a range that runs forward")
        return cls(start, to, segment.strip())

    def as_json_dict(self) -> dict[str, str]:
        return {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat(), "segment": self.segment}


def _date(name: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ReportParameterError(f"{name}={value!r} is not a date; use YYYY-MM-DD, e.g. 2026-06-30") from None


@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" | "line"
    x: str
    y: str
    title: str


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    description: str
    sql: str
    reads: tuple[str, ...]  # the gold relations it reads (its asset's upstream)
    chart: Chart
    bind: Callable[[ReportParams], list]  # the values of the SQL's placeholders, in order

    def query(self, params: ReportParams) -> tuple[str, list]:
        """The SQL and its bound values, in placeholder order."""
        return self.sql, self.bind(params)


def _segment(p: ReportParams) -> list:
    return [p.segment, p.segment]


def _range_and_segment(p: ReportParams) -> list:
    return [p.date_from, p.date_to, *_segment(p)]


# The range asked for, bound once (placeholders: date_from, date_to), and the calendar months it reaches with the days
# each row covers: the range cut to the data's days (gold.dim_month: history start to as-of). A row is partial unless
# it covers its whole calendar month: the rule of dbt_project/macros/partial_month.sql, applied to the range too.
_ASKED = "asked as (select cast(? as date) as date_from, cast(? as date) as date_to)"
_COVERED_MONTHS = f"""{_ASKED},
covered as (
    select m.month_start as month, m.month_end,
           greatest(m.first_covered_day, asked.date_from) as first_day,
           least(m.last_covered_day, asked.date_to) as last_day
    from gold.dim_month m
    cross join asked
    where greatest(m.first_covered_day, asked.date_from) <= least(m.last_covered_day, asked.date_to)
)"""
_PARTIAL = "not (c.first_day = c.month and c.last_day = c.month_end)"
# Transactions a figure counts (gold.fct_transactions_as_of: nothing after as-of), approved, on the days a row
# covers, in the segment (placeholders: the segment twice).
_APPROVED_IN_RANGE = f"""facts as (
    select c.month, f.customer_id, f.transaction_amount, p.churn_risk_band
    from gold.fct_transactions_as_of f
    join covered c
      on cast(date_trunc('month', f.transaction_date) as date) = c.month
     and f.transaction_date between c.first_day and c.last_day
    join gold.customer_360_profile p on p.customer_id = f.customer_id
    where f.is_approved and {_SEGMENT}
)"""


REPORTS = (
    Report(
        name="executive_summary",
        title="Executive summary",
        description="Per calendar month in the range: the days the row covers, active customers, approved spend and "
                    "transactions, average transaction, and how many active customers are at high churn risk. A "
                    "month the row covers only in part (the range or the data starts or ends inside it) is flagged: "
                    "its totals are not comparable with whole months'.",
        sql=f"""
with {_COVERED_MONTHS},
{_APPROVED_IN_RANGE},
months as (
    select month,
           count(distinct customer_id) as active_customers,
           count(*) as transactions,
           sum(transaction_amount) as approved_spend,
           avg(transaction_amount) as avg_transaction_value,
           count(distinct case when churn_risk_band = 'High' then customer_id end) as high_risk_active_customers
    from facts
    group by month
)
select c.month, c.first_day, c.last_day,
       coalesce(m.active_customers, 0) as active_customers,
       coalesce(m.transactions, 0) as transactions,
       coalesce(m.approved_spend, 0) as approved_spend,
       m.avg_transaction_value,
       coalesce(m.high_risk_active_customers, 0) as high_risk_active_customers,
       {_PARTIAL} as is_partial_month
from covered c
left join months m on m.month = c.month
order by c.month""",
        reads=("fct_transactions_as_of", "customer_360_profile", "dim_month"),
        chart=Chart("line", "month", "approved_spend", "Approved spend per month"),
        bind=_range_and_segment,
    ),
    Report(
        name="segment_performance",
        title="Segment performance",
        description="Per generated segment: customers, approved spend and transactions in the days the row covers "
                    "(the range cut to the data's days), average lifetime value, and customers at high churn risk.",
        sql=f"""
with {_ASKED},
span as (
    select greatest(min(m.first_covered_day), min(asked.date_from)) as first_day,
           least(max(m.last_covered_day), max(asked.date_to)) as last_day
    from gold.dim_month m
    cross join asked
)
select p.customer_segment as segment,
       span.first_day, span.last_day,
       count(*) as customers,
       coalesce(sum(t.spend), 0) as approved_spend,
       coalesce(sum(t.transactions), 0) as transactions,
       avg(p.lifetime_value) as avg_lifetime_value,
       sum(case when p.churn_risk_band = 'High' then 1 else 0 end) as high_risk_customers
from gold.customer_360_profile p
cross join span
left join (
    select f.customer_id, sum(f.transaction_amount) as spend, count(*) as transactions
    from gold.fct_transactions_as_of f
    cross join span
    where f.is_approved and f.transaction_date between span.first_day and span.last_day
    group by f.customer_id
) t on t.customer_id = p.customer_id
where span.first_day <= span.last_day and {_SEGMENT}
group by p.customer_segment, span.first_day, span.last_day
order by approved_spend desc, segment""",
        reads=("fct_transactions_as_of", "customer_360_profile", "dim_month"),
        chart=Chart("bar", "segment", "approved_spend", "Approved spend by segment"),
        bind=_range_and_segment,
    ),
    Report(
        name="churn_watchlist",
        title="Churn watchlist",
        description="Customers at high or medium churn risk as of the latest build (as_of_date), riskiest first, "
                    "with what drives the score. No names or e-mail addresses: the list travels.",
        sql=f"""
select p.customer_id, p.customer_segment as segment, p.churn_risk_score, p.churn_risk_band,
       p.days_since_last_transaction, p.spend_last_90_days, p.spend_prior_90_days, p.spend_trend,
       p.lifetime_value, p.card_type, p.state,
       (select max(last_covered_day) from gold.dim_month) as as_of_date
from gold.customer_360_profile p
where p.churn_risk_band in ('High', 'Medium') and {_SEGMENT}
order by p.churn_risk_score desc, p.lifetime_value desc, p.customer_id""",
        reads=("customer_360_profile", "dim_month"),
        chart=Chart("bar", "segment", "customer_id", "Customers on the watchlist by segment"),
        bind=_segment,
    ),
    Report(
        name="monthly_spend",
        title="Monthly spend",
        description="Per calendar month in the range: the days the row covers, approved spend, transactions, "
                    "active customers and the change from the month before. A month the row covers only in part "
                    "(the range or the data starts or ends inside it) is flagged and has no change, nor does the "
                    "month after it: a part-month beside a whole one reads as a collapse or a boom.",
        sql=f"""
with {_COVERED_MONTHS},
{_APPROVED_IN_RANGE},
months as (
    select month, count(distinct customer_id) as active_customers, sum(transaction_amount) as spend,
           count(*) as transactions
    from facts
    group by month
),
flagged as (
    select c.month as spend_month, c.first_day, c.last_day,
           coalesce(m.active_customers, 0) as active_customers,
           coalesce(m.spend, 0) as spend,
           coalesce(m.transactions, 0) as transactions,
           {_PARTIAL} as is_partial_month
    from covered c
    left join months m on m.month = c.month
)
select spend_month, first_day, last_day, active_customers, spend, transactions, is_partial_month,
       case
           when not is_partial_month and not lag(is_partial_month) over (order by spend_month)
               then spend - lag(spend) over (order by spend_month)
       end as spend_change
from flagged
order by spend_month""",
        reads=("fct_transactions_as_of", "customer_360_profile", "dim_month"),
        chart=Chart("bar", "spend_month", "spend", "Approved spend per month"),
        bind=_range_and_segment,
    ),
)
REPORTS_BY_NAME = {report.name: report for report in REPORTS}
