"""When delivery work is due: overdue, due this month or quarter, and recurring reports.

Pure functions over the spec's Due object (`document.dates.Due`) and an action's status, on
the financial calendar of `due.py` (Q1 = April to June, the year ends on 31 March). Nothing
here touches the database, so the period edges are tested with plain dates.

- Overdue: past its deadline (the last day the "by when" names) and not complete or dropped.
  Ongoing and purely recurring work has no deadline to miss.
- Due this month / this quarter: the deadline falls in the calendar month / financial quarter
  containing today (an action overdue earlier in the month still counts as due this month).
- Recurring work (monthly, quarterly, annual) has a next report due: the last day of the
  current period, or of the next period once a report has been made in the current one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .document.dates import Due, financial_year_of, financial_year_span
from .due import financial_quarter_bounds, month_bounds

CLOSED_STATUSES = frozenset({"complete", "dropped"})
REMINDER_DAYS = 14


def due_of(obj: Any) -> Due:
    """The Due of a model with the DueFields columns (an Action or an Objective)."""
    return Due(
        text=obj.due_text or "",
        start=obj.due_start,
        end=obj.due_end,
        recurrence=obj.due_recurrence or None,
        ongoing=bool(obj.due_ongoing),
    )


def is_open(status: str) -> bool:
    return status not in CLOSED_STATUSES


def is_overdue(due: Due, status: str, today: date) -> bool:
    return is_open(status) and due.is_overdue(today)


def days_overdue(due: Due, status: str, today: date) -> int:
    if not is_overdue(due, status, today):
        return 0
    assert due.end is not None
    return (today - due.end).days


def is_due_this_month(due: Due, today: date) -> bool:
    start, end = month_bounds(today)
    return due.end is not None and start <= due.end <= end


def is_due_this_quarter(due: Due, today: date) -> bool:
    start, end = financial_quarter_bounds(today)
    return due.end is not None and start <= due.end <= end


def is_due_within(due: Due, status: str, today: date, days: int = REMINDER_DAYS) -> bool:
    """Due today or in the next `days` days and still open (the reminder window)."""
    return (
        is_open(status)
        and due.end is not None
        and not due.ongoing
        and today <= due.end <= today + timedelta(days=days)
    )


def period_bounds(recurrence: str, day: date) -> tuple[date, date]:
    """The reporting period of a recurrence that contains `day`."""
    if recurrence == "monthly":
        return month_bounds(day)
    if recurrence == "quarterly":
        return financial_quarter_bounds(day)
    if recurrence == "annual":
        return financial_year_span(financial_year_of(day))
    raise ValueError(f"unknown recurrence {recurrence!r}")


def next_report_due(due: Due, today: date, last_reported: date | None = None) -> date | None:
    """When recurring work next reports: the end of the current period (monthly, financial
    quarter or financial year), or of the following one when a report has already been made
    in the current period. Work that has not started yet reports at the end of its first
    period. None for work that does not recur, or once the work's own end date has passed."""
    if not due.recurrence:
        return None
    anchor = max(today, due.start) if due.start else today
    if due.end is not None and anchor > due.end:
        return None
    start, end = period_bounds(due.recurrence, anchor)
    if last_reported is not None and last_reported >= start:
        start, end = period_bounds(due.recurrence, end + timedelta(days=1))
    if due.end is not None and start > due.end:
        return None
    return end


def report_is_late(due: Due, today: date, last_reported: date | None) -> bool:
    """Recurring work whose previous period ended with no report made in it (only counted
    once the work had started before that period ended)."""
    if not due.recurrence:
        return False
    current_start, _ = period_bounds(due.recurrence, today)
    previous_start, previous_end = period_bounds(due.recurrence, current_start - timedelta(days=1))
    if due.start is not None and due.start > previous_end:
        return False
    if due.end is not None and due.end < previous_start:
        return False
    return last_reported is None or last_reported < previous_start


@dataclass(frozen=True)
class DueState:
    """Everything the pages say about when an action is due, for one day."""

    overdue: bool
    days_overdue: int
    due_this_month: bool
    due_this_quarter: bool
    next_report: date | None
    report_late: bool

    @property
    def label(self) -> str:
        if self.overdue:
            return "Overdue"
        if self.report_late:
            return "Report late"
        if self.due_this_month:
            return "Due this month"
        if self.due_this_quarter:
            return "Due this quarter"
        return ""


def due_state(due: Due, status: str, today: date, last_reported: date | None = None) -> DueState:
    open_ = is_open(status)
    return DueState(
        overdue=is_overdue(due, status, today),
        days_overdue=days_overdue(due, status, today),
        due_this_month=open_ and is_due_this_month(due, today),
        due_this_quarter=open_ and is_due_this_quarter(due, today),
        next_report=next_report_due(due, today, last_reported) if open_ else None,
        report_late=open_ and report_is_late(due, today, last_reported),
    )


def sort_key(due: Due, status: str, today: date) -> tuple[int, date, str]:
    """Overdue first (most overdue first), then by deadline, undated work last."""
    far = date.max
    if is_overdue(due, status, today):
        return (0, due.end or far, due.text)
    if not is_open(status):
        return (3, due.end or far, due.text)
    if due.end is not None:
        return (1, due.end, due.text)
    nxt = next_report_due(due, today)
    return (2, nxt or far, due.text)
