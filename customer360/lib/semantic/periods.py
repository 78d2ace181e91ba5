"""Time in a question, read relative to the data's as-of date (C360_AS_OF), by the conventions every figure follows:

- "last N days" = the N days ending on as-of; "today" = as-of, "yesterday" = the day before;
- "last N weeks / months / quarters / years" = the N complete calendar units (weeks run Monday to Sunday) before the
  one as-of falls in; "last week / month / quarter / year" = the last complete one;
- "this week / month / quarter / year" (and "month to date", "YTD") = from its first day to as-of;
- "in 2026", "in March", "in Q1", "between two dates", "since a date", "before a date": calendar ranges, a month or
  quarter without a year being its latest occurrence that has begun by as-of;
- "as of today", "to now", "up to today", "so far", "to date", "ever", "all time": no period of their own (every
  figure ends on as-of already); "as of" a date is from the first day of history to that date;
- nothing after as-of counts: a range reaching past as-of ends there, one that begins after it is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from customer360.lib.semantic.words import NUMBER_WORDS

UNITS = ("day", "week", "month", "quarter", "year")
MONTHS = {name: number for number, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")], start=1) for name in names}
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))  # a month's name or abbreviation, as a regex alternation
_MONTH = MONTH_NAMES
_NUMBER = r"\d+|" + "|".join(NUMBER_WORDS)
_ORD = r"(?:st|nd|rd|th)?"
_HALF = r"(?:h[12]|(?:the\s+)?(?:first|second|1st|2nd)\s+half(?:\s+of)?)"  # "H1 2026", "the second half of 2025"
_NTH_QUARTER = r"(?:the\s+)?(?:first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter(?:\s+of)?"  # "the second quarter of 2026"
_DATE = (rf"\d{{4}}-\d{{2}}-\d{{2}}|(?:{_MONTH})\.?\s+\d{{1,2}}{_ORD}(?:,?\s+\d{{4}})?"
         rf"|\d{{1,2}}{_ORD}\s+(?:of\s+)?(?:{_MONTH})\.?(?:,?\s+\d{{4}})?|(?:{_MONTH})\.?(?:\s+\d{{4}})?"
         r"|q[1-4](?:\s+\d{4})?|" + _HALF + r"(?:\s+\d{4})?|" + _NTH_QUARTER + r"(?:\s+\d{4})?|(?:19|20)\d{2}")
_WHOLE_WORD = r"\b(?:full|complete|whole|calendar)\b"
_WHOLE = rf"(?:{_WHOLE_WORD}\s+)?"  # "last full month": the last complete one, as always
_PREFIX = r"(?:(?:in|during|over|for|within|from|of)\s+)?(?:the\s+)?"
_PATTERNS = [
    # "June-August 2026", "jun to aug 2026", "Nov through Feb 2026": months with the year said once, at the end
    ("months", re.compile(rf"\b(?:(?:in|during|for|from)\s+)?(?P<a>{_MONTH})\.?\s*(?:-|–|to|through|thru|until)"
                          rf"\s*(?P<b>{_MONTH})\.?\s+(?P<year>(?:19|20)\d{{2}})\b")),
    # "the last quarter of 2025", "the first month of 2026", "the final week of 2025": a year's first or last unit
    ("end_of_year", re.compile(r"\b(?:(?:in|during|for|over)\s+)?the\s+(?P<end>last|final|first)\s+"
                               r"(?P<unit>quarter|month|week|half)\s+of\s+(?P<year>(?:19|20)\d{2})\b")),
    ("range", re.compile(rf"\bbetween\s+(?P<a>{_DATE})\s+and\s+(?P<b>{_DATE})\b")),
    ("range", re.compile(rf"\bfrom\s+(?P<a>{_DATE})\s+(?:to|until|till|through|thru|-)\s+(?P<b>{_DATE})\b")),
    ("since", re.compile(rf"\b(?P<word>since|after|from|starting)\s+(?:the\s+(?:start|beginning)\s+of\s+)?(?P<a>{_DATE})\b")),
    ("until", re.compile(rf"\b(?P<word>before|until|till|through|up\s+to|as\s+of)\s+(?P<a>{_DATE})\b")),
    ("until", re.compile(rf"\b(?P<word>as\s+(?:of|at)|up\s+to|until|till|through)\s+(?:the\s+)?end\s+of\s+(?P<a>{_DATE})\b")),
    ("since_last", re.compile(r"\b(?:since|from)\s+(?:the\s+)?(?:(?:start|beginning)\s+of\s+)?(?:the\s+)?"
                              r"(?:last|previous|prior)\s+(?P<unit>week|month|quarter|year)\b")),
    ("this", re.compile(r"\b(?:since|from)\s+the\s+(?:start|beginning)\s+of\s+(?:the|this)\s+"
                        r"(?P<unit>week|month|quarter|year)\b")),
    # "last year's Q4", "this year's March": the named range in that year
    ("of_year", re.compile(rf"\b(?:(?:in|during|for)\s+)?(?P<which>last|this|previous|prior)\s+year(?:'?s)?\s+"
                           rf"(?P<a>(?:{_MONTH})\.?|q[1-4]|{_HALF}|{_NTH_QUARTER})(?!\w)")),
    # "November last year", "Q1 this year", "the first half of last year": the named range in that year
    ("of_year", re.compile(rf"\b(?:(?:in|during|for|of)\s+)?(?P<a>(?:{_MONTH})\.?|q[1-4]|{_HALF}|{_NTH_QUARTER})\s+(?:of\s+)?"
                           r"(?P<which>last|this|previous|prior)\s+year\b")),
    ("last_n", re.compile(rf"\b{_PREFIX}(?P<which>last|past|previous|prior|trailing|latest|most\s+recent)\s+"
                          rf"(?P<n>{_NUMBER})\s+{_WHOLE}"
                          r"(?P<unit>day|week|month|quarter|year)s?\b")),
    ("last", re.compile(rf"\b{_PREFIX}(?P<which>last|past|previous|prior|latest|most\s+recent)\s+{_WHOLE}"
                        r"(?P<unit>day|week|month|quarter|year)\b")),
    ("next", re.compile(r"\b(?:(?:in|during|for|over)\s+)?(?:the\s+)?(?:next|coming|upcoming)\s+(?:(?P<n>\d+)\s+)?"
                        r"(?P<unit>day|week|month|quarter|year)s?\b")),
    ("this", re.compile(r"\b(?:(?:in|during|for|over)\s+)?(?:this|(?:the\s+)?current)\s+(?P<unit>week|month|quarter|year)"
                        r"(?:\s+so\s+far|\s+to\s+date)?\b")),
    ("to_date", re.compile(r"\b(?P<unit>week|month|quarter|year)[\s-]+to[\s-]+date\b|\b(?P<abbr>wtd|mtd|qtd|ytd)\b")),
    ("now", re.compile(r"\b(?:as\s+(?:of|at)|to|until|till|through|up\s+to|up\s+until)\s+(?:today|now|the\s+present|"
                       r"the\s+as[\s-]of\s+date)\b|\bas\s+(?:of|at)\s+(?:the\s+)?(?:latest|current)\s+data\b"
                       r"|\b(?:so\s+far|to\s+date|ever|(?:of\s+)?all[\s-]+time|(?:since|from)\s+the\s+(?:beginning|start)"
                       r"(?!\s+of))\b")),
    ("day", re.compile(r"\b(?:on\s+)?(?P<word>today|yesterday)\b")),
    ("in", re.compile(rf"\b(?:in|during|for|of|on)\s+(?P<a>{_DATE})\b")),
    ("in", re.compile(rf"(?<![$\w])(?<!over )(?<!above )(?<!under )(?<!below )(?<!than )"
                      rf"(?P<a>(?:{_MONTH})\.?\s+\d{{4}}|q[1-4](?:\s+\d{{4}})?|h[12](?:\s+\d{{4}})?|\d{{4}}-\d{{2}}-\d{{2}}|"
                      r"20\d{2})\b")),  # "Q2 spend": a quarter's code is a period wherever it stands
]


# "in March and April", "Q1 vs Q2": a second calendar range, read only when one was found before it.
_AND_ANOTHER = re.compile(rf"\b(?:and|or|vs|versus|to)\s+(?P<a>(?:{_MONTH})\.?(?:\s+\d{{4}})?|q[1-4](?:\s+\d{{4}})?|20\d{{2}})\b")


class PeriodError(ValueError):
    """A period that cannot be answered (it begins after as-of, or is not a date); the message says why."""


@dataclass(frozen=True)
class Period:
    start: dt.date | None  # None: from the first day of the history
    end: dt.date
    phrase: str = field(compare=False)  # the words it was read from, as typed
    rule: str = field(compare=False)  # how they were read

    @property
    def label(self) -> str:
        return span_label(self.start, self.end)

    def describe(self) -> str:
        return f"{self.label} ({self.phrase}: {self.rule})"


def month_end(day: dt.date) -> dt.date:
    return add_months(day.replace(day=1), 1) - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def unit_start(day: dt.date, unit: str) -> dt.date:
    if unit == "day":
        return day
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return dt.date(day.year, 1, 1)


def shift(start: dt.date, unit: str, n: int) -> dt.date:
    """The first day of the unit n units after (n < 0: before) the one starting on `start`."""
    if unit == "day":
        return start + dt.timedelta(days=n)
    if unit == "week":
        return start + dt.timedelta(weeks=n)
    return add_months(start, n * {"month": 1, "quarter": 3, "year": 12}[unit])


def _fmt(day: dt.date, year: bool = True) -> str:
    return f"{day.day} {day:%b}" + (f" {day.year}" if year else "")


def span_label(start: dt.date | None, end: dt.date) -> str:
    """"Dec 2025–May 2026", "Jun 2026", "2025", "18 May–17 Jun 2026", "all history to 17 Jun 2026"."""
    if start is None:
        return f"all history to {_fmt(end)}"
    if start.day == 1 and end == month_end(end):
        if start.month == 1 and end.month == 12 and start.year == end.year:
            return str(start.year)
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%b %Y}"
        return f"{start:%b}–{end:%b %Y}" if start.year == end.year else f"{start:%b %Y}–{end:%b %Y}"
    if start == end:
        return _fmt(end)
    if start.year != end.year:
        return f"{_fmt(start)}–{_fmt(end)}"
    if start.month == end.month:
        return f"{start.day}–{_fmt(end)}"
    return f"{_fmt(start, year=False)}–{_fmt(end)}"


def _number(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS[text]


def _latest(candidates: list[dt.date], as_of: dt.date) -> dt.date:
    """The latest candidate start that is not after as-of (a month or quarter named without its year)."""
    return max(c for c in candidates if c <= as_of) if any(c <= as_of for c in candidates) else min(candidates)


def point(text: str, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of what a date expression names: a day, a month, a quarter or a year."""
    text = re.sub(r"\s+", " ", text.strip().lower().replace(",", ""))
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = dt.date.fromisoformat(text)
            return day, day
        if re.fullmatch(r"(19|20)\d{2}", text):
            return dt.date(int(text), 1, 1), dt.date(int(text), 12, 31)
        if quarter := re.fullmatch(r"q([1-4])(?: (\d{4}))?", text):
            q = int(quarter.group(1))
            years = [int(quarter.group(2))] if quarter.group(2) else [as_of.year, as_of.year - 1]
            start = _latest([dt.date(y, 3 * q - 2, 1) for y in years], as_of)
            return start, add_months(start, 3) - dt.timedelta(days=1)
        if nth := re.fullmatch(r"(?:the )?(first|second|third|fourth|1st|2nd|3rd|4th) quarter(?: of)?(?: (\d{4}))?", text):
            q = ("first", "second", "third", "fourth").index(nth.group(1)) + 1 if nth.group(1).isalpha() \
                else int(nth.group(1)[0])
            return point(f"q{q}" + (f" {nth.group(2)}" if nth.group(2) else ""), as_of)
        if half := re.fullmatch(r"(?:the )?(?:h([12])|(first|second|1st|2nd) half(?: of)?)(?: (\d{4}))?", text):
            h = int(half.group(1)) if half.group(1) else 1 if half.group(2) in ("first", "1st") else 2
            years = [int(half.group(3))] if half.group(3) else [as_of.year, as_of.year - 1]
            start = _latest([dt.date(y, 6 * h - 5, 1) for y in years], as_of)
            return start, add_months(start, 6) - dt.timedelta(days=1)
        words = re.findall(r"[a-z]+|\d+", text.replace("of", " "))
        month = next(MONTHS[w] for w in words if w in MONTHS)
        numbers = [int(w) for w in words if w.isdigit()]
        year = next((n for n in numbers if n > 31), None)
        day = next((n for n in numbers if n <= 31), None)
        years = [year] if year else [as_of.year, as_of.year - 1]
        if day is None:
            start = _latest([dt.date(y, month, 1) for y in years], as_of)
            return start, month_end(start)
        found = _latest([dt.date(y, month, day) for y in years], as_of)
        return found, found
    except (ValueError, StopIteration):
        raise PeriodError(f"“{text}” is not a date Ask can read; write it as 2026-03-01, March 1 2026 or March "
                          "2026") from None


