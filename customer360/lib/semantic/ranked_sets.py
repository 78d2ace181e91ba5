"""Follow-ups about a ranked set: "by channel" after "top 3 states by spend" splits the three states listed rather than
ranking (state, channel) pairs; "for the top 3 states" after "spend by month" ranks the states first, then asks about
them as the previous question did.

The ranking itself is run by the caller (ask.py holds the fetch); here is what the words say: whether a follow-up
names a ranked set, the ranking that chooses it, and the question asked about the values it listed.
"""

from __future__ import annotations

from dataclasses import replace

from customer360.lib.semantic.followup import AMONG, INSTEAD, dim_named, draft_without_period, refine
from customer360.lib.semantic.parser import understand
from customer360.lib.semantic.periods import PeriodError, find
from customer360.lib.semantic.reading import Context, rank_words, walk
from customer360.lib.semantic.roles import roles
from customer360.lib.semantic.understanding import Dim, Filter, Question, Understood, label, plural
from customer360.lib.semantic.words import tokens


def splits_ranking(previous: Question, text: str, context: Context) -> bool:
    """"by channel" after "top 3 states by spend": a grouping added to a ranked list splits the values it listed
    (the ranking's values are carried), rather than ranking (state, channel) pairs nobody asked for. "by month
    instead" replaces the ranked grouping."""
    if previous.rank is None or previous.change or INSTEAD.search(text):
        return False
    draft = draft_without_period(text, context)
    if draft is None or draft.rank is not None:
        return False
    dims = {dim_named(draft.items[j], previous) for j in roles(draft, context.vocabulary).dim_spans}
    return bool(dims - set(previous.dims) or draft.grain and draft.grain != previous.grain)


def names_ranked_set(previous: Question, text: str, context: Context) -> bool:
    """"for the top 3 states" after "spend by month" or after "top 3 categories by spend": a set named by a ranking of
    a grouping the previous question lacks, to be ranked first and then asked about as the previous question was.
    After a ranking, only a set said as one ("for", "among"): "top 3 states" alone ranks states instead."""
    if previous.change or previous.share or not (previous.dims or previous.grain) or INSTEAD.search(text) or \
            previous.rank and not AMONG.match(text):
        return False
    dim = _rankeddim_named(previous, text, context)
    return dim is not None and dim not in previous.dims


def ranked_set(previous: Question, text: str, context: Context) -> Understood | None:
    """The ranking a follow-up's set is chosen by: its words applied to the previous question without its groupings
    and ranking (the same measure, filters and period), ranking that grouping alone even where the filters compare
    values ("for the top state" after the spend of three categories: one state, over the three)."""
    ranking = refine(replace(previous, dims=(), grain=None, rank=None, notes=()), text, context)
    dim = _rankeddim_named(previous, text, context)
    if isinstance(ranking, Question) and ranking.rank and dim in ranking.dims:
        return replace(ranking, dims=(dim,), grain=None)
    return ranking


def _rankeddim_named(previous: Question, text: str, context: Context) -> Dim | None:
    """The one grouping a follow-up ranks ("the top 3 states"), when it names no measure of its own."""
    try:
        _, rest = find(text, context.as_of)
    except PeriodError:
        return None
    rank, toks = rank_words(tokens(rest))
    if rank is None:
        return None
    draft = walk(toks, context.vocabulary, rank)
    parts = roles(draft, context.vocabulary)
    dims = [dim_named(draft.items[j], previous) for j in parts.dim_spans]
    if len(dims) != 1 or draft.grain or draft.measures or any(j not in parts.dim_spans for j in draft.nouns):
        return None  # "top 3 states by transactions" is a question of its own
    return dims[0]


def among_ranked(previous: Question, ranking: Question, values: tuple[str, ...], text: str,
                 context: Context) -> Understood:
    """The previous question for the values `ranking` listed, grouped by them as well when there are several: "for
    the top 3 states" after "spend by month" is those states' spend by month, said with how they were chosen."""
    dim = ranking.dims[0]
    dims = previous.dims if len(values) == 1 else (*previous.dims, dim)
    asked = replace(previous.with_filter(Filter(dim, values)), dims=dims, period=ranking.period, notes=())
    understood = understand(asked.phrase(), context)
    if not isinstance(understood, Question):
        return understood
    if understood.period is not None and understood.period == ranking.period:
        understood = replace(understood, period=ranking.period)  # said as read ("in May"), not as dates "as given"
    n = ranking.rank.n
    which = label(dim.column) if n == 1 else f"{n} {plural(label(dim.column))}"
    how = f"{'highest' if ranking.rank.descending else 'lowest'} {ranking.measure.words()}"
    note = (f"“{text.strip(' ?!.')}” read as the {which} with the {how}, ranked over the same period and filters: "
            f"{', '.join(values)}")
    return replace(understood, notes=(*understood.notes, note))
