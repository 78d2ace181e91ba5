"""What Ask understood a question to mean, before any SQL: a data question (a measure, groupings, filters, a period, a
ranking), pipeline health, a report request, or the reason it cannot answer (clarify, refused).

A data question can be said back in words (`restate`, for people) and as a canonical question (`phrase`, which the
parser reads back to the same thing: readings and suggestions are always questions Ask answers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from customer360.lib.semantic.periods import Period, span_label
from customer360.lib.semantic.us_states import US_STATES, WORD_CODES

RANK_DEFAULT = 10
LABELS = {"customer_id": "customer", "model_churn_risk_band": "churn band (model)",
          "churn_risk_band": "churn band (rule-based)", "customer_segment": "generated segment"}


def words(name: str) -> str:
    return name.replace("_", " ")


def label(name: str) -> str:
    return LABELS.get(name, words(name))


def plural(text: str) -> str:
    """customer -> customers, merchant category -> merchant categories, generated segment -> generated segments."""
    if text.endswith(")"):
        head, _, tail = text.partition(" (")
        return f"{plural(head)} ({tail}"
    if text.endswith("y") and not text.endswith(("ay", "ey", "oy")):
        return text[:-1] + "ies"
    return text if text.endswith("s") else text + "s"


@dataclass(frozen=True)
class Measure:
    table: str
    name: str  # a metric's name, or a fact's
    aggregate: str | None = None  # a fact's: "SUM" | "AVG"; None for a metric, or a fact per customer

    @property
    def column(self) -> str:
        """The result's column name."""
        return {"SUM": f"total_{self.name}", "AVG": f"average_{self.name}"}.get(self.aggregate or "", self.name)

    def words(self) -> str:
        return words(self.column)


# The status a measure counts (the transactions behind its figure have it), and the amount of a status's transactions.
FIXED_STATUS = {"approved_spend": "approved", "average_transaction_value": "approved", "spend_per_customer": "approved",
                "declined_amount": "declined"}
AMOUNT_OF = {"declined": Measure("transactions", "declined_amount"), "approved": Measure("transactions", "approved_spend")}


@dataclass(frozen=True)
class Dim:
    table: str
    column: str


@dataclass(frozen=True)
class Filter:
    dim: Dim
    values: tuple[str, ...]
    negated: bool = False

    def describe(self) -> str:
        shown = ", ".join(self.values)
        if self.negated:  # "channel not Mobile or In-Store": neither is counted
            return f"{label(self.dim.column)} not {' or '.join(self.values)}"
        return f"{label(self.dim.column)} {shown}" if len(self.values) == 1 else f"{label(self.dim.column)} in {shown}"

    def phrase(self) -> str:
        values = " and ".join(said(self.dim.column, v) for v in self.values)
        return f"{'excluding ' if self.negated else 'for '}{words(self.dim.column)} {values}"


def said(column: str, value: str) -> str:
    """A value as a canonical question writes it: a state whose code is also a word (HI, OK, ME, IN, OR) by its name,
    which reads back as the state wherever it stands."""
    return US_STATES[value] if column == "state" and value in WORD_CODES else value


@dataclass(frozen=True)
class Rank:
    descending: bool
    n: int


