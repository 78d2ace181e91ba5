"""How people say it -> the words Ask's parser reads: phrasings rewritten before a question is read ("22-29 year
olds" is the age band 22-29, "customers with the most transactions" the top customers by transactions, "how much of
spend comes from Texas" Texas's share, "spend ex-Texas" spend excluding Texas). Each rewrite keeps the question's
meaning and only changes its words, so the parser's one reading of them applies.
"""

from __future__ import annotations

import re

from customer360.lib.semantic.us_states import US_STATES
from customer360.lib.semantic.words import NUMBER_WORDS


def reworded(text: str) -> str:
    text = _CODE_BEFORE_A_PERIOD.sub(lambda m: f"{m.group(1)} {US_STATES[m.group(2)]}", text)
    text = _STATE_THEN_CODE.sub(lambda m: f"{m.group(1)} {US_STATES[m.group(2).upper()]}", text)
    if not text.isupper():  # "customers IN last month": a code in capitals among lower case is the state
        text = _CAPITAL_CODE_BEFORE_A_PERIOD.sub(lambda m: US_STATES[m.group(1)], text)
    text = ages(_ARE_ACTIVE.sub("active customers", _WHOSE_SPEND.sub(r"with \1 spend", text)))
    text = _SHARE_OF_EACH.sub(r"\1 and \2 share of \3", _SHARE_EACH.sub(r"\1 and \3 share of \2", text))
    text = _RATE_OF.sub("share of ", _PERCENT_EACH.sub(r"\1 and \2 share of", text))
    text = _WHO_SPENDS.sub(_who_spends, _SPEND_MOST_ON.sub(r"top 1 merchant category by spend for \1", text))
    text = _MONTHS_OWN.sub(r"in \1", _PERIODS_OWN.sub(r"\1", text))
    text = _YEAR_THEN_QUARTER.sub(r"\2 \1", _QUARTER_N.sub(r"q\1", text))
    text = _SPENDERS.sub(_spenders, _TRAILING_RANK.sub(r"\g<rank> \g<asked>", text))
    text = _WHICH_HAS_MORE.sub(lambda m: f"{m.group(1)} the {'most' if m.group(2).lower() == 'more' else 'fewest'}", text)
    text = _CUSTOMERS_WITH_MOST.sub(_customers_ranked, _GROUPS_WITH_MOST.sub(_groups_ranked, text))
    text = _RANKED_BY_CUSTOMERS.sub(r"\1 customer count", text)
    text = _EVERY_BUT.sub("excluding ", text)
    if _COUNTS_EVERY_STATUS.search(text) and not _SPEND_WORDS.search(text):
        text = _INCLUDING_A_STATUS.sub(" ", text)
    text = _OF_THE_WHOLE.sub("what share of ", _OF_ALL_HOW_MUCH.sub(r"what share of \1 ", _SLASH_PER.sub(r" per \1", text)))
    text = _A_CUSTOMER_MAKES.sub(r"does the average \1customer \2", _A_CUSTOMER.sub(r"\1spend per customer", text))
    text = _SPEND_ON.sub("spend by merchant category ", _SHOPPING.sub("shop ", text))
    text = _BY_SOME_CUSTOMERS.sub(r"for \1\2", _BY_CUSTOMERS_OF_AN_AGE.sub(r"for \1 ", text))
    text = _STATUS_NOUNS.sub(lambda m: f"{'declined' if m.group(1).lower() == 'decline' else 'approved'} transactions", text)
    return exclusions(text)


def ages(text: str) -> str:
    """"22-29 year olds", "customers aged 30 to 44", "60+ customers", "what about 30-44" (a follow-up): "age band …";
    "customers under 30", "cardholders 45 and over": the bands whose edges those ages are."""
    text = _AGE_EDGE.sub(_bands_from_an_edge, text)
    text = _BARE_BAND.sub(r"\1for age band \2", _AGES.sub(_age_band, text))
    return _BAND_AFTER_CUSTOMERS.sub(r"\1 for age band \2", _BAND_BEFORE_CUSTOMERS.sub(r"\2 for age band \1", text))


