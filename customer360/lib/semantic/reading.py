"""Reading a question's words: the ranking words taken out, the rest matched to the vocabulary's longest phrases, and
each word that is not a phrase given its job (a negation and the value it applies to, "average", "share", a grain,
a count, "only") or kept to be judged once the question is settled (consumed.py). roles.py gives the phrases their
roles.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from customer360.lib.semantic.periods import PeriodError, find
from customer360.lib.semantic.terms import DimensionTerm, MeasureTerm, Span, ValueTerm
from customer360.lib.semantic.vocabulary import GRAIN_WORDS, UNITS, Vocabulary
from customer360.lib.semantic.words import (
    ACTIVITY_VERBS,
    AVERAGE_WORDS,
    COUNT_WORDS,
    FILLER,
    GROUP_MARKERS,
    NEGATIONS,
    ONLY_WORDS,
    RANK_DOWN,
    RANK_UP,
    SHARE_WORDS,
    TOTAL_WORDS,
    WHOLE_WORDS,
    Token,
    normalized,
    tokens,
)

HIGH_CARDINALITY = frozenset({"customer_id", "merchant_name", "transaction_id"})


_NEGATED_VERBS = ACTIVITY_VERBS | {"prefer", "prefers", "preferred", "ever", "live", "lives", "like", "likes"}
_ENTITY_RANK = frozenset({"top", "bottom", "best", "worst", "biggest", "largest", "smallest", "leading"})


@dataclass(frozen=True)
class Context:
    vocabulary: Vocabulary
    as_of: dt.date
    reads_observability: bool = True
    role: str = ""
    history_start: dt.date | None = None  # the first day with a transaction (its week, month... may be partial)


@dataclass
class RankWord:
    descending: bool
    n: int | None
    at: int  # the index, in the tokens left, of the word after the ranking words
    entity_follows: bool  # "top 10 customers": the ranked thing follows; "the most customers": the measure does
    word: str = ""  # the word that gives the direction ("highest", "best")

    @property
    def judged(self) -> bool:
        """"best", "worst": the better or the worse figure, not the higher or the lower."""
        return self.word in ("best", "worst")


# Measures where a lower figure is the better one (Cortex Analyst's format has no field to say so): the best decline
# rate, churn score or recency (days since the last transaction) is the lowest.
LOWER_IS_BETTER = frozenset({"decline_rate", "model_churn_risk_score", "average_churn_score",
                             "days_since_last_transaction"})


def ranks_descending(rank: RankWord, measure: str, pool: set[str]) -> bool:
    """The ranking's direction for a measure: "best" and "worst" turn over where lower is better, and so does any
    ranking "by recency" (the most recent customer has the fewest days since their last transaction)."""
    name = measure.removeprefix("average_").removeprefix("total_") if measure not in LOWER_IS_BETTER else measure
    turned = name in LOWER_IS_BETTER and (rank.judged or name == "days_since_last_transaction" and "recency" in pool)
    return rank.descending != turned


@dataclass
class Draft:
    items: list[Span | Token]
    rank: RankWord | None = None
    measures: list[int] = field(default_factory=list)  # item indexes
    nouns: list[int] = field(default_factory=list)  # spans that are a count and a dimension ("customers")
    dims: list[int] = field(default_factory=list)
    values: list[tuple[int, bool]] = field(default_factory=list)  # (item index, negated)
    aggregate: dict[int, str] = field(default_factory=dict)  # measure item -> "AVG" | "SUM"
    average_at: list[int] = field(default_factory=list)
    grain: str | None = None
    trend: bool = False
    share_at: int | None = None
    unknown: list[str] = field(default_factory=list)  # words not understood, once the question is settled
    leftover: list[int] = field(default_factory=list)  # item indexes of words used only in some questions
    count_at: list[int] = field(default_factory=list)  # "how many", "count of", "number of"
    only_at: list[int] = field(default_factory=list)  # "only" next to a value ("Premium only")
    unplaced: list[str] = field(default_factory=list)  # values of no dimension the question names ("High")
    extra_numbers: list[str] = field(default_factory=list)
    pool: set[str] = field(default_factory=set)  # every word of the question (cue words are looked up here)
    period_words: str = ""  # the question's period as readings say it ("last month")
    joined_after: set[int] = field(default_factory=set)  # token indexes followed by a comma or "&" ("spend, customers")


@dataclass
class Parts:
    """The draft's pieces once each span has its role."""
    measure_spans: list[int]
    dim_spans: list[int]
    cue_spans: set[int]
    values: list[tuple[int, bool, list[ValueTerm]]]  # (item, negated, candidate values of one column each)
    ambiguous: list[tuple[int, bool, list[list[ValueTerm]]]]
    trend_measure: bool = False
    paired: set[int] = field(default_factory=set)  # measure spans named side by side ("spend and customers")


