"""The year-end forecast (performance/forecast.py) and how figures are written.

Worked examples use numbers a person can check by hand (docs/forecast.md works the same
ones); the two demo cases that the old straight line got wrong are reproduced with the
demo's own figures; properties are checked with hypothesis.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal as D

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from dathub.performance import numbers, ratings, selectors, services
from dathub.performance.engine.indicators import INDICATORS
from dathub.performance.forecast import (
    MIN_DENOMINATOR,
    MIN_MONTHS,
    SUPPRESSED_REASON,
    Observed,
    year_end_forecast,
)
from dathub.performance.forecast_bases import BASES, Basis, basis_for

pytestmark = pytest.mark.calendar

Y = dt.date(2026, 4, 1)  # 2026/27
NOV = dt.date(2026, 11, 30)
RETENTION = BASES["retention_12wk"]
PENETRATION = BASES["penetration"]


def ob(kind, start, end, num, den, value=None, suppressed=False):
    if value is None and den:
        value = (D(100) * num / den).quantize(D("0.1"))
    elif value is None and den is None and num is not None:
        value = D(num)
    return Observed(kind, start, end, num, den, value, suppressed)


def q(n, num, den, **kw):
    start = dt.date(2026, 4 + 3 * (n - 1), 1)
    end = (start.replace(day=28) + dt.timedelta(days=4 + 62)).replace(day=1) - dt.timedelta(1)
    return ob("quarter", start, end, num, den, **kw)


def ytd(end, num, den, **kw):
    return ob("ytd", Y, end, num, den, **kw)


def rolling(end, num, den, **kw):
    start = dt.date(end.year - 1, end.month, 1) + dt.timedelta(days=32)
    start = start.replace(day=1)
    return ob("rolling", start, end, num, den, **kw)


def month_end(year, month):
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def test_quarter_helper_gives_financial_quarters():
    assert (q(1, 1, 1).start, q(1, 1, 1).end) == (Y, dt.date(2026, 6, 30))
    assert (q(2, 1, 1).start, q(2, 1, 1).end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))


# --- the demo cases the straight line got wrong ---------------------------------------------

# Northshire on 1 December 2026 (dathub demo): rolling 12 months to each month end of the year
DEMO_RETENTION_ROLLING = [
    (4, 539, 630),
    (5, 554, 648),
    (6, 552, 638),
    (7, 571, 655),
    (8, 565, 644),
    (9, 577, 660),
    (10, 580, 658),
    (11, 579, 651),
]
DEMO_RETENTION = [
    q(1, 19, 21),
    q(2, 10, 13),
    ytd(NOV, 341, 377),
    *(rolling(month_end(2026, m), n, d) for m, n, d in DEMO_RETENTION_ROLLING),
]


def test_demo_retention_is_the_year_so_far_share_not_the_line_to_90_6():
    fc = year_end_forecast(RETENTION, DEMO_RETENTION, year_start=Y, is_count=False)
    # the old least-squares line through the rolling figures gave 90.6%, above every figure
    # of the year; the year's own counts give 341 / 377
    assert fc.value == D("90.5") != D("90.6")
    seen = [f.value for f in DEMO_RETENTION]
    assert fc.value <= max(seen) and (fc.lower, fc.upper) == (D("76.9"), D("90.5"))
    # by hand: 281 days counted in the year (1 April to 6 January), 160 so far (to 7 Sept)
    assert (fc.numerator, fc.denominator) == (599, 662)
    working = " ".join(fc.steps)
    assert "341 × 281 ÷ 160 = 598.9" in working and "377 × 281 ÷ 160 = 662.1" in working
    assert "1 April 2026 to 6 January 2027" in working and "7 September 2026" in working


def test_worsening_retention_is_not_forecast_met():
    """This year's quarters fall (82% then 74%) while the rolling figures still rise on last
    year's good months: the line would say 90.6% "Met"; the year's own counts say Missed."""
    figures = [
        q(1, 82, 100),
        q(2, 37, 50),
        ytd(NOV, 150, 195),
        *(rolling(month_end(2026, m), n, d) for m, n, d in DEMO_RETENTION_ROLLING),
    ]
    fc = year_end_forecast(RETENTION, figures, year_start=Y, is_count=False)
    assert fc.value == D("76.9")  # 150 / 195
    assert fc.value < D("82.0")  # not better than the best of this year's own quarters
    rating = ratings.rate(fc.value, D("80.0"), D("3.0"))
    assert rating.word == "Missed"


DEMO_PENETRATION = [
    q(1, 533, 1180),
    q(2, 525, 1180),
    ytd(NOV, 708, 1180),
    *(
        rolling(month_end(2026, m), n, 1170)
        for m, n in [(4, 803), (5, 814), (6, 834), (7, 837), (8, 829), (9, 841), (10, 854)]
    ),
    rolling(NOV, 858, 1170),
]


def test_demo_penetration_divides_the_count_by_this_years_estimate_not_the_line_to_75_8():
    fc = year_end_forecast(PENETRATION, DEMO_PENETRATION, year_start=Y, is_count=False)
    # the line through the rolling figures (each over last year's 1,170) gave 75.8%
    assert fc.value == D("72.7") != D("75.8")  # 858 / 1,180
    assert (fc.numerator, fc.denominator) == (858, 1180)
    assert fc.lower == D("60.0")  # 708 / 1,180 already counted: the year cannot count fewer
    assert "858 ÷ 1,180 = 72.7%" in " ".join(fc.steps)


def test_penetration_never_below_the_year_so_far_nor_above_the_estimate():
    # the rolling count (last year's people) is below what this year has already counted
    low = [ytd(NOV, 708, 1180), rolling(NOV, 650, 1170)]
    assert year_end_forecast(PENETRATION, low, year_start=Y, is_count=False).value == D("60.0")
    over = [ytd(NOV, 708, 800), rolling(NOV, 858, 790)]
    fc = year_end_forecast(PENETRATION, over, year_start=Y, is_count=False)
    assert fc.value is None and "more than the estimate for 2026/27 (800)" in fc.reason
    none = [ytd(NOV, 708, None), rolling(NOV, 858, None)]
    fc = year_end_forecast(PENETRATION, none, year_start=Y, is_count=False)
    assert fc.value is None and "no prevalence estimate for 2026/27" in fc.reason


# --- worked examples, one per kind ----------------------------------------------------------


def test_flow_worked_example_planned_exits():
    # to 30 September: 183 days of the year's 365; 60 of 120 journeys ended successfully
    figures = [q(1, 25, 50), q(2, 35, 70), ytd(dt.date(2026, 9, 30), 60, 120)]
    fc = year_end_forecast(BASES["planned_exit"], figures, year_start=Y, is_count=False)
    assert fc.value == D("50.0")
    assert (fc.numerator, fc.denominator) == (120, 239)  # 119.7 and 239.3 rounded
    assert "60 × 365 ÷ 183 = 119.7" in " ".join(fc.steps)
    assert (fc.lower, fc.upper) == (D("50.0"), D("50.0"))


def test_stock_count_is_the_latest_12_months_never_below_the_year_so_far():
    basis = BASES["in_treatment"]
    figures = [ytd(NOV, 1242, None), rolling(dt.date(2026, 10, 31), 1466, None)]
    figures.append(rolling(NOV, 1469, None))
    fc = year_end_forecast(basis, figures, year_start=Y, is_count=True)
    assert fc.value == D(1469) and fc.numerator == 1469 and fc.denominator is None
    grown = [ytd(NOV, 1500, None), rolling(NOV, 1469, None)]
    assert year_end_forecast(basis, grown, year_start=Y, is_count=True).value == D(1500)


def test_stock_rate_is_the_latest_rolling_numerator_over_denominator():
    figures = [q(1, 418, 533), q(2, 426, 525), ytd(NOV, 574, 708), rolling(NOV, 698, 858)]
    fc = year_end_forecast(BASES["effective_treatment"], figures, year_start=Y, is_count=False)
    assert fc.value == D("81.4") and (fc.numerator, fc.denominator) == (698, 858)
    assert (fc.lower, fc.upper) == (D("78.4"), D("81.4"))


def test_lookback_names_the_windows_it_looks_back_at():
    figures = [ytd(NOV, 323, 1394), rolling(NOV, 323, 1394)]
    fc = year_end_forecast(BASES["successful_completion"], figures, year_start=Y, is_count=False)
    assert fc.value == D("23.2")
    assert "1 October 2025 to 30 September 2026" in fc.steps[0]  # the year's window W


def test_local_rate_pools_this_years_quarters_and_local_count_has_none():
    last_year = ob("quarter", dt.date(2025, 4, 1), dt.date(2025, 6, 30), 1, 100)
    figures = [q(1, 60, 100), q(2, 70, 100), last_year]
    local_rate = basis_for("local:x", local=True, is_count=False)
    fc = year_end_forecast(local_rate, figures, year_start=Y, is_count=False)
    assert fc.value == D("65.0") and (fc.numerator, fc.denominator) == (130, 200)
    assert "60 + 70 = 130" in fc.steps[0]
    counts = [q(1, 60, None), q(2, 70, None)]
    local_count = basis_for("local:x", local=True, is_count=True)
    fc = year_end_forecast(local_count, counts, year_start=Y, is_count=True)
    assert fc.value is None and "local count" in fc.reason


def test_a_complete_year_is_its_own_figure():
    figures = [ytd(dt.date(2027, 3, 31), 541, 631), rolling(dt.date(2027, 3, 31), 541, 631)]
    fc = year_end_forecast(RETENTION, figures, year_start=Y, is_count=False)
    assert fc.value == D("85.7") and fc.basis == "outturn"
    local_year = [ob("year", Y, dt.date(2027, 3, 31), 1500, None)]
    local_count = basis_for("local:x", local=True, is_count=True)
    fc = year_end_forecast(local_count, local_year, year_start=Y, is_count=True)
    assert fc.value == D(1500)  # a local count's year once entered: rated after all


def test_every_engine_indicator_has_a_chosen_basis():
    assert set(BASES) == set(INDICATORS)
    assert basis_for("not_known", local=False, is_count=False).key == "none"
    fc = year_end_forecast(Basis("none"), [ytd(NOV, 1, 100)], year_start=Y, is_count=False)
    assert fc.value is None and fc.reason


# --- no number, and why ---------------------------------------------------------------------


def test_one_month_of_the_year_is_not_enough():
    figures = [ytd(dt.date(2026, 4, 30), 300, 400), rolling(dt.date(2026, 4, 30), 539, 630)]
    for basis in (RETENTION, BASES["care_plan"], PENETRATION):
        fc = year_end_forecast(basis, figures, year_start=Y, is_count=False)
        assert fc.value is None
        assert fc.reason == (
            "Not enough of this year's data to forecast: 1 month of 12 "
            "(a forecast needs at least 3)."
        )
    assert year_end_forecast(RETENTION, [], year_start=Y, is_count=False).reason == (
        "No forecast: there are no figures for this year yet."
    )


def test_too_small_a_denominator_gives_no_forecast():
    fc = year_end_forecast(RETENTION, [ytd(NOV, 11, 12)], year_start=Y, is_count=False)
    assert fc.value is None
    assert fc.reason == (
        "Too few journeys to forecast: 12 in the year so far (a forecast needs at least 20)."
    )
    zero = year_end_forecast(RETENTION, [ytd(NOV, 0, 0)], year_start=Y, is_count=False)
    assert zero.value is None and "0 in the year so far" in zero.reason


def test_suppressed_or_missing_counts_give_no_forecast():
    hidden = ytd(NOV, None, None, value=None, suppressed=True)
    fc = year_end_forecast(RETENTION, [hidden], year_start=Y, is_count=False)
    assert fc.value is None and fc.reason == SUPPRESSED_REASON
    local = [q(1, 3, 4, suppressed=True), q(2, 90, 100)]
    local_rate = basis_for("local:x", local=True, is_count=False)
    fc = year_end_forecast(local_rate, local, year_start=Y, is_count=False)
    assert fc.value is None and fc.reason == SUPPRESSED_REASON
    bare = Observed("ytd", Y, NOV, 300, None, D("80.0"))
    fc = year_end_forecast(RETENTION, [bare], year_start=Y, is_count=False)
    assert fc.value is None and "no numerator and denominator" in fc.reason


# --- properties -----------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=5000)


@st.composite
def share(draw, den_min=0):
    den = draw(st.integers(min_value=den_min, max_value=5000))
    return draw(st.integers(min_value=0, max_value=den)), den


@st.composite
def year_of_figures(draw):
    """This year's figures to a random month end: quarters, year so far, rolling months."""
    months = draw(st.integers(min_value=1, max_value=11))
    end = month_end(2026, 3 + months)
    figures = [ytd(end, *draw(share()))]
    figures += [q(n, *draw(share())) for n in range(1, months // 3 + 1)]
    figures += [rolling(month_end(2026, 3 + m), *draw(share())) for m in range(1, months + 1)]
    return months, figures


@given(year_of_figures(), st.sampled_from(["flow", "stock", "lookback"]))
def test_a_forecast_rate_lies_within_this_years_figures_and_never_above_100(data, kind):
    months, figures = data
    basis = Basis(kind, "journeys starting", lag_days=84 if kind == "flow" else 0)
    fc = year_end_forecast(basis, figures, year_start=Y, is_count=False)
    assert (fc.value is None) == bool(fc.reason)  # a number, or a reason: never both
    if fc.value is None:
        return
    seen = [f.value for f in figures if f.value is not None]
    assert min(seen) <= fc.value <= max(seen)  # never beyond the best (or worst) seen
    assert D(0) <= fc.value <= D(100)
    assert months >= MIN_MONTHS


@given(year_of_figures())
def test_too_little_of_the_year_or_too_small_a_denominator_never_gives_a_number(data):
    months, figures = data
    fc = year_end_forecast(RETENTION, figures, year_start=Y, is_count=False)
    so_far = next(f for f in figures if f.kind == "ytd")
    if months < MIN_MONTHS or (so_far.denominator or 0) < MIN_DENOMINATOR:
        assert fc.value is None and fc.reason
    else:
        assert fc.value == so_far.value  # flow: the share so far, exactly


@given(
    st.integers(min_value=3, max_value=11),
    share(den_min=1),
    st.integers(min_value=0, max_value=5000),
)
def test_penetration_lies_between_the_year_so_far_and_100(months, so_far, rolling_count):
    end = month_end(2026, 3 + months)
    figures = [ytd(end, *so_far), rolling(end, rolling_count, so_far[1] + 10)]
    fc = year_end_forecast(PENETRATION, figures, year_start=Y, is_count=False)
    assert (fc.value is None) == bool(fc.reason)
    if fc.value is not None:
        assert figures[0].value is not None
        assert figures[0].value <= fc.value <= D(100)
        assert fc.denominator == so_far[1]  # the year's own estimate


@given(st.integers(min_value=3, max_value=11), counts, counts, counts)
def test_a_count_is_never_below_what_the_year_has_counted(months, so_far, earlier, latest):
    end = month_end(2026, 3 + months)
    figures = [ytd(end, so_far, None), rolling(end - dt.timedelta(days=31), earlier, None)]
    figures.append(rolling(end, latest, None))
    fc = year_end_forecast(BASES["in_treatment"], figures, year_start=Y, is_count=True)
    assert fc.value == D(max(so_far, latest))
    assert fc.lower is not None and fc.upper is not None and fc.lower <= fc.value <= fc.upper


# --- writing numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "is_count", "text"),
    [
        (D("1425.0"), True, "1,425"),
        (D("750.0"), True, "750"),
        (D("1527"), True, "1,527"),
        (D("1527.5"), True, "1,528"),  # half to even
        (D("2.5"), True, "2"),
        (1234567, True, "1,234,567"),
        (D("80"), False, "80.0%"),
        (D("72.73"), False, "72.7%"),
        (D("0.05"), False, "0.0%"),
        (D("100"), False, "100.0%"),
        (None, True, "No figure"),
    ],
)
def test_figures_are_written_as_people_write_them(value, is_count, text):
    assert numbers.format_value(value, is_count=is_count) == text
    assert numbers.format_value(value, is_count) == text  # the pages' one way


def test_a_tolerance_on_a_rate_is_in_percentage_points():
    assert numbers.format_value(D("3.0"), is_count=False, difference=True) == (
        "3.0 percentage points"
    )
    assert numbers.format_value(D("41.0"), is_count=True, difference=True) == "41"


@given(st.decimals(min_value=0, max_value=10**9, places=1, allow_nan=False))
def test_a_count_reads_back_as_the_whole_number(value):
    text = numbers.format_value(value, is_count=True)
    assert "." not in text and int(text.replace(",", "")) == round(value)
    groups = text.split(",")
    assert all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3


@given(st.decimals(min_value=0, max_value=100, places=2, allow_nan=False))
def test_a_rate_has_one_decimal_place_and_a_percent_sign(value):
    text = numbers.format_value(value, is_count=False)
    whole, _, rest = text.partition(".")
    assert rest[-1] == "%" and len(rest) == 2 and whole.isdigit()
    assert abs(D(text[:-1]) - value) <= D("0.05")


# --- the pages ------------------------------------------------------------------------------


def _store(partnership, rows):
    """Figures as the engine stores them, for one computation (made here, not mocked)."""
    from dathub.performance.models import Computation, IndicatorResult

    comp = Computation.objects.create(as_of=dt.date(2026, 12, 1), status="done")
    IndicatorResult.objects.bulk_create(
        IndicatorResult(
            partnership=partnership,
            computation=comp,
            indicator=indicator,
            breakdown="all",
            period=period,
            kind=f.kind,
            period_start=f.start,
            period_end=f.end,
            numerator=f.numerator,
            denominator=f.denominator,
            value=f.value,
        )
        for indicator, period, f in rows
    )


def _label(f):
    if f.kind == "quarter":
        return f"2026/27 Q{(f.start.month - 4) // 3 + 1}"
    return "2026/27" if f.kind == "ytd" else f"12m to {f.end:%Y-%m-%d}"


@pytest.fixture
def demo_figures(demo):
    """The demo's retention, penetration and people in treatment, with their targets."""
    in_treatment = [
        ob("quarter", Y, dt.date(2026, 6, 30), 933, None),
        ob("quarter", dt.date(2026, 7, 1), dt.date(2026, 9, 30), 948, None),
        ytd(NOV, 1242, None),
        rolling(NOV, 1469, None),
    ]
    rows = [("retention_12wk", _label(f), f) for f in DEMO_RETENTION]
    rows += [("penetration", _label(f), f) for f in DEMO_PENETRATION]
    rows += [("in_treatment", _label(f), f) for f in in_treatment]
    _store(demo.northshire, rows)
    for key, value, tolerance in [
        ("retention_12wk", D("80.0"), D("3.0")),
        ("penetration", D("55.0"), D("5.0")),
        ("in_treatment", D("1425.0"), D("41.0")),
    ]:
        services.target_set(
            actor=demo.analyst,
            partnership=demo.northshire,
            indicator=key,
            financial_year="2026/27",
            value=value,
            tolerance=tolerance,
            q1=D("750.0") if key == "in_treatment" else None,
        )
    return demo


DEC_1 = dt.datetime(2026, 12, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))


