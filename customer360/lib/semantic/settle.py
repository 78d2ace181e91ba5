"""Settling a question once its pieces are known: groupings on tables the measure relates to, at most two of them,
a ranking with its N, no status filter that contradicts the measure, notes on the conventions applied, and a
"clarify" whenever a word was not understood.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import replace

from customer360.lib.semantic.consumed import unused
from customer360.lib.semantic.periods import MONTHS, Period, point, shift, span_label, unit_start
from customer360.lib.semantic.reading import HIGH_CARDINALITY, Context, Draft, Parts, next_value, ranks_descending
from customer360.lib.semantic.terms import DimensionTerm, MeasureTerm, Span, ValueTerm
from customer360.lib.semantic.understanding import (
    AMOUNT_OF,
    FIXED_STATUS,
    ONBOARDING,
    RANK_DEFAULT,
    Clarify,
    Dim,
    Measure,
    Question,
    Rank,
    Refusal,
    Understood,
    label,
    plural,
)
from customer360.lib.semantic.vocabulary import UNITS, Vocabulary
from customer360.lib.semantic.words import Token, phrase_key

MAX_GROUPS = 2


def finish(question: Question, draft: Draft, parts: Parts, context: Context, notes: list[str]) -> Understood:
    """Tables reconciled, groupings counted, ranking and unknown words settled: the question, or why not."""
    resolved = _reconcile_tables(question, draft, context)
    if not isinstance(resolved, Question):
        return resolved
    question = resolved
    dims = list(question.dims)
    for f in (*question.filters, *question.share_of):
        compared = len(f.values) > 1 and not f.negated and f not in question.share_of
        if (compared or f in question.share_of) and f.dim not in dims:
            dims.append(f.dim)
    added = [d for d in dims if d not in question.dims and d not in {f.dim for f in question.share_of}]
    question = replace(question, dims=tuple(dims))
    if added and draft.pool & _ADDED_UP and not question.share and not question.rank:
        # "total spend for travel and dining": Ask shows the values side by side; it has no one figure of several
        values = " and ".join(v for f in question.filters if f.dim in added for v in f.values)
        adds_up = question.measure.name in _ADDITIVE and (question.measure.name != "customer_count"
                                                            or all(d.table == "customers" for d in added))
        return Clarify(f"“{values}” together: Ask shows each side by side, not one figure for both" +
                       ("; their total is the sum of the rows below." if adds_up else " (the rows do not add up to "
                        "it: a customer can be in both, and a rate is no sum)."), (replace(question, notes=()).phrase(),))
    if question.share and not question.dims and not question.grain and _customers_named(draft) and \
            question.measure.table == "transactions":  # "what percent of customers had a declined transaction"
        having = replace(question, measure=Measure("transactions", "active_customers"), share=False, share_of=(),
                         notes=())
        everyone = replace(having, measure=Measure("customers", "customer_count"), period=None,
                           filters=tuple(f for f in having.filters if f.dim.table == "customers"))
        return Clarify("Ask has no share of customers: it counts the customers with such a transaction and all "
                       "customers, and the share is the first over the second.", (having.phrase(), everyone.phrase()))
    if question.share and question.share_of and question.measure == Measure("transactions", "active_customers"):
        return _share_of_customers(question)  # "what share of customers shop online"
    if question.share and not question.dims and not question.grain:
        return Clarify("A share of what? Name what to split the measure by.",
                       tuple(f"share of {question.measure.words()} by {d}"
                             for d in ("merchant category", "channel", "card type")))
    if question.share and not _additive(question.measure, context):
        return Refusal(f"{question.measure.words().capitalize()} is not a sum, so it has no shares; ask for it by a "
                       "dimension instead.", (replace(question, share=False, share_of=()).phrase(),))
    if len(question.dims) + (question.grain is not None) > MAX_GROUPS:
        return Refusal(f"Ask groups by at most {MAX_GROUPS} things at once (dimensions and a time grain); this "
                       f"question asks for {len(question.dims) + (question.grain is not None)}.",
                       tuple(replace(question, dims=(d,), grain=None).phrase() for d in question.dims[:3]))
    question = _ranked(question, draft)
    if isinstance(question, (Clarify, Refusal)):
        return question
    question = _whole_units_from_the_bottom(question, context)
    if question.measure.name in ("active_customers", "customer_count") and \
            any(d.column == "customer_id" for d in question.dims):  # one each: never a ranking to answer
        rank = question.rank or Rank(True, RANK_DEFAULT)
        by = [replace(question, measure=Measure("transactions", name), rank=rank, notes=()).phrase()
              for name in ("approved_spend", "transaction_volume")]
        if draft.pool & {"valuable", "value"}:  # "least valuable customers": by their lifetime value first
            valued = Question(Measure("customers", "lifetime_value"), (Dim("customers", "customer_id"),), rank=rank,
                              filters=question.filters)
            by = [valued.phrase(), *by]
        rest = replace(question, dims=tuple(d for d in question.dims if d.column != "customer_id"), rank=None, notes=())
        return Clarify("Rank the customers by what? (A count of customers is 1 for each customer.)",
                       tuple([*by, rest.phrase()][:3]))
    wide = [d for d in question.dims if d.column in HIGH_CARDINALITY
            and not any(f.dim.column == d.column and not f.negated for f in question.filters)]
    if wide and question.rank is None:
        return Clarify(f"There are too many {wide[0].column.replace('_', ' ')} values to list them all: the top, "
                       "the bottom or the total?",
                       (replace(question, rank=Rank(True, RANK_DEFAULT)).phrase(),
                        replace(question, rank=Rank(False, RANK_DEFAULT)).phrase(),
                        replace(question, dims=tuple(d for d in question.dims if d not in wide)).phrase()))
    question = _status_filters(question)
    if isinstance(question, (Clarify, Refusal)):
        return question
    unclear = _customers_without(question, draft)
    if unclear:
        return unclear
    question = replace(question, notes=tuple(notes) + question.notes + _notes(question, context))
    draft.unknown = unused(draft, question, context.vocabulary)
    if draft.unknown or draft.extra_numbers:
        return _not_understood(question, draft, context)
    return question


def _reconcile_tables(question: Question, draft: Draft, context: Context) -> Understood:
    """Every grouping and filter must be on the measure's table or one it relates to (many to one)."""
    model = context.vocabulary.model
    measure = question.measure
    used = {*question.dims, *(f.dim for f in (*question.filters, *question.share_of))}
    foreign = {d.table for d in used if d.table != measure.table and not model.relationship(measure.table, d.table)}
    if measure.table == "customers" and (foreign or question.period):
        if measure.name == "customer_count":  # customers who transacted: a count over the transactions
            return _move(question, Measure("transactions", "active_customers"), model)
        spend = replace(question, measure=Measure("transactions", "approved_spend"))
        without = replace(question, period=None, dims=tuple(d for d in question.dims if d.table == "customers"),
                          filters=tuple(f for f in question.filters if f.dim.table == "customers"))
        readings = [without.phrase()]
        moved = _move(spend, spend.measure, model)
        if isinstance(moved, Question):
            readings.append(moved.phrase())
        return Clarify(f"{measure.words().capitalize()} is a figure per customer over the whole history: it is not "
                       "split by transaction attributes or by a period.", tuple(readings))
    if foreign:
        return Refusal(f"The semantic model does not relate {measure.table} to {', '.join(sorted(foreign))}.",
                       ONBOARDING)
    if question.period and model.table(measure.table).time_dimension is None:
        return Refusal(f"{measure.table} has no date to filter on.", ONBOARDING)
    if question.grain and model.table(measure.table).time_dimension is None:
        if measure.name == "customer_count" and not unused(draft, question, context.vocabulary):  # "customers by
            # month": those with a transaction in each month ("new customers by month" is not that)
            moved = _move(question, Measure("transactions", "active_customers"), model)
            readings = tuple(q.phrase() for q in (moved, replace(question, grain=None)) if isinstance(q, Question))
            return Clarify("Customers have no date of their own to group by: each month's customers with a "
                           "transaction, or the customer count as of now?", readings)
        return Refusal(f"{measure.words().capitalize()} has no date to group by.", ONBOARDING)
    return question


