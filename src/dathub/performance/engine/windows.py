"""Reporting windows: calendar-month arithmetic, financial years and their quarters,
rolling 12 months, and the successful-completion window W.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """A reporting window [start, end], dates inclusive."""

    label: str
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a window's end is before its start")


def add_months(day: dt.date, months: int) -> dt.date:
    """Move by calendar months; a day past the new month's end becomes its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def completion_window(end: dt.date) -> tuple[dt.date, dt.date]:
    """Window W of ``successful_completion``: 12 months ending 6 months before ``end``."""
    w_end = add_months(end, -6)
    return add_months(w_end, -12) + dt.timedelta(days=1), w_end


def financial_year(day: dt.date) -> str:
    """The financial year containing ``day``, written ``2009/10``."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def financial_year_windows(first_year: int) -> list[Window]:
    """The financial year starting 1 April ``first_year`` and its quarters Q1-Q4."""
    fy = financial_year(dt.date(first_year, 4, 1))
    windows = [Window(fy, dt.date(first_year, 4, 1), dt.date(first_year + 1, 3, 31))]
    for q in range(4):
        start = add_months(dt.date(first_year, 4, 1), 3 * q)
        end = add_months(start, 3) - dt.timedelta(days=1)
        windows.append(Window(f"{fy} Q{q + 1}", start, end))
    return windows


def rolling_12_months(last_month_end: dt.date, count: int = 1) -> list[Window]:
    """``count`` rolling 12-month windows ending at month ends, the last at ``last_month_end``."""
    windows = []
    for k in range(count - 1, -1, -1):
        end = _month_end(add_months(last_month_end, -k))
        start = add_months(end, -12) + dt.timedelta(days=1)
        windows.append(Window(f"12m to {end.isoformat()}", start, end))
    return windows


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