def exclusions(text: str) -> str:
    """"not counting Texas", "apart from online", "travel aside", "minus online": "excluding …", the one word the parser
    reads as leaving a value out (follow-ups are reworded so too, so "→ not including Premium" never reads Premium)."""
    text = _LEFT_OUT.sub(r" excluding \1", _EX.sub("excluding ", _LEAVING_OUT.sub("excluding ", text)))
    return _NOT_A_BAND.sub(r"excluding age band \1", _EXCLUDING_BOTH.sub("excluding ", text))


# "excluding both travel and dining": both left out, as "excluding travel and dining"
_EXCLUDING_BOTH = re.compile(r"\bexcluding\s+both\s+", re.IGNORECASE)
# "customers not aged 60+", "excluding customers aged 60+", "who are not 22-29", "excluding 60+": the band left out
_NOT_A_BAND = re.compile(r"\b(?:not|excluding)\s+(?:(?:customers|cardholders|people)\s+)?(?:(?:who\s+are|that\s+are|aged?)\s+)?"
                         r"(?:for\s+)?(?:age\s+band\s+)?(\d{2}\s*-\s*\d{2}|\d{2}\s*\+)(?:\s*(?:years?|yrs?)[\s-]*(?:olds?)?)?",
                         re.IGNORECASE)


# "spend in IN last month": the state named, so the period's "in" is never read as the state's code ("IN last month").
_CODE_BEFORE_A_PERIOD = re.compile(r"\b((?i:in|for|from))\s+(IN|OR|ME|OK|HI)(?=\s+(?i:last|this|in|since|between|during|"
                                   r"over|past|previous|the\s+last|from|before|until|year|month|quarter|week|today|yesterday)\b)")

# "for state in last month", "where state = or": after the word "state" (not "by state") a code is the state, in any
# case, and is written as its name so no period or conjunction takes it
_STATE_THEN_CODE = re.compile(r"\b((?:for|where|with|in|from|excluding|of)\s+(?:the\s+)?state(?:\s*=\s*|\s+is\s+|\s+of\s+|"
                              r"\s+))(in|or|me|ok|hi)\b(?!\s+(?:the|a|an|each|every|which|that|\d))", re.IGNORECASE)

_CAPITAL_CODE_BEFORE_A_PERIOD = re.compile(r"(?<=[a-z] )(IN|OR|ME|OK|HI)(?=\s+(?i:last|this|since|between|during|over|past|"
                                           r"previous|the\s+last|before|until|today|yesterday)\b)")


# "Texas share of spend vs California share of spend", "share of Texas vs share of California in spend": each value's
# share of the one whole, said once ("Texas and California share of spend").
_SHARE_EACH = re.compile(r"\b([\w-]+)\s+share\s+of\s+(\w+)\s+(?:vs\.?|versus|and|compared\s+(?:to|with))\s+([\w-]+)\s+"
                         r"share\s+of\s+\2\b", re.IGNORECASE)
_SHARE_OF_EACH = re.compile(r"\bshare\s+of\s+([\w-]+)\s+(?:vs\.?|versus|and)\s+(?:the\s+)?share\s+of\s+([\w-]+)\s+"
                            r"(?:in|of)\s+(\w+)\b", re.IGNORECASE)

# "Travel % vs Dining % of spend": each one's share of the one whole (not each one's share of itself)
_PERCENT = r"\s*(?:%|percent(?:age)?|pct)"
_PERCENT_EACH = re.compile(rf"\b([\w-]+){_PERCENT}\s+(?:vs\.?|versus|and|compared\s+(?:to|with))\s+([\w-]+){_PERCENT}\s+of\b",
                           re.IGNORECASE)


# "the highest rate of high risk customers": the share of them ("decline rate of …" is a measure of its own)
_RATE_OF = re.compile(r"(?<!decline )(?<!approval )(?<!churn )(?<!growth )\brate\s+of\s+", re.IGNORECASE)


def _who_spends(match: re.Match) -> str:
    n = "" if match.group(1) else "1 "  # "customers who spent the most": the top ones; "who spent the most": the one
    if match.group(3).lower() != "most":
        return f"bottom {n}customers by spend"
    return f"top {n}customers by {'transactions' if match.group(2).lower().startswith('trans') else 'spend'}"