def _move(question: Question, measure: Measure, model) -> Question | Refusal:
    """The same question over another table: each dimension and filter re-pointed to where the new table sees it."""
    def moved(dim: Dim) -> Dim:
        if model.table(measure.table).has_column(dim.column):
            return Dim(measure.table, dim.column)
        return dim
    return replace(question, measure=measure, dims=tuple(moved(d) for d in question.dims),
                   filters=tuple(replace(f, dim=moved(f.dim)) for f in question.filters),
                   share_of=tuple(replace(f, dim=moved(f.dim)) for f in question.share_of))


def _additive(measure: Measure, context: Context) -> bool:
    """Whether a measure adds up across groups (its shares add up to 1)."""
    if measure.aggregate == "SUM":
        return True
    if measure.aggregate or measure.name not in {m.name for m in context.vocabulary.model.table(measure.table).metrics}:
        return False
    table = context.vocabulary.model.table(measure.table)
    expr = " ".join(table.metric(measure.name).expr.upper().split())
    key = table.primary_key
    return expr.startswith("SUM(") and "/" not in expr or expr in {f"COUNT({k.upper()})" for k in key} | {
        f"COUNT(DISTINCT {k.upper()})" for k in key}


def _ranked(question: Question, draft: Draft) -> Question | Clarify:
    if draft.rank is None:
        return question
    if not question.dims and not question.grain and _customers_named(draft) and \
            question.measure.table in ("transactions", "monthly_spend", "customers"):  # "lowest spending customer"
        question = replace(question, dims=(Dim(question.measure.table, "customer_id"),))
    if not question.dims and not question.grain:
        descending = ranks_descending(draft.rank, question.measure.name, draft.pool)
        readings = tuple(replace(question, dims=(d,), rank=Rank(descending, draft.rank.n or RANK_DEFAULT))
                         .phrase() for d in (Dim("transactions", "customer_id"), Dim("transactions", "merchant_category"),
                                            Dim("customers", "state")) if question.measure.table == "transactions")
        single = " Ask does not list single transactions, so the biggest or smallest one is not a figure it has." \
            if question.measure.name == "transaction_volume" else ""  # "biggest transaction": not a ranking of groups
        customers = replace(question, dims=(Dim("customers", "customer_id"),), rank=Rank(descending, draft.rank.n or RANK_DEFAULT))
        return Clarify(f"Top or bottom what? Name what to rank (customers, categories, states...).{single}",
                       readings or (customers.phrase(),))
    n = draft.rank.n
    if n is None:
        n = RANK_DEFAULT if _plural(draft) else 1
    if n < 1 or n > 1000:
        return Clarify(f"Rank {n}? Ask lists between 1 and 1,000.", (replace(question, rank=Rank(True, 10)).phrase(),))
    descending = ranks_descending(draft.rank, question.measure.name, draft.pool)
    if descending != draft.rank.descending:  # said, so that "best" is never taken as the highest unseen
        question = replace(question, notes=(*question.notes, f"“{_said_rank(draft)}” read as the "
                                            f"{'highest' if descending else 'lowest'} {question.measure.words()}"))
    return replace(question, rank=Rank(descending, n))


