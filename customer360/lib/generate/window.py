"""The generated history window: `months` calendar months that end on the as-of date (inclusive)."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic that clamps the day (Jan 31 + 1 month = Feb 28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last_day))


def history_window(as_of: dt.date, months: int) -> np.ndarray:
    """Month slot edges as datetime64[s]: edges[0] is the window start, edges[-1] the end of the as-of day.

    Slot i covers [edges[i], edges[i + 1]); there are `months` slots, the last ending at midnight after `as_of`.
    """
    end = as_of + dt.timedelta(days=1)
    days = [add_months(end, -k) for k in range(months, -1, -1)]
    return np.array(days, dtype="datetime64[D]").astype("datetime64[s]")
