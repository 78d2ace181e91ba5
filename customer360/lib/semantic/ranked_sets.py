"""Follow-ups about a ranked set: "by channel" after "top 3 states by spend" splits the three states listed rather than
ranking (state, channel) pairs; "for the top 3 states" after "spend by month" ranks the states first, then asks about
them as the previous question did.

The ranking itself is run by the caller (ask.py holds the fetch); here is what the words say: whether a follow-up
names a ranked set, the ranking that chooses it, and the question asked about the values it listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from customer360.lib.semantic.followup import ADDING, ALSO, AMONG, INSTEAD, dim_named, refine
from customer360.lib.semantic.parser import understand
from customer360.lib.semantic.periods import PeriodError, find
from customer360.lib.semantic.reading import Context, Draft, draft_without_period, rank_words, ranks_descending, walk
from customer360.lib.semantic.roles import roles
from customer360.lib.semantic.understanding import Clarify, Dim, Filter, Question, Rank, Refusal, Understood, label, plural
from customer360.lib.semantic.words import singular, tokens


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


def adds_to_ranking(previous: Question, text: str, context: Context) -> bool:
    """"and OK" after "top 3 states by spend": OK beside the three listed (never the top 3 among OK alone, which is OK)."""
    if previous.rank is None or previous.change or len(previous.dims) != 1 or previous.grain or \
            not (ALSO.match(text) or ADDING.search(text)):
        return False
    draft = draft_without_period(text, context)
    if draft is None or draft.rank is not None or draft.measures:
        return False
    ranked = previous.dims[0].column
    return any(t.column == ranked for _, negated, terms in roles(draft, context.vocabulary).values for t in terms
               if not negated)


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


# "exclude the top 3", "without the top 5", "other than the top 2", "remove the top one", "excluding the highest"
_LEAVE_OUT = re.compile(r"^\s*((and|but|now|then)\s+)?(exclud\w*|except(\s+for)?|without|other\s+than|apart\s+from|"
                        r"leav\w*\s+out|remov\w*|drop\w*|not)\b", re.IGNORECASE)
_PLURAL = re.compile(r"\b(ones|are|were|them)\b", re.IGNORECASE)


@dataclass(frozen=True)
class LeftOut:
    """The set a follow-up leaves out: the values `ranking` lists (its last `n` when `from_end`: "excluding the bottom 2"
    after a top 10 list is the list's last two)."""
    ranking: Question
    dim: Dim  # the grouping whose values are left out
    n: int
    from_end: bool = False


def leaves_out_ranked(previous: Question, text: str, context: Context) -> LeftOut | Refusal | None:
    """"exclude the top 3" after "spend by state": the ranking whose values the follow-up leaves out (never those
    values themselves as the answer); None when the words name no ranked set to leave out."""
    if not _LEAVE_OUT.match(text) or previous.change:
        return None
    draft = draft_without_period(text, context)
    if draft is None or draft.rank is None or draft.measures:
        return None
    parts = roles(draft, context.vocabulary)
    if parts.values or any(j not in parts.dim_spans for j in draft.nouns):
        return None  # "without the top 3 Premium customers": a question of its own
    named = [dim_named(draft.items[j], previous) for j in parts.dim_spans]
    part = {f.dim for f in previous.share_of}  # "share of spend that is Online by state": the states are the groups
    groups = [d for d in previous.dims if d not in part]
    dim = named[0] if len(named) == 1 else groups[0] if not named and len(groups) == 1 else None
    said = text.strip(" ?!.")
    if dim is None or draft.grain:
        return Refusal(f"“{said}”: Ask leaves out the values of one grouping (states, categories, customers...), named "
                       "if the question has several; not months or weeks. Say which: “exclude the top 3 states”.",
                       (previous.phrase(),))
    n = draft.rank.n or (None if _PLURAL.search(text) or any(singular(w) != w for w in _last_words(draft, parts))
                         else 1)
    if n is None:
        return Refusal(f"“{said}”: how many to leave out? Say the number: “exclude the top 3”.", (previous.phrase(),))
    descending = ranks_descending(draft.rank, previous.measure.name, draft.pool)
    if previous.rank and dim in previous.dims:  # the list's first or last n
        if n >= previous.rank.n:
            return Refusal(f"“{said}” leaves none of the {previous.rank.n} listed.", (previous.phrase(),))
        return LeftOut(replace(previous, rank=Rank(previous.rank.descending, n) if descending == previous.rank.descending
                               else previous.rank, notes=()), dim, n, descending != previous.rank.descending)
    if previous.rank:
        return Refusal(f"“{said}” after a ranking of {plural(label(previous.dims[0].column))}: Ask leaves out values of "
                       "the grouping it ranked. Ask for the ranking you mean by name.", (previous.phrase(),))
    if previous.share_of and dim in groups:  # a part's share within each group: ranked by that share, as typed
        return LeftOut(replace(previous, grain=None, rank=Rank(descending, n), notes=()), dim, n)
    return LeftOut(replace(previous, dims=(dim,), grain=None, rank=Rank(descending, n), share=False, share_of=(),
                           notes=()), dim, n)


def without_ranked(previous: Question, left: LeftOut, values: tuple[str, ...], text: str, context: Context) -> Understood:
    """The previous question without the values a ranking listed, said with how they were chosen; a ranked list keeps
    the rest of its places ("exclude the top 3" after "top 10 states": the states in places 4 to 10)."""
    dim = left.dim
    out = values[-left.n:] if left.from_end else values[:left.n]
    old = next((f for f in previous.filters if f.dim.column == dim.column), None)
    if old is not None and not old.negated:  # "spend for TX, CA and NY": the others of the three
        kept = Filter(dim, tuple(v for v in old.values if v not in out))
    else:
        kept = Filter(dim, tuple(dict.fromkeys((*(old.values if old else ()), *out))), negated=True)
    if not kept.values:
        return Refusal(f"“{text.strip(' ?!.')}” leaves none of {', '.join(old.values)}.", (previous.phrase(),))
    asked = replace(previous.with_filter(kept), notes=())
    if previous.rank:
        asked = replace(asked, rank=Rank(previous.rank.descending, previous.rank.n - left.n))
    understood = understand(asked.phrase(), context)
    if not isinstance(understood, Question):
        return understood
    ranked = left.ranking.rank
    which = label(dim.column) if len(out) == 1 else f"{len(out)} {plural(label(dim.column))}"
    how = (f"the list's last {which}" if left.from_end else
           f"the {which} with the {'highest' if ranked.descending else 'lowest'} {_ranked_by(left.ranking)}")
    note = f"“{text.strip(' ?!.')}” read as leaving out {how}: {', '.join(out)}"
    return replace(understood, notes=(*understood.notes, note))


def _last_words(draft: Draft, parts) -> list[str]:
    return [draft.items[j].text.split()[-1].lower() for j in parts.dim_spans]


def _ranked_by(ranking: Question) -> str:
    """What a ranking ranks by: its measure, or a part's share of it within each group."""
    if ranking.share and ranking.share_of:
        return f"share of {ranking.measure.words()} that is {' and '.join(f.describe() for f in ranking.share_of)}"
    return ranking.measure.words()


def drops_ranked_set(previous: Question | None, fresh: Understood) -> bool:
    """"how many customers" after "top 3 states by decline rate": a new measure that names neither the listed values
    nor others of the grouping, so "for those 3 states" and "for all" are both readings; never the whole silently."""
    if not isinstance(previous, Question) or previous.rank is None or previous.change or previous.grain or \
            len(previous.dims) != 1 or not isinstance(fresh, Question):
        return False
    ranked = previous.dims[0].column
    return not (fresh.dims or fresh.grain or fresh.rank or fresh.share or fresh.change) and \
        all(f.dim.column != ranked for f in fresh.filters)


def set_or_all(previous: Question, fresh: Question, theirs: Understood, text: str, context: Context) -> Understood:
    """Which set a new measure after a top-N list is for: the values it listed (`theirs`, the previous question with
    them as a filter, refined by the words) or all; when the list is too long to carry, all, said so."""
    said = text.strip(" ?!.")
    what = f"{previous.rank.n} {plural(label(previous.dims[0].column))}"
    listed = next((f for f in theirs.filters if f.dim == previous.dims[0]), None) if isinstance(theirs, Question) else None
    asked = refine(theirs, text, context) if isinstance(theirs, Question) else None
    if not isinstance(asked, Question) and listed is not None:  # theirs together, not each one's
        asked = understand(replace(fresh, filters=(*fresh.filters, listed), notes=()).phrase(), context)
    if not isinstance(asked, Question):  # too many to carry, or nothing to ask of them ("how many customers" of 2)
        return replace(fresh, notes=(*fresh.notes, f"“{said}” read for all, not only the top {what} listed before"))
    which = f"the {len(listed.values)} listed ({', '.join(listed.values)})" if listed else "those listed"
    return Clarify(f"“{said}” after the top {what}: for {which}, or for all?",
                   (replace(asked, notes=()).phrase(), replace(fresh, notes=()).phrase()))
