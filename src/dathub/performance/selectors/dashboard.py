"""The dashboard's cards: each indicator's last 8 quarters with their targets, the latest
quarter rated, its direction of travel and the year-end forecast, as the figures stood on
a day (today, or a pack's as-at day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from dathub.core import clock
from dathub.tenancy.models import Partnership

from .. import ratings
from ..catalogue import NATIONAL, IndicatorInfo
from ..forecast import SUPPRESSED_REASON, Forecast, Observed, year_end_forecast
from ..forecast_bases import basis_for
from ..models import (
    IndicatorResult,
    Target,
)
from ..numbers import format_value
from ..periods import fy_start, last_month_end, quarter_of
from .figures import Figure, indicator_infos, local_figures, national_figures
from .targets import targets_by_key

WITHHELD_REASON = (
    "No forecast: the figures it would be worked out from are withheld (they would "
    "disclose another provider's figure)."
)
WITHHELD_DIRECTION = ratings.Direction("withheld", "Withheld", "", "govuk-tag--grey")
WITHHELD_BOTH_REASON = (
    "No forecast: the figures it would be worked out from are suppressed (they count 1 to 4 "
    "people) or withheld (they would disclose another provider's figure)."
)


@dataclass
class QuarterPoint:
    figure: Figure
    target: Decimal | None
    target_text: str


@dataclass
class Card:
    info: IndicatorInfo
    series: list[QuarterPoint] = field(default_factory=list)
    latest: QuarterPoint | None = None
    previous: QuarterPoint | None = None
    rating: ratings.Rating = ratings.NO_FIGURE
    direction: ratings.Direction | None = None
    year: str = ""
    year_target: Target | None = None
    year_target_text: str = ""
    forecast_detail: Forecast | None = None  # the year-end forecast and its working
    year_to_date: Figure | None = None

    @property
    def forecast(self) -> Decimal | None:
        return self.forecast_detail.value if self.forecast_detail else None

    @property
    def forecast_reason(self) -> str:
        """Why there is no forecast ("" when there is one)."""
        return self.forecast_detail.reason if self.forecast_detail else ""

    @property
    def forecast_text(self) -> str:
        """The forecast as the pages write it, or the reason there is none."""
        if self.forecast is None:
            return self.forecast_reason
        return format_value(self.forecast, self.info.is_count)

    @property
    def forecast_rating(self) -> ratings.Rating:
        if self.year_target is None:
            return ratings.NO_TARGET
        if self.forecast is None:
            return ratings.NO_FIGURE
        return ratings.rate(
            self.forecast,
            self.year_target.value,
            self.year_target.tolerance,
            higher_is_better=self.info.higher_is_better,
        )

    @property
    def withheld_reason(self) -> str:
        """Why some of the card's quarters are withheld ("" when none is)."""
        return next((p.figure.withheld_reason for p in self.series if p.figure.withheld), "")

    @property
    def alt_text(self) -> str:
        if not self.series:
            return f"No figures yet for {self.info.name}."
        first, last = self.series[0].figure.period, self.series[-1].figure.period
        has_target = any(p.target is not None for p in self.series)
        return (
            f"Line chart of {self.info.name.lower()} for each quarter from {first} to {last}"
            + (", with the target line" if has_target else "")
            + ". The figures are in the table beside the chart."
            + (" Withheld quarters have no point." if self.withheld_reason else "")
        )


def _target_for(targets: dict[tuple[str, str], Target], key: str, fig: Figure) -> Decimal | None:
    fy, quarter = quarter_of(fig.period_start)
    t = targets.get((key, fy))
    return t.for_quarter(quarter) if t else None


def _forecast(info: IndicatorInfo, figures: list[Figure], year_start: dt.date) -> Forecast:
    """The year-end forecast of one indicator from its figures. A withheld figure (it would
    disclose another provider's) is no more used than a suppressed one, and says so."""
    forecast = year_end_forecast(
        basis_for(info.key, local=info.local, is_count=info.is_count),
        [
            Observed(
                kind=f.kind,
                start=f.period_start,
                end=f.period_end,
                numerator=f.numerator,
                denominator=f.denominator,
                value=f.value,
                suppressed=f.suppressed or f.withheld,
            )
            for f in figures
        ],
        year_start=year_start,
        is_count=info.is_count,
    )
    if forecast.reason == SUPPRESSED_REASON and any(f.withheld for f in figures):
        either = any(f.suppressed for f in figures)
        return replace(forecast, reason=WITHHELD_BOTH_REASON if either else WITHHELD_REASON)
    return forecast


def dashboard(
    *,
    actor: Any,
    partnership: Partnership,
    published: bool = False,
    only: str | None = None,
    today: dt.date | None = None,
) -> list[Card]:
    """Each indicator: its last 8 quarters with their targets, the latest quarter rated,
    direction of travel against the quarter before, and the year-end forecast."""
    today = today or clock.today()
    infos = indicator_infos(partnership)
    national = (
        national_figures(
            actor=actor,
            partnership=partnership,
            published=published,
            indicator=only if only in NATIONAL else None,
        )
        if not (only and only not in NATIONAL)
        else []
    )
    local = local_figures(actor=actor, partnership=partnership, published=published)
    by_indicator: dict[str, list[Figure]] = {}
    for fig in national + local:
        # as the figures stood on `today`: a pack for a past meeting shows nothing later
        if fig.period_end <= today:
            by_indicator.setdefault(fig.indicator, []).append(fig)
    targets = targets_by_key(partnership)
    current_fy_start = fy_start(last_month_end(today))
    current_fy = f"{current_fy_start.year}/{(current_fy_start.year + 1) % 100:02d}"
    cards = []
    for key, info in infos.items():
        if only and key != only:
            continue
        figs = by_indicator.get(key, [])
        quarters = [f for f in figs if f.kind == IndicatorResult.Kind.QUARTER][-8:]
        card = Card(info=info, year=current_fy)
        for f in quarters:
            t = _target_for(targets, key, f)
            card.series.append(
                QuarterPoint(f, t, "" if t is None else format_value(t, info.is_count))
            )
        if card.series:
            card.latest = card.series[-1]
            card.previous = card.series[-2] if len(card.series) > 1 else None
            card.rating = ratings.rate(
                card.latest.figure.value,
                card.latest.target,
                _tolerance(targets, key, card.latest.figure),
                higher_is_better=info.higher_is_better,
            )
            card.direction = ratings.direction(
                card.previous.figure.value if card.previous else None,
                card.latest.figure.value,
                higher_is_better=info.higher_is_better,
            )
            if card.latest.figure.withheld or (card.previous and card.previous.figure.withheld):
                card.direction = WITHHELD_DIRECTION
        card.year_target = targets.get((key, current_fy))
        if card.year_target is not None:
            card.year_target_text = format_value(card.year_target.value, info.is_count)
        ytd = [f for f in figs if f.kind in ("ytd", "year") and f.period == current_fy]
        card.year_to_date = ytd[-1] if ytd else None
        card.forecast_detail = _forecast(info, figs, current_fy_start)
        cards.append(card)
    return cards


def _tolerance(targets: dict[tuple[str, str], Target], key: str, fig: Figure) -> Decimal | None:
    fy, _ = quarter_of(fig.period_start)
    t = targets.get((key, fy))
    return t.tolerance if t else None
