"""Questions whose figure is taken within each group or within a part, where Ask's one-figure shapes would answer
another question: it asks instead (two or three readings it can run), never a figure for the other question.

- "top 3 categories in each state", "share of spend by channel for each card type": Ask ranks the pairs overall and
  takes each share of the whole; neither is within each state or card type.
- "declined transactions as a share of all transactions by channel": how the declines split across channels, or each
  channel's decline rate?
- "declined transactions per customer": per customer with a declined transaction, or per customer with a transaction?
- "which state has the highest share of Premium customers": ranked by the share of each state's customers, answered.
"""

from __future__ import annotations

from dataclasses import replace

from customer360.lib.semantic.reading import HIGH_CARDINALITY, Draft, Parts
from customer360.lib.semantic.terms import DimensionTerm, Span
from customer360.lib.semantic.understanding import Clarify, Dim, Filter, Measure, Question, label, period_words
from customer360.lib.semantic.vocabulary import Vocabulary
from customer360.lib.semantic.words import Token

_EACH = frozenset({"each", "every", "per"})
_GRAINS = frozenset({"day", "week", "month", "quarter", "year"})
STATUS = "status"


def within_each(question: Question, draft: Draft, parts: Parts, vocabulary: Vocabulary) -> Question | Clarify | None:
    """The question as Ask answers it ("share of spend by channel for each card type": the shares within each card
    type, its values compared), or the first Ask cannot answer as asked, as a clarify; None when it is as it was."""
    ranked = _ranked_customer(question, draft, parts)
    if ranked is not None and _each_group(draft, parts, ranked):  # "highest spending customer in each state"
        return _ranked_or_shared_in_each(ranked, draft, parts, vocabulary)
    return _shared_in_each(question, draft, parts, vocabulary) or \
        _ranked_or_shared_in_each(question, draft, parts, vocabulary) or _share_of_a_status(question) or \
        _status_per_customer(question) or _ranked_share_of_a_part(question)


def _ranked_customer(question: Question, draft: Draft, parts: Parts) -> Question | None:
    """"the highest spending customer", "the most active customer": customers are what is ranked, though an adjective
    carries the measure ("spending", "active") and "customer" names no grouping. The question with customers ranked
    (by the number of transactions for "most active"), or None when customers are not the ranked thing."""
    if question.rank is None or any(d.column == "customer_id" for d in question.dims):
        return None
    customer = Dim("transactions" if question.measure.table == "transactions" else "customers", "customer_id")
    ranked = replace(question, dims=(customer, *question.dims))
    if question.measure.name in ("active_customers", "customer_count"):  # one customer counts 1: by what they do
        spent = [f for f in question.filters if f.dim.column == STATUS and f.values == ("approved",) and not f.negated]
        ranked = replace(ranked, measure=Measure("transactions", "approved_spend" if spent else "transaction_volume"),
                         filters=tuple(f for f in question.filters if f not in spent))
    for j in draft.nouns:
        if j not in parts.measure_spans and j not in parts.dim_spans and any(
                m.column == "customer_id" for m in draft.items[j].of(DimensionTerm)):
            return ranked
    for j in parts.measure_spans:  # "most active customer": one customer, singular, by how much they transact
        if question.measure.name == "active_customers" and not draft.items[j].text.lower().endswith("s"):
            return ranked
    return None


MAX_COMPARED = 10  # values of a dimension a share "for each" of it compares, listed as a filter


def _shared_in_each(question: Question, draft: Draft, parts: Parts, vocabulary: Vocabulary) -> Question | None:
    """"share of spend by channel for each card type": each card type's values compared, so that each is a whole
    (build.py partitions a share by compared values)."""
    if not question.share or question.share_of or question.grain or len(question.dims) != 2:
        return None
    each = _each_group(draft, parts, question)
    if each is None or each[1] is None or any(f.dim == each[1] for f in question.filters):
        return None
    dim = each[1]
    values = tuple(vocabulary.values.get((dim.table, dim.column)) or vocabulary.values_of(dim.table, dim.column))
    if not 1 < len(values) <= MAX_COMPARED:
        return None
    return replace(question, filters=(*question.filters, Filter(dim, values)))


def _each_group(draft: Draft, parts: Parts, question: Question) -> tuple[str, Dim | None] | None:
    """The grouping said with "each"/"per"/"every" ("in each state", "per card type", "each month"): its words and
    its dimension (None for a time grain)."""
    items = draft.items
    for k, item in enumerate(items[:-1]):
        if not (isinstance(item, Token) and item.norm in _EACH):
            continue
        after = k + 1
        while after < len(items) and isinstance(items[after], Token) and items[after].norm in ("the", "a"):
            after += 1
        if after == len(items):
            continue
        said = items[after]
        if isinstance(said, Token) and said.norm.rstrip("s") in _GRAINS and question.grain:
            return said.text, None
        if isinstance(said, Span) and (after in parts.dim_spans or after in draft.nouns):
            columns = {m.column for m in said.of(DimensionTerm)}
            dim = next((d for d in question.dims if d.column in columns), None)
            if dim is not None:
                return said.text, dim
    return None


