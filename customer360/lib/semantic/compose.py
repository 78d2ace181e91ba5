"""Composing a question from the roles its words were given: the measure, the groupings and the filters, or the
readings to offer when one of them is ambiguous or missing.
"""

from __future__ import annotations

import re
from dataclasses import replace

from customer360.lib.semantic.consumed import unused
from customer360.lib.semantic.counting import ambiguous_clause, average_left, counted, total_beside_customers
from customer360.lib.semantic.periods import Period
from customer360.lib.semantic.reading import Context, Draft, Parts, ranks_descending
from customer360.lib.semantic.roles import roles
from customer360.lib.semantic.settle import close_phrases, finish
from customer360.lib.semantic.terms import DimensionTerm, MeasureTerm, Span, ValueTerm
from customer360.lib.semantic.understanding import (
    ONBOARDING,
    RANK_DEFAULT,
    Clarify,
    Dim,
    Filter,
    Measure,
    Question,
    Refusal,
    Understood,
    label,
    period_words,
    words,
)
from customer360.lib.semantic.vocabulary import FAVOURITE, TABLE_ORDER, Vocabulary
from customer360.lib.semantic.within import merged_part_and_whole, within_each
from customer360.lib.semantic.words import Token


def assemble(draft: Draft, period: Period | None, context: Context, risk_rank: bool) -> Understood:
    vocabulary = context.vocabulary
    parts = roles(draft, vocabulary)
    if parts.ambiguous:
        return _value_readings(draft, parts, period, context, risk_rank)
    return _build(draft, parts, period, context, risk_rank)


def _value_readings(draft: Draft, parts: Parts, period: Period | None, context: Context,
                    risk_rank: bool) -> Understood:
    i, negated, options = parts.ambiguous[0]
    readings, described = [], []
    for option in options[:3]:
        chosen = replace(parts, values=[*parts.values, (i, negated, option)], ambiguous=parts.ambiguous[1:])
        built = _build(draft, chosen, period, context, risk_rank) if not chosen.ambiguous else \
            _value_readings(draft, chosen, period, context, risk_rank)
        described.append(option[0].column.replace("_", " "))
        if isinstance(built, Question):
            readings.append(built.phrase())
        elif isinstance(built, Clarify):
            readings.extend(built.readings[:1])
    reason = f"“{draft.items[i].text}” is a value of several dimensions ({', '.join(described)}): which one?"
    if readings:
        return Clarify(reason, tuple(dict.fromkeys(readings))[:3])
    return Refusal(reason, ONBOARDING)


_STATISTICS = frozenset({"max", "maximum", "min", "minimum", "median", "percentile"})


def _build(draft: Draft, parts: Parts, period: Period | None, context: Context, risk_rank: bool) -> Understood:
    vocabulary, items = context.vocabulary, draft.items
    if draft.pool & _STATISTICS:  # "max transaction amount": not the total or the average
        return Refusal(f"Ask has no maximum, minimum or median (“{' '.join(sorted(draft.pool & _STATISTICS))}”): the "
                       "semantic model's measures are sums, counts, averages and rates, so the largest or smallest "
                       "single amount is not one of them.", ("average transaction value",
                                                             "Who are our top 10 customers by spending?"))
    draft.period_words = period_words(period) if period else ""
    two = _measure_and_a_count(draft, parts)
    if two:
        return two
    count = None if risk_rank else counted(draft, parts)
    if isinstance(count, Clarify):
        return count
    measure = count[0] if count else _measure(draft, parts, vocabulary, risk_rank)
    if isinstance(measure, (Clarify, Refusal)):
        return measure
    unclear = ambiguous_clause(draft, parts, measure)
    if unclear:
        return unclear
    notes: list[str] = []
    grain = draft.grain
    if draft.trend and grain is None:
        grain = "month" if period is None or period.start is None or (period.end - period.start).days > 62 else "day"
        notes.append(f"“trend” read as by {grain}")
    several = next((j for j in parts.dim_spans if len({m.column for m in items[j].of(DimensionTerm)}) > 1), None)
    if several is not None:
        return _dimension_readings(draft, parts, several, period, context, risk_rank)
    dims = [_dimension(items[j], measure.table, vocabulary) for j in parts.dim_spans]
    filters, share_of = _filters(draft, parts, measure)
    filters += [f for f in (count[1] if count else ()) if all(g.dim.column != f.dim.column for g in filters)]
    if "prefer" in draft.pool or "favourite" in draft.pool:  # "which channel do customers prefer"
        favourite = _favourites(dims, filters)
        if isinstance(favourite, Clarify):
            return favourite
        dims, filters = favourite
    question = Question(measure, tuple(dict.fromkeys(dims)), grain, tuple(filters), period, None,
                        draft.share_at is not None, tuple(share_of))
    either = _either_or(draft, parts, question) or _combined_exclusion(draft, parts, question)
    finished = either or finish(question, draft, parts, context, notes)
    return (within_each(finished, draft, parts, vocabulary) or finished) if isinstance(finished, Question) else finished


