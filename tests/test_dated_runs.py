"""The moments the dated runs of the suite pretend it is (`make pytest-dates`)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from conftest import dated_moment as moment

LONDON = zoneinfo.ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=LONDON)


def test_relative_moments_never_fall_behind_the_calendar():
    assert moment("today 08:30", NOW) == dt.datetime(2026, 12, 1, 8, 30, tzinfo=LONDON)
    assert moment("next 03-31T23:30", NOW) == dt.datetime(2027, 3, 31, 23, 30, tzinfo=LONDON)
    assert moment("next 04-01T00:30", NOW) == dt.datetime(2027, 4, 1, 0, 30, tzinfo=LONDON)
    assert moment("next 02-29T12:00", NOW) == dt.datetime(2028, 2, 29, 12, 0, tzinfo=LONDON)
    assert moment("next 12-01T09:00", NOW) == dt.datetime(2027, 12, 1, 9, 0, tzinfo=LONDON)
    assert moment("+12y", NOW) == dt.datetime(2038, 12, 1, 10, 0, tzinfo=LONDON)
    leap = dt.datetime(2028, 2, 29, 9, 0, tzinfo=LONDON)
    assert moment("+1y", leap) == dt.datetime(2029, 2, 28, 9, 0, tzinfo=LONDON)


def test_a_fixed_moment_is_local_time():
    assert moment("2027-03-31T23:30", NOW) == dt.datetime(2027, 3, 31, 23, 30, tzinfo=LONDON)
