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


REPORTS = (
    Report(
        name="executive_summary",
        title="Executive summary",
        description="Per month in the range: active customers, approved spend and transactions, average transaction, "
                    "and how many active customers are at high churn risk; months the range covers only in part "
                    "are flagged (their totals are not comparable).",
        sql=f"""
with months as (
    select cast(date_trunc('month', f.transaction_date) as date) as month,
           count(distinct f.customer_id) as active_customers,
           count(*) as transactions,
           sum(f.transaction_amount) as approved_spend,
           avg(f.transaction_amount) as avg_transaction_value,
           count(distinct case when p.churn_risk_band = 'High' then f.customer_id end) as high_risk_active_customers
    from gold.fct_transactions f
    join gold.customer_360_profile p on p.customer_id = f.customer_id
    where f.is_approved and f.transaction_date between ? and ? and {_SEGMENT}
    group by 1
)
select months.*, (month < ? or last_day(month) > ?) as is_partial_month
from months
order by month""",
        reads=("fct_transactions", "customer_360_profile"),
        chart=Chart("line", "month", "approved_spend", "Approved spend per month"),
        bind=lambda p: [*_range_and_segment(p), p.date_from, p.date_to],  # the range again: partial months
    ),
    Report(
        name="segment_performance",
        title="Segment performance",
        description="Per generated segment: customers, approved spend and transactions in the range, average "
                    "lifetime value, and customers at high churn risk.",
        sql=f"""
select p.customer_segment as segment,
       count(*) as customers,
       coalesce(sum(t.spend), 0) as approved_spend,
       coalesce(sum(t.transactions), 0) as transactions,
       avg(p.lifetime_value) as avg_lifetime_value,
       sum(case when p.churn_risk_band = 'High' then 1 else 0 end) as high_risk_customers
from gold.customer_360_profile p
left join (
    select customer_id, sum(transaction_amount) as spend, count(*) as transactions
    from gold.fct_transactions
    where is_approved and transaction_date between ? and ?
    group by customer_id
) t on t.customer_id = p.customer_id
where {_SEGMENT}
group by p.customer_segment
order by approved_spend desc, segment""",
        reads=("fct_transactions", "customer_360_profile"),
        chart=Chart("bar", "segment", "approved_spend", "Approved spend by segment"),
        bind=_range_and_segment,
    ),
    Report(
        name="churn_watchlist",
        title="Churn watchlist",
        description="Customers at high or medium churn risk as of the latest build, riskiest first, with what drives "
                    "the score. No names or e-mail addresses: the list travels.",
        sql=f"""
select p.customer_id, p.customer_segment as segment, p.churn_risk_score, p.churn_risk_band,
       p.days_since_last_transaction, p.spend_last_90_days, p.spend_prior_90_days, p.spend_trend,
       p.lifetime_value, p.card_type, p.state
from gold.customer_360_profile p
where p.churn_risk_band in ('High', 'Medium') and {_SEGMENT}
order by p.churn_risk_score desc, p.lifetime_value desc, p.customer_id""",
        reads=("customer_360_profile",),
        chart=Chart("bar", "segment", "customer_id", "Customers on the watchlist by segment"),
        bind=_segment,
    ),
    Report(
        name="monthly_spend",
        title="Monthly spend",
        description="Per calendar month in the range: approved spend, transactions, active customers and the change "
                    "from the month before; partial months (the history's first, the as-of month) are flagged.",
        sql=f"""
with months as (
    select s.spend_month,
           count(*) as active_customers,
           sum(s.spend) as spend,
           sum(s.transaction_count) as transactions,
           max(case when s.is_partial_month then 1 else 0 end) as partial
    from gold.monthly_customer_spending s
    join gold.customer_360_profile p on p.customer_id = s.customer_id
    where s.spend_month between ? and ? and {_SEGMENT}
    group by s.spend_month
)
select spend_month, active_customers, spend, transactions, partial = 1 as is_partial_month,
       spend - lag(spend) over (order by spend_month) as spend_change
from months
order by spend_month""",
        reads=("monthly_customer_spending", "customer_360_profile"),
        chart=Chart("bar", "spend_month", "spend", "Approved spend per month"),
        bind=lambda p: [p.date_from.replace(day=1), p.date_to, *_segment(p)],  # whole months from date_from's
    ),
)
REPORTS_BY_NAME = {report.name: report for report in REPORTS}
