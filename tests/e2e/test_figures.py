"""Every figure of every report and every verified query of the semantic model, recomputed in plain Python from the
facts (gold.fct_transactions) and the accounts (the profile's attributes), on a warehouse `make demo` built whose
first and last months are partial (history from March 18, as-of June 17).

The recomputation shares nothing with the SQL it checks: the partial-month rule, the as-of rule and the ranges are
written here again from the README's words. Two approved transactions dated after as-of are added to the facts of a
copy of the warehouse first: no figure may count them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import duckdb
import pytest
from built import BUILT_AS_OF, copy_with_late_transactions

from customer360.lib.reports.catalogue import REPORTS_BY_NAME, ReportParams
from customer360.lib.reports.publish import Request, publish
from customer360.lib.semantic import load as load_model
from customer360.resources import object_store_resource, warehouse_resource
from customer360.settings import settings

AS_OF = BUILT_AS_OF
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def home(built_home, tmp_path_factory):
    """A copy of the built warehouse with two approved transactions after as-of (a streamed day the rule excludes)."""
    return copy_with_late_transactions(built_home, tmp_path_factory.mktemp("figures") / "home")


@pytest.fixture(scope="module")
def facts(home) -> list[dict]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        rows = conn.execute("SELECT transaction_id, customer_id, transaction_date, transaction_amount, status, "
                            "merchant_category, channel FROM gold.fct_transactions").fetchall()
    names = ("transaction_id", "customer_id", "day", "amount", "status", "category", "channel")
    found = [dict(zip(names, row, strict=True)) for row in rows]
    assert any(f["day"] > AS_OF for f in found)  # the late rows are there, for the rule to leave out
    return [f for f in found if f["day"] <= AS_OF]  # the as-of rule, as the README states it


@pytest.fixture(scope="module")
def accounts(home) -> dict[str, dict]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        rows = conn.execute("SELECT p.customer_id, p.customer_segment, p.churn_risk_band, p.churn_risk_score, "
                            "p.card_type, p.state, a.behavioural_segment, a.favourite_channel, "
                            "a.model_churn_risk_band, a.model_churn_risk_score "
                            "FROM gold.customer_360_profile p "
                            "JOIN gold.marketing_customer_audience a USING (customer_id)").fetchall()
    names = ("customer_id", "segment", "band", "score", "card_type", "state", "behavioural_segment",
             "favourite_channel", "model_band", "model_score")
    return {row[0]: dict(zip(names, row, strict=True)) for row in rows}


@pytest.fixture(scope="module")
def reports(home):
    """Runs a report on the copy and returns its rows."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("C360_HOME", str(home))
        patch.setenv("C360_TARGET", "local")
        patch.setenv("C360_AS_OF", AS_OF.isoformat())
        patch.delenv("C360_S3_ENDPOINT_URL", raising=False)
        s = settings()
        warehouse, store = warehouse_resource(s), object_store_resource(s)

        def run(name: str, date_from: str = "", date_to: str = "") -> list[dict]:
            params = ReportParams.parse(date_from, date_to, "", AS_OF)
            request = Request(REPORTS_BY_NAME[name], params, f"oracle-{name}", f"oracle-{name}-{date_from}",
                              "oracle@test")
            return publish(warehouse, store, request).result.to_pylist()

        yield run


# --- The rules, written again -------------------------------------------------------------------------------------

def month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def history_first_day(facts) -> dt.date:
    return min(f["day"] for f in facts if f["status"] == "approved")


def rows_of_range(facts, date_from: dt.date, date_to: dt.date) -> list[tuple[dt.date, dt.date, dt.date, bool]]:
    """(month, first day, last day, partial) per calendar month the range reaches within the data's days."""
    first, last = max(date_from, history_first_day(facts)), min(date_to, AS_OF)
    found, month = [], first.replace(day=1)
    while month <= last:
        start, end = max(month, first), min(month_end(month), last)
        found.append((month, start, end, (start, end) != (month, month_end(month))))
        month = month_end(month) + dt.timedelta(days=1)
    return found


def approved_between(facts, first: dt.date, last: dt.date) -> list[dict]:
    return [f for f in facts if f["status"] == "approved" and first <= f["day"] <= last]


def lifetime_values(facts) -> dict[str, Decimal]:
    ltv: dict[str, Decimal] = defaultdict(Decimal)
    for f in facts:
        if f["status"] == "approved":
            ltv[f["customer_id"]] += f["amount"]
    return ltv


def value_tier(ltv: Decimal) -> str:
    return "Top" if ltv >= 20000 else "Mid" if ltv >= 5000 else "Entry"


DEFAULT = (AS_OF - dt.timedelta(days=364), AS_OF)
MID_MONTH = (dt.date(2026, 4, 10), dt.date(2026, 6, 5))
PAST_AS_OF = (dt.date(2026, 4, 20), AS_OF + dt.timedelta(days=13))  # the late rows fall inside it: none may count
RANGES = pytest.mark.parametrize("date_range", [DEFAULT, MID_MONTH, PAST_AS_OF],
                                 ids=["default", "mid-month", "past-as-of"])