def _said_rank(draft: Draft) -> str:
    return draft.rank.word if draft.rank.judged else "recency"


def _whole_units_from_the_bottom(question: Question, context: Context) -> Question:
    """"Which week had the lowest spend this year": the whole weeks only; a week the period or the history cuts ranks
    low for the days it lacks (a ranking from the top keeps them, said partial)."""
    grain = question.grain
    if not question.rank or question.rank.descending or question.dims or grain not in ("week", "month", "quarter", "year"):
        return question
    period = question.period
    first = max(d for d in (period.start if period else None, context.history_start) if d) \
        if (period and period.start) or context.history_start else None
    end = period.end if period else context.as_of
    if first is None:
        return question
    start = first if first == unit_start(first, grain) else shift(unit_start(first, grain), grain, 1)
    whole_end = end if shift(unit_start(end, grain), grain, 1) - dt.timedelta(days=1) == end else \
        unit_start(end, grain) - dt.timedelta(days=1)
    if (start, whole_end) == ((period.start if period else None), end) or start > whole_end:
        return question
    trimmed = Period(start, whole_end, period.phrase if period else "all history",
                     f"{period.rule}; whole {grain}s only" if period else f"the whole {grain}s of the history")
    return replace(question, period=trimmed)


def _share_of_customers(question: Question) -> Clarify:
    """A share of customers with such a transaction: the customers who have one, and all customers (the whole)."""
    parts = {f.dim for f in question.share_of}
    having = replace(question, share=False, share_of=(), filters=(*question.filters, *question.share_of),
                     dims=tuple(d for d in question.dims if d not in parts), notes=())
    everyone = replace(having, measure=Measure("customers", "customer_count"), period=None,
                       filters=tuple(f for f in question.filters if f.dim.table == "customers"))
    return Clarify("Ask has no share of customers: it counts the customers with such a transaction and all "
                   "customers, and the share is the first over the second.", (having.phrase(), everyone.phrase()))