def rank_words(toks: list[Token]) -> tuple[RankWord | None, list[Token]]:
    """The first ranking words ("top 10", "bottom 5", "the 3 biggest", "highest"), taken out of the tokens."""
    for i, token in enumerate(toks):
        if token.norm not in RANK_UP | RANK_DOWN:
            continue
        if i > 0 and toks[i - 1].norm == "at":
            continue  # "at least 10 transactions": a threshold Ask does not have, not the bottom 10
        if token.norm in ("higher", "lower") and i + 1 < len(toks) and toks[i + 1].norm == "than":
            continue  # "higher than 100": a threshold, not a ranking
        after = toks[i + 1] if i + 1 < len(toks) else None
        if token.norm == "top" and after is not None and after.norm in ("tier", "value"):
            continue  # "Top value tier" is a value
        if token.norm == "top" and token.text == "Top" and i > 0 and any(t.norm == "tier" for t in toks) and \
                (after is None or after.number is None):
            continue  # "spend by value tier for Top customers": the tier's value, not a ranking
        removed, n = {i}, None
        if after is not None and after.number is not None:
            n, removed = after.number, {i, i + 1}
        elif i > 0 and toks[i - 1].number is not None:
            n, removed = toks[i - 1].number, {i - 1, i}
        left = [t for j, t in enumerate(toks) if j not in removed]
        later = [t for t in left if t.norm in (RANK_UP | RANK_DOWN) - {"top", "bottom"}]
        deciding = later[-1].norm if later else token.norm
        left = [t for t in left if t not in later]
        return RankWord(deciding in RANK_UP, n, min(removed), token.norm in _ENTITY_RANK, deciding), left
    return None, toks


def walk(toks: list[Token], vocabulary: Vocabulary, rank: RankWord | None, text: str = "") -> Draft:
    draft = Draft(vocabulary.match(toks, text), rank)
    if text:  # the tokens drop punctuation; a comma or "&" between two measures still joins them
        draft.joined_after = {k for k in range(len(toks) - 1) if re.search(r"[,&+;/.]", text[toks[k].end:toks[k + 1].start])}
    draft.pool = {t.norm for t in toks}
    items = draft.items
    negated, aggregate, skip = False, None, set()
    ordered = rank is not None or bool(draft.pool & _ORDER_WORDS)  # "top 3 states by revenue", "sort states by spend"
    for i, item in enumerate(items):
        if isinstance(item, Span):
            if item.of(ValueTerm):
                draft.values.append((i, negated or _negation_runs_on(draft, i)))
                negated = False
            elif item.of(MeasureTerm) and item.of(DimensionTerm):
                draft.nouns.append(i)
            elif item.of(MeasureTerm):
                draft.measures.append(i)
                if aggregate:
                    draft.aggregate[i] = aggregate
            elif item.of(DimensionTerm):
                draft.dims.append(i)
            aggregate = None
            continue
        word = item.norm
        if i in skip:
            continue
        if word in NEGATIONS or word == "other" and _next_word(items, i) == "than":
            if word == "other":  # "other than Premium"
                skip.add(i + 1)
            k = i + (word == "other")
            while k + 1 < len(items) and isinstance(items[k + 1], Token) and items[k + 1].norm in _NEGATED_VERBS:
                k += 1  # "never bought travel", "don't prefer in-store": the value after the verb
            if next_value(items, k) is None:
                draft.leftover.append(i)  # "not" before no value: never dropped, never carried to a later value
            else:
                negated = True
        elif word == "but":
            negated = _but(items, i, draft) or negated
        elif word in AVERAGE_WORDS:
            aggregate = "AVG"
            draft.average_at.append(i)
        elif word in TOTAL_WORDS:
            aggregate = "SUM"
        elif word in SHARE_WORDS:
            draft.share_at = i
        elif word in GRAIN_WORDS:
            draft.grain = GRAIN_WORDS[word]
        elif word in UNITS and (marked(items, i) or _and_after_grouping(items, i)
                                or (rank is not None and rank.at == _token_index(draft, i))):
            draft.grain = word
        elif item.number is not None:
            draft.extra_numbers.append(item.text)
        elif word in COUNT_WORDS:
            draft.count_at.append(i)
        elif word in ONLY_WORDS:
            if next_value(items, i, named=False) is None and not _value_before(items, i):
                draft.leftover.append(i)  # "customers who only shop online" is not "customers who shop online"
            else:
                draft.only_at.append(i)
        elif word in GROUP_MARKERS - {"which", "what"} and not _marks_something(items, i, ordered):
            draft.leftover.append(i)  # "spend by stat": the grouping asked for is not understood
        elif word == "like" and _previous_word(items, i) in _WISHING:
            continue  # "I'd like to see": not "customers like CUST00000003"
        elif word not in FILLER | ONLY_WORDS | GROUP_MARKERS | WHOLE_WORDS:
            draft.leftover.append(i)
    return draft


