"""Follow-ups in the app: "and only Premium?", "what about Texas?", "by month instead", "last year instead",
"top 5 instead" refine the previous question rather than start a new one.

A follow-up changes the previous question (a filter replaced or added, the groupings replaced, the period or the
ranking replaced), then the result is said as a canonical question and read again by the parser, so a refined
question is checked exactly as a typed one is.
"""

from __future__ import annotations

import re
from dataclasses import replace

from customer360.lib.semantic.parser import understand
from customer360.lib.semantic.periods import PeriodError, find
from customer360.lib.semantic.reading import Context, rank_words, roles, walk
from customer360.lib.semantic.understanding import RANK_DEFAULT, Clarify, Dim, Filter, Question, Rank, Understood
from customer360.lib.semantic.vocabulary import DimensionTerm
from customer360.lib.semantic.words import tokens

_MARKERS = re.compile(r"^\s*(and|but|now|then|what\s+about|how\s+about|same\s+(for|but)|only|just|also|except|"
                      r"excluding|without)\b|\binstead\b", re.IGNORECASE)
_INSTEAD = re.compile(r"\binstead\b|^\s*(now|then)\b", re.IGNORECASE)


def is_follow_up(text: str, context: Context) -> bool:
    """A follow-up starts like one ("and ...", "what about ...", "... instead") or names no measure of its own
    ("by month", "Premium only"); a question with a measure is a new question, even an ambiguous one."""
    if _MARKERS.search(text):
        return True
    if isinstance(understand(text, context), Question):
        return False
    try:
        _, rest = find(text, context.as_of)
    except PeriodError:
        return False
    rank, toks = rank_words(tokens(rest))
    draft = walk(toks, context.vocabulary, rank)
    return not (draft.measures or draft.nouns)


def refine(previous: Question, text: str, context: Context) -> Understood | None:
    """The previous question changed as `text` says, read again; None when `text` changes nothing in it."""
    try:
        periods, rest = find(text, context.as_of)
    except PeriodError:
        return None
    rank, toks = rank_words(tokens(rest))
    draft = walk(toks, context.vocabulary, rank)
    parts = roles(draft, context.vocabulary)
    changed = previous
    if periods:
        changed = replace(changed, period=periods[0])
    dims = [_dim(draft.items[j], previous) for j in parts.dim_spans]
    if dims or draft.grain:
        if _INSTEAD.search(text) or not previous.dims and not previous.grain:
            changed = replace(changed, dims=tuple(dims), grain=draft.grain)
        else:
            changed = replace(changed, dims=tuple(dict.fromkeys((*previous.dims, *dims))),
                              grain=draft.grain or previous.grain)
    if rank is not None:
        changed = replace(changed, rank=Rank(rank.descending, rank.n or (previous.rank.n if previous.rank
                                                                        else RANK_DEFAULT)))
    readings = []
    for _, negated, terms in parts.values:
        term = next((t for t in terms if t.table == previous.measure.table), terms[0])
        changed = changed.with_filter(Filter(Dim(term.table, term.column), (term.value,), negated))
    for i, negated, options in parts.ambiguous[:1]:
        for terms in options[:3]:
            term = terms[0]
            readings.append(changed.with_filter(Filter(Dim(term.table, term.column), (term.value,), negated)).phrase())
        return Clarify(f"“{draft.items[i].text}” is a value of several dimensions: which one?", tuple(readings))
    if changed == previous:
        return None
    changed = replace(changed, notes=())
    return understand(changed.phrase(), context)


def _dim(span, previous: Question) -> Dim:
    terms = span.of(DimensionTerm)
    for wanted in (previous.measure.table, "customers"):
        for term in terms:
            if term.table == wanted:
                return Dim(term.table, term.column)
    return Dim(terms[0].table, terms[0].column)
