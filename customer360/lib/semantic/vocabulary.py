"""What Ask can recognize in a question, all of it from the semantic model: metrics, facts and dimensions by name and
synonym, and filter values from the model's sample values and the warehouse's distinct values (US states by code and
by name as well). A phrase can mean several things ("customers" is a count and the customer dimension; "Declining" a
generated segment, a behavioural segment and a spend trend): the parser decides among them, or asks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from customer360.lib.semantic import SemanticModel
from customer360.lib.semantic.words import FILLER, Token, phrase_key

Fetch = Callable[[str, Sequence], tuple[list[str], list[tuple]]]

# The order measures are looked for when a phrase names several: portfolio-wide facts first.
TABLE_ORDER = ("transactions", "customers", "monthly_spend", "portfolio_months")
# Dimensions whose values are everyday words ("Top", "High", "Stable", "555"): a value of one counts only when the
# question also names the dimension (a cue word: "value tier", "risk", "trend", "age", "rfm").
WEAK = frozenset({"value_tier", "churn_risk_band", "model_churn_risk_band", "spend_trend", "age_band", "rfm_cell"})
# Dimensions with the same values as a plainer one: chosen only when the question says so ("favourite", "prefer").
FAVOURITE = {"favourite_category": "merchant_category", "favourite_channel": "channel"}
# Words too general to tell one dimension from another.
_NOT_CUES = frozenset({"customer", "band", "segment", "score", "cell", "number", "us", "type", "status", "spend",
                       "group"})
# Extra cue words, beyond each dimension's name and synonyms.
EXTRA_CUES = {
    "model_churn_risk_band": {"churn", "risk", "model", "predict", "rate", "rated"},
    "churn_risk_band": {"churn", "risk", "rule", "heuristic", "rule-based"},
    "favourite_category": {"favourite", "prefer"},
    "favourite_channel": {"favourite", "prefer"},
    "age_band": {"age", "aged", "old"},
    "spend_trend": {"trend", "trending"},
    "value_tier": {"tier"},
}
# Unique or free-text dimensions: never read as a list of values (a customer id is recognized by its shape).
_NO_VALUES = frozenset({"customer_id", "transaction_id", "merchant_name"})
CUSTOMER_ID = re.compile(r"^cust\d{8}$", re.IGNORECASE)
MAX_VALUES = 300  # a dimension with more distinct values than this is not offered as a list of values

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky",
    "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island",
    "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}
# Other ways people name a value: (dimension, phrase) -> the value as stored.
VALUE_ALIASES = {
    ("value_tier", "high value"): "Top", ("value_tier", "top tier"): "Top", ("value_tier", "mid tier"): "Mid",
    ("value_tier", "entry tier"): "Entry", ("value_tier", "entry level"): "Entry",
    ("channel", "instore"): "In-Store", ("channel", "in person"): "In-Store", ("channel", "web"): "Online",
    ("channel", "mobile app"): "Mobile", ("state", "washington dc"): "DC", ("status", "decline"): "declined",
    ("spend_trend", "declining spend"): "Declining", ("spend_trend", "growing spend"): "Growing",
    ("spend_trend", "stable spend"): "Stable",
}
GRAIN_WORDS = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year",
               "annual": "year", "annually": "year"}
UNITS = ("day", "week", "month", "quarter", "year")


# State codes that are English words too ("SPEND IN TEXAS", "SHOW ME", "TX OR CA"): typed in capitals, such a code is
# the state only where a state stands: first, or after a word that leads to a place ("in IN", "for ME customers",
# "excluding OK") or a list's comma ("TX, OR, CA"). Right after a value ("Travel OR Dining", "ME OR NH") or any other
# word it is the word.
WORD_CODES = frozenset({"OR", "IN", "ME", "OK", "HI"})
_AFTER_A_PLACE = frozenset({"customer", "customers", "cardholder", "cardholders", "spend", "transaction", "transactions",
                            "revenue", "sales", "account", "accounts", "'s", "share", "top", "by"})
_ASKS_IF = ("is", "are", "was", "were", "does", "do", "did")  # "is spend by state OK": the word
_BEFORE_A_PLACE = frozenset({"in", "for", "from", "excluding", "except", "exclude", "not", "without", "outside",
                             "besides", "vs", "versus", "and", "or", "nor", "than", "only", "of", "to", "between",
                             "among", "within", "across", "compare", "including", "state", "states", "is", "code",
                             "at", "does", "doe", "did", "do", "about"})  # "doe": how "does" is normalized; "what about OK"
# "SHOW ME SPEND", "GIVE ME CUSTOMERS": after a verb of asking, ME is the word even before a measure.
_ASKING = frozenset({"show", "give", "tell", "get", "find", "send", "let", "help", "bring", "fetch", "pull", "list",
                     "email", "text", "remind", "want"})


def _a_list_of_states_follows(toks: Sequence, i: int, itself: bool = False) -> bool:
    """"OK and TX", "OK, TX", "OK/TX", "OK TX": a state's code follows, so this one is a state too (`itself`: the
    token at `i` is that code)."""
    if itself:
        return i < len(toks) and len(toks[i].text) == 2 and toks[i].text.isupper() and toks[i].text in US_STATES
    j = i + 1
    if j < len(toks) and toks[j].text == "OR" and not _a_state_at(toks, j + 1):
        return True  # "spend ME OR", "ME OR customers", "ME, OR and IN": Oregon (the conjunction would join no state)
    if j < len(toks) and toks[j].norm in ("and", "or", "vs", "versus", "nor"):
        j += 1
    elif toks[i].text in ("IN", "OR") and j < len(toks) and toks[j].start - toks[i].end <= 1:
        return False  # "spend IN TX", "Travel OR TX": the preposition, the conjunction
    return _a_state_at(toks, j)


def _a_state_at(toks: Sequence, j: int) -> bool:
    """A state's code in capitals ("TX", "OK's") or its name at token `j`."""
    code = toks[j].text.split("'")[0] if j < len(toks) else ""
    return len(code) == 2 and code.isupper() and code in US_STATES or _a_state_named_at(toks, j)


