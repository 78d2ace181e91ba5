"""Ask's parser: a question in words -> what it means over the semantic model, or why it cannot say.

Deterministic, in the manner of Power BI Q&A's linguistic schema and ThoughtSpot's search rather than a language
model: time expressions are read first (periods.py), then the longest phrases the vocabulary knows (metrics, facts,
dimensions and values by name and synonym), then a few words of structure ("top 10", "by", "each", "share", "vs",
"average", "excluding"). What it cannot place is never guessed: a value that fits several dimensions, a word it does
not know, a fact without "total" or "average" make it answer "clarify" with readings it can run; a measure the model
lacks, or what the role may not read, make it answer "refused" with the reason.
"""

from __future__ import annotations

import re
from dataclasses import replace

from customer360.lib.semantic.compose import NO_MEASURE, assemble
from customer360.lib.semantic.consumed import unused
from customer360.lib.semantic.periods import Period, PeriodError, find
from customer360.lib.semantic.reading import Context, RankWord, rank_words, walk
from customer360.lib.semantic.report_requests import understand_request
from customer360.lib.semantic.rewording import reworded
from customer360.lib.semantic.settle import MAX_GROUPS
from customer360.lib.semantic.state_codes import codes_or_words
from customer360.lib.semantic.terms import MeasureTerm
from customer360.lib.semantic.understanding import (
    ONBOARDING,
    Clarify,
    Dim,
    Health,
    Measure,
    Question,
    Rank,
    Refusal,
    Understood,
    label,
    period_words,
    plural,
)
from customer360.lib.semantic.words import tokens

MAX_CHARS = 300


_HEALTH = (
    ("failures", re.compile(r"\b(fail(ed|ing|ures?)?|broken|red)\s+(data[- ]quality\s+)?(checks?|tests?)\b"
                            r"|\b(checks?|tests?)\s+(that\s+)?(have\s+)?(failed|failing|fail)\b"
                            r"|\b(data[- ]quality|dq)\s+(failures?|issues?|problems?|errors?)\b")),
    ("last_run", re.compile(r"\b(last|latest|most\s+recent|previous)\s+(pipeline\s+|job\s+|dagster\s+|etl\s+)?runs?\b"
                            r"|\bwhen\s+did\s+(the\s+)?(pipeline|job|load|build)\b"
                            r"|\blast\s+(load|refresh|build)\b"
                            r"|\b(data|warehouse)\s+(last\s+)?(refreshed|updated|loaded)\b|\bhow\s+fresh\b"
                            r"|\b(data|warehouse)\s+up[\s-]+to[\s-]+date\b"
                            r"|\b(is|are)\s+(the\s+)?(data|figures|numbers)\s+(fresh|current|stale|recent)\b"
                            r"|\bhow\s+(old|recent|stale|current)\s+(is|are)\s+(the\s+)?(data|figures|numbers)\b"
                            r"|\b(data|figures|numbers)\s+(is|are)\s+as\s+of\b|\bas\s+of\s+when\b"
                            r"|\b(did|has|have|was|were)\s+(the\s+)?(pipeline|job|jobs|build|load|etl)\s+"
                            r"(fail|failed|break|broken|succeed|succeeded|run|work)\b")),
    ("counts", re.compile(r"\b(record|row)\s+counts?\b|\brows\s+per\s+table\b")),
    ("status", re.compile(r"\b(system|pipeline|platform|data|job|jobs|etl)\s+(health|status)\b"
                          r"|\b(failed|failing|broken|errored)\s+(jobs?|runs?|pipelines?|builds?|loads?)\b"
                          r"|\b(errors?|failures?|problems?|issues?)\s+(in|with|of)\s+(the\s+)?(pipeline|jobs?|etl|"
                          r"build|load)\b"
                          r"|\bhealth\s*(status|check)?\b|\bhealthy\b"
                          r"|\bis\s+(the\s+)?(pipeline|system|platform)\s+(ok|up|running|working|broken|down)\b")),
)


