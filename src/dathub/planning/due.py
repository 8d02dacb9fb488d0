"""Calendar periods for 'due' filters, on the financial calendar (Q1 = April to June)."""

from __future__ import annotations

import calendar
from datetime import date


def month_bounds(day: date) -> tuple[date, date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def financial_quarter_bounds(day: date, offset: int = 0) -> tuple[date, date]:
    """The financial quarter containing `day`, or `offset` quarters after it."""
    # Months since April of year 0, so quarters line up with April, July, October, January.
    index = (day.year * 12 + day.month - 4) // 3 + offset
    start_month0 = index * 3 + 3  # zero-based month count from January of year 0
    year, month = divmod(start_month0, 12)
    start = date(year, month + 1, 1)
    end_year, end_month = divmod(start_month0 + 2, 12)
    end = date(end_year, end_month + 1, calendar.monthrange(end_year, end_month + 1)[1])
    return start, end


def financial_quarter_label(day: date) -> str:
    start, _ = financial_quarter_bounds(day)
    quarter = {4: 1, 7: 2, 10: 3, 1: 4}[start.month]
    fy = start.year if start.month >= 4 else start.year - 1
    return f"Q{quarter} {fy}/{(fy + 1) % 100:02d}"