def _combined_exclusion(draft: Draft, parts: Parts, question: Question) -> Clarify | None:
    """"spend excluding online travel": the combination (online and travel at once) excluded, which is not a filter
    Ask has; excluding each, or the other value kept, are two other questions. It asks rather than choosing."""
    placed = {i: (negated, {t.column for t in terms}) for i, negated, terms in parts.values}
    for i, (negated, columns) in placed.items():
        j = _next_placed(draft, placed, i)
        nxt = placed.get(j) if j is not None else None
        if not negated or nxt is None or nxt[0] or columns & nxt[1]:
            continue
        a, b = draft.items[i].text, draft.items[j].text
        pair = columns | nxt[1]
        each = tuple(replace(f, negated=True) if f.dim.column in pair else f for f in question.filters)
        both = tuple(replace(f, negated=False) if f.dim.column in pair else f for f in question.filters)
        rest = tuple(f for f in question.filters if f.dim.column not in pair)
        said = f"{a} {b}" if j == i + 1 else f"{a} … {b}"
        return Clarify(f"“{said}” excluded: Ask cannot exclude a combination of two values ({a} and {b} at once). It "
                       f"can exclude each of them, show the combination alone, or leave both out of the question.",
                       tuple(replace(question, filters=f, notes=()).phrase() for f in (each, both, rest)))
    return None


def _either_or(draft: Draft, parts: Parts, question: Question) -> Clarify | None:
    """"spend for Premium or Texas": filters on two dimensions hold together (and); either one is not a filter Ask
    has, so it asks rather than answering for Premium customers in Texas."""
    items = draft.items
    placed = {i: {t.column for t in terms} for i, _, terms in parts.values}
    for k, item in enumerate(items):
        if isinstance(item, Span) or item.norm not in ("or", "either"):
            continue
        before = [i for i in placed if i < k]
        after = [i for i in placed if i > k]
        if before and after and not placed[max(before)] & placed[min(after)]:
            a, b = items[max(before)].text, items[min(after)].text
            alone = [replace(question, filters=tuple(f for f in question.filters if f.dim.column not in placed[i]),
                             notes=()).phrase() for i in (min(after), max(before))]
            return Clarify(f"“{a} or {b}”: Ask filters on both at once ({a} and {b}), not on either one.",
                           (replace(question, notes=()).phrase(), *alone))
    return None


def _next_placed(draft: Draft, placed: dict, i: int) -> int | None:
    """The value right after a negated one: next to it ("excluding online travel"), or past the customers they are
    ("except Premium customers in Texas")."""
    j = i + 1
    while j < len(draft.items) and j not in placed:
        item = draft.items[j]
        if not (isinstance(item, Span) and item in [draft.items[n] for n in draft.nouns] or
                isinstance(item, Token) and item.norm in ("in", "from", "at") and j > i + 1):
            return None
        j += 1
    return j if j in placed else None