_CHANGE = (
    ("drop", re.compile(r"\b(biggest|largest|sharpest|steepest|worst|greatest|deepest)\s+(monthly\s+|month\s+|"
                        r"month[\s-]+over[\s-]+month\s+|mom\s+)?"
                        r"(drop|fall|decrease|dip|decline)(?!\s+rate)\b(\s+in\s+(monthly\s+)?(spend|spending|revenue|sales))?")),
    ("rise", re.compile(r"\b(biggest|largest|sharpest|steepest|best|greatest|strongest)\s+(monthly\s+|month\s+|"
                        r"month[\s-]+over[\s-]+month\s+|mom\s+)?"
                        r"(rise|increase|growth|jump|gain)\b(\s+in\s+(monthly\s+)?(spend|spending|revenue|sales))?")),
    ("all", re.compile(r"\bmonth[\s-]+over[\s-]+month\b|\bmom\b|\bmonthly\s+(change|growth)\b"
                       r"|\b(spend|spending|revenue|sales)\s+(change|growth)\b|\bgrowth\s+rate\b")),
)


_RISK_RANK = re.compile(r"\b(most\s+at\s+risk|riskiest|most\s+likely\s+to\s+churn|highest\s+churn\s+"
                        r"(risk|score|probability))\b", re.IGNORECASE)


# "lowest churn risk customers", "least likely to churn": the customers ranked from the lowest score (not the bands).
_SAFE_RANK = re.compile(r"\b(least\s+at\s+risk|least\s+risky|safest|least\s+likely\s+to\s+churn|lowest\s+churn\s+"
                        r"(risk|score|probability)|lowest\s+risk)\b", re.IGNORECASE)


_PII = re.compile(r"\b(e-?mails?|phone|addresse?s?|first\s+names?|last\s+names?|full\s+names?|surnames?|"
                  r"(?<!merchant\s)(?<!segment\s)(?<!category\s)(?<!channel\s)(?<!state\s)(?<!tier\s)names?)\b")


_YEAR_OVER_YEAR = re.compile(r"\b(year[\s-]+over[\s-]+year|yoy|y/y|(vs\.?|versus|against|compared\s+(to|with)|than)\s+"
                             r"(the\s+)?(last|previous|prior|a)\s+year(\s+ago)?|same\s+(month|period|quarter|week)\s+"
                             r"(of\s+)?last\s+year|a\s+year\s+ago)\b")


_CHANGE_WORDS = frozenset({"full", "complete", "whole", "calendar", "month", "months", "monthly", "change", "by"})


_OVER_TIME = re.compile(r"\bover\s+time\b|\bmonth\s+by\s+month\b")


