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


# Words that carry no meaning of their own in a question about the data: they never make a question "not understood".
FILLER = frozenset(normalized(w) for w in """
a an the of in on at to for from with into onto about as by per each every across and or vs compared compare
comparing comparison against than but also too only just then instead again same so up
i me my we us our ours you your they them their it its this that these those there here
what which who whom whose how when where why whats
is are was were be been being am do does did done doing have has had having will would could should can may might
must shall get got give giving gave show showing shown tell list display find see look looking know want need like
please thanks thank hi hello hey ok okay
much many number count counts amount total totals overall all whole entire full complete
current currently now right far
split splits broken breakdown break down distribution distributed spread across group grouped grouping
rank ranked ranking ranks sort sorted order ordered
chart graph plot table view overview figure figures data info information stats statistics metric metrics kpi kpis
over time period periods
make made making go going goes went come comes came coming generate generated bring brought happen happened
buy shop shopped transact use used using pay paid earn earned put puts based
one ones some any
""".split())

# Words that ask for a grouping by what follows them.
GROUP_MARKERS = frozenset({"by", "per", "each", "every", "across", "which", "what"})
RANK_UP = frozenset({"top", "best", "biggest", "largest", "highest", "most", "greatest", "leading"})
RANK_DOWN = frozenset({"bottom", "worst", "smallest", "lowest", "least", "fewest"})
SHARE_WORDS = frozenset({"share", "percent", "fraction", "mix"})
AVERAGE_WORDS = frozenset({"average", "typical"})
TOTAL_WORDS = frozenset({"total", "sum", "overall"})
NEGATIONS = frozenset({"not", "excluding", "except", "exclude", "without", "non"})