def _read(kind: str, match: re.Match, as_of: dt.date) -> tuple[dt.date | None, dt.date, str]:
    """(start, end, rule) of one matched expression, before it is cut at as-of."""
    group = match.groupdict()
    if kind == "range":
        (a, _), (_, b) = point(group["a"], as_of), point(group["b"], as_of)
        return a, b, "as given"
    if kind == "since":
        first, last = point(group["a"], as_of)
        return (last + dt.timedelta(days=1) if group["word"] == "after" else first), as_of, "to the as-of date"
    if kind == "until":
        first, last = point(group["a"], as_of)
        return None, (first - dt.timedelta(days=1) if group["word"] == "before" else last), "from the first day of history"
    if kind == "months":
        year = int(group["year"])
        start_year = year - 1 if MONTHS[group["a"]] > MONTHS[group["b"]] else year  # "Nov-Feb 2026": from Nov 2025
        return dt.date(start_year, MONTHS[group["a"]], 1), month_end(dt.date(year, MONTHS[group["b"]], 1)), \
            "the calendar months named"
    if kind == "end_of_year":
        year, unit, last = int(group["year"]), group["unit"], group["end"] != "first"
        if unit == "week":  # the week (Monday to Sunday) that holds the year's first or last day, cut to the year
            day = dt.date(year, 12, 31) if last else dt.date(year, 1, 1)
            monday = day - dt.timedelta(days=day.weekday())
            first, end = max(monday, dt.date(year, 1, 1)), min(monday + dt.timedelta(days=6), dt.date(year, 12, 31))
            return first, end, f"the {group['end']} week of {year}"
        months = {"month": 1, "quarter": 3, "half": 6}[unit]
        first = dt.date(year, 13 - months, 1) if last else dt.date(year, 1, 1)
        return first, add_months(first, months) - dt.timedelta(days=1), f"the {group['end']} {unit} of {year}"
    if kind == "of_year":
        year = as_of.year - (0 if group["which"] == "this" else 1)
        first, last = point(f"{group['a']} {year}", as_of)
        return first, last, "the calendar range named"
    if kind == "last_n":
        n, unit = _number(group["n"]), group["unit"]
        if n < 1:
            raise PeriodError(f"“{match.group(0).strip()}” names no time; ask for the last 1 {unit} or more")
        if unit == "day":
            return as_of - dt.timedelta(days=n - 1), as_of, f"the {n} days ending on the as-of date"
        if unit == "year" and group["which"] == "past":  # "the past 2 years": 24 months, as "the past year" is 12
            current = unit_start(as_of, "month")
            return shift(current, "month", -12 * n), current - dt.timedelta(days=1), \
                f"the {12 * n} complete calendar months before the month of the as-of date"
        current = unit_start(as_of, unit)
        return shift(current, unit, -n), current - dt.timedelta(days=1), \
            f"the {n} complete calendar {unit}s before the {unit} of the as-of date"
    if kind == "since_last":  # "since last month": from the first day of the last complete month
        unit = group["unit"]
        return shift(unit_start(as_of, unit), unit, -1), as_of, f"from the first day of the last complete {unit} to the " \
            "as-of date"
    if kind == "last":
        unit = group["unit"]
        if unit == "day":
            return as_of, as_of, "the as-of date"
        if unit == "year" and group["which"] == "past" and not re.search(_WHOLE_WORD, match.group(0)):
            # "over the past year" means the twelve months before this one (as "the past 12 months"), where "last
            # year" and "the past calendar year" name the last complete calendar year
            current = unit_start(as_of, "month")
            return shift(current, "month", -12), current - dt.timedelta(days=1), \
                "the 12 complete calendar months before the month of the as-of date"
        current = unit_start(as_of, unit)
        return shift(current, unit, -1), current - dt.timedelta(days=1), f"the last complete calendar {unit}"
    if kind == "next":  # "next month": begins after as-of, so it is refused where the period is read
        unit = group["unit"]
        start = as_of + dt.timedelta(days=1) if unit == "day" else shift(unit_start(as_of, unit), unit, 1)
        return start, shift(start, unit, int(group["n"] or 1)) - dt.timedelta(days=1), "the next one"
    if kind in ("this", "to_date"):
        unit = group.get("unit") or {"w": "week", "m": "month", "q": "quarter", "y": "year"}[group["abbr"][0]]
        return unit_start(as_of, unit), as_of, f"from the first day of the {unit} to the as-of date"
    if kind == "day":
        day = as_of if group["word"] == "today" else as_of - dt.timedelta(days=1)
        return day, day, "the as-of date" if group["word"] == "today" else "the day before the as-of date"
    first, last = point(group["a"], as_of)
    return first, last, "the calendar range named"