def understand(question: str, context: Context) -> Understood:
    """What `question` asks, relative to the data's as-of date, for a reader who may (not) read observability."""
    text = " ".join(question.split())
    if not text.strip(" ?!."):
        return Refusal("Type a question, e.g. “Who are our top 10 customers by spending?”", ONBOARDING)
    if len(text) > MAX_CHARS:
        return Refusal(f"The question is {len(text)} characters long; Ask reads questions of up to {MAX_CHARS}.",
                       ONBOARDING)
    lowered = text.lower()
    if _PII.search(lowered):
        return Refusal("Ask reads the PII-free marts only: names, e-mail addresses, phone numbers and addresses are "
                       "not in the semantic model (the app's deep dive shows them to DATA_ENGINEER).",
                       ("Who are our top 10 customers by spending?",))
    topic = next((name for name, pattern in _HEALTH if pattern.search(lowered)), None)
    if topic:
        return _health(topic, text, context)
    if _YEAR_OVER_YEAR.search(lowered):
        return Clarify("Ask has no year-over-year change; it can show the years or the months side by side, or the "
                       "month-over-month change.", ("approved spend by year", "approved spend by month",
                                                    "month over month change in spend"))
    if re.search(r"\breports?\b", lowered):
        return understand_request(text, context.as_of, context.vocabulary)
    text = reworded(text)
    states_or_words = codes_or_words(text, context, understand)  # "spend in Hi", "ME OR HI customers"
    if states_or_words is not None:
        return states_or_words
    whole = _AND_THE_WHOLE.search(text)
    parted = _part_and_whole(text[:whole.start()] + text[whole.end():], context) if whole else None
    if parted is not None:
        return parted
    ranked_set = _IN_THE_TOP.search(text)
    if ranked_set and text[:ranked_set.start()].strip(" ?.!,") and not text.lower().startswith(("top", "bottom")) \
            and not re.search(r"\b(share|percent|percentage|proportion)\b", text, re.IGNORECASE):
        return _in_a_ranked_set(text, ranked_set, context)
    if _HAVE_NONE.search(text) and (_GROUPS_ASKED.search(text) and _LISTING.search(text) or _YES_NO.search(text)):
        return _groups_with_none(text, context)
    for pattern, reason in _BOTH_WAYS:
        both = pattern.search(text)
        if both:
            return _each_way(text, both, reason, context)
    try:
        periods, rest = find(text, context.as_of)
    except PeriodError as error:
        return Refusal(str(error), ONBOARDING)
    if len(periods) > 1:
        return _one_period_at_a_time(text, periods, context)
    period = periods[0] if periods else None
    understood = _data_question(rest, period, context)
    busy = BUSY.search(rest)
    if busy and not _COUNTED.search(rest) and (isinstance(understood, Clarify) or understood.measure.name in
                                                ("customer_count", "active_customers") and _WHOSE_BUSY.search(rest)):
        # "the busiest channel", "which channel do Premium customers use most": how many transactions there are (the
        # customers only say whose)
        rest = re.sub(r"\bamong\b", "for", _WHOSE_BUSY.sub(" ", rest), flags=re.IGNORECASE)
        by_transactions = _data_question(f"{rest} by transactions", period, context)
        if isinstance(by_transactions, Question):
            word = busy.group(0).lower()
            return replace(by_transactions, notes=(*by_transactions.notes,
                                                   f"“{word}” read as by the number of transactions (every status)"))
        return by_transactions if isinstance(understood, Question) or not understood.reason.startswith(NO_MEASURE) \
            else understood
    return understood


_WHOSE_BUSY = re.compile(r"\b(?:customers|cardholders|clients|people)\b", re.IGNORECASE)
_COUNTED = re.compile(r"\b(?:how\s+many|number\s+of|count\s+of|count)\b", re.IGNORECASE)
# "the busiest channel", "which channel do Premium customers use most", "the most popular category among them": how
# many transactions there are (followup.py reads the words after an answer by its figure instead)
BUSY = re.compile(r"\b(?:busiest|quietest|slowest|busier|quieter|most\s+(?:used|popular|frequented|visited)|least\s+"
                  r"(?:used|popular)|(?:use|uses|used|shop|shops|shopped|visit|visits|frequent)\s+(?:(?:at|in|on|with)"
                  r"\s+)?(?:the\s+)?(?:most|least)(?:\s+often)?)\b", re.IGNORECASE)


# "spend in Texas and overall", "Premium spend and total spend": a part's figure and the whole's.
_AND_THE_WHOLE = re.compile(r"\s*,?\s*\b(?:and|vs\.?|versus|as\s+well\s+as|plus|compared\s+(?:to|with))\s+(?:for\s+|in\s+)?"
                            r"(?:overall|in\s+total|the\s+total|total(?:\s+(?:spend|spending|revenue|sales|transactions|"
                            r"customers))?|(?:all|every)\s+(?:states?|customers|categories|channels)|the\s+whole\s+portfolio|"
                            r"everyone)\b", re.IGNORECASE)


def _part_and_whole(part_text: str, context: Context) -> Understood | None:
    """None when the question without "and total ..." has no part ("customers and total spend by state": two
    measures, read as such)."""
    part = understand(part_text, context)
    if isinstance(part, Question) and part.share:
        return part
    if not isinstance(part, Question) or not part.filters:
        return None
    whole = replace(part, filters=(), notes=())
    share = replace(part, filters=(), share=True, share_of=part.filters, notes=())
    return Clarify("The question asks for a figure and the total it is part of; Ask answers one at a time, or the "
                   "part's share of the whole.", (replace(part, notes=()).phrase(), whole.phrase(), share.phrase()))