def _dimension_readings(draft: Draft, parts: Parts, j: int, period: Period | None, context: Context,
                        risk_rank: bool) -> Understood:
    """"spend by segment": the question with each dimension the word can name, as readings."""
    span = draft.items[j]
    readings, columns = [], []
    for term in span.of(DimensionTerm):
        if term.column in columns:
            continue
        columns.append(term.column)
        items = list(draft.items)
        items[j] = replace(span, meanings=tuple(m for m in span.meanings if getattr(m, "column", None) == term.column))
        built = _build(replace(draft, items=items), parts, period, context, risk_rank)
        if isinstance(built, Question):
            readings.append(built.phrase())
    return Clarify(f"“{span.text}” can be the {' or the '.join(label(c) for c in columns)}: which one?",
                   tuple(readings)[:3] or ONBOARDING)


def _favourites(dims: list[Dim], filters: list[Filter]) -> tuple[list[Dim], list[Filter]] | Clarify:
    """"Which channel do customers prefer": the favourite channel, grouped; "customers who prefer online": the
    favourite channel, filtered. A customer's favourite is over all their spend: with a grouping by one, a
    transaction's category or channel as a filter ("prefer for travel") is a favourite Ask does not know."""
    named = any(d.column in FAVOURITE for d in dims)  # "by favourite channel and channel": each as said
    grouped = dims if named else [_favourite_dim(d) for d in dims]
    if grouped != dims:
        narrowed = [f for f in filters if f.dim.column in {*FAVOURITE, *FAVOURITE.values()} and not f.negated]
        if narrowed:
            return Clarify(f"Ask knows each customer's favourite {grouped[0].column.split('_')[-1]} over all their "
                           f"spend, not for {', '.join(v for f in narrowed for v in f.values)} alone.",
                           (f"customer count by {words(grouped[0].column)}",
                            f"active customers by {words(_plain(grouped[0].column))} for "
                            f"{' and '.join(v for f in narrowed for v in f.values)}"))
        return grouped, filters
    return dims, [replace(f, dim=_favourite_dim(f.dim)) for f in filters]


def _plain(column: str) -> str:
    return FAVOURITE.get(column, column)


def _favourite_dim(dim: Dim) -> Dim:
    favourite = _favourite(dim.column)
    return Dim("customers", favourite) if favourite != dim.column else dim


def _measure_and_a_count(draft: Draft, parts: Parts) -> Clarify | None:
    """"spend, and how many customers, by state": a measure, then "and how many ...": two figures, not customers who
    spent (which is "how many customers spent")."""
    items = draft.items
    total = total_beside_customers(draft, parts)
    if total is not None:  # "customers with total spend by state": the count and the total, as with "number of"
        readings = ("active customers", Measure(*(lambda t: (t.table, t.name))(_preferred(items[total].of(MeasureTerm))))
                    .words())
        return Clarify(f"The question names 2 measures ({', '.join(readings)}); Ask answers one at a time.",
                       _with_rest(readings, draft, parts))
    if not draft.count_at:
        return None
    at = draft.count_at[0]
    before = [j for j in parts.measure_spans if j < at]
    if not before or not any(isinstance(x, Token) and x.norm in ("and", "plus", "with") for x in items[before[-1] + 1:at]):
        return None
    counted_noun = next((j for j in sorted({*parts.measure_spans, *draft.nouns}) if j > at), None)
    if counted_noun is None:
        return None
    first = Measure(*(lambda t: (t.table, t.name))(_preferred(items[before[-1]].of(MeasureTerm))))
    second = "transaction volume" if any(t.name == "transaction_volume" for t in items[counted_noun].of(MeasureTerm)) \
        else "active customers"
    readings = tuple(dict.fromkeys((first.words(), second)))
    return Clarify(f"The question names 2 measures ({', '.join(readings)}); Ask answers one at a time.",
                   _with_rest(readings, draft, parts))


def _favourite(column: str) -> str:
    return next((fav for fav, plain in FAVOURITE.items() if plain == column), column)