_STATE_NAME_KEYS = tuple(phrase_key(name) for name in US_STATES.values())


def _a_state_named_at(toks: Sequence, j: int) -> bool:
    """"OK vs Hawaii", "OK and New York": a state by its name (a code before a period is written as its name)."""
    return any(tuple(t.norm for t in toks[j:j + len(key)]) == key for key in _STATE_NAME_KEYS)


def _word_code_is_state(toks: Sequence, i: int, found: Sequence, before_a_measure: bool, before_a_value: bool = False,
                        before_a_grouping: bool = False, apart: frozenset[int] | None = None) -> bool:
    """`before_a_measure`: the next words name a measure or whom it counts ("OK customers", "HI decline rate");
    `before_a_value`: a value ("OK Premium"); `before_a_grouping`: a dimension ("OK categories by spend"); `apart`:
    the k with a sign between tokens k and k + 1 (default: any gap wider than a space)."""
    if apart is None:
        apart = frozenset(k for k in range(len(toks) - 1) if toks[k + 1].start - toks[k].end > 1)
    comma_after = i in apart
    if not found:  # "OK customers by card type", "HI decline rate", "OK Premium customers", "ME, NH, VT SPEND", "OK and
        # TX customers", "OK top 3 categories", but "OK, spend by state" and "HI there" are the word
        return (before_a_measure or before_a_value or before_a_grouping) and not comma_after or \
            _a_list_of_states_follows(toks, i) or toks[i].text.endswith("'s") or \
            toks[i].text == "OR" and _a_state_at(toks, i + 1)  # "OK's and HI's share"; "OR ME customers": first
    previous = found[-1]
    names_what = isinstance(previous, Span) and bool(previous.of(MeasureTerm)) and not previous.of(ValueTerm)
    if toks[i].text == "OR" and names_what and _a_list_of_states_follows(toks, i + 1, itself=True):
        return True  # "customers OR WA": "or" cannot join a measure to a state, so OR is Oregon, listed with WA
    if toks[i].text == "OR" and names_what and before_a_measure:
        return False  # "spend OR customers": the word between two measures
    if names_what and before_a_value and not comma_after and toks[i].text not in ("IN", "OR"):
        return True  # "spend OK Premium": the measure's state and card type ("spend IN Premium": the preposition)
    if i + 1 >= len(toks) and toks[0].norm in _ASKS_IF:  # "is spend by state OK", "are transactions by state OK"
        return False
    if toks[i].text.endswith("'s") or isinstance(previous, Span) and previous.of(DimensionTerm) and any(
            m.column == "state" for m in previous.of(DimensionTerm)) and not previous.of(ValueTerm):
        return True  # "OK's spend"; "state HI", "state = HI", "state: 'OK'" (a canonical question writes "state ...")
    if not isinstance(previous, Span) and previous.norm in _BEFORE_A_PLACE:  # "in OK", "in 'OK'", "at HI"
        return True
    if i - 1 in apart:  # a comma or other sign between: "TX, OR, CA"
        return isinstance(previous, Span) and any(isinstance(m, ValueTerm) and m.column == "state" for m in previous.meanings)
    if i + 1 >= len(toks):  # last: "spend ME", "customers IN", "spend by month OR", but "TELL ME" is the word
        return isinstance(previous, Span) or previous.norm in ("day", "week", "month", "quarter", "year")
    if isinstance(previous, Span) and any(isinstance(m, ValueTerm) and m.column == "state" for m in previous.meanings):
        # "ME OR NH", "TX OR CA": the word between two states; "OK HI ME", "ME OR by channel": a list
        return toks[i].text != "OR" or not _a_state_at(toks, i + 1)
    if _a_list_of_states_follows(toks, i):  # "spend OK & TX", "spend OK TX"
        return True
    return before_a_measure and not comma_after and not (not isinstance(previous, Span) and previous.norm in _ASKING)