# "spend by channel in the top 3 states", "customers in the bottom 3 states by spend": a figure for a ranked set, which
# Ask answers in two steps (the ranking, then a follow-up on it), never as a ranking of pairs.
_IN_THE_TOP = re.compile(r"\b(?:in|for|among|from|of|across)\s+(?:the|our)?\s*(top|bottom|best|worst|biggest|largest)\s+"
                         r"(\d+\s+)(states|categories|merchant\s+categories|channels|segments|customers|card\s+types)"
                         r"(\s+by\s+(?!(?:month|week|day|quarter|year|channel|category|state|card)\b)[\w\s-]+?)?(?=\s*(?:by\s+(?:month|week|day|quarter|year|channel|category|state|card)|"
                         r"last|this|in|since|$|[?.!,]))", re.IGNORECASE)


def _in_a_ranked_set(text: str, match: re.Match, context: Context) -> Understood:
    ranking = f"{match.group(1)} {match.group(2) or ''}{match.group(3)}{match.group(4) or ''}"
    rest = (text[:match.start()] + text[match.end():]).strip()
    ranked, asked = understand(ranking, context), understand(rest, context)
    if not isinstance(ranked, Question) and isinstance(asked, Question):  # "in the top 3 states": by what asked
        ranked = understand(f"{ranking} by {asked.measure.words()}", context)
    readings = [u.phrase() for u in (ranked, asked) if isinstance(u, Question)]
    return Clarify(f"“{match.group(0).strip()}” is a ranked set: Ask ranks first, then answers for the set. Ask the "
                   "ranking below, then what you want of it as a follow-up (in the app, “by channel” or “how many "
                   "customers do they have” keeps the ranked ones).", tuple(dict.fromkeys(readings)))


# "which states have no Premium customers": groups with a count of 0, which no grouped row shows.
_HAVE_NONE = re.compile(r"\b(?P<there>there\s+(?:is\s+|are\s+|was\s+|were\s+)?)(?:no|zero|0)\b|"
                        r"\b(?:have|has|had|with|having)\s+(?:no|zero|0)\b|\bwithout\s+any\b|\b(?P<groups>states?|categories|"
                        r"channels?|segments?|card\s+types?|months?|merchants?)\s+(?:that\s+|which\s+)?(?:without|don't\s+have|"
                        r"doesn't\s+have|do\s+not\s+have|does\s+not\s+have|didn't\s+have)\b", re.IGNORECASE)
# ...when the groups are what is asked for ("spend by state without travel" is spend, travel excluded)
_LISTING = re.compile(r"^\W*(?:which|what|any|list|are\s+there|is\s+there|show|find|name|(?:do|does|did|are|is|were|was)"
                      r"\s+(?:any|some|there))\b|^\W*(?:states|categories|"
                      r"channels|segments|months|merchants)\s+(?:that\s+|which\s+)?(?:without|don't|do\s+not|have\s+no|with\s+no)",
                      re.IGNORECASE)
# ...asked of groups (customers with no such transaction have their own clarify, in settle.py)
_GROUPS_ASKED = re.compile(r"\b(states?|categories|category|channels?|segments?|card\s+types?|months?|merchants?|bands?|"
                           r"tiers?)\b(?!.*\bcustomers\s+(?:with|having|without)\b)", re.IGNORECASE)


# "does Texas have no Premium customers": yes or no, which the count of them answers (not the count of the others)
_YES_NO = re.compile(r"^\W*(?:do|does|did|is|are|was|were|has|have|had)\b", re.IGNORECASE)


def _groups_with_none(text: str, context: Context) -> Understood:
    with_some = understand(_HAVE_NONE.sub(lambda m: m["there"] or f"{m['groups'] or ''} with", text), context)
    readings = (replace(with_some, notes=(), rank=None).phrase(),) if isinstance(with_some, Question) else ()
    if not (_GROUPS_ASKED.search(text) and _LISTING.search(text)) or isinstance(with_some, Question) and \
            not with_some.dims:
        return Clarify("Ask counts what there is: the count below answers it (0, or no figure, means none).", readings)
    return Clarify("Ask cannot list what has none (a count of 0 is a row that does not exist); each one's count is "
                   "below: one missing from it has none.", readings)


