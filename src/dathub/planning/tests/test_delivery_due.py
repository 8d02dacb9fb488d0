"""When work is due, at the edges of months, financial quarters and years. No database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dathub.planning import delivery
from dathub.planning.document.dates import Due, parse_due

pytestmark = pytest.mark.calendar


def deadline(end: date, **kw: object) -> Due:
    return Due(text=f"{end:%d/%m/%Y}", end=end, **kw)  # type: ignore[arg-type]


# --- overdue ---------------------------------------------------------------------------------


def test_overdue_only_after_the_deadline_day_and_only_while_open():
    due = deadline(date(2027, 3, 31))
    assert not delivery.is_overdue(due, "on_track", date(2027, 3, 31))  # the deadline day itself
    assert delivery.is_overdue(due, "on_track", date(2027, 4, 1))
    assert delivery.is_overdue(due, "not_started", date(2027, 4, 1))
    assert delivery.is_overdue(due, "at_risk", date(2027, 4, 1))
    assert not delivery.is_overdue(due, "complete", date(2027, 4, 1))
    assert not delivery.is_overdue(due, "dropped", date(2027, 4, 1))
    assert delivery.days_overdue(due, "on_track", date(2027, 4, 10)) == 10
    assert delivery.days_overdue(due, "complete", date(2027, 4, 10)) == 0


def test_ongoing_and_recurring_work_is_never_overdue():
    assert not delivery.is_overdue(parse_due("Ongoing"), "on_track", date(2030, 1, 1))
    assert not delivery.is_overdue(parse_due("Quarterly"), "on_track", date(2030, 1, 1))
    throughout = parse_due("Throughout 0708")
    assert throughout.end == date(2008, 3, 31) and throughout.ongoing
    assert not delivery.is_overdue(throughout, "on_track", date(2008, 4, 1))
    assert not delivery.is_overdue(Due("cannot read this"), "on_track", date(2030, 1, 1))


def test_by_when_texts_are_overdue_the_day_after_their_period_ends():
    cases = [
        ("Q4 2026/27", "2026/27", date(2027, 3, 31)),
        ("End of Q1 2009", "2008/09", date(2009, 6, 30)),
        ("Sept 2008", "2008/09", date(2008, 9, 30)),
        ("05/07", "2007/08", date(2007, 5, 31)),
        ("Feb 2028", "2027/28", date(2028, 2, 29)),  # leap year
        ("Feb 2027", "2026/27", date(2027, 2, 28)),
        ("End of Q4 2009/10", "2009/10", date(2010, 3, 31)),
    ]
    for text, year, last_day in cases:
        due = parse_due(text, year)
        assert due.end == last_day, text
        assert not delivery.is_overdue(due, "on_track", last_day), text
        assert delivery.is_overdue(due, "on_track", last_day + timedelta(days=1)), text


# --- this month, this quarter --------------------------------------------------------------------


def test_due_this_month_at_the_month_edges():
    assert delivery.is_due_this_month(deadline(date(2027, 1, 31)), date(2027, 1, 1))
    assert delivery.is_due_this_month(deadline(date(2027, 1, 31)), date(2027, 1, 31))
    assert not delivery.is_due_this_month(deadline(date(2027, 1, 31)), date(2027, 2, 1))
    assert not delivery.is_due_this_month(deadline(date(2027, 2, 1)), date(2027, 1, 31))
    # 29 February in a leap year belongs to February
    assert delivery.is_due_this_month(deadline(date(2028, 2, 29)), date(2028, 2, 1))
    assert not delivery.is_due_this_month(deadline(date(2028, 2, 29)), date(2028, 3, 1))
    assert not delivery.is_due_this_month(parse_due("Ongoing"), date(2028, 3, 1))


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 30)),  # Q1 starts the year
        (date(2026, 6, 30), date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 12, 31), date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 1, 1), date(2027, 3, 31)),  # Q4 is January to March
        (date(2027, 3, 31), date(2027, 1, 1), date(2027, 3, 31)),  # 31 March ends the year
        (date(2028, 2, 29), date(2028, 1, 1), date(2028, 3, 31)),
    ],
)
def test_due_this_quarter_uses_financial_quarters(today, first, last):
    assert delivery.is_due_this_quarter(deadline(first), today)
    assert delivery.is_due_this_quarter(deadline(last), today)
    assert not delivery.is_due_this_quarter(deadline(first - timedelta(days=1)), today)
    assert not delivery.is_due_this_quarter(deadline(last + timedelta(days=1)), today)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_every_day_is_due_this_month_and_quarter_on_itself(day):
    due = deadline(day)
    assert delivery.is_due_this_month(due, day)
    assert delivery.is_due_this_quarter(due, day)
    start, end = delivery.period_bounds("quarterly", day)
    assert start.month in {4, 7, 10, 1} and start.day == 1
    assert (end + timedelta(days=1)).month in {4, 7, 10, 1}


def test_due_within_the_reminder_window():
    today = date(2027, 3, 20)
    assert delivery.is_due_within(deadline(today), "on_track", today)
    assert delivery.is_due_within(deadline(today + timedelta(days=14)), "on_track", today)
    assert not delivery.is_due_within(deadline(today + timedelta(days=15)), "on_track", today)
    assert not delivery.is_due_within(deadline(today - timedelta(days=1)), "on_track", today)
    assert not delivery.is_due_within(deadline(today), "complete", today)


# --- recurring work ---------------------------------------------------------------------------


def test_monthly_report_is_due_at_the_end_of_the_month_then_the_next():
    monthly = parse_due("Monthly")
    assert delivery.next_report_due(monthly, date(2027, 1, 31)) == date(2027, 1, 31)
    assert delivery.next_report_due(monthly, date(2027, 1, 15), date(2027, 1, 5)) == date(
        2027, 2, 28
    )
    assert delivery.next_report_due(monthly, date(2028, 1, 15), date(2028, 1, 2)) == date(
        2028, 2, 29
    )  # leap year
    # a report last month does not count for this month
    assert delivery.next_report_due(monthly, date(2027, 2, 1), date(2027, 1, 31)) == date(
        2027, 2, 28
    )


def test_quarterly_report_follows_financial_quarters_across_the_year_end():
    quarterly = parse_due("Ongoing - quarterly")
    assert quarterly.recurrence == "quarterly"
    assert delivery.next_report_due(quarterly, date(2027, 3, 31)) == date(2027, 3, 31)
    assert delivery.next_report_due(quarterly, date(2027, 3, 31), date(2027, 1, 10)) == date(
        2027, 6, 30
    )
    assert delivery.next_report_due(quarterly, date(2027, 4, 1), date(2027, 3, 31)) == date(
        2027, 6, 30
    )
    assert delivery.next_report_due(quarterly, date(2026, 12, 31), date(2026, 10, 1)) == date(
        2027, 3, 31
    )


def test_annual_report_is_due_on_31_march():
    annual = Due("Annually", recurrence="annual", ongoing=True)
    assert delivery.next_report_due(annual, date(2026, 4, 1)) == date(2027, 3, 31)
    assert delivery.next_report_due(annual, date(2027, 3, 31), date(2027, 2, 1)) == date(
        2028, 3, 31
    )


def test_recurring_work_with_a_start_and_an_end():
    from_july = Due(
        "Quarterly from July 2026", start=date(2026, 7, 1), recurrence="quarterly", ongoing=True
    )
    assert delivery.next_report_due(from_july, date(2026, 5, 1)) == date(2026, 9, 30)
    until_march = Due(
        "Monthly until March 2027", end=date(2027, 3, 31), recurrence="monthly", ongoing=True
    )
    assert delivery.next_report_due(until_march, date(2027, 3, 2)) == date(2027, 3, 31)
    assert delivery.next_report_due(until_march, date(2027, 3, 2), date(2027, 3, 1)) is None
    assert delivery.next_report_due(until_march, date(2027, 4, 1)) is None
    assert delivery.next_report_due(deadline(date(2027, 1, 1)), date(2026, 1, 1)) is None


def test_a_recurring_report_is_late_when_the_last_period_passed_without_one():
    quarterly = parse_due("Quarterly")
    today = date(2027, 1, 10)  # Q4; the previous quarter was October to December
    assert not delivery.report_is_late(quarterly, today, date(2026, 10, 1))
    assert not delivery.report_is_late(quarterly, today, date(2027, 1, 2))
    assert delivery.report_is_late(quarterly, today, date(2026, 9, 30))
    assert delivery.report_is_late(quarterly, today, None)
    starts_later = Due("Quarterly", start=date(2027, 1, 1), recurrence="quarterly", ongoing=True)
    assert not delivery.report_is_late(starts_later, today, None)
    assert not delivery.report_is_late(deadline(date(2026, 1, 1)), today, None)


def test_due_state_and_sort_order_put_overdue_first():
    today = date(2027, 3, 15)
    items = {
        "later": (deadline(date(2027, 6, 1)), "on_track"),
        "very_late": (deadline(date(2027, 1, 1)), "at_risk"),
        "late": (deadline(date(2027, 3, 1)), "on_track"),
        "this_month": (deadline(date(2027, 3, 31)), "not_started"),
        "recurring": (parse_due("Monthly"), "on_track"),
        "done": (deadline(date(2026, 12, 1)), "complete"),
    }
    order = sorted(items, key=lambda k: delivery.sort_key(items[k][0], items[k][1], today))
    assert order == ["very_late", "late", "this_month", "later", "recurring", "done"]
    state = delivery.due_state(*items["late"], today)
    assert state.overdue and state.days_overdue == 14 and state.label == "Overdue"
    state = delivery.due_state(*items["this_month"], today)
    assert not state.overdue and state.due_this_month and state.label == "Due this month"
    state = delivery.due_state(*items["done"], today)
    assert not state.overdue and state.label == ""
    state = delivery.due_state(*items["recurring"], today, date(2027, 1, 31))
    assert state.next_report == date(2027, 3, 31) and state.report_late