def _ranked_or_shared_in_each(question: Question, draft: Draft, parts: Parts, vocabulary: Vocabulary) -> Clarify | None:
    groups = len(question.dims) + (question.grain is not None)
    if groups < 2 or not (question.rank or question.share and not question.share_of and not question.grain):
        return None
    each = _each_group(draft, parts, question)
    if each is None:
        return None
    said, dim = each
    plain = replace(question, notes=())
    if not question.rank:
        return Clarify(f"“{said}”: Ask takes each share of the whole, not within each {said}. It can show the shares "
                       f"of the whole, or every pair's figure.", (plain.phrase(), replace(plain, share=False).phrase()))
    wide = any(d.column in HIGH_CARDINALITY for d in question.dims)
    if wide and dim is not None:  # every customer's figure is too many rows: the ranking within one value, twice
        rest = tuple(d for d in question.dims if d != dim)
        each_value = [replace(plain, dims=rest, filters=(*plain.filters, Filter(dim, (value,)))).phrase()
                      for value in list(vocabulary.values_of(dim.table, dim.column))[:2]]
    else:
        each_value = [replace(plain, rank=None, share=False).phrase()]
    return Clarify(f"“{said}”: Ask ranks the pairs of groups overall, not within each {said}. It can show the top "
                   f"pairs overall, or {'the ranking for one ' + label(dim.column) if wide and dim else 'every pair'}.",
                   (plain.phrase(), *each_value))


def _share_of_a_status(question: Question) -> Clarify | None:
    """"declined transactions as a share of all transactions by channel": the declines split across channels, or the
    declined share of each channel's transactions (its decline rate)?"""
    status = next((f for f in question.filters if f.dim.column == STATUS and not f.negated), None)
    if not question.share or question.share_of or status is None or not question.dims or \
            question.measure.name != "transaction_volume":
        return None
    plain = replace(question, notes=())
    rate = replace(plain, filters=tuple(f for f in plain.filters if f is not status), share_of=(status,))
    groups = " and ".join(label(d.column) for d in question.dims)
    return Clarify(f"A share of {' or '.join(status.values)} transactions by {groups}: the share of each {groups}'s "
                   f"transactions that are {' or '.join(status.values)}, or how the {' or '.join(status.values)} ones "
                   "split? Ask shows the first as a share and the second as counts.",
                   (rate.phrase(), replace(plain, share=False).phrase()))


def _ranked_share_of_a_part(question: Question) -> Question | None:
    """"which state has the highest share of Premium customers": the states ranked by the share of their own customers
    that are Premium (as "Premium share of customers by state" is), never by how many Premium customers each has."""
    if not (question.share and question.rank and len(question.dims) == 1) or question.share_of or question.grain:
        return None
    grouped = {d.column for d in question.dims}
    parts = [f for f in question.filters if not f.negated and len(f.values) == 1 and f.dim.column not in grouped
             and f.dim.column != STATUS]
    if len(parts) != 1:
        return None
    part = parts[0]
    return replace(question, dims=(*question.dims, part.dim), filters=tuple(f for f in question.filters if f is not part),
                   share_of=(part,))


def _status_per_customer(question: Question) -> Clarify | None:
    """"declined transactions per customer": per customer with a declined transaction, or with any transaction?"""
    status = next((f for f in question.filters if f.dim.column == STATUS), None)
    if question.measure.name != "transactions_per_customer" or status is None:
        return None
    plain = replace(question, notes=(), rank=None, share=False, share_of=())
    others = tuple(f for f in plain.filters if f is not status)
    said = " ".join(status.values) if not status.negated else f"not {' or '.join(status.values)}"
    when = f" {period_words(question.period)}" if question.period else ""
    return Clarify(f"“{said} transactions per customer”: per customer with {_a(said)} {said} transaction, or per customer with "
                   f"any transaction{when}? Ask gives the counts to divide: the {said} transactions, and the customers "
                   "of each kind.",
                   (replace(plain, measure=Measure("transactions", "transaction_volume")).phrase(),
                    replace(plain, measure=Measure("transactions", "active_customers"), filters=others).phrase(),
                    replace(plain, measure=Measure("transactions", "active_customers")).phrase()))


def merged_part_and_whole(values: dict[tuple[str, bool, bool], list[str]]) -> None:
    """A column both in the part and in the whole ("share of spend that is Premium in Texas vs California"): its
    values are compared, so they all go to the whole (each state its own share); never a part outside its whole."""
    for (column, negated, part), said in list(values.items()):
        whole = (column, negated, False)
        if part and not negated and whole in values:
            values[whole] += [v for v in said if v not in values[whole]]
            del values[(column, negated, part)]


def _a(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"