_JOIN = r"\s*(?:and|&|,|vs\.?|versus|or|plus)\s*"
# Two figures in one breath, "total and average lifetime value", "highest and lowest spend state": each is a question.
_BOTH_WAYS = (
    (re.compile(rf"\b(total|sum){_JOIN}(average|mean|avg)\b|\b(average|mean|avg){_JOIN}(total|sum)\b", re.IGNORECASE),
     "The question asks for a total and an average; Ask answers one at a time."),
    (re.compile(rf"\b(highest|top|most|biggest|largest|best){_JOIN}(lowest|bottom|least|smallest|worst|fewest)\b"
                rf"|\b(lowest|bottom|least|smallest|worst|fewest){_JOIN}(highest|top|most|biggest|largest|best)\b",
                re.IGNORECASE),
     "The question asks for the highest and the lowest; Ask answers one at a time."),
)


def _each_way(text: str, both: re.Match, reason: str, context: Context) -> Understood:
    words = [w for w in both.groups() if w]
    readings = [understand(text[:both.start()] + word + text[both.end():], context) for word in words]
    phrases = tuple(dict.fromkeys(u.phrase() for u in readings if isinstance(u, Question)))
    return Clarify(reason, phrases) if phrases else readings[0]


def _health(topic: str, text: str, context: Context) -> Understood:
    pattern = dict(_HEALTH)[topic]
    rest = pattern.sub(" ", text.lower())
    draft = walk(tokens(rest), context.vocabulary, None)
    if draft.measures or draft.nouns or draft.values:  # "how healthy is spend in Texas"
        data = understand(rest, context)
        readings = [data.phrase()] if isinstance(data, Question) else list(getattr(data, "readings", ()))[:2]
        return Clarify(f"“{pattern.search(text.lower()).group(0)}” names pipeline health, and the question names data "
                       "as well: Ask does not judge a figure healthy or not. Which one?".replace(" ”", "”"),
                       tuple([*readings, "What's the current system health status?"]))
    if not context.reads_observability:
        return Refusal(f"The role {context.role or 'you read as'} may not read the OBSERVABILITY schema, where "
                       "pipeline health is recorded; it is for DATA_ANALYST and DATA_ENGINEER.",
                       ("How many customers are in each behavioural segment?",))
    try:
        periods, _ = find(text, context.as_of)
    except PeriodError:
        periods = []
    if periods:
        return Clarify("Pipeline health is read as of now (the latest run of each job, the checks of the last 7 "
                       "days), not for a period of the data.",
                       ("What's the current system health status?", "Which data quality checks failed?",
                        "When was the last pipeline run?"))
    return Health(topic)


_COMPARING = re.compile(r"\b(vs\.?|versus|compared\s+(to|with)|against|compare)(?=\s|$)|\s+and\s*$", re.IGNORECASE)


def _one_period_at_a_time(text: str, periods: list[Period], context: Context) -> Understood:
    """Two periods ("in March and April"): the readings are by month across both, and each alone."""
    reason = f"The question names {len(periods)} periods ({', '.join(p.phrase for p in periods)}); Ask answers for one."
    first = text.replace(periods[1].phrase, " ") if len(periods) > 1 else text
    first = _COMPARING.sub(" ", first)  # "spend this month vs last month": the words that joined the two periods
    understood = understand(first, context)
    if not isinstance(understood, Question):
        return Refusal(reason, ONBOARDING)
    base = replace(understood, notes=())
    readings = [replace(base, period=replace(p, phrase=p.phrase.split(maxsplit=1)[-1])).phrase() for p in periods]
    starts = [p.start for p in periods if p.start]
    if base.grain is None and len(base.dims) < MAX_GROUPS and base.measure.table == "transactions" and starts:
        span = Period(min(starts), max(p.end for p in periods), "from the first to the last", "as given")
        readings.insert(0, replace(base, period=span, grain="month").phrase())
    return Clarify(reason, tuple(dict.fromkeys(readings))[:3])


def change_named(text: str) -> str | None:
    """"the biggest drop", "the biggest rise", "month over month": the kind of month-over-month change named."""
    return next((kind for kind, pattern in _CHANGE if pattern.search(text.lower())), None)


