"""Follow-ups in the app: "and only Premium?", "what about Texas?", "by month instead", "last year instead",
"top 5 instead", "and Texas too", "for all states", "how many customers instead", "and their spend?" refine the
previous question rather than start a new one (a clarify's reading is picked in picking.py, a ranked set in
ranked_sets.py, a share or an amount of the last figure in parts_of_a_figure.py).

A follow-up changes the previous question (a filter replaced, added to or removed, the groupings replaced, the
measure, the period or the ranking replaced), then the result is said as a canonical question and read again by the
parser, so a refined question is checked exactly as a typed one is.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from customer360.lib.semantic.consumed import COUNT_MEASURES, unused
from customer360.lib.semantic.parser import BUSY, change_named, understand
from customer360.lib.semantic.parts_of_a_figure import as_share, asks_a_part, how_much, share_that
from customer360.lib.semantic.periods import (
    MONTH_NAMES,
    Period,
    PeriodError,
    add_months,
    find,
    month_end,
)
from customer360.lib.semantic.reading import Context, Draft, draft_without_period, rank_words, ranks_descending, walk
from customer360.lib.semantic.rewording import ages, exclusions
from customer360.lib.semantic.roles import roles
from customer360.lib.semantic.settle import LEAVES_OUT
from customer360.lib.semantic.steering import (
    ASCENDING,
    SORT,
    SORT_THEM,
    by_customer_count,
    every_group,
    for_all,
    in_order,
)
from customer360.lib.semantic.terms import DimensionTerm, MeasureTerm, Span
from customer360.lib.semantic.understanding import (
    FIXED_STATUS,
    RANK_DEFAULT,
    Clarify,
    Dim,
    Filter,
    Measure,
    Question,
    Rank,
    Understood,
    compared_wholes,
    label,
    plural,
)
from customer360.lib.semantic.words import FILLER, singular, tokens

# "... there", "how many were declined", "how much was online": the previous question's people, place and period
# (an anaphora: nothing of their own says which transactions). "How many customers are there" is no anaphora.
_ANAPHORA = r"(?<!\bare\s)(?<!\bis\s)\bthere\s*[?.!]*\s*$|^\s*how\s+(many|much)\s+(were|was|are|is|got|did)\b"
# "that state's customers", "this category": the one the last answer listed
THAT_ONE = r"(?:that|this)\s+(?:state|category|channel|card\s+type|segment|customer|one)(?:'s)?"
_BARE_MONTH = re.compile(r"^(\s*(?:and\s+|what\s+about\s+|how\s+about\s+|same\s+for\s+|now\s+)?)(" + MONTH_NAMES +
                         r")\b(?=\s*(?:\d{4})?\s*(?:instead|too|then)?\s*[?.!]*\s*$)", re.IGNORECASE)
_OVERALL_FOR = re.compile(r"^\s*(?:and\s+|what\s+about\s+|now\s+)?(?:the\s+)?(?:overall|in\s+total|total)\s+"
                          r"((?:for|among|in|with|of)\b.*)$", re.IGNORECASE)
_WHO_OR_WHICH = re.compile(r"\b(?:customers|cardholders|clients|transactions|purchases)\b", re.IGNORECASE)
_WHAT_ABOUT = re.compile(r"^\s*(?:what|how)\s+about\b", re.IGNORECASE)
_THAT_ONE = re.compile(r"\b" + THAT_ONE + r"(?!\w)", re.IGNORECASE)
_MARKERS = re.compile(r"^\s*(and|but|now|then|what\s+about|how\s+about|same\s+(for|but)|only|just|also|except|"
                      r"excluding|without|from\s+how\s+many)\b|\b(instead|too|as\s+well|their|they|them|those|its)\b"
                      r"|\b(is|was|are|were)\s+that\b|\b" + THAT_ONE + "|" + _ANAPHORA, re.IGNORECASE)
# "how many transactions is that", "from how many customers": a count of what made the previous figure.
_THAT = re.compile(r"\b(is|was|are|were)\s+that\b|^\s*from\s+how\s+many\b", re.IGNORECASE)
# The words that make a follow-up one, read by is_follow_up and refine rather than as a part of the question
_FOLLOW_UP_WORDS = frozenset("""and but now then instead too also well again same only just plus both what about how
those them these they their its there here that this it one ones same again among within for by per
drill zoom focus narrow filter limit restrict switch swap keep go move down on into first sort order rank ranked
sorted ordered ascending asc descending desc decreasing increasing""".split())
_SAME_LAST_YEAR = re.compile(r"\bsame\b.*\b(last|previous|prior)\s+year\b|\b(a|one)\s+year\s+(earlier|before)\b",
                             re.IGNORECASE)
_VERSUS = re.compile(r"\s*(and\s+)?(vs\.?|versus|compared?\s+(to|with)|against|(how\s+(does|did|do|is|was)\s+(that|it|this|they|"
                     r"those)\s+)?compar(e|es|ed|ing)\s+(to|with|against))\b", re.IGNORECASE)  # "how does that compare to Texas"
INSTEAD = re.compile(r"\binstead\b|^\s*(now|then)\b", re.IGNORECASE)
ADDING = re.compile(r"\b(too|also|as\s+well)\b", re.IGNORECASE)
# "and California", "and in Florida", "plus Florida", "both Texas and Florida": values added to the previous one. "and for Standard",
# "and only Premium" name the value instead (a share within Standard, the Premium customers alone).
ALSO = re.compile(r"^\s*(and|plus|both)\s+(in\s+)?(?!(for|in|at|from|among|within|only|just|what|how|the|their|its|by|"
                   r"per|not|excluding|except|without)\b(?!-)\W*\w)", re.IGNORECASE)  # "and IN": Indiana; "and in-store"
# The words that make a follow-up one: taken out before its own measure is read.
_FOLLOW_WORDS = re.compile(r"^\s*(and|but|now|then|what\s+about|how\s+about|same\s+for)\b|\b(instead|too|also|as\s+well|"
                           r"again|their|them|those|these|they|its)\b|\b(were|was)?\s*there\s*[?.!]*\s*$|\b"
                           + THAT_ONE + r"(?!\w)|\bthere\b",
                           re.IGNORECASE)


def is_follow_up(text: str, context: Context) -> bool:
    """A follow-up starts like one ("and ...", "what about ...", "... instead") or names no measure of its own
    ("by month", "Premium only"); a question with a measure is a new question, even an ambiguous one."""
    text = exclusions(ages(text))  # "leaving out 60+": read as refine reads it
    if _MARKERS.search(text) or _PER_CUSTOMER.match(text) or asks_a_part(text) or SORT_THEM.match(text) or \
            _OVERALL_FOR.match(text) and _WHO_OR_WHICH.search(text):
        return True
    draft = draft_without_period(text, context)
    if draft is None:
        return False
    # "for high risk customers": the previous figure for them, not how many they are; "how many declined", "how many
    # online": a count of the previous question's transactions that names only values
    among, counting = AMONG.match(text), draft.count_at and not (draft.measures or draft.nouns)
    if among or counting:
        parts = roles(draft, context.vocabulary)  # once: reading the roles is the costly step
        if among and (_names_who(draft, parts) or _for_whom(text, draft, parts) or _for_which(text, draft)) or \
                counting and parts.values:
            return True
    if isinstance(understand(text, context), Question) and not BUSY.search(text):  # "which month was busiest": by
        return False  # the last figure's measure, after one
    return not (draft.measures or draft.nouns)


def repeats(previous: Question, text: str, context: Context) -> bool:
    """"by state" after "spend by state" (or after "is spend by state OK"): only groupings the question has already,
    so the same question again rather than "which figure?"."""
    draft = draft_without_period(text, context)
    if draft is None or draft.measures or draft.nouns or draft.grain or draft.rank:
        return False
    parts = roles(draft, context.vocabulary)
    named = {dim_named(draft.items[j], previous) for j in parts.dim_spans}
    rest = [draft.items[i] for i in draft.leftover]
    return bool(named) and named == set(previous.dims) and not parts.values and \
        all(getattr(t, "norm", "") in FILLER | {"by", "per", "each"} for t in rest)


_ONE = re.compile(r"\b(is|was|one|single)\b", re.IGNORECASE)
_MANY = re.compile(r"\b(are|were|ones)\b", re.IGNORECASE)
AMONG = re.compile(r"^\s*(for|among|within|in)\b", re.IGNORECASE)


def _names_who(draft: Draft, parts) -> bool:
    """"for high risk customers", "Premium customers": the customers are named by a value just before them (which
    ones), with no measure or count of their own (what)."""
    values = {i for i, _, _ in parts.values}

    def after_value(j: int) -> bool:  # "high risk customers": a cue word may stand between
        k = j - 1
        while k >= 0 and k > j - 3 and not isinstance(draft.items[k], Span) and draft.items[k].norm not in _JOINS:
            k -= 1
        return k in values

    return bool(draft.nouns) and not draft.measures and not draft.count_at and all(after_value(j) for j in draft.nouns)


_JOINS = frozenset({"and", "or", "by", "per", "each", "vs", "versus", "of"})
# "for Premium cardholders", "for customers aged 60+", "among customers in Texas": which customers, not how many
_WHO = re.compile(r"^\s*(?:and\s+)?(?:only\s+)?(?:for|among|within)\s+(?:the\s+|our\s+)?(?:[\w+-]+\s+){0,3}?"
                  r"(?:customers|cardholders|clients|accounts)\b", re.IGNORECASE)


# "for online transactions", "only for declined purchases": which transactions
_WHICH = re.compile(r"^\s*(?:and\s+)?(?:only\s+)?(?:for|among|on|of)\s+(?:the\s+|our\s+)?(?:[\w+-]+\s+){1,3}?"
                    r"(?:transactions|purchases)\s*(?:only)?\s*[?.!]*\s*$", re.IGNORECASE)


def _for_whom(text: str, draft: Draft, parts) -> bool:
    """The customers named by words around them ("for Premium cardholders", "for gold cardholders"), with no measure
    of their own but the customers themselves."""
    return bool(_WHO.match(text)) and _only(draft, "customer_count") and not draft.count_at


def _for_which(text: str, draft: Draft) -> bool:
    """"for online transactions", "for cash purchases": which transactions the last figure counts, not their count."""
    return bool(_WHICH.match(text)) and _only(draft, "transaction_volume") and not draft.count_at


def _only(draft: Draft, measure: str) -> bool:
    return all(isinstance(draft.items[j], Span) and all(t.name == measure for t in draft.items[j].of(MeasureTerm))
               for j in draft.measures)


# "per customer instead" after "spend by state": the measure per customer.
_PER_CUSTOMER = re.compile(r"^\s*(and\s+)?(the\s+)?(average\s+|avg\s+|mean\s+)?per\s+(customer|cardholder|account)"
                           r"(\s+instead)?\s*[?.!]*\s*$", re.IGNORECASE)
_PER_CUSTOMER_OF = {"approved_spend": "spend_per_customer", "transaction_volume": "transactions_per_customer"}


def refine(previous: Question, text: str, context: Context) -> Understood | None:
    """The previous question changed as `text` says, read again; None when `text` changes nothing in it."""
    typed, text = text.strip(), exclusions(ages(text))  # "not including Premium", "what about 30-44": as in a question
    text = _THAT_ONE.sub("their", text)  # "that state's customers": the listed one's, never "by state"
    text = _BARE_MONTH.sub(r"\1in \2", text)  # "what about april", "april instead": the month
    text = by_customer_count(text)  # "rank by customers": by how many, never by each customer
    ordered = in_order(text) if previous.rank is None and (previous.dims or previous.grain) else None
    if ordered and not text[:ordered[0]].strip(" ,") and not text[ordered[1]:].strip(" ?!.,"):
        text = ordered[2]  # "from lowest to highest", "best first": every group of the last figure, in that order
    widened = for_all(previous, text, context)
    if widened is not None:
        return widened
    overall_for = _OVERALL_FOR.match(text)
    if overall_for and (previous.dims or previous.grain):  # "overall for Premium customers" after "spend by state":
        grouped = set(previous.dims)  # the values the groupings were limited to go with them ("for CA and TX")
        overall = replace(previous, dims=(), grain=None, rank=None, share=False, share_of=(), notes=(),
                          filters=tuple(f for f in previous.filters if f.negated or f.dim not in grouped))
        return refine(overall, overall_for.group(1), context)  # their total, not by state
    change = change_named(text) if previous.change else None
    if change:  # "what about the biggest rise" after "the biggest drop in spend": the other end, same filters
        return understand(replace(previous, change=change, rank=None, notes=()).phrase(), context)
    share = share_that(previous, text, context) or how_much(previous, text, context)
    if share is not None:
        return share
    if as_share(text) and (previous.dims or previous.grain) and not previous.share and not previous.change:
        return _each_ones_share(previous, context)
    per_customer = _PER_CUSTOMER_OF.get(previous.measure.name)
    if _PER_CUSTOMER.match(text) and per_customer and previous.measure.table in ("transactions", "monthly_spend"):
        return understand(replace(previous, measure=Measure("transactions", per_customer), share=False, share_of=(),
                                  notes=()).phrase(), context)
    earlier = _unit_earlier(previous.period, text)
    if earlier is not None:  # "and the month before" after "spend last month": September's, said as asked
        understood = understand(replace(previous, period=earlier, notes=()).phrase(), context)
        return replace(understood, period=earlier) if isinstance(understood, Question) and understood.period == earlier \
            else understood
    try:
        periods, rest = find(text, context.as_of)
    except PeriodError:
        return None
    before = _VERSUS_BEFORE.match(text)  # "vs the previous month" after "last month": September beside October
    earlier = _unit_earlier(previous.period, f"the {before.group('unit') or before.group('unit2')} before") \
        if before else None
    if earlier is not None:
        return understand(f"{replace(previous, notes=()).phrase()} vs from {earlier.start} to {earlier.end}", context)
    if periods and _VERSUS.match(text) and previous.period:  # "vs last year" after "this year": both periods, as typed
        return understand(f"{replace(previous, notes=()).phrase()} {text.strip()}", context)
    rank, toks = rank_words(tokens(rest))
    draft = walk(toks, context.vocabulary, rank)
    parts = roles(draft, context.vocabulary)
    changed = previous
    sorts = previous.rank is None and bool(previous.dims or previous.grain) and bool(SORT.search(text))
    # "how many customers instead", "their customers by card type"
    if (draft.measures or any(j not in parts.dim_spans for j in draft.nouns)) and not _names_who(draft, parts) and \
            not _for_whom(text, draft, parts) and not _for_which(text, draft):
        own_words = _FOLLOW_WORDS.sub(" ", text)
        if sorts:  # "rank by transactions" after "spend by state": the states ranked by it
            own_words = SORT.sub(" ", own_words)
        if previous.rank or sorts:  # "by transactions instead" after "top 2 customers by spend": the ranking's measure
            own_words = re.sub(r"^\s*by\b", " ", own_words, flags=re.IGNORECASE)
        own = understand(own_words, context)
        theirs = [f for f in changed.filters if context.vocabulary.model.table("customers").has_column(f.dim.column)]
        if not isinstance(own, Question) and theirs:  # "their lifetime value": theirs, not everyone's
            own = understand(" ".join([own_words, *(f.phrase() for f in theirs)]), context)
        if not isinstance(own, Question):
            return own
        if _who_or_how_many(previous, own, text, draft, parts):  # "what about customers in Texas" after spend
            theirs = changed
            for f in own.filters:
                theirs = theirs.with_filter(f)
            counted = refine(previous, f"how many customers instead, {text}", context)
            if isinstance(counted, Question):
                return Clarify(f"“{typed}”: the last figure ({label(previous.measure.column)}) for those "
                               "customers, or how many they are?", (replace(theirs, notes=()).phrase(), counted.phrase()))
        changed = replace(changed, measure=own.measure, share=own.share, share_of=own.share_of,
                          rank=own.rank or changed.rank)
        for f in own.filters:
            changed = changed.with_filter(f)
        status = FIXED_STATUS.get(previous.measure.name)
        if _THAT.search(text) and status and own.measure.name in COUNT_MEASURES:  # the approved ones made the spend
            changed = changed.with_filter(Filter(Dim("transactions", "status"), (status,)))
    if periods:
        changed = replace(changed, period=_year_earlier(previous.period, text) or periods[0])
    dropped = {j: dim_named(draft.items[j], previous) for j in parts.dim_spans if _after(draft, j, ("all", "every"))}
    for dim in dropped.values():  # "for all states": no filter on the state any more
        changed = replace(changed, filters=tuple(f for f in changed.filters if f.dim.column != dim.column))
    dims = [dim_named(draft.items[j], previous) for j in parts.dim_spans if j not in dropped]
    if dims or draft.grain:
        ranks_another = previous.rank is not None and rank is not None  # "top 3 states" after "top 3 categories"
        # "by month instead", "what about the generated segment" (after "by behavioural segment"): in its place
        if INSTEAD.search(text) or _WHAT_ABOUT.match(text) or not previous.dims and not previous.grain or ranks_another:
            changed = replace(changed, dims=tuple(dims), grain=draft.grain)
        else:
            changed = replace(changed, dims=tuple(dict.fromkeys((*previous.dims, *dims))),
                              grain=draft.grain or previous.grain)
        if draft.share_at is not None and not changed.share and not changed.change:  # "share by channel"
            changed = replace(changed, share=True, share_of=())
        grouped = {d.column for d in dims}  # "for each state" after "spend in California": every state
        changed = replace(changed, filters=tuple(f for f in changed.filters if f.dim.column not in grouped
                                                 or f.negated or len(f.values) > 1))
    if rank is not None and not changed.change:  # a change's own words say its end ("the biggest drop")
        # "which is highest", "the worst state": one; "sort highest first": all of them
        one = 1 if _ONE.search(text) and not _MANY.search(text) or _one_named(draft, parts) else RANK_DEFAULT
        every = every_group(previous, context) if sorts else None
        changed = replace(changed, rank=Rank(ranks_descending(rank, changed.measure.name, draft.pool),
                                             rank.n or every or (previous.rank.n if previous.rank else one)))
    elif sorts:  # "rank them", "sort by spend": every group, highest first ("ascending": lowest first)
        changed = replace(changed, rank=Rank(not ASCENDING.search(text), every_group(previous, context) or RANK_DEFAULT))
    readings = []
    adding = bool(ADDING.search(text) or _VERSUS.match(text))  # "versus Standard" after "for Premium": both
    instead = bool(INSTEAD.search(text))
    if instead and any(negated for _, negated, _ in parts.values):  # "excluding online instead": the last
        changed = replace(changed, filters=tuple(f for f in changed.filters if not f.negated))  # exclusions go
    also = bool(ALSO.match(text))  # "and California" after "spend in Texas": both, side by side
    named: set[tuple[str, bool]] = set()  # the columns this follow-up names values of, each as one filter
    said: set[str] = set()
    for _, negated, terms in parts.values:
        term = next((t for t in terms if t.table == previous.measure.table), terms[0])
        new = Filter(Dim(term.table, term.column), (term.value,), negated)
        old = next((f for f in changed.filters if f.dim.column == term.column and f.negated == negated), None)
        # "for Texas and California": one filter with both, as the same words in a question are; "and Texas too":
        # both; "not online", then "except mobile": neither
        joining = adding or negated or also or (term.column, negated) in named
        if instead and (term.column, negated) not in named:  # "excluding dining instead": Dining in Travel's place
            joining = False
        if joining and old is not None:
            new = old if term.value in old.values else replace(old, values=(*old.values, term.value))
        part = None if negated else _part_named(changed, term.column)
        named.add((term.column, negated))
        said.add(term.value)
        if part is not None:  # "what about mobile" after the share that is Online: Mobile's share of the same whole
            values = (*part.values, term.value) if joining and part in changed.share_of else (term.value,)
            changed = replace(changed, share_of=(*(f for f in changed.share_of if f is not part),
                                                 replace(part, values=tuple(dict.fromkeys(values)))))
            continue
        excluded = next((f for f in changed.filters if f.dim.column == term.column and f.negated and not negated
                         and term.value not in f.values), None)
        others_out = [f for f in previous.filters if f.negated and f.dim.column != term.column]
        if excluded is not None and adding:  # "dining too" after "excluding travel": excluded as well
            new = replace(excluded, values=(*excluded.values, term.value))
        elif excluded is None and (adding or also) and not negated and old is None and others_out:
            # "online too" after "excluding travel": Online left out too, or only Online? (another dimension's value)
            out = ", ".join(v for f in others_out for v in f.values)
            return Clarify(f"“{typed}” after excluding {out}: {term.value} excluded too, or only {term.value}?",
                           tuple(replace(q, notes=()).phrase() for q in (changed.with_filter(replace(new, negated=True)),
                                                                         changed.with_filter(new))))
        elif excluded is not None and re.match(r"\s*and\b", text, re.IGNORECASE):  # "and dining": which?
            too = changed.with_filter(replace(excluded, values=(*excluded.values, term.value)))
            return Clarify(f"“{text.strip()}” after excluding {' and '.join(excluded.values)}: {term.value} excluded "
                           f"too, or {term.value} alone?", tuple(replace(q, notes=()).phrase() for q in
                                                                 (too, changed.with_filter(new))))
        changed = changed.with_filter(new)
    compared = _compared_in_a_ranking(previous, changed)
    if compared is not None:
        return compared
    for i, negated, options in parts.ambiguous[:1]:
        for terms in options[:3]:
            term = terms[0]
            readings.append(changed.with_filter(Filter(Dim(term.table, term.column), (term.value,), negated)).phrase())
        return Clarify(f"“{draft.items[i].text}” is a value of several dimensions: which one?", tuple(readings))
    if draft.count_at and not (draft.measures or draft.nouns) and changed.measure.name not in COUNT_MEASURES:
        counts = (Measure("customers", "customer_count"), Measure("transactions", "transaction_volume"))
        return Clarify("“How many” of what? The last question's figure is not a count.",
                       tuple(replace(changed, measure=m, rank=None, share=False, share_of=(), notes=()).phrase()
                             for m in counts))
    if changed == previous and not periods:  # "what about Q1" after "last quarter": the same question, answered again
        unknown = [w for w in unused(draft, previous, context.vocabulary) if w.lower() not in _FOLLOW_UP_WORDS]
        if unknown and (_WHO.match(text) or _WHICH.match(text)):  # "for gold cardholders": never the figure for all
            return Clarify(f"Ask did not understand “{' '.join(unknown)}”. It can answer the follow-up without it, as "
                           "below; the figure would not be the one asked for.", (replace(previous, notes=()).phrase(),))
        return None
    notes = [_added(text, f, changed.filters) for f in previous.filters if also and not adding and not f.negated
             and not set(f.values) <= said]  # "both Texas and Florida" says both itself
    notes += [_added(text, f, changed.share_of, "the share of ") for f in previous.share_of if also and not adding
              and not set(f.values) <= said]
    changed = replace(changed, notes=())
    understood = understand(changed.phrase(), context)
    if not isinstance(understood, Question):
        return understood
    if understood.period is not None and understood.period == changed.period:
        understood = replace(understood, period=changed.period)  # said as read ("in May"), not as dates "as given"
    ignored = [w for w in unused(draft, understood, context.vocabulary) if w.lower() not in _FOLLOW_UP_WORDS]
    if ignored:  # "over $500 online", "on weekends in Florida": never the figure without them, as for a question
        words = " ".join(ignored)
        readings = [understood.phrase()]
        if {w.lower() for w in ignored} & LEAVES_OUT:  # "less travel": the value left out, first
            flipped = understood
            for f in understood.filters:
                if set(f.values) & said and not f.negated:
                    flipped = flipped.with_filter(replace(f, negated=True))
            if flipped != understood:
                readings.insert(0, flipped.phrase())
        return Clarify(f"Ask did not understand “{words}”. It can answer the follow-up without it, as below; the figure "
                       "would not be the one asked for.", tuple(readings))
    return replace(understood, notes=(*understood.notes, *(n for n in notes if n)))


def _who_or_how_many(previous: Question, own: Question, text: str, draft: Draft, parts) -> bool:
    """"what about customers in Texas", "and customers aged 60+" after a figure that is no count of customers: customers
    named by a value, with no "how many" or "instead" to say their count is now the figure."""
    return own.measure.name == "customer_count" and previous.measure.name != "customer_count" and bool(parts.values) \
        and bool(own.filters) and not draft.count_at and not draft.measures and not INSTEAD.search(text) \
        and not ADDING.search(text)


def _each_ones_share(previous: Question, context: Context) -> Understood:
    """"their share", "as a share of total": each group's share of the whole. Values the last question was limited to
    in its own grouping (the states a ranking listed, "spend there") are the parts, never each one's whole (1.0 each);
    its other filters are the whole ("their share" after "top 10 customers in Texas": of Texas's spend)."""
    listed = tuple(f for f in previous.filters if not f.negated and f.dim in previous.dims)
    asked = replace(previous, share=True, share_of=listed, notes=(),
                    filters=tuple(f for f in previous.filters if f not in listed))
    understood = understand(asked.phrase(), context)
    if isinstance(understood, Clarify) and previous.rank and any(f.dim.column == "status" for f in asked.filters):
        return asked  # "its share" after "the channel with the most declines": its share of the declines
    if isinstance(understood, Question) and (set(understood.share_of) != set(asked.share_of)
                                             or set(understood.filters) != set(asked.filters)):
        understood = replace(understood, share_of=asked.share_of, filters=asked.filters, dims=asked.dims)
    return understood


def _compared_in_a_ranking(previous: Question, changed: Question) -> Clarify | None:
    """"for Texas and California" after "top 3 categories by spend": each state's own top 3 is not a ranking Ask has,
    and ranking (category, state) pairs is not what was asked; the readings rank within one value at a time."""
    compared = [f for f in changed.filters if changed.rank and not f.negated and len(f.values) > 1
                and f.dim not in changed.dims and f not in previous.filters]
    if not compared:
        return None
    f = compared[0]
    ranked = " and ".join(plural(label(d.column)) for d in changed.dims) or f"{changed.grain}s"
    return Clarify(f"{' and '.join(f.values)} after the top {changed.rank.n} {ranked}: Ask ranks within one "
                   f"{label(f.dim.column)} at a time, not each one's own top {changed.rank.n}. Which one?",
                   tuple(replace(changed.with_filter(replace(f, values=(v,))), notes=()).phrase() for v in f.values[:3]))


def _added(text: str, before: Filter, filters: tuple[Filter, ...], whose: str = "") -> str | None:
    """How "and California" after "spend in Texas" was read: California beside Texas, which shows California's
    figure too; the other reading, California alone, is one question away. After a share that is Online, "and
    mobile" is the share of each, side by side."""
    now = next((f for f in filters if f.dim == before.dim and not f.negated), None)
    added = [v for v in now.values if v not in before.values] if now else []
    if not added or not set(before.values) <= set(now.values):
        return None
    named = " and ".join(added)
    return (f"“{text.strip(' ?!.')}” read as {whose}{named} as well as {' and '.join(before.values)}, side by side "
            f"(“what about {named}” is {whose}{named} alone)")


def _part_named(question: Question, column: str) -> Filter | None:
    """The part of a share a value replaces ("what about mobile" after the share of spend that is Online, or after the
    share of spend by channel), rather than filtering the whole down to the value, whose share is then 1."""
    if not question.share:
        return None
    part = next((f for f in question.share_of if f.dim.column == column), None)
    if part is not None or question.share_of:
        return part
    dim = next((d for d in question.dims if d.column == column), None)
    return None if dim is None or dim in compared_wholes(question) else Filter(dim, ())


def _one_named(draft: Draft, parts) -> bool:
    """"for the worst state": the ranked grouping named in the singular, as a typed question reads it."""
    last = [draft.items[j].text.split()[-1].lower() for j in parts.dim_spans]
    return bool(last) and all(singular(word) == word for word in last)


def _year_earlier(period: Period | None, text: str) -> Period | None:
    """"same for last year" after "spend in May": May of the year before, not the whole of last year; after "this
    month", the same days of that month a year earlier (like for like)."""
    if period is None or period.start is None or not _SAME_LAST_YEAR.search(text):
        return None
    return Period(_a_year_before(period.start), _a_year_before(period.end), "same for last year",
                  "the previous question's period, one year earlier")


# "and the month before", "what about the quarter before that", "the month prior": the last period, one unit earlier
_UNIT_BEFORE = re.compile(r"^\s*(?:and\s+|what\s+about\s+|how\s+about\s+|same\s+for\s+)?(?:in\s+|for\s+)?(?:the\s+)?"
                          r"(?P<unit>week|month|quarter|year)\s+(?:before|prior|earlier)(?:\s+that)?\s*[?.!]*\s*$", re.IGNORECASE)
_VERSUS_BEFORE = re.compile(r"^\s*(?:and\s+)?(?:vs\.?|versus|compared\s+(?:to|with)|against)\s+(?:the\s+)?(?:(?:previous|prior|"
                            r"preceding)\s+(?P<unit>week|month|quarter|year)|(?P<unit2>week|month|quarter|year)\s+(?:before|"
                            r"prior|earlier))\s*[?.!]*\s*$", re.IGNORECASE)
_MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}


