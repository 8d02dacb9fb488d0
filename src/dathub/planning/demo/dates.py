"""The demo's dates, worked out from today: the days its updates fall on, its meeting
days and its "by when" cells, so the demo never goes stale."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from dathub.core import clock

from ..document.dates import financial_year_label, financial_year_of

MONTH_NAMES = [
    "Jan",
    "Feb",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
]


def _shift(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def stamp(day: date, at: time) -> datetime:
    """`day` at `at`, but never later than now: the demo writes nothing stamped in the
    future, so what a person records after loading it is always the latest."""
    return min(timezone.make_aware(datetime.combine(day, at)), clock.now() - timedelta(seconds=1))


def month_day(today: date, months: int, day_of_month: int) -> date:
    """Day `day_of_month` of the month `months` from today (or its last day), never after
    today."""
    year, month = _shift(today, months)
    day = date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))
    return min(day, today)


def _quarter(today: date, months: int) -> tuple[int, int]:
    year, month = _shift(today, months)
    fy = year if month >= 4 else year - 1
    return (month - 4) % 12 // 3 + 1, fy


def when_text(spec: Any, today: date, n: int) -> str:
    """A 'by when' cell in one of the ways plans write them, relative to today."""
    if isinstance(spec, str):
        year_label = financial_year_label(financial_year_of(today))
        return {
            "ongoing": "Ongoing",
            "quarterly": "Quarterly",
            "monthly": "Monthly",
            "monthly/quarterly": "Monthly/ Quarterly",
            "throughout": f"Throughout {year_label}",
            "ongoing-quarterly": "Ongoing - quarterly",
        }[spec]
    kind, months = spec
    year, month = _shift(today, months)
    if kind == "m":
        if n % 3 == 0:
            return f"{month}/{year % 100:02d}"
        return f"{MONTH_NAMES[month - 1]} {year}"
    if kind == "q":
        q, fy = _quarter(today, months)
        return f"Q{q} {financial_year_label(fy)}"
    if kind == "endq":
        q, fy = _quarter(today, months)
        return f"End of Q{q} {financial_year_label(fy)}"
    if kind == "from":
        return f"{MONTH_NAMES[month - 1]} {year} - ongoing"
    raise ValueError(spec)


def meeting_day(today: date, months: int) -> date:
    """The second Tuesday of the month `months` from today."""
    year, month = _shift(today, months)
    first = date(year, month, 1)
    return date(year, month, 1 + (1 - first.weekday()) % 7 + 7)
