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
from customer360.lib.semantic.terms import DimensionTerm, Meaning, MeasureTerm, Span, ValueTerm
from customer360.lib.semantic.us_states import AFTER_A_PLACE, US_STATES, WORD_CODES, is_state_code, word_code_is_state
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


# Names that say several dimensions: a question with one of them alone answers "clarify" (review decision: bare
# "segment" is the generated or the behavioural segment, not one of them chosen silently).
AMBIGUOUS_NAMES = {"segment": (DimensionTerm("customers", "customer_segment"),
                               DimensionTerm("customers", "behavioural_segment"))}


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
            if word_code and not word_code_is_state(toks, i, found, self._before_a_measure(toks, i + 1),
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
        if toks[i].norm in AFTER_A_PLACE:
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
        if is_state_code(code) or code.upper() in US_STATES and _after_the_word_state(toks, i):
            return Span(i, i + 1, token.text, self._state(code.upper()))  # "spend for state ok": the state
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


def _after_the_word_state(toks: Sequence[Token], i: int) -> bool:
    """"for state ok", "where state = in", "the state of me": a code right after the word "state" is the state, in
    any case."""
    j = i - 1
    while j >= 0 and i - j <= 3 and toks[j].norm in ("is", "of", "equal", "equals", "the", "="):
        j -= 1
    after = toks[i + 1] if i + 1 < len(toks) else None  # "for states in the northeast": the word
    return j >= 0 and i - j <= 3 and toks[j].text.lower() == "state" and \
        (j == 0 or toks[j - 1].norm not in ("by", "per", "each", "every")) and \
        (after is None or after.number is None and after.norm not in ("the", "a", "an", "each", "every", "which", "that"))


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
