"""Rating a figure against its target, and its direction of travel.

Pure functions on numbers; no database. Every rating and direction carries a word: the
colour of its tag only repeats what the word says. The year-end forecast is worked out in
``forecast.py``.

Rating, for a figure F, a target T and a tolerance D >= 0 (in the indicator's own units):

- higher is better: **met** when F >= T; **within tolerance** when T - D <= F < T;
  **missed** when F < T - D.
- lower is better (waiting times): **met** when F <= T; **within tolerance** when
  T < F <= T + D; **missed** when F > T + D.
- no figure or no target: **no target** / **no figure** (grey).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


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
