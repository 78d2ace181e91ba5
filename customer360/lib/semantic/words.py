"""The words of a question, normalized so that what people type meets the semantic model's names and synonyms.

No language model and no stemming library: lower case, a few irregular forms (spent -> spend, favorite -> favourite),
and plurals made singular (categories -> category, statuses -> status). The same normalization is applied to the
model's phrases, so "Texas" and "texas" both become "texa" on both sides and still meet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:'[a-z]+)?|%")
# Irregular or spelling variants -> the form the model uses.
LEMMAS = {
    "spending": "spend", "spent": "spend", "spends": "spend", "spender": "spender",
    "favorite": "favourite", "favourites": "favourite", "favorites": "favourite", "fave": "favourite",
    "behavioral": "behavioural", "behavior": "behaviour", "behaviors": "behaviour", "behaviours": "behaviour",
    "preferred": "prefer", "prefers": "prefer", "preferring": "prefer", "preference": "prefer",
    "churning": "churn", "churned": "churn", "churns": "churn", "churners": "churn", "churner": "churn",
    "bought": "buy", "buying": "buy", "purchased": "purchase", "purchasing": "purchase",
    "whats": "what", "what's": "what", "who's": "who", "it's": "it", "avg": "average", "mean": "average",
    "no.": "number", "pct": "percent", "percentage": "percent", "%": "percent", "proportion": "share",
    "versus": "vs", "v": "vs", "categorie": "category", "cardholder": "cardholder",
    "transacting": "transact", "transacted": "transact", "declines": "decline",
    "people": "customer", "clients": "customer", "client": "customer",
}
_KEEP = frozenset({"status", "us", "is", "was", "has", "this", "its", "plus", "gas", "texas", "kansas", "arkansas",
                   "illinois", "vs", "yes", "analysis", "bus", "less", "across", "ytd", "mtd", "qtd"})
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100,
}


def singular(word: str) -> str:
    if word in _KEEP or len(word) <= 3 or not word.endswith("s"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "uses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    return word[:-1]


def normalized(word: str) -> str:
    word = word.lower()
    if word not in LEMMAS and word.endswith("'s"):  # "customer's spend": the customer's
        word = word[:-2]
    word = LEMMAS.get(word, word)
    return LEMMAS.get(singular(word), singular(word))


@dataclass(frozen=True)
class Token:
    text: str  # as typed (state codes are recognized in upper case only)
    norm: str
    start: int  # character offsets in the text it came from
    end: int

    @property
    def number(self) -> int | None:
        if self.text.isdigit():
            return int(self.text)
        return NUMBER_WORDS.get(self.norm)


def tokens(text: str) -> list[Token]:
    return [Token(m.group(0), normalized(m.group(0)), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def phrase_key(text: str) -> tuple[str, ...]:
    """A phrase of the model (a name, a synonym, a value) as the normalized words a question must contain."""
    return tuple(t.norm for t in tokens(text.replace("_", " ").replace("&", " and ")))


# Words that cannot change a figure, whatever they stand next to: articles, pronouns, auxiliaries, politeness, verbs
# of asking. An allowlist: a word outside it that the parser does not use makes the question "not understood"
# (clarify), so a word that could change the figure ("many", "average", "only", "but", "May", "now") is never
# dropped silently; those are used where they mean something (USED_WHEN) or reported.
FILLER = frozenset(normalized(w) for w in """
a an the of in on at to for from with into onto about as and or
i me my we us our ours you your they them it its this that these those there here i'd we'd i'm we're let let's
what which who whom whose how when where whats
is are was were be been being am do does did done doing have has had having would could should can
get got give giving gave show showing shown tell display find see look looking know want need
please pls plz thanks thank thx hi hello hey ok okay money unique distinct performing popular combined
chart graph plot table view overview figure figures data info information metric metrics kpi kpis
come comes came coming based put puts say says consider considered classify classified both
""".split())

# Words the parser uses only in some questions (reading.py and consumed.py say when); anywhere else they are
# reported as not understood.
COUNT_WORDS = frozenset({"many", "count", "number"})  # "how many customers", "count of declines"
MAKE_WORDS = frozenset({"made", "make", "earn", "earned", "generate", "generated", "bring", "brought", "took", "take"})
ACTIVITY_VERBS = frozenset(normalized(w) for w in """
buy bought shop shopped transact transacted use used pay paid purchase purchased
""".split())
GROUPING_WORDS = frozenset(normalized(w) for w in """
split splits broken breakdown break down distribution distributed spread group grouped grouping
rank ranked ranking ranks sort sorted order ordered list listed listing
""".split())
COMPARE_WORDS = frozenset({"vs", "compare", "compared", "comparing", "comparison", "against"})
CURRENT_WORDS = frozenset({"now", "current", "currently", "today", "still"})  # of customers: as of the as-of date
WHOLE_WORDS = frozenset({"all", "whole", "entire", "everything", "everyone", "everybody", "anything", "any"})
ONLY_WORDS = frozenset({"only", "just", "solely", "exclusively"})

# Words that ask for a grouping by what follows them ("by", "per", "each", "every", "across" are used only then).
GROUP_MARKERS = frozenset({"by", "per", "each", "every", "across", "which", "what"})
RANK_UP = frozenset({"top", "best", "biggest", "largest", "highest", "most", "greatest", "leading", "busiest", "strongest",
                     "busier", "higher"})
RANK_DOWN = frozenset({"bottom", "worst", "smallest", "lowest", "least", "fewest", "quietest", "weakest", "slowest",
                       "quieter", "lower"})
SHARE_WORDS = frozenset({"share", "percent", "fraction", "mix"})
AVERAGE_WORDS = frozenset({"average", "typical"})
TOTAL_WORDS = frozenset({"total", "sum", "overall"})
NEGATIONS = frozenset({"not", "excluding", "except", "exclude", "without", "non", "besides", "outside", "no", "never",
                       "don't", "doesn't", "didn't", "dont", "doesnt", "didnt"})