def test_the_built_history_starts_and_ends_mid_month_and_dim_month_flags_its_months_by_the_rule(home, facts):
    assert history_first_day(facts) == dt.date(2026, 3, 18) and AS_OF.day == 17
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        months = conn.execute("SELECT month_start, first_covered_day, last_covered_day, is_partial_month "
                              "FROM gold.dim_month ORDER BY month_start").fetchall()
    assert months == rows_of_range(facts, history_first_day(facts), AS_OF)


# --- Reports ------------------------------------------------------------------------------------------------------

@RANGES
def test_every_figure_of_the_executive_summary_and_monthly_spend_recomputes_from_the_facts(
        date_range, facts, accounts, reports):
    date_from, date_to = date_range
    expected, previous = [], None
    for month, first, last, partial in rows_of_range(facts, date_from, date_to):
        rows = approved_between(facts, first, last)
        spend = sum((f["amount"] for f in rows), Decimal(0))
        customers = {f["customer_id"] for f in rows}
        high = {c for c in customers if accounts[c]["band"] == "High"}
        change = spend - previous[1] if previous and not partial and not previous[0] else None
        expected.append((month, first, last, len(customers), len(rows), spend, len(high), partial, change))
        previous = (partial, spend)
    assert any(row[7] for row in expected) and any(not row[7] for row in expected)

    args = (date_from.isoformat(), date_to.isoformat())
    summary = reports("executive_summary", *args)
    assert [(r["month"], r["first_day"], r["last_day"], r["active_customers"], r["transactions"], r["approved_spend"],
             r["high_risk_active_customers"], r["is_partial_month"]) for r in summary] == [e[:8] for e in expected]
    for row, (_, _, _, _, n, spend, _, _, _) in zip(summary, expected, strict=True):
        average = spend / n if n else None
        assert (row["avg_transaction_value"] is None) == (average is None)
        assert average is None or abs(Decimal(str(row["avg_transaction_value"])) - average) < CENT

    monthly = reports("monthly_spend", *args)
    assert [(r["spend_month"], r["first_day"], r["last_day"], r["active_customers"], r["transactions"], r["spend"],
             r["is_partial_month"], r["spend_change"]) for r in monthly] == [
        (m, f, la, c, n, s, p, ch) for m, f, la, c, n, s, _, p, ch in expected]


@RANGES
def test_every_figure_of_segment_performance_recomputes_from_the_facts(date_range, facts, accounts, reports):
    date_from, date_to = date_range
    first, last = max(date_from, history_first_day(facts)), min(date_to, AS_OF)
    ltv, rows = lifetime_values(facts), approved_between(facts, first, last)
    expected = {}
    for segment in {a["segment"] for a in accounts.values()}:
        members = {c for c, a in accounts.items() if a["segment"] == segment}
        mine = [f for f in rows if f["customer_id"] in members]
        expected[segment] = (first, last, len(members), sum((f["amount"] for f in mine), Decimal(0)), len(mine),
                             sum(ltv[c] for c in members) / len(members),
                             sum(1 for c in members if accounts[c]["band"] == "High"))
    got = reports("segment_performance", date_from.isoformat(), date_to.isoformat())
    assert {r["segment"]: (r["first_day"], r["last_day"], r["customers"], r["approved_spend"], r["transactions"])
            for r in got} == {s: e[:5] for s, e in expected.items()}
    for r in got:
        assert abs(Decimal(str(r["avg_lifetime_value"])) - expected[r["segment"]][5]) < CENT
        assert r["high_risk_customers"] == expected[r["segment"]][6]
    assert [r["approved_spend"] for r in got] == sorted((r["approved_spend"] for r in got), reverse=True)


def test_the_churn_watchlist_lists_exactly_the_high_and_medium_accounts_riskiest_first(facts, accounts, reports):
    ltv = lifetime_values(facts)
    expected = sorted((a for a in accounts.values() if a["band"] in ("High", "Medium")),
                      key=lambda a: (-a["score"], -ltv[a["customer_id"]], a["customer_id"]))
    got = reports("churn_watchlist")
    assert [(r["customer_id"], r["churn_risk_band"], r["lifetime_value"], r["as_of_date"]) for r in got] == [
        (a["customer_id"], a["band"], ltv[a["customer_id"]], AS_OF) for a in expected]


# --- The semantic model's verified queries ------------------------------------------------------------------------

def month_totals(facts) -> list[tuple[dt.date, Decimal, int, bool]]:
    """(month, approved spend, active customers, partial) per month of the history."""
    first = history_first_day(facts)
    found = []
    for month, start, end, partial in rows_of_range(facts, first, AS_OF):
        rows = approved_between(facts, start, end)
        found.append((month, sum((f["amount"] for f in rows), Decimal(0)), len({f["customer_id"] for f in rows}),
                      partial))
    return found