@dataclass(frozen=True)
class MeasureTerm:
    table: str
    name: str  # a metric's or a fact's name
    kind: str  # "metric" | "fact"


@dataclass(frozen=True)
class DimensionTerm:
    table: str
    column: str


@dataclass(frozen=True)
class ValueTerm:
    table: str
    column: str
    value: str  # as stored in the warehouse


Meaning = MeasureTerm | DimensionTerm | ValueTerm

# Names that say several dimensions: a question with one of them alone answers "clarify" (review decision: bare
# "segment" is the generated or the behavioural segment, not one of them chosen silently).
AMBIGUOUS_NAMES = {"segment": (DimensionTerm("customers", "customer_segment"),
                               DimensionTerm("customers", "behavioural_segment"))}


@dataclass(frozen=True)
class Span:
    """Consecutive tokens of a question and everything they can mean."""
    start: int  # token index
    end: int  # one past the last token
    text: str
    meanings: tuple[Meaning, ...]

    def of(self, kind: type) -> list:
        return [m for m in self.meanings if isinstance(m, kind)]


@dataclass
class Vocabulary:
    model: SemanticModel
    values: Mapping[tuple[str, str], Sequence[str]] = field(default_factory=dict)  # (table, column) -> values

    def __post_init__(self) -> None:
        self._phrases: dict[tuple[str, ...], list[Meaning]] = {}
        for table_name in TABLE_ORDER:
            table = self.model.table(table_name)
            for metric in table.metrics:
                self._add((metric.name, *metric.synonyms), MeasureTerm(table.name, metric.name, "metric"))
            for column in table.columns:
                if column.kind == "fact":
                    self._add((column.name, *column.synonyms), MeasureTerm(table.name, column.name, "fact"))
                elif column.kind == "dimension":
                    self._add((column.name, *column.synonyms), DimensionTerm(table.name, column.name))
                    for value in self.values_of(table.name, column.name):
                        self._add(_value_phrases(column.name, value), ValueTerm(table.name, column.name, value))
            for named in table.filters:  # "at risk": model_churn_risk_band = 'High'
                condition = re.fullmatch(r"\s*(\w+)\s*=\s*'([^']*)'\s*", named.expr)
                if condition and table.has_column(condition.group(1)):
                    self._add(named.synonyms, ValueTerm(table.name, condition.group(1), condition.group(2)))
            for synonym in table.synonyms:  # "purchases", "cardholders": the table's count
                counted = next((m.name for m in table.metrics if m.name in ("transaction_volume", "customer_count")),
                               None)
                if counted:
                    self._add((synonym,), MeasureTerm(table.name, counted, "metric"))
        for (column, phrase), value in VALUE_ALIASES.items():
            for table in self.model.tables:
                if any(c.name == column for c in table.columns) and value in self.values_of(table.name, column):
                    self._add((phrase,), ValueTerm(table.name, column, value))
        for phrase, meanings in AMBIGUOUS_NAMES.items():  # "segment" alone: which one?
            for meaning in meanings:
                self._add((phrase,), meaning)
        self._longest = max(len(key) for key in self._phrases)
        self.known_words = self._known_words()

    def _known_words(self) -> frozenset[str]:
        """Words that, left over, do not make a question misunderstood: the words of measure and dimension names and
        synonyms ("churn" of "churn band", "rate" of "decline rate") and cue words. Not the words of values: "new"
        alone is not "New & Growing", so "new customers" is not understood rather than read as all customers."""
        words = set(FILLER)
        for key, meanings in self._phrases.items():
            if any(not isinstance(m, ValueTerm) for m in meanings):
                words |= set(key)
        for table in self.model.tables:
            for column in table.columns:
                words |= self.cues(column.name)
        return frozenset(words)

    def _add(self, phrases: Iterable[str], meaning: Meaning) -> None:
        for phrase in phrases:
            key = phrase_key(phrase)
            if key and meaning not in self._phrases.setdefault(key, []):
                self._phrases[key].append(meaning)

    def values_of(self, table: str, column: str) -> list[str]:
        """The model's sample values and the warehouse's distinct values of a dimension."""
        if column in _NO_VALUES:
            return []
        sample = self.model.table(table).column(column).sample_values
        found = list(dict.fromkeys([*sample, *self.values.get((table, column), ())]))
        return [v for v in found if v.lower() not in ("true", "false")]

    def cues(self, column: str) -> frozenset[str]:
        """Words that, in a question, say a value belongs to this dimension (a favourite: "favourite", "prefer")."""
        if column in FAVOURITE:
            return frozenset(EXTRA_CUES[column])
        words = set(EXTRA_CUES.get(column, set()))
        for table in self.model.tables:
            for c in table.columns:
                if c.name == column:
                    for phrase in (c.name, *c.synonyms):
                        words |= set(phrase_key(phrase))
        return frozenset(words - _NOT_CUES)

    def match(self, toks: Sequence[Token], text: str = "") -> list[Span | Token]:
        """The question as spans of the longest phrases the vocabulary knows, and the tokens between them. `text`:
        what the tokens came from, so that words taken out ("top 3") are not read as a comma."""
        found: list[Span | Token] = []
        apart = frozenset(k for k in range(len(toks) - 1) if toks[k + 1].start - toks[k].end > 1 and
                          (not text or re.search(r"[^\w\s]", text[toks[k].end:toks[k + 1].start])))
        i = 0
        while i < len(toks):
            word_code = toks[i].text.split("'")[0] in WORD_CODES
            if word_code and not _word_code_is_state(toks, i, found, self._before_a_measure(toks, i + 1),
                                                     self._before_a_value(toks, i + 1),
                                                     self._before_a_grouping(toks, i + 1), apart):
                span = None
            else:
                span = self._span_at(toks, i)
            if span is None:
                found.append(toks[i])
                i += 1
            else:
                found.append(span)
                i = span.end
        return found

    def _before_a_value(self, toks: Sequence[Token], i: int) -> bool:
        """A value other than a state's ("OK Premium"; but "SPEND IN TEXAS": the preposition)."""
        span = self._span_at(toks, i) if i < len(toks) else None
        return span is not None and any(v.column != "state" for v in span.of(ValueTerm))

    def _before_a_grouping(self, toks: Sequence[Token], i: int) -> bool:
        span = self._span_at(toks, i) if i < len(toks) else None
        return span is not None and bool(span.of(DimensionTerm)) and not span.of(ValueTerm)

    def _before_a_measure(self, toks: Sequence[Token], i: int) -> bool:
        if i >= len(toks):
            return False
        if toks[i].norm in _AFTER_A_PLACE:
            return True
        span = self._span_at(toks, i)
        return span is not None and bool(span.of(MeasureTerm)) and not span.of(ValueTerm)

    def _span_at(self, toks: Sequence[Token], i: int) -> Span | None:
        token = toks[i]
        if CUSTOMER_ID.match(token.text.split("'")[0]):  # "CUST00000003's" too
            ids = tuple(ValueTerm(t, "customer_id", token.text.split("'")[0].upper()) for t in TABLE_ORDER
                        if any(c.name == "customer_id" for c in self.model.table(t).columns))
            return Span(i, i + 1, token.text, ids)
        code = token.text.split("'")[0]  # "TX's spend" too
        if len(code) == 2 and code.isupper() and code in US_STATES:
            return Span(i, i + 1, token.text, self._state(code))
        for length in range(min(self._longest, len(toks) - i), 0, -1):
            key = tuple(t.norm for t in toks[i:i + length])
            meanings = self._phrases.get(key)
            if meanings:
                text = " ".join(t.text for t in toks[i:i + length])
                return Span(i, i + length, text, tuple(meanings))
        return None

    def _state(self, code: str) -> tuple[Meaning, ...]:
        return tuple(ValueTerm(t.name, "state", code) for t in self.model.tables
                     if any(c.name == "state" for c in t.columns))

    def add_state_names(self) -> None:
        for code, name in US_STATES.items():
            for meaning in self._state(code):
                self._add((name,), meaning)
        self._longest = max(len(key) for key in self._phrases)
        self.known_words = self._known_words()

    def as_filter(self, phrase: str) -> str:
        """A phrase as a reading says it after "for": a value with its dimension ("spend trend Stable"), since a
        value of an everyday word is read only with its dimension named."""
        meanings = self._phrases.get(tuple(phrase.split()), [])
        value = next((m for m in meanings if isinstance(m, ValueTerm)), None)
        return f"{value.column.replace('_', ' ')} {value.value}" if value else phrase

    def phrases(self, filters_only: bool = False) -> list[str]:
        """Every phrase it knows, as normalized words (for suggestions when a word is not known); `filters_only`:
        those of values, which can follow "for" in a reading."""
        return sorted(" ".join(key) for key, meanings in self._phrases.items()
                      if not filters_only or all(isinstance(m, ValueTerm) for m in meanings))