_ORDER_WORDS = frozenset(normalized(w) for w in ("rank", "ranked", "ranking", "sort", "sorted", "order", "ordered"))
_TO_VALUE = frozenset({"the", "a", "an", "in", "for", "from", "on", "at", "of", "to", "with", "any", "those", "who",
                       "that", "are", "is", "have", "has"})


_WISHING = frozenset({"would", "i", "we", "i'd", "we'd", "you", "also"})


def _previous_word(items: list[Span | Token], i: int) -> str | None:
    before = items[i - 1] if i > 0 else None
    return before.norm if isinstance(before, Token) else None


def _next_word(items: list[Span | Token], i: int) -> str | None:
    nxt = items[i + 1] if i + 1 < len(items) else None
    return nxt.norm if isinstance(nxt, Token) else None


def next_value(items: list[Span | Token], i: int, named: bool = True) -> int | None:
    """The value a word at i applies to: the next item, past articles and prepositions ("not in Texas") and, when
    `named`, the value's dimension ("excluding merchant category Travel")."""
    j = i + 1
    while j < len(items) and (isinstance(items[j], Token) and items[j].norm in _TO_VALUE or named and
                              isinstance(items[j], Span) and items[j].of(DimensionTerm) and not items[j].of(ValueTerm)
                              and not items[j].of(MeasureTerm)):
        j += 1  # "excluding merchant category Travel"
    return j if j < len(items) and isinstance(items[j], Span) and items[j].of(ValueTerm) else None


def _value_before(items: list[Span | Token], i: int) -> bool:
    j = i - 1
    while j >= 0 and isinstance(items[j], Token) and items[j].norm in ("the", "a", "an"):
        j -= 1
    if j >= 0 and isinstance(items[j], Span) and items[j].of(DimensionTerm) and not items[j].of(ValueTerm):
        j -= 1  # "Premium customers only", "the online channel only"
    return j >= 0 and isinstance(items[j], Span) and bool(items[j].of(ValueTerm))


def _marks_something(items: list[Span | Token], i: int, ranked: bool) -> bool:
    """Whether a grouping word ("by", "per", "each") is followed by something to group by, or "by" by the measure a
    ranking orders by ("top 3 states by revenue")."""
    j = i + 1
    skipped = ("the", "a", "an", "their", "its", "all") + (("average", "avg", "mean", "total") if ranked else ())
    while j < len(items) and isinstance(items[j], Token) and items[j].norm in skipped:
        j += 1  # "top 3 states by average days since last transaction": the ranking's measure
    if j >= len(items):
        return False
    nxt = items[j]
    if isinstance(nxt, Span):  # not a measure: "revenue per transaction" is a ratio, not a grouping
        return bool(nxt.of(DimensionTerm) or nxt.of(ValueTerm)
                    or ranked and items[i].norm == "by" and nxt.of(MeasureTerm))
    return nxt.norm in UNITS or nxt.norm in RANK_UP | RANK_DOWN or nxt.number is not None


