"""The US states by code and name, and when a code that is also an English word (OR, IN, ME, OK, HI) typed in
capitals is the state, token by token (a question that cannot tell asks: state_codes.py)."""

from __future__ import annotations

from collections.abc import Sequence

from customer360.lib.semantic.terms import DimensionTerm, MeasureTerm, Span, ValueTerm
from customer360.lib.semantic.words import phrase_key

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


# Codes that are no word or common abbreviation in any case ("spend in tx", "Ca and Ny"): a state typed in lower or
# title case too. The others stay capitals only: words (in, or, me, ok, hi, oh), abbreviations a question can hold
# (id, ct, mo, co, de, ar, sd, ne, la, pa, ma, md, ms, mt, mi, al, il, dc, nd).
PLAIN_CODES = frozenset({"AK", "AZ", "CA", "FL", "GA", "IA", "KS", "KY", "MN", "NC", "NH", "NJ", "NM", "NV", "NY", "RI",
                         "SC", "TN", "TX", "UT", "VA", "VT", "WA", "WI", "WV", "WY"})


def is_state_code(text: str) -> bool:
    """A state's code as typed: in capitals, or any case where the code is no word."""
    return len(text) == 2 and (text.isupper() and text in US_STATES or text.upper() in PLAIN_CODES)


# State codes that are English words too ("SPEND IN TEXAS", "SHOW ME", "TX OR CA"): typed in capitals, such a code is
# the state only where a state stands: first, or after a word that leads to a place ("in IN", "for ME customers",
# "excluding OK") or a list's comma ("TX, OR, CA"). Right after a value ("Travel OR Dining", "ME OR NH") or any other
# word it is the word.
WORD_CODES = frozenset({"OR", "IN", "ME", "OK", "HI"})
AFTER_A_PLACE = frozenset({"customer", "customers", "cardholder", "cardholders", "spend", "transaction", "transactions",
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


def word_code_is_state(toks: Sequence, i: int, found: Sequence, before_a_measure: bool, before_a_value: bool = False,
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