def _unit_earlier(period: Period | None, text: str) -> Period | None:
    """The previous question's period moved one week, month, quarter or year back: a whole month (quarter) is the whole
    one before; "this month" so far is the same days of the month before."""
    said = _UNIT_BEFORE.match(text)
    if period is None or period.start is None or not said:
        return None
    unit = said.group("unit").lower()
    if unit == "week":
        start, end = period.start - dt.timedelta(days=7), period.end - dt.timedelta(days=7)
    else:
        start = add_months(period.start, -_MONTHS_IN[unit]).replace(day=1) if period.start.day == 1 else \
            _months_before(period.start, _MONTHS_IN[unit])
        end = month_end(add_months(period.end, -_MONTHS_IN[unit])) if period.end == month_end(period.end) else \
            _months_before(period.end, _MONTHS_IN[unit])
    return Period(start, end, f"the {unit} before", f"the previous question's period, one {unit} earlier")


def _months_before(day: dt.date, months: int) -> dt.date:
    first = add_months(day, -months)
    return min(day.replace(year=first.year, month=first.month, day=1) + dt.timedelta(days=day.day - 1), month_end(first))


def _a_year_before(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1, day=28 if (day.month, day.day) == (2, 29) else day.day)


def _after(draft: Draft, j: int, words: tuple[str, ...]) -> bool:
    before = draft.items[j - 1] if j > 0 else None
    return before is not None and not isinstance(before, Span) and before.norm in words


def dim_named(span, previous: Question) -> Dim:
    """The dimension a span names, of the previous question's table where it has one ("state": the customer's)."""
    terms = span.of(DimensionTerm)
    for wanted in (previous.measure.table, "customers"):
        for term in terms:
            if term.table == wanted:
                return Dim(term.table, term.column)
    return Dim(terms[0].table, terms[0].column)

