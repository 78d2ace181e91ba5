"""Which of a question's words were used, once it is settled: a word outside the filler list that neither took a role
(a measure, a grouping, a value, a period) nor did its job in this question is reported as not understood, and the
question answers "clarify" rather than a figure computed without it.

A word used only in some questions is used when:
- "how many", "count", "number": the measure is a count (customers, active customers, transactions);
- "much": the measure is money; "made", "earned", "generated": money or transactions;
- "bought", "shop", "transact", "paid", "use": the figure is read from the transactions (a customer count moves there);
- "split", "breakdown", "ranked", "sorted": the answer is grouped;
- "vs", "compare", "against": two or more values of one dimension, or the groups of a grouping, are compared;
- "now", "current", "still": the measure is a customer attribute (customer attributes are as of the as-of date);
- a cue word ("risk", "churn", "tier", "favourite"): the dimension it names is in the question.
"""

from __future__ import annotations

from customer360.lib.semantic.reading import Draft
from customer360.lib.semantic.terms import DimensionTerm, Span, ValueTerm
from customer360.lib.semantic.understanding import Question
from customer360.lib.semantic.vocabulary import Vocabulary
from customer360.lib.semantic.words import (
    ACTIVITY_VERBS,
    COMPARE_WORDS,
    CURRENT_WORDS,
    GROUPING_WORDS,
    MAKE_WORDS,
    Token,
)

_CONDITIONAL = frozenset({"much"}) | MAKE_WORDS | ACTIVITY_VERBS | GROUPING_WORDS | COMPARE_WORDS | CURRENT_WORDS
COUNT_MEASURES = frozenset({"customer_count", "active_customers", "transaction_volume"})
_FROM_TRANSACTIONS = frozenset({"transactions", "monthly_spend", "portfolio_months"})


def unused(draft: Draft, question: Question | None, vocabulary: Vocabulary) -> list[str]:
    """The words of the question that were not used, as typed."""
    words = list(draft.unplaced)
    for i in [*draft.leftover, *draft.count_at]:
        token = draft.items[i]
        assert isinstance(token, Token)
        if question is None and not _conditional(token.norm, i, draft, vocabulary) or \
                question is not None and not _used(token.norm, i, draft, question, vocabulary):
            words.append(token.text)
    return words


def _conditional(word: str, i: int, draft: Draft, vocabulary: Vocabulary) -> bool:
    """Whether a word could be used by some question (with no measure found, only the others are reported)."""
    return i in draft.count_at or word in _CONDITIONAL or any(
        word in vocabulary.cues(m.column) for item in draft.items if isinstance(item, Span)
        for m in item.meanings if isinstance(m, (DimensionTerm, ValueTerm)))


def _used(word: str, i: int, draft: Draft, question: Question, vocabulary: Vocabulary) -> bool:
    measure = question.measure
    counted = measure.name in COUNT_MEASURES and not measure.aggregate
    if i in draft.count_at:  # "how many transactions does the average customer make": a count per customer
        return counted or measure.name == "transactions_per_customer"
    if word == "much":
        return not counted
    if word in MAKE_WORDS:
        return measure.table in _FROM_TRANSACTIONS
    if word in ACTIVITY_VERBS:
        return measure.table in _FROM_TRANSACTIONS
    if word in GROUPING_WORDS:
        return bool(question.dims or question.grain)
    if word in COMPARE_WORDS:  # "Premium vs Standard", "compare spend by channel"
        return bool(question.dims or question.grain) or any(len(f.values) > 1 and not f.negated
                                                            for f in question.filters)
    if word in CURRENT_WORDS:
        return measure.table == "customers"
    columns = {d.column for d in question.dims} | {f.dim.column for f in (*question.filters, *question.share_of)}
    if measure.table == "customers" and not measure.aggregate:
        columns.add(measure.name)
    return any(word in vocabulary.cues(column) for column in columns)
