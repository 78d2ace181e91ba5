"""What a phrase of a question can mean over the semantic model (a measure, a dimension, a value), and a span of
tokens with all its meanings: the parser's units, from vocabulary.py on."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True)
class Span:
    """Consecutive tokens of a question and everything they can mean."""
    start: int  # token index
    end: int  # one past the last token
    text: str
    meanings: tuple[Meaning, ...]

    def of(self, kind: type) -> list:
        return [m for m in self.meanings if isinstance(m, kind)]
