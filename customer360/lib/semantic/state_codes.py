"""A state's code that is also a word (HI, ME, OR, OK, IN): where the typing cannot tell the state from the word, Ask
asks, with both readings ("spend in Hi", "me and or customers", "spend IN TX", "ME OR HI customers"); typed in
capitals where a state stands, the code is the state (vocabulary.py reads those, token by token).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from customer360.lib.semantic.periods import MONTH_NAMES
from customer360.lib.semantic.reading import Context
from customer360.lib.semantic.understanding import Clarify, Question, Refusal, Understood
from customer360.lib.semantic.us_states import US_STATES

Understand = Callable[[str, Context], Understood]


def codes_or_words(text: str, context: Context, understand: Understand) -> Understood | None:
    """Both readings of a code that may be a word, as a clarify (or the one that can be run); None when `text` has no
    such code."""
    code = _CODE_OR_WORD.search(text)
    if code and not (code.group(2) or code.group(5)).isupper():
        return _code_or_word(text, code, context, understand)
    listed = _TITLED_CODES.search(text) or _LOWER_CODES.search(text)
    if listed and not text.isupper():
        head, tail = text[:listed.start()], text[listed.end():]
        as_states = understand(head + listed.group(0).upper() + tail, context)
        as_words = understand(head + _WORD_CODE.sub(" ", listed.group(0)) + tail, context)
        readings = tuple(dict.fromkeys(u.phrase() for u in (as_states, as_words) if isinstance(u, Question)))
        if isinstance(as_states, Question):
            codes = re.findall(r"(?i:\b(?:hi|me|or|ok|in)\b)|\b[A-Z]{2}\b", listed.group(0))
            return Clarify(f"“{listed.group(0)}”: the states {', '.join(c.upper() for c in codes)}, or words? (A state's "
                           "code is read as the state when typed in capitals.)", readings)
    indiana = _IN_BEFORE_A_CODE.search(text)
    if indiana and indiana.group(1) in US_STATES and not text.isupper() and \
            text[:indiana.start()].split()[-1:] not in (["in"], ["for"], ["from"], ["and"], ["excluding"], ["except"]):
        return _state_or_word(text, indiana, "IN", context, understand)
    oregon = _OR_BETWEEN_CODES.search(text)
    if oregon and {oregon.group(1), oregon.group(2)} <= US_STATES.keys() and not text.isupper():
        return _state_or_word(text, oregon, "OR", context, understand)
    return None


# "spend in Hi", "customers in Me": a state's code in lower or title case is a word ("hi", "me") Ask would drop; after a
# word that leads to a place and before nothing else it may be the state, so Ask asks.
_CODE_OR_WORD = re.compile(r"\b(in|for|from|excluding|except)\s+(hi|ok|me|or|in)\b(?!-)(?!\s+(to|and\s+my|please)\b)"
                           r"(?!\s+['\"]?(?-i:[A-Z]))"
                           r"|^\W*()(hi|ok|me|or|in)\b(?!\s+(?:" + MONTH_NAMES + r"|q[1-4]|h[12]|the|this|last)\b)"
                           r"(?=\s+((?-i:[a-z][a-z-]*)\s+)?(customers?|cardholders?|spend|transactions?|decline|revenue|"
                           r"sales)\b)",
                           re.IGNORECASE)


# "Or, Me and Hi spend", "Ok and Hi": codes in title case in a list, states or words?
_TITLED_CODES = re.compile(r"(?-i:\b(?:Hi|Me|Or|Ok|In)\b)(?:\s*(?:,|and|&|or|\s)\s*(?-i:\b(?:Hi|Me|Or|Ok|In|[A-Z]{2})\b))+")
# "me and or customers", "ok and hi spend": the same list in lower case (not "show me and …", nor "… and in Texas")
_LOWER_CODES = re.compile(r"(?<!show )(?<!give )(?<!tell )(?<!send )(?<!let )(?<!email )\b(?:hi|me|or|ok|in)"
                          r"(?:\s*(?:,|and|&)\s*\b(?:hi|me|or|ok)\b)+(?!\s+(?:the|a|an|my|our|their|your)\b)")
_WORD_CODE = re.compile(r"\b(?:Hi|Me|Or|Ok|In|hi|me|or|ok|in)\b")
# "spend IN TX", "customers IN OH": IN in capitals among lower case, before a state's code: Indiana beside it, or "in"?
_IN_BEFORE_A_CODE = re.compile(r"(?<![A-Za-z'])IN\s+(?=([A-Z]{2})\b)")
# "ME OR HI customers", "TX OR CA": OR in capitals between two codes, Oregon listed with them, or the word "or"?
_OR_BETWEEN_CODES = re.compile(r"(?<![A-Za-z'])([A-Z]{2})\s*,?\s+OR\s+(?=([A-Z]{2})\b)")


def _state_or_word(text: str, at: re.Match, code: str, context: Context, understand: Understand) -> Understood:
    """"spend IN TX" (at: "IN " before TX), "ME OR HI customers" (at: "ME OR " before HI): the code as a state listed
    with its neighbours, or as the word."""
    before = f"{at.group(1)} " if code == "OR" else ""
    head, tail = text[:at.start()] + before, text[at.end():]
    as_state = understand(f"{head}{US_STATES[code]}, {tail}", context)
    as_word = understand(f"{head}{code.lower()} {tail}", context)
    readings = tuple(u.phrase() for u in (as_state, as_word) if isinstance(u, Question))
    if len(readings) < 2:
        return as_state if isinstance(as_state, Question) else as_word
    listed = f"{before.strip()}, " if before else ""
    return Clarify(f"“{at.group(0).strip()} {at.group(at.lastindex)}”: the states {listed}{code} ({US_STATES[code]}) and "
                   f"{at.group(at.lastindex)}, or the word “{code.lower()}”?", readings)


def _code_or_word(text: str, code: re.Match, context: Context, understand: Understand) -> Understood:
    word, at = (2, 1) if code.group(2) else (5, 4)
    typed, state = code.group(word), code.group(word).upper()
    as_state = understand(text[:code.start(word)] + state + text[code.end(word):], context)
    as_word = understand(text[:code.start(at)] + text[code.end(word):], context)
    readings = [u.phrase() for u in (as_state, as_word) if isinstance(u, Question)]
    if isinstance(as_state, Refusal) and isinstance(as_word, Question):  # "MoM change in spend in ok": not by state
        return Clarify(f"“{typed}” can be the state {state} ({US_STATES[state]}) or the word “{typed.lower()}”. As the "
                       f"state: {as_state.reason.rstrip('.')}. As the word, the question below.", tuple(readings))
    if not isinstance(as_state, Question):
        return as_word
    return Clarify(f"“{typed}” can be the state {state} ({US_STATES[state]}) or the word “{typed.lower()}”: which one? "
                   "(A state's code is read as the state when typed in capitals.)", tuple(readings))
