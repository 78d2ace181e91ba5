"""What a question of its own keeps of the one before it in a conversation: "how many transactions" after "travel
spend this year" names no period or filter of its own, so Ask asks whether it is for those (Travel, 2026) or for all,
never answering for everyone silently nor for the last context unsaid. A period of its own, or "of all time",
"overall", "for everyone", makes it a new question; a value of its own replaces the last one of that dimension only.
"""

from __future__ import annotations

import re
from dataclasses import replace

from customer360.lib.semantic.parser import understand
from customer360.lib.semantic.reading import Context
from customer360.lib.semantic.understanding import AMOUNT_OF, Clarify, Question, Understood

# "of all time", "overall", "for everyone": the whole history and portfolio, whatever the last question filtered
_FOR_ALL = re.compile(r"\b(all[\s-]+time|ever|all\s+history|overall|for\s+(all|everyone|everybody)|"
                      r"portfolio[\s-]+wide|(whole|entire)\s+portfolio)\b", re.IGNORECASE)


def carried_over(previous: Question, fresh: Question) -> Question | None:
    """`fresh` with the previous question's filters and period it does not name itself ("how many transactions" after
    "travel spend this year": travel, this year); None when it would keep nothing of them."""
    own = {f.dim.column for f in fresh.filters} | {d.column for d in fresh.dims}
    kept = [f for f in previous.filters if f.dim.column not in own]
    period = fresh.period or previous.period
    if not kept and period == fresh.period:
        return None
    carried = replace(fresh, period=period, notes=())
    for f in kept:
        carried = carried.with_filter(f)
    return carried


def the_context(previous: Question, carried: Question, fresh: Question) -> str:
    """What the last question filtered by that a new one does not say: "state TX, Oct 2026"."""
    said = [f.describe() for f in previous.filters if f in carried.filters and f not in fresh.filters]
    if carried.period != fresh.period and carried.period is not None:
        said.append(carried.period.label)
    return ", ".join(said)


def _without_status(carried: Question, context: Context) -> Question | None:
    """A measure that fixes its status after a question of another ("spend" after "declined transactions"): the
    declined amount when the spend of declined ones is meant, else the measure with the rest of the context."""
    status = [f for f in carried.filters if f.dim.column == "status"]
    if not status:
        return None
    rest = replace(carried, filters=tuple(f for f in carried.filters if f not in status))
    if carried.measure.name == "approved_spend" and status[0].values == ("declined",) and not status[0].negated:
        rest = replace(rest, measure=AMOUNT_OF["declined"])
    kept = understand(rest.phrase(), context)
    return kept if isinstance(kept, Question) else None


_OF_THOSE = re.compile(r"\b(?:of|from|among)\s+(?:it|that|this|them|those|these)\b", re.IGNORECASE)


def in_context(previous: Question, fresh: Question, question: str, context: Context) -> Understood:
    """`fresh` as typed, or "for those, or for all?" when it leaves out the last question's filters or period."""
    if fresh.period or _FOR_ALL.search(question):
        return fresh  # "decline rate this year", "customers of all time": a question of its own
    carried = carried_over(previous, fresh)
    if carried is None:
        return fresh
    kept = understand(carried.phrase(), context)
    if not isinstance(kept, Question):
        kept = _without_status(carried, context)  # "spend" after "declined transactions": their amount, or ...
        if kept is None:
            return fresh
    if _OF_THOSE.search(question):  # "how much of it was online": it names them
        return kept
    return Clarify(f"“{question.strip(' ?!.')}” names its own figure but not the last question's "
                   f"{the_context(previous, carried, fresh)}: for those, or for all?",
                   tuple(dict.fromkeys((kept.phrase(), replace(fresh, notes=()).phrase()))))