# "5 states with the highest spend", "categories with the most transactions": the groups ranked by that measure.
# "which 3 states have the highest spend", "top three states with …": the same, the number as a word too.
_N = r"\d+|" + "|".join(NUMBER_WORDS)
_GROUPS_WITH_MOST = re.compile(r"\b(?:(?:which|what)\s+)?(?:the\s+)?(?:(?:top|bottom|first)\s+)?(?:(" + _N + r")\s+)?"
                               r"(states|categories|merchant\s+categories|channels|segments|merchants|months|weeks|"
                               r"card\s+types|age\s+bands)\s+(?:with|having|have|had)\s+(?:the\s+)?"
                               r"(most|highest|largest|biggest|greatest|fewest|lowest|least|smallest)\b", re.IGNORECASE)


# "states with the highest decline rate last month, top 5": the ranking said last, said first (once only).
_TRAILING_RANK = re.compile(r"^(?P<asked>(?:(?!\b(?:top|bottom)\b).)+?)[,;]?\s+(?P<rank>(?:top|bottom)\s+(?:" + _N + r"))"
                            r"\s*[?.!]*$", re.IGNORECASE)


# "which card type had more declines", "which channel has fewer transactions": the one with the most (fewest)
_WHICH_HAS_MORE = re.compile(r"\b((?:which|what)\s+(?:[\w-]+\s+){1,2}?(?:has|had|have|sees|saw|gets|got|makes|made))\s+"
                             r"(more|fewer|less)\b(?!\s+than\b)", re.IGNORECASE)


# "last month's spend", "yesterday's transactions": the period's figure
_PERIODS_OWN = re.compile(r"\b((?:last|this|previous|past|current)\s+(?:week|month|quarter|year)|today|yesterday)'s\b",
                          re.IGNORECASE)
# "quarter 3", "2026 Q3", "2025 H2": the quarter's (half's) code, then its year, as the periods are read
_QUARTER_N = re.compile(r"\bquarter\s+([1-4])\b(?!\s*(?:states|categories|customers|channels))", re.IGNORECASE)
_YEAR_THEN_QUARTER = re.compile(r"\b((?:19|20)\d{2})\s+(q[1-4]|h[12])\b", re.IGNORECASE)
# "October's spend", "Q3's decline rate": in that month or quarter
_MONTHS_OWN = re.compile(r"\b(q[1-4]|january|february|march|april|may|june|july|august|september|october|november|"
                         r"december)'s\b", re.IGNORECASE)
# "our biggest spenders", "top 5 spenders", "the 10 smallest spenders": customers ranked by spend
_SPENDERS = re.compile(r"\b(?:(" + _N + r")\s+)?(?:(top|bottom|biggest|largest|highest|heaviest|best|smallest|lowest|"
                       r"least|lightest)\s+)?(?:(" + _N + r")\s+)?(?<![\w-])spenders\b", re.IGNORECASE)  # not "Mid-Spenders"


def _spenders(match: re.Match) -> str:
    down = (match.group(2) or "").lower() in ("bottom", "smallest", "lowest", "least", "lightest")
    n = match.group(1) or match.group(3) or ""
    return f"{'bottom' if down else 'top'} {n} customers by spend".replace("  ", " ")


# "top 3 states by customers", "which states have the most customers" (ranked so above): by how many customers, never
# by each customer as a grouping
_RANKED_BY_CUSTOMERS = re.compile(r"\b((?:top|bottom)\s+(?:\d+\s+)?(?!customers\b|cardholders\b)[\w-]+(?:\s+[\w-]+)?\s+by)"
                                  r"\s+(?:the\s+)?(?:number\s+of\s+|count\s+of\s+)?(?:customers|cardholders|clients)\b(?!\s+(?:and|by)\b)",
                                  re.IGNORECASE)


def _groups_ranked(match: re.Match) -> str:
    up = match.group(3).lower() in ("most", "highest", "largest", "biggest", "greatest")
    return f"{'top' if up else 'bottom'} {match.group(1) or ''} {match.group(2)} by ".replace("  ", " ")


