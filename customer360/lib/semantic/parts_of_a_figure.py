"""Follow-ups that ask about a part of the last figure: "what share were declined", "share coming from Texas", "what
portion was online", "as a share" (its share), "how much was that", "how much was declined" (its amount). Each keeps
the last question's filters, groupings and period; a follow-up that says "share" but whose part cannot be read is
never answered as the part's amount (drops_a_share).
"""

from __future__ import annotations

import re
from dataclasses import replace

from customer360.lib.semantic.parser import understand
from customer360.lib.semantic.reading import Context, draft_without_period
from customer360.lib.semantic.roles import roles
from customer360.lib.semantic.understanding import AMOUNT_OF, Clarify, Dim, Filter, Measure, Question, Understood


def asks_a_part(text: str) -> bool:
    """`text` asks for a share or an amount of the last figure, so it is a follow-up whatever else it names."""
    return as_share(text) or bool(_SHARE_THAT.match(_FROM_VERB.sub(" ", text)) or _HOW_MUCH_WAS.match(text))


# "what share were declined", "what percentage are Premium", "share online": the part of the last figure that is that
_SHARE_WORD = r"(?:share|percent(?:age)?|%|proportion|fraction|portion|part|pct)"
# "came from", "is coming from", "that originated from": the part's verb, taken out before the part is read
_FROM_VERB = re.compile(r"\b(?:that\s+|which\s+)?(?:(?:is|was|were|are)\s+)?(?:coming|originating|originated|originates|"
                        r"came|comes|come)(?=\s+from\b)", re.IGNORECASE)
_SHARE_THAT = re.compile(rf"^\s*(?:and\s+)?(?:what|which)\s+{_SHARE_WORD}\s+(?:of\s+(?:them|those|it|that)\s+)?"
                         r"(?:were|was|are|is|came|comes|come|from)\b|^\s*(?:and\s+)?(?:the\s+)?" + _SHARE_WORD +
                         r"\s+(?:of\s+(?:them|those|it|that)\s+)?(?!of\b|by\b|per\b|instead\b)[\w-]+(?:\s+[\w-]+)?\s*[?.!]*$",
                         re.IGNORECASE)


def share_that(previous: Question, text: str, context: Context) -> Understood | None:
    """"what share were declined" after "transactions last month": the share of that figure that is declined, with its
    filters, groupings and period; None when `text` is not such a follow-up or names no value."""
    text = _FROM_VERB.sub(" ", text)  # "the share that came from travel", "share coming from Texas": from them
    if not _SHARE_THAT.match(text) or previous.share or previous.change or previous.rank:
        return None
    draft = draft_without_period(re.sub(_SHARE_WORD, " ", text, flags=re.IGNORECASE), context)
    if draft is None or draft.measures or draft.dims or draft.grain:
        return None  # "what share of spend is online", "share by state": a question of their own
    parts = roles(draft, context.vocabulary)
    if not parts.values or parts.ambiguous:
        return None
    part = tuple(Filter(Dim(terms[0].table, terms[0].column), (terms[0].value,), negated) for _, negated, terms in parts.values)
    asked = replace(previous, share=True, share_of=part, notes=())
    understood = understand(asked.phrase(), context)
    if isinstance(understood, Question) and set(understood.share_of) != set(part):  # the canonical words read a status
        understood = replace(understood, filters=asked.filters, share_of=part,  # as the part: keep it in the whole
                             dims=(*asked.dims, *dict.fromkeys(f.dim for f in part if f.dim not in asked.dims)))
    return understood


def drops_a_share(text: str, understood: Question) -> bool:
    """A follow-up that says "share" ("portion", "%") read as a figure that is no share: never answered as if it were."""
    rate = understood.measure.name.endswith(("_rate", "_pct", "_score"))  # "decline share", "churn probability percent"
    return bool(re.search(rf"(?<!\w){_SHARE_WORD}(?!\w)", text, re.IGNORECASE)) and not understood.share and \
        not understood.change and not rate


# "as a share", "share instead", "what share is that": the previous figures as shares of their whole.
_OF_THE_TOTAL = r"(\s+of\s+(the\s+)?(total|whole|all))?"
_AS_SHARE = re.compile(r"^\s*(and\s+)?(as\s+(a\s+)?(share|percent(age)?)s?" + _OF_THE_TOTAL + r"(\s+instead)?|(the\s+)?shares?\s+"
                       r"instead|what\s+(share|percent(age)?)\s+is\s+that|in\s+percent(ages?)?|(what\s+(is|are)\s+)?(their|its|the)\s+"
                       r"(share|percent(age)?)s?" + _OF_THE_TOTAL + r")\s*[?.!]*\s*$", re.IGNORECASE)


def as_share(text: str) -> bool:
    """"as a share", "their share": the previous figures as shares of their whole (after a ranking, each one's)."""
    return bool(_AS_SHARE.match(text))


# "how much was that", "how much money", "how much in total": the amount of the transactions just counted
# "how much was declined" after transactions or spend: the declined amount of the same transactions
_HOW_MUCH_WAS = re.compile(r"^\s*(?:and\s+|so\s+)?how\s+much\s+(?:of\s+(?:it|that|them)\s+)?(?:was|were|got|is)\s+"
                           r"(declined|approved)\s*[?.!]*\s*$", re.IGNORECASE)
_HOW_MUCH = re.compile(r"^\s*(?:and\s+|so\s+)?how\s+much(?:\s+money)?(?:\s+(?:was|is|were|did)\s+(?:that|it|this|they|those|"
                       r"them))?(?:\s+(?:in\s+total|altogether|overall|worth))?\s*[?.!]*\s*$", re.IGNORECASE)


def how_much(previous: Question, text: str, context: Context) -> Understood | None:
    """"how much was that" after a count of transactions: their amount (declined ones: the declined amount); of every
    status, approved spend or the total of every status is asked."""
    was = _HOW_MUCH_WAS.match(text)
    if was and previous.measure.table == "transactions" and not previous.change:
        rest = replace(previous, filters=tuple(f for f in previous.filters if f.dim.column != "status"), rank=None,
                       share=False, share_of=(), notes=())
        return understand(replace(rest, measure=AMOUNT_OF[was.group(1).lower()]).phrase(), context)
    if not _HOW_MUCH.match(text) or previous.measure.name != "transaction_volume" or previous.change:
        return None
    status = [f for f in previous.filters if f.dim.column == "status" and not f.negated and len(f.values) == 1]
    rest = replace(previous, filters=tuple(f for f in previous.filters if f not in status), rank=None, share=False,
                   share_of=(), notes=())
    if status and status[0].values[0] in AMOUNT_OF:
        return understand(replace(rest, measure=AMOUNT_OF[status[0].values[0]]).phrase(), context)
    readings = (replace(rest, measure=Measure("transactions", "approved_spend")),
                replace(rest, measure=Measure("transactions", "transaction_amount", "SUM")))
    return Clarify(f"“{text.strip(' ?!.')}” of transactions of every status: the approved spend, or the total amount of "
                   "every status (approved and declined)?", tuple(r.phrase() for r in readings))