def _data_question(text: str, period: Period | None, context: Context) -> Understood:
    lowered = text.lower()
    change = change_named(text)
    if change:
        return _change(text, change, period, context)
    safe_rank = bool(_SAFE_RANK.search(lowered))
    risk_rank = safe_rank or bool(_RISK_RANK.search(lowered))
    if risk_rank:
        text = _SAFE_RANK.sub(" ", _RISK_RANK.sub(" ", text))  # the rest as typed: a state's code is read in upper case
    over_time = bool(_OVER_TIME.search(text.lower()))
    text = _OVER_TIME.sub(" ", text)
    toks = tokens(text)
    rank, toks = rank_words(toks)
    draft = walk(toks, context.vocabulary, rank, text)
    draft.trend = draft.trend or over_time
    if risk_rank:
        draft.rank = RankWord(not safe_rank, rank.n if rank else None, 0, False)
    understood = assemble(draft, period, context, risk_rank)
    if isinstance(understood, Question) and understood.measure.name == "average_monthly_spend" and _WHOLE.search(text):
        by_month = replace(understood, measure=Measure("transactions", "approved_spend"), grain="month", notes=())
        return Clarify("Ask's average monthly spend is a customer's, not the portfolio's: it can show the portfolio's "
                       "spend in each month, or a customer's average month.", (by_month.phrase(),
                                                                               replace(understood, notes=()).phrase()))
    if draft.average_at and isinstance(understood, Question) and understood.grain and not understood.rank \
            and understood.measure.aggregate is None and understood.measure.name in _RATES:
        return _average_of_rates(understood)
    if draft.average_at and isinstance(understood, Question) and len(understood.dims) == 1 and not understood.grain \
            and not understood.rank and understood.measure.name in _RATES and _ACROSS.search(text):
        return _average_across(understood)  # "average decline rate across states"
    return _where(understood) if _WHERE.search(text) else understood


# "what do we spend in an average month", "our average monthly spend": the portfolio's, not a customer's.
_WHOLE = re.compile(r"\b(we|our|us|portfolio|company|bank|business|total|overall|all\s+customers)\b", re.IGNORECASE)
# Measures that are a ratio: "the average monthly decline rate" is not the list of monthly rates, nor computed by Ask.
_RATES = frozenset({"decline_rate", "approval_rate", "spend_change_pct", "transactions_per_customer",
                    "spend_per_customer", "average_transaction_value"})


def _average_of_rates(question: Question) -> Clarify:
    grain = question.grain
    overall = replace(question, grain=None, notes=())
    return Clarify(f"“average” with “{grain}”: Ask does not average {grain}ly {question.measure.words()}s. It can show each "
                   f"{grain}'s, or the {question.measure.words()} over the whole period (every transaction pooled).",
                   (replace(question, notes=()).phrase(), overall.phrase()))


_ACROSS = re.compile(r"\b(across|over\s+all|among\s+all)\b", re.IGNORECASE)


def _average_across(question: Question) -> Clarify:
    groups = plural(label(question.dims[0].column))
    overall = replace(question, dims=(), notes=())
    return Clarify(f"“average … across {groups}”: Ask does not average the {groups}' {question.measure.words()}s. It "
                   f"can show each one's, or the {question.measure.words()} over all of them (every transaction "
                   "pooled).", (replace(question, notes=()).phrase(), overall.phrase()))


_WHERE = re.compile(r"^\W*(?:where\s+(?:do|does|did|are|is|was|were)\b|how\s+(?:do|does|did)\b(?=.*\bshop))", re.IGNORECASE)
_PLACES = (Dim("transactions", "merchant_category"), Dim("transactions", "channel"), Dim("customers", "state"))
_COUNTS = frozenset({"customer_count", "active_customers"})


