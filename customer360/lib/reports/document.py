"""The human-readable report: one self-contained HTML file (inline SVG chart, no script, no network) a manager opens
from the bucket or an e-mail."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import jinja2
import pyarrow as pa
import pyarrow.compute as pc

from customer360.lib.reports.catalogue import Chart, Report, ReportParams

SHOWN_ROWS = 50  # the document shows the first rows; the CSV and Parquet beside it hold them all

_TEMPLATE = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ report.title }} – Customer 360</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1f2933; max-width: 70rem; }
h1 { margin-bottom: .2rem; } .meta { color: #52606d; margin-top: 0; }
table { border-collapse: collapse; font-size: .9rem; } th, td { padding: .25rem .6rem; border-bottom: 1px solid #e4e7eb; }
th { text-align: left; background: #f5f7fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.kpis { display: flex; gap: 2rem; margin: 1rem 0; } .kpi b { display: block; font-size: 1.4rem; }
</style></head><body>
<h1>{{ report.title }}</h1>
<p class="meta">{{ params.date_from }} to {{ params.date_to }} · segment: {{ params.segment or "all" }} ·
execution {{ execution_id }} · generated {{ generated_at }} UTC</p>
<p>{{ report.description }}</p>
<div class="kpis">{% for label, value in kpis %}<div class="kpi"><b>{{ value }}</b>{{ label }}</div>{% endfor %}</div>
{% if svg %}<figure>{{ svg | safe }}</figure>{% else %}<p><em>No rows for these parameters.</em></p>{% endif %}
<h2>{% if rows|length < row_count %}First {{ rows|length }} of {{ row_count }} rows{% else %}{{ row_count }} rows{% endif %}</h2>
<table><thead><tr>{% for column in columns %}<th>{{ column }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr>{% for value in row %}<td{% if value.numeric %} class="num"{% endif %}>{{ value.text }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
<p class="meta">The full result is in the CSV and Parquet files beside this document.</p>
</body></html>
""")


class _Cell:
    def __init__(self, value):
        self.numeric = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
        if value is None:
            self.text = ""
        elif isinstance(value, Decimal) and value == value.to_integral_value() and value.as_tuple().exponent >= 0:
            self.text = f"{value:,}"  # a count summed by the engine (DECIMAL(38, 0)), not an amount
        elif isinstance(value, float | Decimal):
            self.text = f"{value:,.2f}"
        elif isinstance(value, int) and not isinstance(value, bool):
            self.text = f"{value:,}"
        else:
            self.text = str(value)


def _numeric(column: pa.ChunkedArray) -> bool:
    return pa.types.is_integer(column.type) or pa.types.is_floating(column.type) or pa.types.is_decimal(column.type)


def chart_points(result: pa.Table, chart: Chart) -> tuple[list[str], list[float]]:
    """x labels and y values: the y column summed per x, or the rows counted per x when y is not a number. Dates
    and lines run in x order, bars from the largest down."""
    if result.num_rows == 0:
        return [], []
    value = chart.y if _numeric(result[chart.y]) else None
    table = result.select([chart.x])
    if value:
        table = table.append_column(value, pc.cast(result[value], pa.float64()))
    grouped = table.group_by(chart.x, use_threads=False).aggregate([(value, "sum")] if value else [([], "count_all")])
    column = f"{value}_sum" if value else "count_all"
    in_x_order = chart.kind == "line" or pa.types.is_date(result[chart.x].type)
    grouped = grouped.sort_by(chart.x if in_x_order else [(column, "descending"), (chart.x, "ascending")])
    return [str(x) for x in grouped[chart.x].to_pylist()], [float(v or 0) for v in grouped[column].to_pylist()]


def chart_svg(result: pa.Table, chart: Chart) -> str:
    """The chart as inline SVG (matplotlib's Agg-free SVG backend: no display, no files)."""
    labels, values = chart_points(result, chart)
    if not labels:
        return ""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 3.6), layout="constrained")
    axes = figure.subplots()
    if chart.kind == "line":
        axes.plot(labels, values, marker="o", color="#2f6fde")
    else:
        axes.bar(labels, values, color="#2f6fde")
    axes.set_title(chart.title)
    axes.tick_params(axis="x", labelrotation=45 if len(labels) > 6 else 0, labelsize=8)
    axes.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    axes.spines[["top", "right"]].set_visible(False)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})  # no timestamp: same data, same bytes
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def kpis(report: Report, result: pa.Table) -> list[tuple[str, str]]:
    """Headline figures: the row count and the sum of each money or count column the chart uses."""
    figures = [("rows", f"{result.num_rows:,}")]
    if result.num_rows and _numeric(result[report.chart.y]):
        total = pc.sum(pc.cast(result[report.chart.y], pa.float64())).as_py() or 0
        figures.append((f"total {report.chart.y.replace('_', ' ')}", f"{total:,.0f}"))
    return figures


def render(report: Report, params: ReportParams, result: pa.Table, execution_id: str,
           generated_at: dt.datetime) -> str:
    shown = result.slice(0, SHOWN_ROWS).to_pylist()
    return _TEMPLATE.render(
        report=report, params=params, execution_id=execution_id, generated_at=f"{generated_at:%Y-%m-%d %H:%M}",
        kpis=kpis(report, result), svg=chart_svg(result, report.chart), columns=result.column_names,
        rows=[[_Cell(row[c]) for c in result.column_names] for row in shown], row_count=result.num_rows,
    )