@dataclass(frozen=True)
class Question:
    """A data question: one measure, at most two groupings (dimensions and a time grain), filters, a period."""
    measure: Measure
    dims: tuple[Dim, ...] = ()
    grain: str | None = None  # day | week | month | quarter | year
    filters: tuple[Filter, ...] = ()
    period: Period | None = None
    rank: Rank | None = None
    share: bool = False
    share_of: tuple[Filter, ...] = ()  # with share: the part whose share is asked ("share of spend that is Online")
    change: str | None = None  # month over month: "all" | "drop" | "rise"
    notes: tuple[str, ...] = field(default=(), compare=False)  # how a word was read, said in the restatement

    def with_filter(self, new: Filter) -> Question:
        kept = tuple(f for f in self.filters if f.dim.column != new.dim.column)
        return replace(self, filters=(*kept, new), share_of=tuple(f for f in self.share_of
                                                                      if f.dim.column != new.dim.column))

    def restate(self, as_of: dt.date) -> str:
        """What was understood, in words: "Approved spend by month, Dec 2025–May 2026 (last 6 months: ...)"."""
        measure = words(self.measure.column)
        shared = {f.dim for f in self.share_of}
        groups = [label(d.column) for d in self.dims if d not in shared]
        if self.grain and not self.change:
            groups.append(self.grain)
        if self.change:
            text = {"all": "Month-over-month change of approved spend, per month",
                    "drop": "Biggest monthly drop in approved spend", "rise": "Biggest monthly rise in approved spend"
                    }[self.change]
            if self.rank and self.rank.n > 1:
                text = text.replace("Biggest monthly drop", f"The {self.rank.n} biggest monthly drops").replace(
                    "Biggest monthly rise", f"The {self.rank.n} biggest monthly rises")
        elif self.rank:
            ranked = " and ".join(plural(g) if self.rank.n > 1 else g for g in groups)
            text = f"{'Top' if self.rank.descending else 'Bottom'} {self.rank.n} {ranked} by {measure}"
            if self.share and self.share_of:  # ranked by the part's share within each group
                text = (f"{'Top' if self.rank.descending else 'Bottom'} {self.rank.n} {ranked} by the share of {measure} "
                        f"that is {' and '.join(f.describe() for f in self.share_of)} within each {' and '.join(groups)}")
            elif self.share:  # "what share of spend comes from the top 10 customers": each one's, not theirs together
                text += f", with each one's share of all {measure}"
        elif self.share:
            text = f"Share of {measure}"
            if self.share_of:
                text += " that is " + " and ".join(f.describe() for f in self.share_of)
            wholes = [label(d.column) for d in compared_wholes(self)] if not self.share_of else []
            groups = [g for g in groups if g not in wholes]
            if groups:
                text += (" within each " if self.share_of else " by ") + " and ".join(groups)
            if wholes:
                text += " within each " + " and ".join(wholes)
        else:
            text = measure[0].upper() + measure[1:] + (" by " + " and ".join(groups) if groups else "")
        within = "within " if self.share and self.share_of else ""  # the whole the share is taken in
        parts = [text, *(within + f.describe() for f in self.filters)]
        recent = "90_days" in self.measure.name  # a figure of the last 90 days, whatever the period
        parts.append(self.period.describe() if self.period else
                     f"the 90 days to {span_label(as_of, as_of)}" if recent else span_label(None, as_of))
        return ", ".join(parts) + "".join(f". {note}" for note in self.notes)

    def phrase(self) -> str:
        """The canonical question: the parser reads it back to this question."""
        measure = self.measure.words()
        if self.change:
            measure = {"all": "month over month change in spend", "drop": "biggest drop in monthly spend",
                       "rise": "biggest rise in monthly spend"}[self.change]
        parts = []
        if self.share:
            parts.append(f"share of {measure}")
            parts += [f"that is {words(f.dim.column)} {' and '.join(said(f.dim.column, v) for v in f.values)}"
                      for f in self.share_of]
        elif self.rank:
            what = " and ".join(words(d.column) for d in self.dims) or f"{self.grain}s"
            parts.append(f"{'top' if self.rank.descending else 'bottom'} {self.rank.n} {what} by {measure}")
        else:
            parts.append(measure)
        if not self.rank or self.share:
            shared = {f.dim for f in self.share_of}
            groups = [words(d.column) for d in self.dims if d not in shared] + \
                ([self.grain] if self.grain and not self.change else [])
            if groups:
                parts.append("by " + " and ".join(groups))
            if self.rank:  # "share of spend that is Online by merchant category top 3"
                parts.append(f"{'top' if self.rank.descending else 'bottom'} {self.rank.n}")
        elif self.grain and self.dims:
            parts.append(f"by {self.grain}")
        parts += [f.phrase() for f in self.filters]
        if self.period:
            parts.append(period_words(self.period))
        return " ".join(parts)


def compared_wholes(question: Question) -> tuple[Dim, ...]:
    """The dimensions of values compared in a share without a part ("share of spend by card type for Texas and
    California"): each value is a whole the shares are taken in."""
    if not question.share or question.share_of:
        return ()
    return tuple(f.dim for f in question.filters if len(f.values) > 1 and not f.negated and f.dim in question.dims)


def period_words(period: Period) -> str:
    """A period as a canonical question says it: its own words, or dates when they depend on context."""
    return _explicit(period) or period.phrase


def _explicit(period: Period) -> str | None:
    """Periods whose words depend on context ("March", "Q1") are said as dates in a canonical question."""
    if period.phrase.lower().startswith(("last", "past", "previous", "this", "in the last", "over the last",
                                         "for the last", "today", "yesterday")):
        return None
    start = period.start.isoformat() if period.start else None
    end = period.end.isoformat()
    return f"between {start} and {end}" if start else f"until {end}"


@dataclass(frozen=True)
class Health:
    topic: str  # status | failures | last_run | counts

    def restate(self) -> str:
        return {"status": "Pipeline health: the latest run of each job, with the data-quality checks that failed in "
                          "the last 7 days",
                "failures": "Data-quality checks that failed in the last 7 days",
                "last_run": "The latest run of each job, newest first",
                "counts": "Rows per table, as the latest measurement of each day recorded"}[self.topic]


@dataclass(frozen=True)
class ReportRequest:
    report: str
    date_from: dt.date | None
    date_to: dt.date | None
    segment: str = ""
    period: Period | None = None


@dataclass(frozen=True)
class Clarify:
    reason: str
    readings: tuple[str, ...]  # two or three questions Ask answers


@dataclass(frozen=True)
class Refusal:
    reason: str
    suggestions: tuple[str, ...] = ()


Understood = Question | Health | ReportRequest | Clarify | Refusal

# What Ask offers when it has nothing better to suggest: questions it answers on any built warehouse.
ONBOARDING = ("Who are our top 10 customers by spending?", "Show me revenue trends for the last 6 months",
              "How many customers are in each behavioural segment?")