def _negation_runs_on(draft: Draft, i: int) -> bool:
    """"excluding online and mobile": a negation runs on to values joined to a negated one by "and", "or", "nor"."""
    if not draft.values or not draft.values[-1][1]:
        return False
    between = draft.items[draft.values[-1][0] + 1:i]  # "excluding the travel category and online": past the dimension
    joined = any(isinstance(x, Token) and x.norm in ("and", "or", "nor") for x in between)
    return joined and all(isinstance(x, Token) and x.norm in ("and", "or", "nor", "the", "a", "an") or isinstance(x, Span)
                          and x.of(DimensionTerm) and not x.of(ValueTerm) and not x.of(MeasureTerm) for x in between)


def _but(items: list[Span | Token], i: int, draft: Draft) -> bool:
    """"all spend but Travel" excludes Travel; "but not", "but only" just join; any other "but" is not understood."""
    if next_value(items, i) == i + 1 and any(isinstance(x, Token) and x.norm in WHOLE_WORDS for x in items[:i]):
        return True
    if _next_word(items, i) not in NEGATIONS | ONLY_WORDS | {"for", "in", "by", "excluding"}:
        draft.leftover.append(i)
    return False


def _and_after_grouping(items: list[Span | Token], i: int) -> bool:
    """"by card type and month": a unit after "and", in a question that groups by something already."""
    return i > 0 and isinstance(items[i - 1], Token) and items[i - 1].norm == "and" and any(
        isinstance(x, Token) and x.norm in ("by", "per", "each") for x in items[:i - 1])


def _token_index(draft: Draft, item_index: int) -> int:
    item = draft.items[item_index]
    if isinstance(item, Span):
        return item.start
    return sum(1 if isinstance(x, Token) else x.end - x.start for x in draft.items[:item_index])


def marked(items: list[Span | Token], i: int) -> bool:
    """Whether the item follows a word that asks for a grouping ("by", "per", "each", "which"), articles and values
    between them ("which high-value customers")."""
    j = i - 1
    while j >= 0 and (isinstance(items[j], Token) and items[j].norm in ("the", "a", "an")
                      or isinstance(items[j], Span) and items[j].of(ValueTerm) and not items[j].of(DimensionTerm)):
        j -= 1
    return j >= 0 and isinstance(items[j], Token) and items[j].norm in GROUP_MARKERS


JOINING = frozenset({"and", "vs", "versus", "plus", "or", "against", "compared"})


def joined(draft: Draft, a: int, b: int) -> bool:
    """Whether items a < b are two things named side by side: "spend and customers", "spend vs transactions", "spend,
    customers", "spend & transactions"."""
    between = draft.items[a + 1:b]
    fillers = JOINING | {"the", "number", "of", "count", "total", "with", "to", "average"}
    if between:
        if not all(isinstance(x, Token) and x.norm in fillers for x in between) or len(between) > 3:
            return False
        last = draft.items[a].end - 1 if isinstance(draft.items[a], Span) else _token_index(draft, a)
        return any(x.norm in JOINING for x in between) or last in draft.joined_after  # "total spend, total customers"
    last = draft.items[a].end - 1 if isinstance(draft.items[a], Span) else _token_index(draft, a)
    return last in draft.joined_after


def gap_is_filler(items: list[Span | Token], a: int, b: int) -> bool:
    low, high = sorted((a, b))
    between = items[low + 1:high]
    return len(between) <= 2 and all(isinstance(x, Token) and x.norm in FILLER for x in between)


def draft_without_period(text: str, context: Context) -> Draft | None:
    """The words after the period is taken out, walked over the vocabulary; None when the period cannot be read."""
    try:
        _, rest = find(text, context.as_of)
    except PeriodError:
        return None
    rank, toks = rank_words(tokens(rest))
    return walk(toks, context.vocabulary, rank)