def _value_phrases(column: str, value: str) -> list[str]:
    phrases = [value]
    if column == "state" and value in US_STATES:
        phrases = [US_STATES[value]]  # a state's code is recognized in upper case only (IN, OR, ME are words too)
    return phrases


def build(model: SemanticModel, values: Mapping[tuple[str, str], Sequence[str]] | None = None) -> Vocabulary:
    vocabulary = Vocabulary(model, values or {})
    vocabulary.add_state_names()
    return vocabulary


def distinct_values(model: SemanticModel, fetch: Fetch) -> dict[tuple[str, str], list[str]]:
    """Each listable dimension's distinct values in the warehouse, one statement per logical table (names from the
    model only; no value is ever part of the SQL)."""
    found: dict[tuple[str, str], list[str]] = {}
    for table in model.tables:
        columns = [c.name for c in table.columns if c.kind == "dimension" and c.name not in _NO_VALUES
                   and not c.name.startswith("is_")]
        if not columns:
            continue
        parts = [f"SELECT '{c}' AS dimension, CAST({c} AS VARCHAR) AS value FROM (SELECT DISTINCT {c} FROM "
                 f"__{table.name}) AS d{i} WHERE {c} IS NOT NULL" for i, c in enumerate(columns)]
        _, rows = fetch(model.with_ctes(" UNION ALL ".join(parts)), [])
        for column, value in rows:
            found.setdefault((table.name, column), []).append(str(value))
    return {key: sorted(values) for key, values in found.items() if len(values) <= MAX_VALUES}
