"""Targets, ratings and direction of travel, at their edges (the year-end forecast:
test_site_forecast.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from dathub.core import clock
from dathub.performance import ratings, selectors, services
from dathub.performance.periods import quarter_of, standard_periods

pytestmark = pytest.mark.calendar


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("85.0", "met"),
        ("90.0", "met"),
        ("84.9", "within"),
        ("82.0", "within"),
        ("81.9", "missed"),
        ("0.0", "missed"),
    ],
)
def test_rating_higher_is_better_edges(value, key):
    rating = ratings.rate(D(value), D("85.0"), D("3.0"))
    assert rating.key == key and rating.word and rating.tag_class.startswith("govuk-tag--")


@pytest.mark.parametrize(
    ("value", "key"),
    [("5.0", "met"), ("4.0", "met"), ("5.1", "within"), ("7.0", "within"), ("7.1", "missed")],
)
def test_rating_lower_is_better_edges(value, key):
    assert ratings.rate(D(value), D("5.0"), D("2.0"), higher_is_better=False).key == key


def test_rating_without_tolerance_target_or_figure():
    assert ratings.rate(D("84.9"), D("85.0"), D(0)).key == "missed"
    assert ratings.rate(D("85.0"), D("85.0"), None).key == "met"
    assert ratings.rate(D("50"), None).word == "No target"
    assert ratings.rate(None, D("50")).word == "No figure"
    words = {r.word for r in (ratings.MET, ratings.WITHIN, ratings.MISSED)}
    assert words == {"Met", "Within tolerance", "Missed"}  # colour is never the only signal


def test_direction_of_travel():
    assert ratings.direction(D("70"), D("75")).word == "Improving"
    assert ratings.direction(D("75"), D("70")).word == "Worsening"
    assert ratings.direction(D("9"), D("6"), higher_is_better=False).key == "improving"
    assert ratings.direction(D("6"), D("6")).word == "No change"
    assert ratings.direction(None, D("6")).key == "none"


def test_target_validation(demo):
    with pytest.raises(ValidationError):
        services.target_set(
            actor=demo.analyst,
            partnership=demo.northshire,
            indicator="not_an_indicator",
            financial_year="2026/27",
            value=D(1),
        )
    with pytest.raises(ValidationError):
        services.target_set(
            actor=demo.analyst,
            partnership=demo.northshire,
            indicator="planned_exit",
            financial_year="2026/28",
            value=D(1),
        )
    with pytest.raises(ValidationError):
        services.target_set(
            actor=demo.analyst,
            partnership=demo.northshire,
            indicator="planned_exit",
            financial_year="2026/27",
            value=D(1),
            tolerance=D(-1),
        )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.target_set(
            actor=demo.board,
            partnership=demo.northshire,
            indicator="planned_exit",
            financial_year="2026/27",
            value=D(1),
        )


def test_dashboard_rates_the_latest_quarter_against_its_trajectory(demo, client_for):
    """Local figures entered by quarter, so every number here is known exactly."""

    today = clock.today()
    quarters = [p.window for p in standard_periods(today) if p.kind == "quarter"][-3:]
    indicator = services.local_indicator_create(
        actor=demo.analyst,
        partnership=demo.northshire,
        code="nx-returns",
        name="Needle exchange return rate",
        unit="percent",
        higher_is_better=True,
    )
    for w, (num, den) in zip(quarters, [(60, 100), (70, 100), (66, 100)], strict=True):
        fy, q = quarter_of(w.start)
        services.local_figure_set(
            actor=demo.analyst,
            indicator=indicator,
            financial_year=fy,
            quarter=q,
            numerator=num,
            denominator=den,
        )
    fy, q = quarter_of(quarters[-1].start)
    services.target_set(
        actor=demo.analyst,
        partnership=demo.northshire,
        indicator=indicator.key,
        financial_year=fy,
        value=D("75.0"),
        tolerance=D("5.0"),
        **{f"q{q}": D("68.0")},
    )
    card = selectors.dashboard(actor=demo.analyst, partnership=demo.northshire, only=indicator.key)[
        0
    ]
    assert card.latest.figure.value == D("66.0") and card.latest.target == D("68.0")
    assert card.rating.word == "Within tolerance"
    assert card.direction.word == "Worsening"
    html = client_for(demo.board).get("/p/N01A/performance/").content.decode()
    assert "Within tolerance" in html and "Worsening" in html and "68.0%" in html
    # move the trajectory: the same figure now meets it, then misses it
    services.target_set(
        actor=demo.analyst,
        partnership=demo.northshire,
        indicator=indicator.key,
        financial_year=fy,
        value=D("75.0"),
        tolerance=D("5.0"),
        **{f"q{q}": D("66.0")},
    )
    card = selectors.dashboard(actor=demo.analyst, partnership=demo.northshire, only=indicator.key)[
        0
    ]
    assert card.rating.word == "Met"
    services.target_set(
        actor=demo.analyst,
        partnership=demo.northshire,
        indicator=indicator.key,
        financial_year=fy,
        value=D("75.0"),
        tolerance=D("0.5"),
        **{f"q{q}": D("66.6")},
    )
    card = selectors.dashboard(actor=demo.analyst, partnership=demo.northshire, only=indicator.key)[
        0
    ]
    assert card.rating.word == "Missed"


def test_board_pack_section_uses_published_figures(demo):
    from dathub.performance import board_pack
    from dathub.reporting.registry import BOARD_PACK, PackContext, sections_for

    assert "performance" in {s.key for s in sections_for(BOARD_PACK)}
    ctx = PackContext(
        actor=demo.board,
        body=None,
        meeting_date=dt.date(2026, 11, 30),
        as_at=dt.date(2026, 11, 22),
        since=None,
        kind=BOARD_PACK,
    )
    assert board_pack.section(demo.northshire, ctx)["empty"] is True
    indicator = services.local_indicator_create(
        actor=demo.analyst,
        partnership=demo.northshire,
        code="dip",
        name="DIP assessments",
        unit="percent",
    )
    services.local_figure_set(
        actor=demo.analyst,
        indicator=indicator,
        financial_year="2026/27",
        quarter=1,
        numerator=3,
        denominator=4,
    )
    services.local_figure_set(
        actor=demo.analyst,
        indicator=indicator,
        financial_year="2026/27",
        quarter=2,
        numerator=90,
        denominator=100,
    )
    built = board_pack.section(demo.northshire, ctx)
    table = next(b for b in built["blocks"] if b["type"] == "table")
    row = next(r for r in table["rows"] if r[0] == "DIP assessments")
    assert row[1] == "2026/27 Q2" and row[2] == "90.0%"
    assert all(isinstance(c, str) or "text" in c for c in row)
