"""What a question counts, when it counts: "how many customers spent on travel" is a number of customers (those with
an approved Travel transaction), not the spend; "customers who made a purchase" are customers with a transaction, not
the transactions; "count of declines" is a number of declined transactions, not the decline rate. And what "average"
applies to: "how much does an average Standard customer spend" is spend per customer, "average daily spend" is not
the spend of each day.
"""

from __future__ import annotations

from customer360.lib.semantic.reading import Draft, Parts, joined
from customer360.lib.semantic.terms import MeasureTerm, Span, ValueTerm
from customer360.lib.semantic.understanding import Clarify, Dim, Filter, Measure
from customer360.lib.semantic.words import ACTIVITY_VERBS, Token

STATUS = Dim("transactions", "status")
_RELATIVE = frozenset({"who", "that", "with", "whose", "which"})
# "customers without a declined transaction": says which customers as "who" does (and is then asked about: Ask cannot
# count customers with no such transaction), never a count of the other transactions.
_WHICH_CUSTOMERS = _RELATIVE | {"without"}
# Measures that, after "customers who ...", say which customers: the spend (approved) or any transaction.
_ACTIVITY = {"approved_spend": "approved", "transaction_volume": None}


def counted(draft: Draft, parts: Parts) -> tuple[Measure, tuple[Filter, ...]] | Clarify | None:
    """The count a question asks for and the filters its verb adds, or None when it is not a count of this kind."""
    items = draft.items
    customers = [j for j in [*draft.nouns, *parts.measure_spans] if _is(items[j], "customer_count")
                 and j not in parts.dim_spans]
    if draft.count_at:
        after = [j for j in sorted({*parts.measure_spans, *customers}) if j > draft.count_at[0]]
        if after and after[0] in customers:
            return _customers_who(draft, parts, after[0])
        if after and _is(items[after[0]], "transaction_volume"):
            others = [j for j in parts.measure_spans if j != after[0] and not _is(items[j], "transaction_volume")]
            if others:
                return Clarify("“how many transactions” with another measure: Ask counts transactions by their "
                               "attributes, not by a figure.", ("transaction volume",))
            if draft.average_at:  # "how many transactions does the average customer make": never the total
                return _average_count(draft)
            return Measure("transactions", "transaction_volume"), ()
        if not after and any(t.column == "status" for _, _, terms in parts.values for t in terms):
            return Measure("transactions", "transaction_volume"), ()  # "count of declines"
        return None
    if customers and not _how_much(items) and any(_relative_between(items, customers[0], j, _WHICH_CUSTOMERS)
                                                  for j in parts.measure_spans if j > customers[0]):
        return _customers_who(draft, parts, customers[0])  # "customers who made a purchase"
    return None


def total_beside_customers(draft: Draft, parts: Parts) -> int | None:
    """"customers with total spend by state" (no "how many"): the total's span, a figure asked beside the customers
    (as "number of customers with total spend" is), or None. An average asks which average (the measure's own clarify)."""
    items = draft.items
    customers = [j for j in draft.nouns if _is(items[j], "customer_count") and j not in parts.dim_spans]
    if draft.count_at or not customers:
        return None
    return next((j for j in parts.measure_spans if j > customers[0] and _a_total(items, j, _SUM) and
                 _relative_between(items, customers[0], j, _WHICH_CUSTOMERS)), None)


def _customers_who(draft: Draft, parts: Parts, noun: int) -> tuple[Measure, tuple[Filter, ...]] | Clarify | None:
    items = draft.items
    others = [j for j in parts.measure_spans if j != noun and not _is(items[j], "customer_count")]
    if any(joined(draft, min(noun, j), max(noun, j)) or _a_total(items, j) for j in others):
        return None  # "count of customers and total spend", "customers with total spend": two measures
    if not others:
        verb = any(isinstance(items[i], Token) and items[i].norm in ACTIVITY_VERBS for i in draft.leftover)
        return (Measure("transactions", "active_customers"), ()) if verb else None
    names = {_activity(items[j]) for j in others}
    if len(names) == 1 and None not in names:
        status = _ACTIVITY[names.pop()]
        return Measure("transactions", "active_customers"), ((Filter(STATUS, (status,)),) if status else ())
    words = ", ".join(items[j].text for j in others)
    return Clarify(f"“{items[noun].text}” counted with “{words}”: Ask counts customers by their attributes or by their "
                   "transactions, not by a figure such as this one.",
                   ("customer count", f"{Measure('transactions', _measure_name(items[others[0]])).words()}"))


def _is(span: Span | Token, name: str) -> bool:
    return isinstance(span, Span) and any(t.name == name for t in span.of(MeasureTerm))


def _activity(span: Span | Token) -> str | None:
    return next((t.name for t in span.of(MeasureTerm) if t.name in _ACTIVITY and t.kind == "metric"), None)


