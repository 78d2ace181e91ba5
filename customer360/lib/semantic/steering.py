"""Follow-ups that steer the last figure without values of their own: rank or sort its groups ("rank them", "sort
ascending", "rank by customers": every group, by that figure), or widen it ("for everyone" drops its filters, "of all
time" its period, "overall" whichever of those and its groupings it has, asking when it has more than one).
"""

from __future__ import annotations

import re
from dataclasses import replace

from customer360.lib.semantic.parser import understand
from customer360.lib.semantic.periods import shift, unit_start
from customer360.lib.semantic.reading import Context
from customer360.lib.semantic.understanding import Clarify, Question, Understood

# "rank them", "sort by spend", "order them descending": the groups ranked by the figure
SORT = re.compile(r"\b(rank|ranked|sort|sorted|order|ordered)\b", re.IGNORECASE)
# "overall", "for everyone", "portfolio-wide", "of all time" alone: the last figure for all customers, or all history
_LEAD = r"^\s*(?:and\s+|what\s+about\s+|how\s+about\s+|same\s+|now\s+)?"
_OVERALL = re.compile(_LEAD + r"overall\s*[?.!]*\s*$", re.IGNORECASE)
_EVERYONE = re.compile(_LEAD + r"(?:for\s+|across\s+)?(?:the\s+)?(?:overall|everyone|everybody|all\s+(?:customers|cardholders)|"
                       r"(?:whole|entire)\s+portfolio|portfolio[\s-]+wide|company[\s-]+wide)\s*[?.!]*\s*$", re.IGNORECASE)
_ALL_TIME = re.compile(_LEAD + r"(?:for\s+|over\s+|of\s+|in\s+)?(?:all[\s-]+time|all\s+(?:of\s+)?(?:the\s+)?history|ever)"
                       r"\s*[?.!]*\s*$", re.IGNORECASE)
SORT_THEM = re.compile(r"^\s*(?:now\s+|then\s+|and\s+)?(?:please\s+)?(?:rank|sort|order)\s*(?:them|it|these|those|by\b|"
                        r"[?.!]*\s*$)", re.IGNORECASE)  # "rank by transactions": a follow-up, though it names a measure
_BY_CUSTOMERS = re.compile(r"\bby\s+(?:the\s+)?(?:number\s+of\s+|count\s+of\s+)?(?:customers|cardholders|clients)\b",
                           re.IGNORECASE)
ASCENDING = re.compile(r"\b(ascending|asc|increasing)\b", re.IGNORECASE)


def for_all(previous: Question, text: str, context: Context) -> Understood | None:
    """"for everyone": the last figure without its filters (the statuses it counts stay: they are what it counts);
    "of all time": without its period; "overall": whichever of those and the total without its groupings the last
    figure has to leave, and when it has more than one, Ask asks which."""
    if _ALL_TIME.match(text) and previous.period is not None:
        return understand(replace(previous, period=None, notes=()).phrase(), context)
    if not _EVERYONE.match(text):
        return None
    plain = replace(previous, notes=())
    everyone = replace(plain, filters=tuple(f for f in previous.filters if f.dim.column == "status"))
    if not _OVERALL.match(text):
        return understand(everyone.phrase(), context)
    readings = {}
    limited = any(not f.negated and f.dim in previous.dims for f in previous.filters)  # "for CA and TX": no one total
    if (previous.dims or previous.grain) and not (previous.share or previous.change or limited):
        readings["the total, not by group"] = replace(plain, dims=(), grain=None, rank=None)
    if everyone != plain:
        readings["for everyone"] = everyone
    if previous.period is not None:
        readings["over all history" + (", for everyone" if everyone != plain else "")] = replace(everyone, period=None)
    if len(readings) == 1:
        return understand(next(iter(readings.values())).phrase(), context)
    if not readings:
        return None
    return Clarify(f"“{text.strip()}”: {', or '.join(readings)}?", tuple(q.phrase() for q in readings.values()))


def every_group(previous: Question, context: Context) -> int | None:
    """How many groups "rank them" ranks: each value of the one grouping (every state), where the values are known,
    or each day, week, month... of the period (or of the history)."""
    if previous.grain and not previous.dims:
        first = previous.period.start if previous.period and previous.period.start else context.history_start
        last = previous.period.end if previous.period else context.as_of
        if first is None or previous.grain not in ("day", "week", "month", "quarter", "year"):
            return None
        if previous.grain == "day":
            return (last - first).days + 1
        n, unit = 0, unit_start(first, previous.grain)
        while unit <= last:
            n, unit = n + 1, shift(unit, previous.grain, 1)
        return n
    if len(previous.dims) != 1 or previous.grain:
        return None
    dim = previous.dims[0]
    return len(context.vocabulary.values_of(dim.table, dim.column)) or None


def by_customer_count(text: str) -> str:
    """"rank by customers", "sort by cardholders": by how many customers, never by each customer as a grouping."""
    return _BY_CUSTOMERS.sub("by customer count", text) if SORT.search(text) else text


# "from lowest to highest", "highest first", "in ascending order", "from best to worst": every group, in that order
_IN_ORDER = re.compile(r"\s*,?\s*\b(?:(?:sorted|ordered|ranked|listed|sort|order|rank)\s+(?:them\s+|it\s+)?)?(?:(?:from\s+)?"
                       r"(?:the\s+)?(?P<a>lowest|smallest|least|fewest|highest|largest|most|biggest|low|high|best|worst)"
                       r"\s+to\s+(?:the\s+)?(?:highest|largest|most|biggest|lowest|smallest|least|fewest|high|low|best|worst)"
                       r"|(?:in\s+)?(?P<dir>ascending|descending)(?:\s+order)?"
                       r"|(?P<first>highest|lowest|largest|smallest|biggest|best|worst)\s+first)\b", re.IGNORECASE)
_LOW = frozenset({"lowest", "smallest", "least", "fewest", "low"})


def in_order(text: str) -> tuple[int, int, str] | None:
    """Where `text` names an order for every group, and the follow-up that sorts by it ("sort ascending", "sort best
    first": the better end by the measure's own sense); None when it names none."""
    found = _IN_ORDER.search(text)
    if not found:
        return None
    end = (found.group("a") or found.group("first") or "").lower()
    if end in ("best", "worst"):
        return found.start(), found.end(), f"sort {end} first"
    low = end in _LOW or (found.group("dir") or "").lower() == "ascending"
    return found.start(), found.end(), f"sort {'ascending' if low else 'descending'}"
