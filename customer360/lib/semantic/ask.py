"""Ask on the semantic model without a language model: a question in words -> an answer anyone can check.

    asker = Asker.over(fetch, as_of=..., role="MARKETING_MANAGER", reads_observability=False)
    answer = asker.ask("Who are our top 10 customers by spending?")
    answer.as_json()  # question, status, interpretation, sql, params, columns, rows, chart, suggestions

Every answer is one of three: `answered` (a restatement of what was understood, the generated SQL with its bound
values, the rows and a chart kind: number, bar, line or table), `clarify` (two or three readings Ask can run, as
questions) or `refused` (the reason: the role may not read it, the model has no such measure, the churn model has
scored no one). Never a figure from a guess. `fetch(sql, params) -> (columns, rows)` runs a statement on either
engine; Ask itself never writes: a report request is filed through the `file` its caller passes to `ask`.

One module per job: words.py (normalized words), periods.py (time, relative to as-of), vocabulary.py (what can be
recognized), parser.py (question -> understanding), followup.py (refining the previous question), ranked_sets.py
(follow-ups about a ranked set), picking.py (a clarify's reading picked), build.py (SQL), report_requests.py (report
requests), understanding.py (what was understood, said back).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from customer360.lib.reports.catalogue import REPORTS_BY_NAME, ReportParams
from customer360.lib.reports.publish import REPORTS_PREFIX
from customer360.lib.reports.requests import RESULT_EXTENSIONS
from customer360.lib.semantic import CHURN_MODEL_COLUMNS, SemanticModel, load, uses_churn_model
from customer360.lib.semantic.build import Statement, health_sql, question_sql
from customer360.lib.semantic.context import in_context
from customer360.lib.semantic.followup import THAT_ONE, is_follow_up, refine, repeats
from customer360.lib.semantic.parser import understand
from customer360.lib.semantic.parts_of_a_figure import as_share, drops_a_share
from customer360.lib.semantic.periods import span_label
from customer360.lib.semantic.picking import Pending, pick
from customer360.lib.semantic.ranked_sets import (
    LeftOut,
    adds_to_ranking,
    among_ranked,
    drops_ranked_set,
    leaves_out_ranked,
    names_ranked_set,
    ranked_set,
    set_or_all,
    splits_ranking,
    without_ranked,
)
from customer360.lib.semantic.reading import HIGH_CARDINALITY, Context, rank_words
from customer360.lib.semantic.report_requests import Filed, FileRequest, NotFiled, request_command, title
from customer360.lib.semantic.steering import in_order
from customer360.lib.semantic.understanding import (
    Clarify,
    Dim,
    Filter,
    Health,
    Question,
    Refusal,
    ReportRequest,
    Understood,
    label,
)
from customer360.lib.semantic.vocabulary import Vocabulary, build, distinct_values
from customer360.lib.semantic.words import tokens

Fetch = Callable[[str, Sequence], tuple[list[str], list[tuple]]]
# Words of a follow-up that name what the previous answer listed ("their decline rate", "how many did they make").
_REFERS = re.compile(r"\b(their|they|them|those|these|its|there|" + THAT_ONE + r")(?!\w)", re.IGNORECASE)
_LEAVING_OUT = re.compile(r"\b(exclud\w*|except|without|not|other\s+than|leave\s+out|leaving\s+out|remove|drop)\b",
                         re.IGNORECASE)
# "spend by state except the top 5", "…, excluding the worst 3": a ranked set left out of a figure by group
_BUT_THE_RANKED = re.compile(r"\s*,?\s*\b(?:except|excluding|without|but\s+not|not\s+counting|minus|leaving\s+out|"
                             r"other\s+than)\s+(?:for\s+)?the\s+(?:top|bottom|best|worst|biggest|largest|highest|lowest|"
                             r"smallest)(?:\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten))?(?:\s+(?:states?|"
                             r"categor(?:y|ies)|merchant\s+categor(?:y|ies)|channels?|card\s+types?|segments?|customers?|"
                             r"cardholders?|age\s+bands?|merchants?))?\b", re.IGNORECASE)
# "its decline rate", "spend there", "that state's customers": words that point back to an answer before
_POINTS_BACK = re.compile(r"\b(?:its|" + THAT_ONE + r"|(?<!\bis\s)(?<!\bare\s)(?<!\bwas\s)(?<!\bwere\s)(?<!\bhi\s)(?<!\bhey\s)"
                          r"(?<!\bhello\s)there(?!\s+(?:is|are|was|were)\b))(?!\w)",
                          re.IGNORECASE)
MAX_CARRIED = 10  # ranked values a follow-up carries as a filter
ANSWERED, CLARIFY, REFUSED = "answered", "clarify", "refused"


@dataclass(frozen=True)
class Answer:
    question: str
    status: str  # answered | clarify | refused
    interpretation: str
    sql: str | None = None
    params: tuple = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple, ...] = ()
    chart: str | None = None  # number | bar | line | table; None unless answered
    suggestions: tuple[str, ...] = ()
    understood: Question | None = field(default=None, compare=False)  # what a follow-up refines
    last: Question | None = field(default=None, compare=False)  # the question answered before a clarify or refusal

    @property
    def context(self) -> Question | Pending | None:
        """What the next question may follow up on: the question answered, a clarify's readings to pick from (with
        the question answered before it), or after a refusal the question answered before it."""
        if self.understood is not None:
            return self.understood
        return Pending(self.suggestions, self.last) if self.status == CLARIFY and self.suggestions else self.last

    def as_json(self) -> dict:
        return {"question": self.question, "status": self.status, "interpretation": self.interpretation,
                "sql": self.sql, "params": [json_value(p) for p in self.params], "columns": list(self.columns),
                "rows": [[json_value(v) for v in row] for row in self.rows], "chart": self.chart,
                "suggestions": list(self.suggestions)}


def json_value(value):
    """A value as JSON carries it: numbers as numbers, days and times as ISO text."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars from a pandas frame
        return json_value(value.item())
    return value