def _measure(draft: Draft, parts: Parts, vocabulary: Vocabulary, risk_rank: bool) -> Measure | Clarify | Refusal:
    items = draft.items
    if risk_rank:  # "which states are most at risk": a group's average score, not the sum that grows with its size
        grouped = {m.column for j in parts.dim_spans for m in items[j].of(DimensionTerm)}
        by_customer = not grouped or grouped & set(vocabulary.model.table("customers").primary_key)
        return Measure("customers", "model_churn_risk_score" if by_customer else "average_churn_score")
    chosen: list[tuple[int, MeasureTerm]] = [(j, _preferred(items[j].of(MeasureTerm))) for j in parts.measure_spans]
    names = {(t.table, t.name) for _, t in chosen}
    paired = len({(t.table, t.name) for j, t in chosen if j in parts.paired}) > 1
    if {("customers", "customer_count"), ("transactions", "transaction_volume")} == names and not paired:
        return Measure("transactions", "active_customers")  # "customers who made a purchase"
    if len(names) > 1:  # "the decline rate of online transactions": a bare noun names who, not what
        kept = [(j, t) for j, t in chosen if j in parts.paired and paired or not (
            _COUNTED_NOUN.fullmatch(items[j].text.lower()) and t.name in ("transaction_volume", "customer_count"))]
        chosen = kept or chosen
        names = {(t.table, t.name) for _, t in chosen}
    if len(names) > 1:
        spent = any(t.table == "transactions" for _, t in chosen)  # beside spend, "customers" are those who bought
        readings = tuple(dict.fromkeys("active customers" if spent and t.name == "customer_count" else
                                       Measure(t.table, t.name).words() for _, t in chosen))[:3]
        return Clarify(f"The question names {len(names)} measures ({', '.join(r for r in readings)}); Ask answers one "
                       "at a time.", _with_rest(readings, draft, parts))
    if not chosen:
        if parts.trend_measure:
            return Measure("transactions", "approved_spend")
        if "much" in draft.pool:  # "how much": money, spent unless the question says declined
            declined = any(t.column == "status" and t.value == "declined" for _, _, terms in parts.values for t in terms)
            return Measure("transactions", "declined_amount" if declined else "approved_spend")
        return _no_measure(draft, parts, vocabulary)
    j, term = chosen[0]
    if term.name == "average_transaction_value" and items[j].text.lower().endswith("transactions"):
        return Clarify("“average transactions”: the average value of a transaction, or the number of transactions per "
                       "customer?", _with_rest(("average transaction value", "transactions per customer"), draft, parts))
    if term.kind == "fact":
        aggregate = draft.aggregate.get(j)
        if aggregate is None and not _per_customer(draft, parts, term, vocabulary):
            readings = (f"total {term.name.replace('_', ' ')}", f"average {term.name.replace('_', ' ')}")
            which = "the total or the average?"
            if items[j].text.lower().startswith("monthly") and term.name in _BY_MONTH:  # "monthly spend": by month
                readings, which = (_BY_MONTH[term.name], *readings), "each month's, or their total or average?"
            return Clarify(f"“{items[j].text}” is a value per {'customer' if term.table == 'customers' else 'row'}: "
                           f"{which}", _with_rest(readings, draft, parts))
        return Measure(term.table, term.name, aggregate)
    measure = Measure(term.table, term.name)
    left = average_left(draft, measure)
    if isinstance(left, Clarify):
        return Clarify(left.reason, _with_rest(left.readings, draft, parts))
    return left or measure


# A fact named "monthly ..." whose plain meaning is the figure by month.
_BY_MONTH = {"spend": "approved spend by month", "approved_spend": "approved spend by month",
             "active_customers": "active customers by month"}
_COUNTED_NOUN = re.compile(r"(transactions?|purchases?|payments?|customers?|cardholders?|accounts?|clients?)")