def _where(understood: Understood) -> Understood:
    """"Where do customers spend (the most)", "where do Premium customers shop", "where are they": a place, which is a
    category, a channel or a state, never a figure without one, a count of the customers, nor a list of them (the
    customers are who spends, not where)."""
    if not isinstance(understood, Question) or any(d.column != "customer_id" for d in understood.dims):
        return understood
    counted = understood.measure.name in _COUNTS
    if understood.measure.table != "transactions" and not counted:
        return understood
    filtered = {f.dim.column for f in understood.filters}  # "customers in Texas": not by state within Texas
    # customers counted by their state ("where are Premium customers"), their spend by the other places
    readings = [replace(understood, dims=(Dim("customers", "state"),), grain=None, rank=None, notes=()).phrase()] \
        if counted and "state" not in filtered else []
    spent = replace(understood, measure=Measure("transactions", "approved_spend")) if counted else understood
    readings += [replace(spent, dims=(place,), grain=None, notes=()).phrase() for place in _PLACES
                 if place.column not in filtered and not (counted and place.column == "state")]
    return Clarify("Where customers shop or spend can be read by merchant category, by channel or by the customer's "
                   "state: which one?", tuple(readings)[:3])


# The measures whose month-over-month change portfolio_months holds: approved spend under its names.
_SPEND_CHANGE = frozenset({"approved_spend", "spend", "total_spend", "spend_change_pct"})


def _other_measure(draft) -> Measure | None:
    """A measure the question names that is not approved spend ("transactions", "decline rate"), if any."""
    for j in draft.measures:
        terms = draft.items[j].of(MeasureTerm)
        if terms and not any(t.name in _SPEND_CHANGE for t in terms):
            term = next((t for t in terms if t.table == "transactions"), terms[0])
            return Measure(term.table, term.name)
    return None


def _change(text: str, change: str, period: Period | None, context: Context) -> Understood:
    """Month over month change of the portfolio's spend (portfolio_months), or its biggest drop or rise."""
    lowered, rest = text.lower(), text
    for _, pattern in _CHANGE:
        lowered = pattern.sub(" ", lowered)
        rest = re.sub(pattern.pattern, " ", rest, flags=re.IGNORECASE)
    toks = tokens(rest)  # as typed: "in OK" is the state, which the change cannot be filtered by
    rank, toks = rank_words(toks)
    draft = walk(toks, context.vocabulary, rank)
    question = Question(Measure("portfolio_months", "spend_change_pct"), (), "month", (), period,
                        Rank(change == "rise", rank.n if rank and rank.n else 1) if change != "all" else None,
                        change=change)
    other = _other_measure(draft)
    if other is not None:  # "the biggest drop in transactions": not spend's drop said as if it were theirs
        by_month = f"{other.words()} by month" if other.table == "transactions" else \
            "active customers by month" if other.name == "customer_count" else "approved spend by month"
        spends = {"drop": "biggest drop in spend", "rise": "biggest rise in spend"}.get(change)
        said = f" {period_words(period)}" if period else ""
        by_month, spends = by_month + said, spends and spends + said
        return Clarify(f"Ask has the month-over-month change of approved spend only (gold.metric_mom_spend_change), "
                       f"not of {other.words()}. It can show {by_month} to compare the months, or spend's change.",
                       tuple(dict.fromkeys((by_month, *([spends] if spends else []),
                                            f"month over month change in spend{said}"))))
    if draft.average_at or re.search(r"\b(average|mean|avg|typical)\b", lowered):  # "average MoM change": not the list
        return Clarify("Ask does not average the month-over-month changes. It can show each month's change, or the "
                       "approved spend by month to compare.", (replace(question, notes=()).phrase(),
                                                                "approved spend by month" + (f" {period_words(period)}"
                                                                                             if period else "")))
    unknown = [w for w in unused(draft, None, context.vocabulary) if w.lower() not in _CHANGE_WORDS]
    if unknown or draft.extra_numbers:
        return Clarify(f"Ask did not understand “{' '.join([*unknown, *draft.extra_numbers])}” in a question of "
                       "monthly change.", (replace(question, notes=()).phrase(), "approved spend by month"))
    if draft.values or draft.dims or draft.nouns:
        return Refusal("Month-over-month change is a portfolio-wide figure (gold.metric_mom_spend_change): Ask "
                       "cannot split or filter it by customer or transaction attributes.",
                       (replace(question, notes=()).phrase(),))
    notes = ("A month the data covers only in part has no change", ) if change == "all" else \
        ("Whole months only; a month the data covers only in part is left out",)
    return replace(question, notes=notes)