@dataclass
class Asker:
    model: SemanticModel
    vocabulary: Vocabulary
    fetch: Fetch
    as_of: dt.date
    role: str = ""
    reads_observability: bool = False
    reports_location: str = REPORTS_PREFIX  # where report files land (the object store's location + reports/)
    history_start: dt.date | None = None  # the first transaction's day, read once (a partial first month is said)

    @classmethod
    def over(cls, fetch: Fetch, as_of: dt.date, role: str = "", reads_observability: bool = False,
             reports_location: str = REPORTS_PREFIX, model: SemanticModel | None = None) -> Asker:
        """An Asker whose vocabulary holds the warehouse's distinct values (one statement per logical table)."""
        model = model or load()
        _, rows = fetch(model.with_ctes("SELECT MIN(transaction_date) AS first_day FROM __transactions"), [])
        first = rows[0][0] if rows else None
        return cls(model, build(model, distinct_values(model, fetch)), fetch, as_of, role, reads_observability,
                   reports_location, first if isinstance(first, dt.date) else None)

    @property
    def context(self) -> Context:
        return Context(self.vocabulary, self.as_of, self.reads_observability, self.role, self.history_start)

    def understand(self, question: str, previous: Question | Pending | None = None) -> Understood:
        understood = self._understood(question, previous)
        if isinstance(previous, Question) and isinstance(understood, Question) and drops_a_share(question, understood):
            return Clarify(f"“{question.strip(' ?!.')}” asks for a share, but Ask could not read of what: ask it as "
                           "“what share of spend last month came from online”, or take the amount below.",
                           (understood.phrase(),))
        return understood

    def _understood(self, question: str, previous: Question | Pending | None) -> Understood:
        ranked_out = _BUT_THE_RANKED.search(question)
        if ranked_out and ranked_out.start() > 0:  # "spend by state except the top 5 last month": the figure (with
            # what follows the ranked words: its period, its filters), then "except the top 5" as its follow-up
            base = self._understood(f"{question[:ranked_out.start()]} {question[ranked_out.end():]}", previous)
            if isinstance(base, Question):
                return self._understood(ranked_out.group(0).strip(" ,"), base)
        ordered = in_order(question)
        if ordered and ordered[0] > 0:  # "spend by state from lowest to highest": the figure, then "sort" on it
            start, end, sort = ordered
            base = self._understood(f"{question[:start]} {question[end:]}", previous)
            if isinstance(base, Question) and (base.dims or base.grain) and base.rank is None:
                return self._understood(sort, base)
        if isinstance(previous, Pending):  # after a clarify: "the behavioural one" picks a reading
            fresh = understand(question, self.context)
            picked = pick(previous, question) if not isinstance(fresh, Question) else None
            if picked:
                return understand(picked, self.context)
            if previous.last is not None and is_follow_up(question, self.context):  # "how many customers there"
                return self._understood(question, previous.last)  # still follows the question answered before
            return _nothing_to_point_back_to(question, self.context) if _POINTS_BACK.search(question) else fresh
        if previous is None and _POINTS_BACK.search(question):  # "its decline rate" as the first question
            return _nothing_to_point_back_to(question, self.context)
        if previous is not None and is_follow_up(question, self.context):
            left = leaves_out_ranked(previous, question, self.context)  # "exclude the top 3" after "spend by state"
            if left is not None:
                return self._without(previous, left, question)
            if names_ranked_set(previous, question, self.context):  # "for the top 3 states" after "spend by month"
                return self._among_ranked(previous, question)
            entities = self._ranked_entities(previous, question)
            if not isinstance(entities, Question):
                return entities
            refined = refine(entities, question, self.context)
            if refined is not None:
                return refined
            if entities != previous:  # "their spend" after "top 2 customers by spend": those two's spend
                return understand(entities.phrase(), self.context)
            if repeats(previous, question, self.context):  # "by state" after spend by state: the same question
                return understand(replace(previous, notes=()).phrase(), self.context)
        fresh = understand(question, self.context)
        if drops_ranked_set(previous, fresh):  # "how many customers" after "top 3 states by decline rate"
            theirs = self._carried(previous, question, question.strip(" ?!."))
            return set_or_all(previous, fresh, theirs, question, self.context)
        if isinstance(previous, Question) and isinstance(fresh, Question):
            return in_context(previous, fresh, question, self.context)
        return fresh

    def ask(self, question: str, previous: Question | Pending | None = None, file: FileRequest | None = None) -> Answer:
        """The answer to `question`. A report request is filed through `file` (the caller's write: Ask only
        reads); without it, the answer says what would be filed and the command that files it."""
        answer = self._answer(question, previous, file)
        last = previous.last if isinstance(previous, Pending) else previous
        return replace(answer, last=last) if answer.understood is None else answer

    def _answer(self, question: str, previous: Question | Pending | None, file: FileRequest | None) -> Answer:
        understood = self.understand(question, previous)
        if isinstance(understood, Clarify) and isinstance(previous, Pending) and not understood.readings:
            understood = Clarify(understood.reason, previous.readings)
        if isinstance(understood, Clarify):
            return Answer(question, CLARIFY, understood.reason, suggestions=understood.readings)
        if isinstance(understood, Refusal):
            return Answer(question, REFUSED, understood.reason, suggestions=understood.suggestions)
        if isinstance(understood, Health):
            return self._run(question, understood.restate(), health_sql(understood.topic))
        if isinstance(understood, ReportRequest):
            return self._report(question, understood, file)
        missing = self._churn_model_missing(understood)
        if missing:
            return Answer(question, REFUSED, missing, suggestions=_rule_based(understood))
        unknown = self._unknown_customers(understood)
        if unknown:
            return Answer(question, REFUSED, f"No customer has the id {', '.join(unknown)}: a figure for it would be a "
                          "0 for no one. Ids look like CUST00000042 (“top 10 customers by spend” lists some).",
                          suggestions=("Who are our top 10 customers by spending?",))
        statement = question_sql(self.model, understood, self.as_of)
        return self._run(question, understood.restate(self.as_of), statement, understood)

    def _ranked_entities(self, previous: Question, question: str) -> Question | Refusal:
        """"their decline rate" after "top 1 customer by spend": the customers listed, not a new ranking by the new
        measure. The ranking is run again and its values become the filter the follow-up refines."""
        refers = _REFERS.search(question)
        if previous.rank is None or previous.change or as_share(question) or rank_words(tokens(question))[0] is not None \
                or not (refers or splits_ranking(previous, question, self.context)  # "by channel": theirs, split
                        or adds_to_ranking(previous, question, self.context)):  # "and OK": theirs and OK
            return previous
        return self._carried(previous, question, refers.group(0) if refers else question.strip(" ?!."))

    def _carried(self, previous: Question, question: str, said: str) -> Question | Refusal:
        """The ranking run again, its values the filter of the question the follow-up refines."""
        if previous.grain or len(previous.dims) != 1:
            return Refusal(f"“{said}” names what the ranking listed, and Ask carries the values of one grouping "
                           "(customers, states, categories...) into a follow-up, not these. Ask for them by name.",
                           (previous.phrase(),))
        dim = previous.dims[0]
        values = self._listed(previous, dim)
        if isinstance(values, Refusal):
            return values
        if _LEAVING_OUT.search(question):  # "exclude them": everything but the ranking's values
            wide = dim.column in HIGH_CARDINALITY  # the other customers' total, not each of them
            return replace(previous.with_filter(Filter(dim, values, negated=True)), rank=None, notes=(),
                           dims=() if wide else previous.dims)
        return replace(previous.with_filter(Filter(dim, values)), rank=None, notes=())

    def _among_ranked(self, previous: Question, question: str) -> Understood:
        """"for the top 3 states" after "spend by month": the states are ranked, then asked about by month; after "top
        3 categories by spend", the three categories are kept and the states ranked among their spend."""
        base = self._carried(previous, question, question.strip(" ?!.")) if previous.rank else previous
        if not isinstance(base, Question):
            return base
        ranking = ranked_set(base, question, self.context) or understand(question, self.context)
        if not isinstance(ranking, Question) or ranking.rank is None or len(ranking.dims) != 1 or ranking.grain:
            return ranking
        values = self._listed(ranking, ranking.dims[0])
        return values if isinstance(values, Refusal) else among_ranked(base, ranking, values, question, self.context)

    def _without(self, previous: Question, left: LeftOut | Refusal, question: str) -> Understood:
        """The previous question without the values the ranking `left` lists."""
        if isinstance(left, Refusal):
            return left
        values = self._listed(left.ranking, left.dim)
        return values if isinstance(values, Refusal) else without_ranked(previous, left, values, question, self.context)

    def _listed(self, ranking: Question, dim: Dim) -> tuple[str, ...] | Refusal:
        """The values a ranking lists, in its order, when there are few enough to carry into a follow-up."""
        columns, rows = self.fetch(*_statement(question_sql(self.model, ranking, self.as_of)))
        values = tuple(dict.fromkeys(str(row[list(columns).index(dim.column)]) for row in rows))
        if not values or len(values) > MAX_CARRIED:
            return Refusal(f"The ranking lists {len(values)} {dim.column.replace('_', ' ')} values; Ask carries 1 to "
                           f"{MAX_CARRIED} into a follow-up. Ask for them by name.", (ranking.phrase(),))
        return values

    def _run(self, question: str, interpretation: str, statement: Statement, understood: Question | None = None) -> Answer:
        columns, rows = self.fetch(statement.sql, list(statement.params))
        if understood is not None:
            interpretation += "".join(f". {note}" for note in _absent(understood, columns, rows))
        return Answer(question, ANSWERED, interpretation, statement.sql, statement.params, tuple(columns),
                      tuple(tuple(r) for r in rows), statement.chart, understood=understood)

    def _unknown_customers(self, question: Question) -> list[str]:
        """The customer ids the question names that no customer has (every value is a bound parameter)."""
        named = sorted({v for f in question.filters if f.dim.column == "customer_id" and not f.negated for v in f.values})
        if not named:
            return []
        marks = ", ".join("?" * len(named))
        _, rows = self.fetch(self.model.with_ctes(f"SELECT customer_id FROM __customers WHERE customer_id IN ({marks})"),
                             named)
        return [v for v in named if v not in {row[0] for row in rows}]

    def _churn_model_missing(self, question: Question) -> str | None:
        """Why no figure from the churn model's bands or scores can be given, when it has scored no one."""
        named = {question.measure.name, *(d.column for d in question.dims),
                 *(f.dim.column for f in (*question.filters, *question.share_of))}
        table = self.model.table(question.measure.table)
        metric = question.measure.name in {m.name for m in table.metrics}  # "average churn score" is one
        if not named & set(CHURN_MODEL_COLUMNS) and not (metric and uses_churn_model(table.metric(question.measure.name).expr)):
            return None
        _, rows = self.fetch(self.model.with_ctes("SELECT COUNT(model_churn_risk_score) AS scored FROM __customers"), [])
        if rows and rows[0][0]:
            return None
        return ("The churn model has not scored any customer yet, so a figure from its bands or scores would be "
                "computed from nothing. It needs 9 months of history: train it with the churn_training job "
                "(`make demo` runs it when the history is long enough). The rule-based churn band is there meanwhile.")

    def _report(self, question: str, request: ReportRequest, file: FileRequest | None) -> Answer:
        """With `file`, the request is filed and the answer is its row; without, what would be filed and how."""
        dates = (f"{span_label(request.date_from, request.date_to)} ({request.period.phrase}: {request.period.rule})"
                 if request.period and request.date_from else
                 "as of the latest build (the watchlist has no date range)" if request.date_from is None else
                 f"{span_label(request.date_from, request.date_to)} (the report's default: the 365 days to as-of)")
        what = f"the {title(request)} report for {dates}" + (f", segment {request.segment}" if request.segment else "")
        if file is not None:
            try:
                filed = file(request)
            except NotFiled as why:
                return Answer(question, REFUSED, f"Not filed: {what}. {why}", suggestions=(request_command(request),))
            return self._filed(question, what, filed)
        report = REPORTS_BY_NAME[request.report]
        params = ReportParams(request.date_from or self.as_of, request.date_to or self.as_of, request.segment)
        sql, values = report.query(params)
        command = request_command(request)
        where = self._result_location(request.report, request.date_to or self.as_of)
        interpretation = (f"{what[0].upper()}{what[1:]}. Not filed here (this Ask has no way to write the request): "
                          f"file it with {command} — its files (CSV, Parquet, HTML) land under {where}. The SQL below "
                          "is what it runs.")
        columns = ("report", "title", "date_from", "date_to", "segment", "request_command", "result_location")
        row = (request.report, title(request), request.date_from, request.date_to, request.segment, command, where)
        return Answer(question, ANSWERED, interpretation, " ".join(sql.split()), tuple(values), columns, (row,),
                      "table")

    def _filed(self, question: str, what: str, filed: Filed) -> Answer:
        where = self._result_location(filed.report, filed.date_to or self.as_of)
        files = ", ".join(f"{filed.report}.{ext}" for ext in RESULT_EXTENSIONS)
        interpretation = (
            f"Filed report request {filed.request_id}: {what}. Status: {filed.status}; the requests sensor starts it "
            "within seconds while the Dagster daemon runs (make dev). Follow it with `python -m customer360 "
            f"request-status {filed.request_id}` or on the app's Reports page. Its files ({files}) will land under "
            f"{where}, <run id> being the Dagster run that picks it up; no export table (request-report "
            "--export-table loads one). The SQL below is the insert that files the same request by hand.")
        columns = ("request_id", "report", "date_from", "date_to", "segment", "status", "result_location")
        row = (filed.request_id, filed.report, filed.date_from, filed.date_to, filed.segment, filed.status, where)
        return Answer(question, ANSWERED, interpretation, filed.sql, filed.params, columns, (row,), "table")

    def _result_location(self, report: str, date_to: dt.date) -> str:
        return f"{self.reports_location}{report}/{date_to.isoformat()}/<run id>/"