# "spend besides travel", "apart from Texas", "excl. online", "ex travel": the value left out.
_LEAVING_OUT = re.compile(r"\b(?:besides|beside|apart\s+from|aside\s+from|excl\.?|ex|except\s+for|other\s+than|not\s+including|"
                          r"not\s+counting|without\s+counting|ignoring|disregarding|minus|leaving\s+(?:out|aside)|omitting|omit|skipping|skip|"
                          r"sans|exclusive\s+of|"
                          r"net\s+of|(?:take|taking)\s+out)\s+(?=[A-Za-z]|\d{2}\s*[-+])|(?<!\w)w/o\s+(?=[A-Za-z])"
                          # "remove travel", "spend by state dropping Texas", but not "the biggest drop in spend"
                          r"|(?<!\ba\s)(?<!\bthe\s)(?<!\bany\s)(?<!est\s)(?<!monthly\s)\b"
                          r"(?:remove|removing|drop|dropping)\s+(?!(?:the|a|an|that|this|it|in|of|off|from|by|tables?|columns?|database|schema)\b)"
                          r"(?=[A-Za-z])",
                          re.IGNORECASE)
# "declines for Premium cardholders", "approvals last month": declined (approved) transactions, counted as such; the
# customers named after them only say whose ("spend declines", "the declines' amount" are left as they are).
_STATUS_NOUNS = re.compile(r"(?<!spend )(?<!spending )(?<!sales )(?<!revenue )\b(decline|approval)s\b(?!')", re.IGNORECASE)
# "transactions including declined": counts of every status already (spend, approved only, asks in settle.py)
_INCLUDING_A_STATUS = re.compile(r"\b(?:including|incl\.?)\s+(?:the\s+)?(?:declined|declines)"
                                 r"(?:\s+ones|\s+transactions)?\b", re.IGNORECASE)
_COUNTS_EVERY_STATUS = re.compile(r"\b(?:transactions?|transaction\s+(?:count|volume|amount)|total\s+amount|number\s+of\s+"
                                  r"transactions)\b", re.IGNORECASE)
_SPEND_WORDS = re.compile(r"\b(?:spend|spent|spending|revenue|sales|average|avg|ticket|rate|customers?)\b", re.IGNORECASE)
# "spend in every state but Texas": every other one, that is, excluding it.
_EVERY_BUT = re.compile(r"\b(?:in\s+|for\s+|from\s+)?(?:every|all)\s+(?:the\s+)?(?:other\s+)?(?:states?|categories|"
                        r"channels|card\s+types|segments)\s+(?:but|except)\s+", re.IGNORECASE)


# "how many customers are active", "customers whose spend is declining": the words the model's phrases use.
_ARE_ACTIVE = re.compile(r"\bcustomers\s+(?:who\s+|that\s+)?(?:are|were)\s+active\b", re.IGNORECASE)
_WHOSE_SPEND = re.compile(r"\bwhose\s+spend(?:ing)?\s+is\s+(declining|growing|stable)\b", re.IGNORECASE)


# "22-29 year olds", "customers aged 30 to 44", "60+ year olds": an age band, as the model names its values ("year"
# is not a grouping by year here, "22 29" not two numbers).
_AGES = re.compile(r"\b(?:(how\s+many)\s+)?(?:(?:by|for|among|of|from)\s+)?(?:the\s+)?(?:"
                   r"(\d{2})\s*(?:-|to)\s*(\d{2})|(\d{2})\s*\+)\s*-?\s*years?[\s-]*olds?\b"
                   r"|\b(?:aged?|ages)\s+(\d{2})\s*(?:-|to)\s*(\d{2})\b", re.IGNORECASE)


# "60+ customers", "customers 60+", "how many customers are 22-29", "by customers 30-44": the age band, said bare
_BAND = r"(\d{2}\s*-\s*\d{2}|\d{2}\s*\+)"
_BAND_BEFORE_CUSTOMERS = re.compile(_BAND + r"\s+(customers|cardholders|clients|people)\b", re.IGNORECASE)
_BARE_BAND = re.compile(r"^(\W*(?:and\s+|what\s+about\s+|how\s+about\s+|only\s+|just\s+)?)(?:for\s+|among\s+)?(?:the\s+)?"
                        + _BAND + r"(?=\s*(?:only|too|instead)?\s*[?.!]*\s*$)", re.IGNORECASE)