def _customers_named(draft: Draft) -> bool:
    return any(t.name == "customer_count" for j in draft.nouns for t in draft.items[j].of(MeasureTerm))


def _plural(draft: Draft) -> bool:
    """Whether the ranked thing is named in the plural ("which states", "top customers")."""
    for item in draft.items:
        if isinstance(item, Span) and item.of(DimensionTerm):
            last = item.text.split()[-1].lower()
            return last.endswith("s") and not last.endswith("ss")
        if isinstance(item, Token) and item.norm in UNITS:
            return item.text.lower().endswith("s")
    return True


def _status_filters(question: Question) -> Question | Clarify:
    """A status filter on a measure that already fixes the status: the same one is dropped, the other asked about."""
    fixed = FIXED_STATUS.get(question.measure.name)
    status = [f for f in question.filters if f.dim.column == "status"]
    if status and question.measure.name in _STATUS_RATES:  # "its decline rate" after "the most declines": of every
        said = ", ".join(f.describe() for f in status)      # transaction, never 1.0 among the declined ones
        return replace(question, filters=tuple(f for f in question.filters if f not in status),
                       notes=(*question.notes, f"The {question.measure.words()} is a share of transactions of every "
                                               f"status, so “{said}” is not applied"))
    if fixed and any(f.dim.column == "status" for f in question.share_of):  # "what share of spend is declined"
        parts = {f.dim for f in question.share_of}
        kept = replace(question, share=False, share_of=(), rank=None, notes=(),
                       dims=tuple(d for d in question.dims if d not in parts))
        return Clarify(f"{question.measure.words().capitalize()} counts {fixed} transactions only, so its share "
                       "by status says nothing: Ask can show the declined amount and the total transaction amount (of "
                       "every status), the share being the first over the second.",
                       tuple(replace(kept, measure=m).phrase() for m in (
                           AMOUNT_OF["declined"], Measure("transactions", "transaction_amount", "SUM"))))
    if not fixed or not status:
        return question
    if all(f.values == (fixed,) and not f.negated for f in status):
        return replace(question, filters=tuple(f for f in question.filters if f.dim.column != "status"))
    rest = replace(question, filters=tuple(f for f in question.filters if f.dim.column != "status"), notes=())
    named = {v for f in status if not f.negated for v in f.values}  # "for declined transactions": their amount
    asked = AMOUNT_OF.get(next(iter(named)), AMOUNT_OF["declined"]) if len(named) == 1 else AMOUNT_OF["declined"]
    return Clarify(f"{question.measure.words().capitalize()} counts {fixed} transactions only.",
                   tuple(dict.fromkeys(replace(rest, measure=m).phrase() for m in (asked, question.measure))))