def _nothing_to_point_back_to(question: str, context) -> Understood:
    """"how many customers there" with no answer before it: the figure for everyone would be a confident answer to
    another question, so Ask asks for the place or group by name, offering the figure for everyone."""
    word = _POINTS_BACK.search(question).group(0)
    understood = understand(_POINTS_BACK.sub(" ", question), context)
    if not isinstance(understood, Question) or understood.filters:  # "the spend there in Texas": it names its place
        return understood
    return Clarify(f"“{word}” points back to an earlier answer, and there is none before this question: name the "
                   "place or group (“how many customers in Texas”). The figure for everyone is below.",
                   (replace(understood, notes=()).phrase(),))


def _absent(question: Question, columns: Sequence[str], rows: Sequence[Sequence]) -> list[str]:
    """"Premium vs Standard", "Texas vs California": a value compared that no row matches has no row in the answer;
    said, so that its absence is not read as a figure left out."""
    notes = []
    for f in question.filters:
        if f.negated or len(f.values) < 2 or f.dim.column not in columns or \
                question.rank is not None and question.rank.n < len(f.values):  # "which is busier, TX or CA": one row
            continue
        at = list(columns).index(f.dim.column)
        missing = [v for v in f.values if v not in {row[at] for row in rows}]
        if missing:
            notes.append(f"No row matches {label(f.dim.column)} {' or '.join(missing)}: it has no row here")
    return notes


def _statement(statement: Statement) -> tuple[str, list]:
    return statement.sql, list(statement.params)


def _rule_based(question: Question) -> tuple[str, ...]:
    """The question with the model's churn band replaced by the rule-based one, when that is what it names."""
    swapped = [replace(f, dim=replace(f.dim, column="churn_risk_band")) if f.dim.column == "model_churn_risk_band"
               else f for f in question.filters]
    dims = tuple(replace(d, column="churn_risk_band") if d.column == "model_churn_risk_band" else d
                 for d in question.dims)
    if question.measure.name in CHURN_MODEL_COLUMNS or swapped == list(question.filters) and dims == question.dims:
        return ("How many customers are in each churn risk band?",)
    return (replace(question, filters=tuple(swapped), dims=dims, notes=()).phrase(),)