_BAND_AFTER_CUSTOMERS = re.compile(r"\b(?:by\s+)?(customers|cardholders|clients|people)\s+"
                                   r"(?:who\s+are\s+|that\s+are\s+|are\s+|aged\s+)?" + _BAND
                                   + r"(?!\s*(?:years?|yrs?)\b)(?=\W|$)", re.IGNORECASE)


# "customers under 30", "cardholders aged 45 and over", "people older than 59", "customers at least 60 years old": an
# age at a band's edge (the bands are under 30, 30-44, 45-59 and 60+). An age inside a band ("over 60": 60 is in 60+,
# "under 40") is left as typed, and Ask asks.
_BANDS = ("22-29", "30-44", "45-59", "60+")
_EDGES = {"30": 1, "45": 2, "60": 3}  # the first band at or above the age
_YEARS = r"(?:\s*(?:years?|yrs?)(?:[\s-]+old)?)?"
_AGE_EDGE = re.compile(
    r"\b(?:(?P<by>by)\s+)?(customers|cardholders|clients|people|users|members)\s+(?:who\s+are\s+|that\s+are\s+|aged\s+|ages?\s+)?"
    r"(?:(?P<under>under|below|younger\s+than|less\s+than)\s+(?P<u>30|45|60)"
    r"|(?P<from>30|45|60)" + _YEARS + r"\s+(?:and|or)\s+(?:over|older|above|up)"
    r"|(?:over|above|older\s+than)\s+(?P<past>29|44|59)|at\s+least\s+(?P<least>30|45|60))" + _YEARS + r"(?=\W|$)",
    re.IGNORECASE)


def _bands_from_an_edge(match: re.Match) -> str:
    if match.group("under"):
        below, above = _BANDS[:_EDGES[match.group("u")]], _BANDS[_EDGES[match.group("u")]:]
    else:
        edge = match.group("from") or match.group("least") or str(int(match.group("past")) + 1)
        below, above = _BANDS[:_EDGES[edge]], _BANDS[_EDGES[edge]:]
    kept, left = (below, above) if match.group("under") else (above, below)
    # one band is a filter; more are said as the bands left out, so the answer is one figure, not one per band
    said = f"for age band {kept[0]}" if len(kept) == 1 else f"excluding age band {' and '.join(left)}"
    return f"{'for ' if match.group('by') else ''}{match.group(2)} {said}"  # "spend by customers under 45": theirs


def _age_band(match: re.Match) -> str:
    low, high = match.group(2) or match.group(5), match.group(3) or match.group(6)
    band = f"{low}-{high}" if low else f"{match.group(4)}+"
    return f"{'how many customers ' if match.group(1) else ' '}for age band {band} "


# "customers with the most transactions", "the 5 customers with the highest spend": customers ranked by that measure
# (not the count of customers, one each).
_CUSTOMERS_WITH_MOST = re.compile(r"\b(?:the\s+)?(?:(?:top|bottom|first)\s+)?(?:(" + _N + r")\s+)?customer(s?)\s+"
                                  r"(?:with|having|(?:who|that)\s+(?:have|had|has))\s+"
                                  r"(?:the\s+)?(most|highest|largest|biggest|greatest|fewest|lowest|least|smallest)\b"
                                  r"(?!\s+(?:churn|risk|likely|likelihood|chance|probability))",
                                  re.IGNORECASE)


def _customers_ranked(match: re.Match) -> str:
    up = match.group(3).lower() in ("most", "highest", "largest", "biggest", "greatest")
    n = match.group(1) or ("" if match.group(2) else "1")  # "the customer with the most": the one
    return f"{'top' if up else 'bottom'} {n} customers by ".replace("  ", " ")