def _preferred(terms: list[MeasureTerm]) -> MeasureTerm:
    """Metrics before facts, then the tables in TABLE_ORDER."""
    return sorted(terms, key=lambda t: (t.kind != "metric", TABLE_ORDER.index(t.table)))[0]


def _per_customer(draft: Draft, parts: Parts, term: MeasureTerm, vocabulary: Vocabulary) -> bool:
    """A customer's fact is its own figure when the question is grouped by customer (one row each) or names one
    customer ("the lifetime value of CUST00000003")."""
    key = vocabulary.model.table(term.table).primary_key
    one = [t for _, negated, terms in parts.values if not negated for t in terms if (t.column,) == key]
    return len({t.value for t in one}) == 1 or any(isinstance(m, DimensionTerm) and (m.column,) == key
                                                   for j in parts.dim_spans for m in draft.items[j].meanings)


NO_MEASURE = "Which figure? The question names what to group or filter by, but no measure."


def _no_measure(draft: Draft, parts: Parts, vocabulary: Vocabulary) -> Clarify | Refusal:
    known = "approved spend, transactions, decline rate, customers, lifetime value, average transaction value"
    draft.unknown = unused(draft, None, vocabulary)
    if draft.unknown:
        words = " ".join(draft.unknown)
        close = close_phrases(draft.unknown, vocabulary)
        return Refusal(f"Ask did not understand “{words}” and found no measure in the question: the semantic model "
                       f"has no measure “{words}”. It has {known} and more (semantic_model/customer360.yaml).", close)
    if parts.dim_spans or parts.values or draft.rank or draft.grain:
        per_customer = any(m.column == "customer_id" for j in parts.dim_spans for m in draft.items[j].of(DimensionTerm))
        readings = ("approved spend", "transaction volume", "average transaction value") if per_customer else \
            ("approved spend", "customer count", "transaction volume")  # "top customers": not ranked by their count
        return Clarify(NO_MEASURE,
                       _with_rest(readings, draft, parts))
    return Refusal(f"Ask did not find a measure in the question. It knows {known} and more "
                   "(semantic_model/customer360.yaml).", ("Who are our top 10 customers by spending?",
                                                          "Show me revenue trends for the last 6 months"))


def _with_rest(measures: tuple[str, ...], draft: Draft, parts: Parts) -> tuple[str, ...]:
    """Readings: each measure with what else the question says (groupings, values, ranking), as words."""
    items = draft.items
    rest = []
    if draft.rank:
        rest.append("ranked")
    groups = list(dict.fromkeys(items[j].text for j in parts.dim_spans))  # "spend by state; transactions by state"
    kept = [items[i].text for i, negated, _ in parts.values if not negated]
    values = " ".join(([f"for {' and '.join(kept)}"] if kept else []) +
                      [f"excluding {items[i].text}" for i, negated, _ in parts.values if negated])
    readings = []
    for measure in measures:
        text = measure
        if groups:
            text += " by " + " and ".join(groups)
        if values:
            text += f" {values}"
        if draft.grain:
            text += f" by {draft.grain}"
        if draft.rank and groups:
            n = draft.rank.n or RANK_DEFAULT
            down = ranks_descending(draft.rank, measure.replace(" ", "_"), draft.pool)
            text = f"{'top' if down else 'bottom'} {n} {' and '.join(groups)} by {measure}" + \
                   (f" {values}" if values else "")
        readings.append(f"{text} {draft.period_words}".strip())
    return tuple(readings)


def _dimension(span: Span, table: str, vocabulary: Vocabulary) -> Dim:
    terms = span.of(DimensionTerm)
    for wanted in (table, "customers"):
        for term in terms:
            if term.table == wanted:
                return Dim(term.table, term.column)
    return Dim(terms[0].table, terms[0].column)