def _customers_without(question: Question, draft: Draft) -> Clarify | None:
    """"customers who do not shop online", "customers who shop only online": Ask counts customers with a transaction
    that matches, so "not Online" would count those with any other transaction, and "only" cannot be said; ask."""
    if question.measure.name != "active_customers":
        return None
    both = [f for f in question.filters if f.dim.table == "transactions" and not f.negated and len(f.values) > 1]
    if both and "both" in draft.pool:  # "customers who shopped both online and in-store": each set, not where they meet
        values = " and ".join(both[0].values)
        return Clarify(f"“both {values}”: Ask counts the customers with a transaction that matches one value; it "
                       f"cannot count those with both. Each value's customers are below (those with both are at most "
                       "the smaller count).", (replace(question, notes=()).phrase(),))
    negated = [f for f in question.filters if f.negated and f.dim.table == "transactions"]
    only = draft.only_at and any(f.dim.table == "transactions" for f in question.filters)
    if not negated and not only:
        return None
    kept = replace(question, filters=tuple(f for f in question.filters if f not in negated), notes=())
    everyone = replace(kept, measure=Measure("customers", "customer_count"), period=None,
                       filters=tuple(f for f in kept.filters if f.dim.table == "customers")).phrase()
    if negated:  # "customers without a declined transaction": all customers less those with one
        having = replace(question, filters=tuple(replace(f, negated=False) if f in negated else f
                                                 for f in question.filters), notes=())
        return Clarify("Ask counts customers with a transaction that matches: it cannot count customers with no such "
                       "transaction. Their number is all customers less those with one; both are below.",
                       (having.phrase(), everyone))
    return Clarify("Ask counts customers with a transaction that matches: it cannot count customers with no such "
                   "transaction, or with those transactions only.", (kept.phrase(), everyone))


def _notes(question: Question, context: Context) -> tuple[str, ...]:
    notes = []
    if question.measure.name == "approved_spend":
        notes.append("Spend counts approved transactions only")
    if question.measure.name == "transaction_volume" and not any(f.dim.column == "status" for f in question.filters):
        notes.append("Transactions of every status (approved and declined)")
    if question.measure.name == "active_customers" and question.measure.table != "transactions":
        notes.append("Customers counted are those with an approved transaction in the month")  # the monthly metric's
    elif question.measure.name == "active_customers":
        status = next((f for f in question.filters if f.dim.column == "status"), None)
        notes.append(f"Customers counted are those with a transaction that matches ({status.describe()})" if status
                     else "Customers counted are those with a transaction (approved or declined) that matches")
    if question.measure.name == "transactions_per_customer":
        # a transaction's own value ("travel transactions per customer") narrows whom it is per as well
        narrowing = [f.describe() for f in question.filters if f.dim.table == "transactions"]
        statuses = "" if any(f.dim.column == "status" for f in question.filters) else \
            "Transactions of every status (approved and declined), "
        note = f"{statuses}per customer with a transaction" + (f" that matches ({'; '.join(narrowing)})" if narrowing else "")
        notes.append(note[0].upper() + note[1:])
    if question.measure.name == "transaction_amount" and not any(f.dim.column == "status" for f in question.filters):
        notes.append("Amounts of every status (approved and declined); average transaction value counts approved only")
    if question.measure.table == "monthly_spend" and question.measure.name == "transaction_count":
        notes.append(("Per customer and month: a customer's approved transactions in a month, averaged over the "
                      "customer-months with one" if question.measure.aggregate == "AVG" else
                      "Approved transactions only, counted per customer and month") +
                     "; the portfolio's transactions of every status by month are “transaction volume by month”")
    if question.measure.name == "average_monthly_spend":
        notes.append("Per customer: a customer's approved spend in a whole month they transacted, averaged (the "
                     "portfolio's spend in each month is “approved spend by month”)")
    if question.rank:
        parts = {f.dim for f in question.share_of}  # one value each: not what breaks a tie
        notes.append("Ties broken by " + (", ".join(d.column for d in question.dims if d not in parts) or "date"))
    if question.rank and not question.rank.descending and question.dims and not question.share_of:
        notes.append(f"Only {plural(label(question.dims[0].column))} with a row that matches are ranked: one with none "
                     "(a count of 0) is not listed")
    return tuple(notes) + _partial(question, context)


