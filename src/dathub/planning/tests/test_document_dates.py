"""Reading "by when" cells (spec table, real forms from the seeds, properties)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dathub.planning.document.dates import (
    Due,
    financial_year_start,
    parse_due,
    quarter_span,
    read_by_when,
)

SPEC_TABLE = [
    ("05/07", "2007-05-01", "2007-05-31", None, False),
    ("Sept 2008", "2008-09-01", "2008-09-30", None, False),
    ("Q1 09", "2009-04-01", "2009-06-30", None, False),
    ("End of Q1 2009", None, "2009-06-30", None, False),
    ("Throughout 0708", "2007-04-01", "2008-03-31", None, True),
    ("Quarterly", None, None, "quarterly", True),
    ("Monthly/ Quarterly", None, None, "monthly", True),
    ("July 2008 - ongoing", "2008-07-01", None, None, True),
    ("Ongoing", None, None, None, True),
    ("On going", None, None, None, True),
    ("Ongoing - quarterly", None, None, "quarterly", True),
    ("Q3 09", "2009-10-01", "2009-12-31", None, False),
    ("End of Q4 2009/10", None, "2010-03-31", None, False),
    ("March 2010", "2010-03-01", "2010-03-31", None, False),
]


@pytest.mark.parametrize(("text", "start", "end", "recurrence", "ongoing"), SPEC_TABLE)
@pytest.mark.parametrize("financial_year", [None, "2008/09", "2009/10"])
def test_spec_table(text, start, end, recurrence, ongoing, financial_year):
    expected = {"text": text, "start": start, "end": end}
    expected |= {"recurrence": recurrence, "ongoing": ongoing}
    assert read_by_when(text, financial_year) == expected


REAL_FORMS = [
    # text, plan year, start, end, recurrence, ongoing
    ("9/07", "2007/08", "2007-09-01", "2007-09-30", None, False),
    ("Jun 2009", None, "2009-06-01", "2009-06-30", None, False),
    ("end of Q2 (Sept 09)", None, None, "2009-09-30", None, False),
    ("End of Quarter 2 (Sept 09)", None, None, "2009-09-30", None, False),
    ("03/07 – ongoing throughout the year", "2007/08", "2007-03-01", "2008-03-31", None, True),
    ("03/07/ ongoing", "2007/08", "2007-03-01", None, None, True),
    ("Throughout year", "2007/08", "2007-04-01", "2008-03-31", None, True),
    ("0708", None, "2007-04-01", "2008-03-31", None, False),
    ("Quarterly performance measurement", None, None, None, "quarterly", True),
    ("Q1 / ongoing", "2009/10", "2009-04-01", None, None, True),
    ("April 09", None, "2009-04-01", "2009-04-30", None, False),
    ("Q1 2010", None, "2010-04-01", "2010-06-30", None, False),
    ("March", "2009/10", "2010-03-01", "2010-03-31", None, False),
    ("September", "2009/10", "2009-09-01", "2009-09-30", None, False),
    ("Nov - Mar 2010", None, "2009-11-01", "2010-03-31", None, False),
    ("by 31/03/2009", None, None, "2009-03-31", None, False),
    ("31st March 2009", None, "2009-03-31", "2009-03-31", None, False),
    ("Annually", None, None, None, "annual", True),
    # "Q4 09" in a 2008/09 plan is that plan's own last quarter
    ("Q4 09", "2008/09", "2009-01-01", "2009-03-31", None, False),
    ("Q4 09", None, "2010-01-01", "2010-03-31", None, False),
]


@pytest.mark.parametrize(("text", "year", "start", "end", "recurrence", "ongoing"), REAL_FORMS)
def test_real_forms(text, year, start, end, recurrence, ongoing):
    due = read_by_when(text, year)
    assert (due["start"], due["end"], due["recurrence"], due["ongoing"]) == (
        start,
        end,
        recurrence,
        ongoing,
    )
    assert due["text"] == text


@pytest.mark.parametrize("text", ["Immediate", "TBC", "When funding allows", "may be late"])
def test_unreadable_text_keeps_text_only(text):
    assert read_by_when(text, "2009/10") == {
        "text": text,
        "start": None,
        "end": None,
        "recurrence": None,
        "ongoing": False,
    }
    assert not parse_due(text, "2009/10").is_readable


def test_month_without_year_needs_the_plan_year():
    assert not parse_due("March", None).is_readable
    assert parse_due("March", "2008/09").end == date(2009, 3, 31)


def test_whitespace_is_normalised_in_text():
    assert read_by_when("  Sept\t 2008 \n")["text"] == "Sept 2008"


def test_due_json_round_trip_and_deadline():
    due = parse_due("End of Q1 2009")
    assert Due.from_json(due.to_json()) == due
    assert due.is_overdue(date(2009, 7, 1))
    assert not due.is_overdue(date(2009, 6, 30))
    assert not parse_due("Quarterly").is_overdue(date(2030, 1, 1))
    with pytest.raises(ValueError):
        Due.from_json({"text": "x", "recurrence": "fortnightly"})


def test_financial_year_forms():
    assert financial_year_start("2008/09") == 2008
    assert financial_year_start("0809") == 2008
    assert financial_year_start("2008-2009") == 2008
    assert financial_year_start("2008/10") is None


MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]  # fmt: skip
years = st.integers(min_value=2000, max_value=2040)


@given(st.text(max_size=60), st.one_of(st.none(), st.sampled_from(["2007/08", "0910", "x"])))
def test_never_raises_and_start_not_after_end(text, year):
    due = read_by_when(text, year)
    assert due["text"] == " ".join(text.split())
    if due["start"] and due["end"]:
        assert due["start"] <= due["end"]


@given(years, st.integers(min_value=1, max_value=12), st.booleans())
def test_month_year_forms(year, month, numeric):
    text = f"{month:02d}/{year % 100:02d}" if numeric else f"{MONTH_NAMES[month - 1]} {year}"
    due = parse_due(text)
    assert due.start == date(year, month, 1)
    assert due.end is not None and due.end.month == month and due.end.year == year
    assert (due.end + (date(year, 1, 2) - date(year, 1, 1))).month != month  # last day
    assert not due.ongoing and due.recurrence is None


@given(years, st.integers(min_value=1, max_value=4), st.sampled_from(["Q{q} {y}", "Q{q} {yy}"]))
def test_quarter_forms_map_to_financial_quarters(year, quarter, form):
    due = parse_due(form.format(q=quarter, y=year, yy=f"{year % 100:02d}"))
    first_month = {1: 4, 2: 7, 3: 10, 4: 1}[quarter]
    assert due.start == date(year + (quarter == 4), first_month, 1)
    assert (due.start, due.end) == quarter_span(year, quarter)
    assert due.end is not None and (due.end - due.start).days in range(89, 92)


@given(years, st.integers(min_value=1, max_value=4))
def test_end_of_quarter_is_a_deadline_only(year, quarter):
    fy = f"{year}/{(year + 1) % 100:02d}"
    due = parse_due(f"End of Q{quarter} {fy}")
    assert due.start is None
    assert due.end == quarter_span(year, quarter)[1]


@given(years.filter(lambda year: year != 2020))
def test_throughout_compact_year(year):
    due = parse_due(f"Throughout {year % 100:02d}{(year + 1) % 100:02d}")
    assert (due.start, due.end, due.ongoing) == (date(year, 4, 1), date(year + 1, 3, 31), True)


def test_2021_is_a_calendar_year_not_a_compact_financial_year():
    due = parse_due("Throughout 2021")
    assert (due.start, due.end, due.ongoing) == (date(2021, 1, 1), date(2021, 12, 31), True)