def _measure_name(span: Span) -> str:
    terms = sorted(span.of(MeasureTerm), key=lambda t: t.kind != "metric")
    return terms[0].name if terms[0].table == "transactions" else "approved_spend"


def _relative_between(items: list[Span | Token], a: int, b: int, words: frozenset[str] = _RELATIVE) -> bool:
    return any(isinstance(x, Token) and x.norm in words for x in items[a + 1:b])


def _average_count(draft: Draft) -> tuple[Measure, tuple[Filter, ...]] | Clarify:
    """"how many transactions does the average customer make" is transactions per customer; an average over anything
    else ("in an average month") is one Ask does not have."""
    items = draft.items
    for a in draft.average_at:
        nouns = [j for j in draft.nouns if a < j and _is(items[j], "customer_count")]
        if nouns and all(isinstance(x, Span) and x.of(ValueTerm) or isinstance(x, Token) and x.norm in
                         ("the", "a", "an", "our") for x in items[a + 1:nouns[0]]):
            return Measure("transactions", "transactions_per_customer"), ()
    return Clarify("“average” with “how many transactions”: an average of what, over what? Ask has transactions per "
                   "customer, not an average per day, week or month.", ("transactions per customer", "transaction volume"))


def ambiguous_clause(draft: Draft, parts: Parts, measure: Measure) -> Clarify | None:
    """"spend of customers who bought online": the online spend, or all the spend of customers who ever bought online?
    Ask answers the first only, so it asks rather than choosing."""
    items = draft.items
    if measure.table != "transactions" or measure.name in ("active_customers",):
        return None
    first_measure = min(parts.measure_spans, default=None)
    for j in draft.nouns:
        if not _is(items[j], "customer_count") or first_measure is None or j < first_measure and not _how_much(items):
            continue  # "how much did customers who shop online spend": the spend comes after them
        verbs = [i for i in range(j + 1, len(items)) if _word(items[i]) in ACTIVITY_VERBS]  # "shop" names merchants too
        if not verbs or not _relative_between(items, j, verbs[0] + 1):
            continue
        later = [(i, terms) for i, _, terms in parts.values if i > verbs[0]]
        if any(t.table == "transactions" for _, terms in later for t in terms):
            value = items[later[0][0]].text
            return Clarify(f"“customers who … {value}”: the {measure.words()} of {value} transactions only, or all "
                           f"the {measure.words()} of customers who ever had one? Ask answers the first.",
                           (f"{measure.words()} for {value}", f"active customers for {value}"))
    return None


def _how_much(items) -> bool:
    """"how much did customers who … spend": an amount, never a number of customers."""
    return any(isinstance(a, Token) and isinstance(b, Token) and (a.norm, b.norm) == ("how", "much")
               for a, b in zip(items, items[1:], strict=False))


def _word(item: Token | Span) -> str:
    return item.norm if isinstance(item, Token) else item.text.lower()


def average_left(draft: Draft, measure: Measure) -> Measure | Clarify | None:
    """What an "average" the measure did not take means: spend per customer ("an average Standard customer
    spends"), or a question to ask ("average daily spend": per day, per transaction, per customer?)."""
    items = draft.items
    if not draft.average_at or measure.aggregate == "AVG":
        return None
    if measure.name == "approved_spend":
        for a in draft.average_at:
            nouns = [j for j in draft.nouns if a < j and _is(items[j], "customer_count")]
            if nouns and all(isinstance(x, Span) and x.of(ValueTerm) or isinstance(x, Token) and x.norm in
                             ("the", "a", "an", "of", "our") for x in items[a + 1:nouns[0]]):
                if draft.grain == "month" and "per" in draft.pool:  # "a typical customer ... per month": one figure
                    draft.grain = None
                    return Measure("monthly_spend", "average_monthly_spend")
                return Measure("transactions", "spend_per_customer")
        return Clarify("“average” spend: per transaction, per customer or per customer-month? Ask does not average "
                       "spend per day, week or month of the calendar.",
                       ("average transaction value", "average spend per customer", "average monthly spend"))
    if measure.name in ("transaction_volume", "customer_count", "active_customers", "declined_amount"):
        readings = ("transactions per customer", "average transaction value") if measure.name == "transaction_volume" \
            else (measure.words(),)
        return Clarify(f"“average” {measure.words()}: an average of what, over what? Ask has no such average.",
                       readings)
    return None


_SUM = frozenset({"total", "sum", "overall", "aggregate", "combined"})
_TOTAL = _SUM | {"average", "avg", "mean", "median", "typical"}


def _a_total(items, j: int, words: frozenset[str] = _TOTAL) -> bool:
    """"customers with total (or average) spend": a figure asked beside the count, not which customers ("customers
    with spend")."""
    said = items[j].text.lower().split()
    before = items[j - 1] if j > 0 else None
    return bool(said) and said[0] in words or isinstance(before, Token) and before.norm in words