def _partial(question: Question, context: Context) -> tuple[str, ...]:
    """A week, month, quarter or year that the period (or as-of) cuts is said to be partial: its figure is not a
    whole one beside the others ("spend by quarter" on 2026-06-17: Q2 holds 1 April to 17 June)."""
    grain = question.grain
    period, first = question.period, context.history_start
    dated = context.vocabulary.model.table(question.measure.table).time_dimension is not None
    if period and first and period.end < first and dated:  # "spend in 2024": 0 because nothing was recorded yet
        return (f"The history starts on {span_label(first, first)}: the period is before it, so nothing is counted",)
    if grain is None and period and period.start and first and period.start < first <= period.end and dated:
        return (f"The history starts on {span_label(first, first)}: the period is covered from then only",)
    if grain not in ("week", "month", "quarter", "year") or question.change:
        return ()
    notes = []
    start = question.period.start if question.period else None
    end = question.period.end if question.period else context.as_of
    first = context.history_start
    if start and start != unit_start(start, grain):
        notes.append(f"The first {grain} is partial: from {span_label(start, start)}")
    elif first and (start is None or start < first) and first <= end and first != unit_start(first, grain):
        notes.append(f"The history starts on {span_label(first, first)}: its first {grain} is partial")
    if end != shift(unit_start(end, grain), grain, 1) - dt.timedelta(days=1):
        first = max(unit_start(end, grain), start or unit_start(end, grain))
        notes.append(f"The last {grain} is partial: {span_label(first, end)} only, not a whole {grain}")
    return tuple(notes)


