"""Each span of a question given its role once the words are walked: a value and the dimension it belongs to (cue
words and preferences decide, or it stays ambiguous), a grouping, a measure, or a noun ("customers") that is either.
"""

from __future__ import annotations

from customer360.lib.semantic.reading import HIGH_CARDINALITY, JOINING, Draft, Parts, gap_is_filler, joined, marked
from customer360.lib.semantic.terms import DimensionTerm, Span, ValueTerm
from customer360.lib.semantic.vocabulary import FAVOURITE, VALUE_ALIASES, WEAK, Vocabulary
from customer360.lib.semantic.words import Token, normalized, phrase_key


def roles(draft: Draft, vocabulary: Vocabulary) -> Parts:
    items = draft.items
    values, ambiguous, cue_spans = [], [], set()
    for i, negated in draft.values:
        by_column = _candidates(draft, i, vocabulary)
        if not by_column:  # "Mid customers": a value of a dimension the question does not name is not understood
            draft.unplaced.append(draft.items[i].text)
            continue
        for j in draft.dims:
            named = {c for m in items[j].of(DimensionTerm) for c in _related(m.column)}
            if named & set(by_column) and gap_is_filler(items, i, j):
                cue_spans.add(j)
                if _trend_of(items, j, i):  # "spend trend of Declining customers": whose trend, or which trend?
                    by_column = _all_columns(items[i])
                    continue
                by_column = {c: v for c, v in by_column.items() if c in named}
        if len(by_column) > 1:
            ambiguous.append((i, negated, list(by_column.values())))
        else:
            values.append((i, negated, next(iter(by_column.values()))))
    measure_spans = list(draft.measures)
    dim_spans: list[int] = []
    trend_measure = False
    for j in draft.dims:
        if j in cue_spans:
            continue
        columns = {m.column for m in items[j].of(DimensionTerm)}
        ranked = draft.rank is not None and draft.rank.entity_follows and items[j].start == draft.rank.at
        if columns <= HIGH_CARDINALITY and not (marked(items, j) or ranked or "merchant" in items[j].text.lower()):
            continue  # "customers who shop online": a verb, not the merchant dimension
        if columns == {"spend_trend"} and not marked(items, j):  # "revenue trends": spend over time
            draft.trend = True
            trend_measure = trend_measure or "spend" in {normalized(w) for w in items[j].text.split()}
            continue
        dim_spans.append(j)
    for j in draft.nouns:
        after_rank = draft.rank is not None and draft.rank.entity_follows and items[j].start == draft.rank.at
        if after_rank or marked(items, j):
            dim_spans.append(j)
        elif not measure_spans or all(_is_noun_measure(items[m]) for m in measure_spans):
            measure_spans.append(j)
        if not after_rank and not marked(items, j) and _paired(draft, j):  # "spend and customers": two measures
            measure_spans.append(j)
    paired = {j for j in measure_spans if _paired(draft, j)}
    paired |= {partner for j in paired if (partner := _partner(draft, j)) is not None}
    return Parts(sorted(set(measure_spans)), sorted(dim_spans), cue_spans, values, ambiguous, trend_measure,
                 paired)


def _paired(draft: Draft, j: int) -> bool:
    """Whether the measure or noun at j is named side by side with another measure ("spend and customers")."""
    return _partner(draft, j) is not None


def _partner(draft: Draft, j: int) -> int | None:
    """The other measure the one at j is named beside: "spend and customers", or joined after the other's grouping
    ("spend by state and transactions", "spend by state, transactions")."""
    others = [m for m in [*draft.measures, *draft.nouns] if m != j]
    side_by_side = next((m for m in others if joined(draft, min(m, j), max(m, j))), None)
    if side_by_side is not None:
        return side_by_side
    items, earlier = draft.items, [m for m in others if m < j]
    if j < 2 or not earlier:
        return None
    before = items[j - 1]
    if isinstance(before, Token) and before.norm in JOINING:
        grouped = isinstance(items[j - 2], Span) and bool(items[j - 2].of(DimensionTerm))
    else:
        grouped = isinstance(before, Span) and bool(before.of(DimensionTerm)) and joined(draft, j - 1, j)
    return earlier[-1] if grouped else None


def _trend_of(items: list, j: int, i: int) -> bool:
    """"the spend trend of Declining customers" may be the trend of the customers in the Declining segment."""
    return j < i and {m.column for m in items[j].of(DimensionTerm)} == {"spend_trend"} and any(
        not isinstance(x, Span) and x.norm == "of" for x in items[j + 1:i])


def _all_columns(span: Span) -> dict[str, list[ValueTerm]]:
    by_column: dict[str, list[ValueTerm]] = {}
    for term in span.of(ValueTerm):
        by_column.setdefault(term.column, []).append(term)
    return by_column


_CHURN_BANDS = ("churn_risk_band", "model_churn_risk_band")


def _related(column: str) -> set[str]:
    """A dimension and those naming the same thing another way: "the online channel" says the value's dimension even
    when the customer's favourite is meant, "the rule-based churn band" when the model's band is named "churn band"."""
    related = {column} | {f for f, plain in FAVOURITE.items() if plain == column}
    return related | set(_CHURN_BANDS) if column in _CHURN_BANDS else related


def _is_noun_measure(span: Span) -> bool:
    return bool(span.of(DimensionTerm))


def _candidates(draft: Draft, i: int, vocabulary: Vocabulary) -> dict[str, list[ValueTerm]]:
    """A value's possible dimensions, once cue words and preferences have had their say: column -> its terms."""
    span = draft.items[i]
    by_column: dict[str, list[ValueTerm]] = {}
    for term in span.of(ValueTerm):
        by_column.setdefault(term.column, []).append(term)
    pool = draft.pool | {w for j in draft.dims for w in draft.items[j].text.lower().split()}
    said = phrase_key(span.text)  # "declining spend", "high value": an alias names its dimension itself
    cued = {c for c in by_column if vocabulary.cues(c) & pool
            or any(col == c and phrase_key(phrase) == said for col, phrase in VALUE_ALIASES)}
    by_column = {c: v for c, v in by_column.items() if c not in WEAK or c in cued}
    for favourite, plain in FAVOURITE.items():  # "favourite" or "prefer" in the question picks the favourite
        if favourite in by_column and plain in by_column:
            del by_column[plain if favourite in cued else favourite]
    if {"churn_risk_band", "model_churn_risk_band"} <= set(by_column):
        rule = {"rule", "heuristic"} & pool
        del by_column["model_churn_risk_band" if rule else "churn_risk_band"]
    if len(by_column) > 1:
        distinct = {c for c in by_column if (vocabulary.cues(c) - _shared_cues(by_column, c, vocabulary)) & pool}
        if distinct:
            by_column = {c: v for c, v in by_column.items() if c in distinct}
    return by_column


def _shared_cues(by_column: dict, column: str, vocabulary: Vocabulary) -> frozenset[str]:
    others = [vocabulary.cues(c) for c in by_column if c != column]
    return frozenset().union(*others) if others else frozenset()