def verified(home, name: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(load_model().verified_sql(name)).fetchall()


def pct(now: Decimal, before: Decimal) -> float:
    return float(round((now - before) / before * 100, 1))


def test_the_portfolio_month_queries_recompute_from_the_facts(home, facts):
    totals = month_totals(facts)
    expected = []
    for i, (month, spend, active, partial) in enumerate(totals):
        before = totals[i - 1] if i else None
        change = pct(spend, before[1]) if before and not partial and not before[3] and before[1] > 0 else None
        expected.append((month, spend, active, change, partial))
    assert [(m, s, a, None if c is None else float(c), p) for m, s, a, c, p in verified(home, "monthly_spend_trend")] \
        == expected
    drops = sorted((c, m) for m, _, _, c, p in expected if c is not None and c < 0)
    got = verified(home, "biggest_monthly_drop")
    assert [(m, float(c)) for m, _, c in got] == [(m, c) for c, m in drops[:1]]  # a drop, or nothing


def test_the_transaction_queries_recompute_from_the_facts(home, facts, accounts):
    by_category: dict[str, Decimal] = defaultdict(Decimal)
    declines: dict[str, list[int]] = defaultdict(list)
    by_segment_channel: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for f in facts:
        declines[f["category"]].append(1 if f["status"] == "declined" else 0)
        if f["status"] == "approved":
            by_category[f["category"]] += f["amount"]
            by_segment_channel[(accounts[f["customer_id"]]["segment"], f["channel"])] += f["amount"]
    assert verified(home, "spend_by_category") == sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))
    rates = {c: (len(v), round(Decimal(sum(v)) / len(v), 4)) for c, v in declines.items()}
    assert [(c, n, Decimal(str(r))) for c, n, r in verified(home, "decline_rate_by_category")] == sorted(
        ((c, n, r) for c, (n, r) in rates.items()), key=lambda t: (-t[2], t[0]))
    assert verified(home, "spend_by_segment_and_channel") == sorted(
        ((s, ch, v) for (s, ch), v in by_segment_channel.items()), key=lambda t: (t[0], -t[2], t[1]))


def test_the_customer_queries_recompute_from_the_facts_and_the_accounts(home, facts, accounts):
    ltv = lifetime_values(facts)
    tiers = {c: value_tier(ltv[c]) for c in accounts}
    def counted(key) -> list[tuple]:
        found: dict[str, int] = defaultdict(int)
        for a in accounts.values():
            found[key(a)] += 1
        return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))

    assert verified(home, "customers_by_behavioural_segment") == counted(lambda a: a["behavioural_segment"])
    assert verified(home, "preferred_channels") == counted(lambda a: a["favourite_channel"])
    by_card: dict[str, list[Decimal]] = defaultdict(list)
    for c, a in accounts.items():
        by_card[a["card_type"]].append(ltv[c])
    expected = sorted(((card, len(v), round(sum(v) / len(v), 2)) for card, v in by_card.items()),
                      key=lambda t: (-t[2], t[0]))
    got = verified(home, "ltv_by_card_type")
    assert [(card, n) for card, n, _ in got] == [(card, n) for card, n, _ in expected]
    assert all(abs(Decimal(str(g[2])) - e[2]) < CENT for g, e in zip(got, expected, strict=True))
    top_states: dict[str, int] = defaultdict(int)
    for c, a in accounts.items():
        if tiers[c] == "Top":
            top_states[a["state"]] += 1
    assert verified(home, "top_states_by_top_tier") == sorted(top_states.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    high = sum(1 for a in accounts.values() if a["model_band"] == "High")
    assert verified(home, "high_churn_risk_customers") == [(high,)]
    at_risk = sorted(((c, ltv[c], a["model_score"]) for c, a in accounts.items()
                      if tiers[c] == "Top" and a["model_band"] in ("High", "Medium")),
                     key=lambda t: (-t[2], -t[1], t[0]))[:25]
    assert [(c, v, s) for c, _, v, _, s in verified(home, "high_value_at_risk")] == at_risk
    # 3 months of history: no customer has a 90-day baseline, so none is Declining (the trend rule).
    assert verified(home, "declining_and_high_risk") == []


def test_the_average_month_per_value_tier_counts_only_whole_months(home, facts, accounts):
    ltv = lifetime_values(facts)
    whole = {month: (start, end) for month, start, end, partial in rows_of_range(facts, history_first_day(facts), AS_OF)
             if not partial}
    per_customer_month: dict[tuple[str, dt.date], Decimal] = defaultdict(Decimal)
    for f in facts:
        month = f["day"].replace(day=1)
        if f["status"] == "approved" and month in whole:
            per_customer_month[(f["customer_id"], month)] += f["amount"]
    by_tier: dict[str, list[Decimal]] = defaultdict(list)
    for (customer, _), spend in per_customer_month.items():
        by_tier[value_tier(ltv[customer])].append(spend)
    expected = sorted(((t, round(sum(v) / len(v), 2)) for t, v in by_tier.items()), key=lambda kv: (-kv[1], kv[0]))
    got = verified(home, "average_monthly_spend_by_value_tier")
    assert [t for t, _ in got] == [t for t, _ in expected]
    assert all(abs(Decimal(str(g)) - e) < CENT for (_, g), (_, e) in zip(got, expected, strict=True))
