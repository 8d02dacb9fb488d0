"""Rating a figure against its target, direction of travel, and the year-end forecast.

Pure functions on numbers; no database. Every rating and direction carries a word: the
colour of its tag only repeats what the word says.

Rating, for a figure F, a target T and a tolerance D >= 0 (in the indicator's own units):

- higher is better: **met** when F >= T; **within tolerance** when T - D <= F < T;
  **missed** when F < T - D.
- lower is better (waiting times): **met** when F <= T; **within tolerance** when
  T < F <= T + D; **missed** when F > T + D.
- no figure or no target: **no target** / **no figure** (grey).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True)
class Rating:
    key: str  # met | within | missed | no_target | no_figure
    word: str
    tag_class: str


MET = Rating("met", "Met", "govuk-tag--green")
WITHIN = Rating("within", "Within tolerance", "govuk-tag--yellow")
MISSED = Rating("missed", "Missed", "govuk-tag--red")
NO_TARGET = Rating("no_target", "No target", "govuk-tag--grey")
NO_FIGURE = Rating("no_figure", "No figure", "govuk-tag--grey")


def rate(
    value: Decimal | None,
    target: Decimal | None,
    tolerance: Decimal | None = None,
    *,
    higher_is_better: bool = True,
) -> Rating:
    if target is None:
        return NO_TARGET
    if value is None:
        return NO_FIGURE
    slack = tolerance or Decimal(0)
    if higher_is_better:
        if value >= target:
            return MET
        return WITHIN if value >= target - slack else MISSED
    if value <= target:
        return MET
    return WITHIN if value <= target + slack else MISSED


@dataclass(frozen=True)
class Direction:
    key: str  # improving | worsening | same | none
    word: str
    movement: str  # "up", "down", "no change" or ""
    tag_class: str


def direction(
    previous: Decimal | None, latest: Decimal | None, *, higher_is_better: bool = True
) -> Direction:
    """Latest against the period before it (the previous quarter on the dashboard)."""
    if previous is None or latest is None:
        return Direction("none", "No earlier figure", "", "govuk-tag--grey")
    if latest == previous:
        return Direction("same", "No change", "no change", "govuk-tag--grey")
    up = latest > previous
    better = up == higher_is_better
    return Direction(
        "improving" if better else "worsening",
        "Improving" if better else "Worsening",
        "up" if up else "down",
        "govuk-tag--green" if better else "govuk-tag--red",
    )


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def forecast(
    points: Sequence[tuple[dt.date, Decimal]],
    year_end: dt.date,
    *,
    is_count: bool,
) -> Decimal | None:
    """Year-end forecast from the trend so far.

    ``points`` are the rolling 12-month figures at the month ends of the current financial
    year so far (the year's own figure is the rolling 12 months ending on ``year_end``,
    31 March). The forecast extends the ordinary least-squares straight line through those
    points (x = months from the first point) to ``year_end``. With one point there is no
    trend yet and the forecast is that figure; with none there is no forecast. Points on or
    after ``year_end`` are the outturn itself: the latest such point is returned. Rates are
    kept within 0-100 and counts at 0 or more; the result is rounded half to even to one
    decimal place, like the engine's figures.
    """
    pts = sorted((d, Decimal(v)) for d, v in points if v is not None)
    if not pts:
        return None
    done = [v for d, v in pts if d >= year_end]
    if done:
        return done[-1].quantize(ONE_PLACE, rounding=ROUND_HALF_EVEN)
    if len(pts) == 1:
        result = pts[0][1]
    else:
        first = pts[0][0]
        xs = [Decimal(_months_between(first, d)) for d, _ in pts]
        ys = [v for _, v in pts]
        n = Decimal(len(pts))
        zero = Decimal(0)
        mx = sum(xs, zero) / n
        my = sum(ys, zero) / n
        sxx = sum(((x - mx) ** 2 for x in xs), zero)
        sxy = sum(((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)), zero)
        slope = sxy / sxx
        x_end = Decimal(_months_between(first, year_end))
        result = my + slope * (x_end - mx)
    result = max(result, Decimal(0))
    if not is_count:
        result = min(result, Decimal(100))
    return result.quantize(ONE_PLACE, rounding=ROUND_HALF_EVEN)