def _not_understood(question: Question, draft: Draft, context: Context) -> Clarify:
    """The question without the words not understood; a value right after a word that often means "the others" ("but
    Travel", "other Premium") offered excluded first, then included; a month's name ("May spend") as the month."""
    words = [*draft.unknown, *draft.extra_numbers]
    unknown = [i for i in draft.leftover + draft.count_at if draft.items[i].text in draft.unknown]
    # "by employment status": the word names another dimension than the one it precedes, which is not offered
    renamed = {m.column for i in unknown if i + 1 < len(draft.items) and isinstance(span := draft.items[i + 1], Span)
               and not span.of(ValueTerm) for m in span.of(DimensionTerm)}
    kept_dims = tuple(d for d in question.dims if d.column not in renamed)
    if renamed & {d.column for d in question.dims} and (kept_dims or question.grain or not question.rank):
        question = replace(question, dims=kept_dims)  # never a ranking of nothing ("most popular category")
    nth = next((_ORDINALS[w.lower()] for w in draft.unknown if w.lower() in _ORDINALS), None)
    if nth and question.rank:  # "the second highest state by spend": the n-th row of the top n
        ranked = replace(question, rank=Rank(question.rank.descending, nth), notes=())
        return Clarify(f"Ask ranks from the top or the bottom and has no “{' '.join(words)}” alone: it is row {nth} of "
                       "the ranking below.", (ranked.phrase(),))
    readings = [question.phrase()]
    touched = {draft.items[j].text for i in unknown if draft.items[i].text.lower() in LEAVES_OUT
               and (j := next_value(draft.items, i, named=False)) is not None and _next_to(draft.items, i, j)}
    for f in question.filters:
        said = [v for v in f.values if any(phrase_key(v) == phrase_key(t) for t in touched)]
        if said and not (question.measure.name == "active_customers" and f.dim.table == "transactions"):
            readings.insert(0, question.with_filter(replace(f, negated=not f.negated)).phrase())
    months = [w for w in draft.unknown if w.lower() in MONTHS]
    if months and question.period is None:
        readings.insert(0, f"{question.phrase()} in {months[0]}")
        first, last = point(months[0], context.as_of)[0], point(months[-1], context.as_of)[1]
        # "which month had more spend, march or april": the two side by side
        if len(months) > 1 and first < last and len(months) == len(draft.unknown):
            both = Period(first, last, "from the first to the last", "as given")
            return Clarify(f"“{', '.join(months)}” read as months: Ask shows them side by side, below (a month is read "
                           "alone after “in”: “in March”).",
                           (replace(question, rank=None, grain="month", period=both, notes=()).phrase(),))
    for phrase in close_phrases(draft.unknown, context.vocabulary, filters_only=True):
        readings.append(f"{question.phrase()} for {context.vocabulary.as_filter(phrase)}")
    at = [k for k, x in enumerate(draft.items) if isinstance(x, Token) and x.norm == "at"]
    threshold = any(k + 1 < len(draft.items) and getattr(draft.items[k + 1], "norm", "") in ("least", "most") for k in at)
    if at and not threshold and question.measure.table == "transactions":
        merchants = replace(question, dims=(Dim("transactions", "merchant_name"),), grain=None, rank=Rank(True, 10),
                            share=False, share_of=(), notes=())  # "spend at Whole Foods": a merchant's name
        return Clarify(f"Ask did not understand “{' '.join(words)}”: if it is a merchant's name, Ask cannot pick one "
                       "merchant (the model has merchant names to rank, not to filter by). The merchants ranked, and "
                       "the question without it, are below.", (merchants.phrase(), *tuple(dict.fromkeys(readings))[:2]))
    if draft.extra_numbers and {w.lower() for w in draft.unknown} & _THRESHOLDS:  # "transactions over 100"
        return Clarify(f"Ask did not understand “{' '.join(words)}”: it cannot filter by an amount or a count, only by "
                       "values of the model's dimensions and periods. The question without it is below; it is not the "
                       "figure asked for.", tuple(dict.fromkeys(readings))[:3])
    return Clarify(f"Ask did not understand “{' '.join(words)}”. It can answer the question without it, as below.",
                   tuple(dict.fromkeys(readings))[:3])


# An unknown word right before a value that most often means "the others" ("but Travel", "other Premium").
_STATUS_RATES = frozenset({"decline_rate", "approval_rate"})
_ADDITIVE = frozenset({"approved_spend", "transaction_volume", "declined_amount", "transaction_amount", "customer_count"})
_ADDED_UP = frozenset({"total", "sum", "combined", "together", "altogether", "aggregate"})
_ORDINALS = {"second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5}
LEAVES_OUT = frozenset({"but", "other", "others", "rest", "apart", "beyond", "minus", "less", "skip", "skipping", "sans",
                        "omit", "disregard", "disregarding", "bar", "barring", "save", "sauf"})


def _next_to(items: list, i: int, j: int) -> bool:
    """Whether the value at j follows the word at i directly (past an article only): "other Premium", not "size for
    travel", where the word is about something else and the value is the question's own filter."""
    return all(isinstance(x, Token) and x.norm in ("the", "a", "an") for x in items[i + 1:j])


_COMPARING_WORDS = frozenset({"higher", "lower", "more", "less", "bigger", "smaller", "greater", "better", "worse",
                              "larger", "fewer", "highest", "lowest", "top", "bottom"})
_THRESHOLDS = frozenset({"over", "above", "under", "below", "more", "less", "greater", "fewer", "least", "most",
                         "exceeding", "than"})


def close_phrases(unknown: list[str], vocabulary: Vocabulary, filters_only: bool = False) -> tuple[str, ...]:
    phrases = vocabulary.phrases(filters_only)
    found = []
    for word in unknown:
        if word.lower() in _COMPARING_WORDS:  # "higher" is not a misspelt "High" (churn band)
            continue
        found += difflib.get_close_matches(word.lower(), phrases, n=2, cutoff=0.75)
    return tuple(dict.fromkeys(found))[:3]
