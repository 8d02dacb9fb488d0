"""The periods results are kept for, decided from the date of the computation.

- the last three complete financial years, and the current one to date (its end is the last
  complete month);
- every complete financial quarter of those years;
- rolling 12 months ending at each of the last 12 month ends.

Windows are the engine's :class:`Window`; a month is complete once it has ended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .engine.windows import Window, add_months, financial_year, rolling_12_months


@dataclass(frozen=True)
class Period:
    window: Window
    kind: str  # IndicatorResult.Kind value


def last_month_end(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


def fy_start(day: dt.date) -> dt.date:
    return dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def quarter_of(day: dt.date) -> tuple[str, int]:
    """(financial year label, quarter 1-4) of a date."""
    start = fy_start(day)
    return financial_year(day), (day.month - start.month) % 12 // 3 + 1


def quarter_window(fy_first: dt.date, quarter: int) -> Window:
    start = add_months(fy_first, 3 * (quarter - 1))
    end = add_months(start, 3) - dt.timedelta(days=1)
    return Window(f"{financial_year(fy_first)} Q{quarter}", start, end)


def standard_periods(today: dt.date) -> list[Period]:
    end = last_month_end(today)
    current = fy_start(end)
    periods: list[Period] = []
    for back in (3, 2, 1, 0):
        first = dt.date(current.year - back, 4, 1)
        label = financial_year(first)
        if back:
            periods.append(Period(Window(label, first, dt.date(first.year + 1, 3, 31)), "year"))
        else:
            periods.append(Period(Window(label, first, end), "ytd"))
        for q in (1, 2, 3, 4):
            w = quarter_window(first, q)
            if w.end <= end:
                periods.append(Period(w, "quarter"))
    periods += [Period(w, "rolling") for w in rolling_12_months(end, 12)]
    return periods


def financial_year_label(day: dt.date) -> str:
    return financial_year(day)


def financial_year_bounds(label: str) -> tuple[dt.date, dt.date]:
    first = int(label[:4])
    return dt.date(first, 4, 1), dt.date(first + 1, 3, 31)