def find(text: str, as_of: dt.date) -> tuple[list[Period], str]:
    """Every period the text names (normally none or one) and the text with their words blanked out."""
    found: list[Period] = []
    lowered = text.lower()
    for kind, pattern in [*_PATTERNS, ("in", _AND_ANOTHER)]:
        if pattern is _AND_ANOTHER and not found:
            break
        for match in list(pattern.finditer(lowered)):
            if not lowered[match.start():match.end()].strip():
                continue
            blank = " " * (match.end() - match.start())
            if kind == "now":  # "as of today", "to now": every figure ends on as-of already; no period of its own
                lowered = lowered[:match.start()] + blank + lowered[match.end():]
                text = text[:match.start()] + blank + text[match.end():]
                continue
            start, end, rule = _read(kind, match, as_of)
            phrase = text[match.start():match.end()].strip()
            if start is not None and start > as_of:
                raise PeriodError(f"“{phrase}” begins after the data's as-of date ({as_of}): nothing after as-of "
                                  "counts in any figure")
            if start is not None and end < start:
                raise PeriodError(f"“{phrase}” ends before it begins; give the earlier date first")
            if end > as_of:
                end, rule = as_of, f"{rule}, cut at the as-of date"
            found.append(Period(start, end, phrase, rule))
            lowered = lowered[:match.start()] + blank + lowered[match.end():]
            text = text[:match.start()] + blank + text[match.end():]
    return found, text