# "who spends the most (in each state)": the customer, not the state that ranks first.
# "what do customers aged 22-29 spend most on": the category they spend most on, not the customers who spend most
_SPEND_MOST_ON = re.compile(r"^\W*(?:what|which\s+(?:merchant\s+)?(?:category|categories))\s+(?:do|does|did)\s+(.+?)\s+"
                            r"(?:spend|spend\s+money|shop)\s+(?:the\s+)?most\s+on\s*[?.!]*$", re.IGNORECASE)
_WHO_SPENDS = re.compile(r"\b(customers\s+)?who\s+(spends?|spent|buys|bought|shops|shopped|transacts?|transacted)\s+"
                         r"(?:the\s+)?(most|least)\b", re.IGNORECASE)


# "how much of total spend comes from Texas": Texas's share of the whole, not its amount alone.
_OF_THE_WHOLE = re.compile(r"\b(?:how\s+much|what\s+part|what\s+portion|what\s+fraction)\s+of\s+(?:the\s+|our\s+)?"
                           r"(?:(?:total|all|overall|whole)\s+(?:of\s+(?:the\s+|our\s+)?)?|(?=(?:\w+\s+)?(?:spend|spending|"
                           r"revenue|sales|transactions|customers)\b))", re.IGNORECASE)
# "of all spend, how much is online": the same share, said the other way round.
_OF_ALL_HOW_MUCH = re.compile(r"^\W*of\s+(?:all|total|the\s+total|our\s+total|our)\s+(\w+)\s*,?\s+how\s+much\s+",
                              re.IGNORECASE)
# "how much does a customer spend", "what does a Premium customer spend per year": per customer, not the total.
_A_CUSTOMER = re.compile(r"\b(?:how\s+much|what)\s+(?:does|did|do|would)\s+(?:a|an|one|each|every)\s+"
                         r"(?!typical\b|average\b)((?:[\w-]+\s+){0,2}?)(?:customer|cardholder)\s+(?:spend|spent)\b",
                         re.IGNORECASE)
_A_CUSTOMER_MAKES = re.compile(r"\bdoes\s+(?:a|an|one|each|every)\s+((?:[\w-]+\s+){0,2}?)(?:customer|cardholder)\s+"
                               r"(make|do|have)\b", re.IGNORECASE)
# "customers shopping online": the verb, not the merchant category Shopping.
_SHOPPING = re.compile(r"\bshopping\s+(?=online|in[\s-]+store|instore|on\s+mobile|mobile|by\s+mobile|in\s+person)",
                       re.IGNORECASE)
# "what do customers in Texas spend on": by merchant category.
_SPEND_ON = re.compile(r"\bspend\s+(?:their\s+money\s+)?on\s*(?=[?.!]*\s*$|\s+(?:last|this|in|since|between|during|over)\b)",
                       re.IGNORECASE)
# "spend ex-Texas", "spend, travel excluded": the value left out, said before or after it.
_EX = re.compile(r"\bex-(?=[A-Za-z])", re.IGNORECASE)
_LEFT_OUT = re.compile(r",?\s*\b([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)\s+(?:excluded|omitted|left\s+out|removed|aside)\b",
                       re.IGNORECASE)


# "spend by Premium customers", "transactions made by Standard cardholders": theirs, not each customer's (a ranking
# says so: "spend by top 10 customers"; "spend by customers" alone still asks top, bottom or total)
_BY_SOME_CUSTOMERS = re.compile(r"\bby\s+(?!(?:top|bottom|best|worst|biggest|largest|highest|lowest|most|least|each|every|"
                                r"all|the|our|their|individual|single|distinct|unique)\b)((?:(?!(?:and|or|vs|versus)\b)[A-Za-z][\w+-]*\s+){1,3}?)"
                                r"(customers|cardholders|card\s+holders)\b(?!\s+(?:and|or)\b)", re.IGNORECASE)
# "spend by customers aged 30-44" (an age band by then): those customers' spend
_BY_CUSTOMERS_OF_AN_AGE = re.compile(r"\bby\s+(customers|cardholders|card\s+holders)\s+(?=for\s+age\s+band\b)", re.IGNORECASE)


# "spend/customers": per customer.
_SLASH_PER = re.compile(r"\s*/\s*(customers?|cardholders?|accounts?)\b", re.IGNORECASE)