def test_dashboard_cards_carry_the_forecast_and_its_reason(demo_figures):
    demo = demo_figures
    cards = {
        c.info.key: c
        for c in selectors.dashboard(
            actor=demo.analyst, partnership=demo.northshire, today=dt.date(2026, 12, 1)
        )
    }
    retention = cards["retention_12wk"]
    assert retention.forecast == D("90.5") and retention.forecast_text == "90.5%"
    assert retention.forecast_reason == "" and retention.forecast_rating.word == "Met"
    assert cards["penetration"].forecast_text == "72.7%"
    people = cards["in_treatment"]
    assert people.forecast_text == "1,469" and people.year_target_text == "1,425"
    # an indicator with no figures says why instead of a number
    hep = cards["hepb_vaccination"]
    assert hep.forecast is None and hep.forecast_text == hep.forecast_reason != ""
    # a pack dated in the past forecasts from the figures known by then (to 31 May: 2 months)
    early = selectors.dashboard(
        actor=demo.analyst,
        partnership=demo.northshire,
        today=dt.date(2026, 6, 10),
        only="retention_12wk",
    )[0]
    assert early.forecast is None and "2 months of 12" in early.forecast_text


def test_pages_write_targets_and_show_how_the_forecast_is_worked_out(demo_figures, client_for):
    demo = demo_figures
    with time_machine.travel(DEC_1, tick=False):
        client = client_for(demo.board)  # signed in on the day, so the session is current
        page = client.get("/p/N01A/performance/").content.decode()
        assert "1,469 against a target of 1,425" in page
        assert "90.5% against a target of 80.0%" in page and "90.6%" not in page
        assert "72.7% against a target of 55.0%" in page and "75.8%" not in page
        assert "How the forecast is worked out" in page
        assert "750" in page and "750.0" not in page and "1425" not in page

        response = client.get("/p/N01A/performance/indicator/?indicator=retention_12wk")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="forecast"' in html and "How the forecast is worked out" in html
        assert "341 × 281 ÷ 160 = 598.9" in html and "377 × 281 ÷ 160 = 662.1" in html
        assert "599" in html and "662" in html and "76.9% to 90.5%" in html

        html = client.get("/p/N01A/performance/indicator/?indicator=penetration").content.decode()
        assert "858 ÷ 1,180 = 72.7%" in html

        html = client.get(
            "/p/N01A/performance/indicator/?indicator=hepb_vaccination"
        ).content.decode()
        assert "No forecast: there are no figures for this year yet." in html

        # no such indicator: back to the dashboard rather than a page about nothing
        missing = client.get("/p/N01A/performance/indicator/?indicator=nope")
        assert missing.status_code == 302

        targets = client.get("/p/N01A/performance/targets/").content.decode()
        assert "1,425" in targets and "1425" not in targets and "750.0" not in targets
        assert "80.0%" in targets and "3.0 percentage points" in targets
