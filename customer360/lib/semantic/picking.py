"""After a clarify, the next words pick one of its readings: by place ("the first one", "2") or by the words only one
reading holds ("the behavioural one")."""

from __future__ import annotations

from dataclasses import dataclass

from customer360.lib.semantic.understanding import Question
from customer360.lib.semantic.words import FILLER, tokens


@dataclass(frozen=True)
class Pending:
    """A clarify's readings, kept so that the next words can pick one ("the behavioural one"), and the question
    answered before it, which a follow-up that picks none still refines ("how many customers there")."""
    readings: tuple[str, ...]
    last: Question | None = None


_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "last": -1}


def pick(pending: Pending, text: str) -> str | None:
    """The reading of a clarify the words point to: by its place ("the first one", "2"), or the one reading holding
    words the others lack and every word said ("the behavioural one"); None when the words say more or less."""
    said = {t.norm for t in tokens(text)} - FILLER - {"one", "mean", "meant", "option", "reading"}
    places = [_ORDINALS.get(w, int(w) - 1 if w.isdigit() else None) for w in said]
    if len(said) == 1 and places[0] is not None and -len(pending.readings) <= places[0] < len(pending.readings):
        return pending.readings[places[0]]
    if not said:
        return None
    phrase = " ".join(t.norm for t in tokens(text) if t.norm in said)
    holding = [r for r in pending.readings if f" {phrase} " in f" {' '.join(t.norm for t in tokens(r))} "]
    if len(holding) == 1 and said <= {t.norm for t in tokens(holding[0])}:  # "customer segment": in one reading only
        return holding[0]
    words = [{t.norm for t in tokens(r)} for r in pending.readings]
    scores = [len(said & (w - set.intersection(*words))) for w in words]
    best = max(scores)
    chosen = scores.index(best)
    return pending.readings[chosen] if best and scores.count(best) == 1 and said <= words[chosen] else None