def _within(draft: Draft, i: int) -> bool:
    """Whether a value is said as the whole a share is taken in ("in Texas", "among Premium customers")."""
    j = i - 1
    if j >= 0 and isinstance(draft.items[j], Span) and draft.items[j].of(DimensionTerm) and \
            not draft.items[j].of(ValueTerm):  # "for card type Premium", as a canonical question says it
        j -= 1
    while j >= 0 and isinstance(draft.items[j], Token) and draft.items[j].norm in ("the", "a", "an", "our"):
        j -= 1
    return j >= 0 and isinstance(draft.items[j], Token) and draft.items[j].norm in ("in", "for", "among", "within")


_SAYS_THE_PART = frozenset({"are", "is", "were", "was", "be", "that", "who", "which", "live", "living", "lives", "located",
                            "based", "come", "came", "comes", "from"})


def _whole_said_after(draft: Draft, found: list, measure_at: int) -> list:
    """"share of online transactions in Ohio", "proportion of Premium customers in Texas": the values said before the
    measure are the part and the one said "in" after it the whole (Ohio's online share, as "share of transactions in
    Ohio that are online"); with a verb ("what share of Premium customers are in Texas") the value after is the part."""
    if draft.share_at is None or draft.share_at > measure_at:
        return found
    before = {term.column for i, term, negated, part in found if i < measure_at and not part and not negated}
    after = [i for i, term, negated, part in found if part and _within(draft, i) and term.column not in before]
    said = {x.norm for x in draft.items[measure_at + 1:max(after, default=measure_at)] if isinstance(x, Token)}
    if not before or not after or said & _SAYS_THE_PART:
        return found
    return [(i, term, negated, i < measure_at and not negated if i < measure_at or i in after else part)
            for i, term, negated, part in found]


def _values_before_share(draft: Draft) -> set[int]:
    """"Texas and California share of spend", "Premium vs Standard share": the values listed right before "share" are
    each a part (of the whole), not wholes whose share would be 1.0 each."""
    if draft.share_at is None:
        return set()
    found, j = set(), draft.share_at - 1
    while j >= 0:
        item = draft.items[j]
        if isinstance(item, Span) and item.of(ValueTerm):
            found.add(j)
        elif not (isinstance(item, Token) and item.norm in ("and", "vs", "versus", "or", "'s", "s", "the", "share",
                                                            "shares", "risk")):  # "Texas share vs California share"
            break
        j -= 1
    return found if len(found) > 1 else set()


def _filters(draft: Draft, parts: Parts, measure: Measure) -> tuple[list[Filter], list[Filter]]:
    """The values as filters (one per column), and those whose share is asked ("share of spend that is Online")."""
    by_key: dict[tuple[str, bool, bool], list[str]] = {}
    tables: dict[str, str] = {}
    measure_at = parts.measure_spans[0] if parts.measure_spans else -1
    leading = _values_before_share(draft)
    found = []
    for i, negated, terms in parts.values:
        term = next((t for t in terms if t.table == measure.table), None) or \
            next((t for t in terms if t.table == "customers"), terms[0])
        tables[term.column] = term.table
        share_part = draft.share_at is not None and not negated and (i > measure_at or i == draft.share_at - 1
                                                                     or i in leading)
        found.append((i, term, negated, share_part))
    found = _whole_said_after(draft, found, measure_at)
    part_columns = {term.column for _, term, _, part in found if part}
    if len(part_columns) > 1 and "status" in part_columns:  # "approval rate online": the rate within Online
        found = [(i, term, negated, part and term.column == "status") for i, term, negated, part in found]
    elif len(part_columns) > 1 or parts.dim_spans:  # "share of spend that is Gas in Texas", "by card type in Texas"
        found = [(i, term, negated, part and not _within(draft, i)) for i, term, negated, part in found]
    for _, term, negated, share_part in found:
        values = by_key.setdefault((term.column, negated, share_part), [])
        if term.value not in values:
            values.append(term.value)
    merged_part_and_whole(by_key)
    filters, share_of = [], []
    for (column, negated, share_part), values in by_key.items():
        made = Filter(Dim(tables[column], column), tuple(values), negated)
        (share_of if share_part else filters).append(made)
    return filters, share_of
