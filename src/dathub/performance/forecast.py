"""The year-end forecast of an indicator, worked out from its own numerator and denominator.

Pure functions on numbers and dates; no database. The method is in ``docs/forecast.md``; in
short, each indicator is forecast according to what its figure counts (its *basis*):

- **flow** (retention, planned exits, waits): the figure counts journeys as they start or
  end in the window. The year so far has counted some of the year's journeys; numerator and
  denominator are both scaled up by the days the year's figure counts over the days counted
  so far, so the forecast share is the year-to-date share.
- **stock** (people in treatment, effective treatment, care plans, hepatitis): the figure
  counts everyone in treatment at any time in the window, a 12-month window for the year.
  The latest rolling 12 months is the nearest 12-month count measured: it is the forecast.
  A count cannot end the year below what the year so far has already counted.
- **lookback** (successful completions): the figure looks back at the 12 months ending six
  months before the window's end; the forecast is the latest such figure.
- **prevalence** (penetration): the numerator is a stock (opiate and crack users in
  treatment, as above); the denominator is the year's prevalence estimate, known already.
- **local_rate**: a partnership's own share, entered by quarter: we cannot tell whether it
  counts arrivals or a standing total, so the forecast is this year's quarters pooled.
- **local_count**: quarters of a local count cannot be added up to a year (the same people
  may be in several quarters): no forecast until the year's figure is entered.

Every forecast is kept within the range of this year's own figures (quarters, year to date,
rolling 12 months ending this year) and never above 100%; when the data cannot support one
there is no number and ``Forecast.reason`` says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from .engine.rates import rate
from .engine.windows import completion_window
from .forecast_bases import METHODS, Basis
from .numbers import ONE_PLACE, format_value

MIN_MONTHS = 3  # a quarter of this year; fewer months are mostly last year's pattern
MIN_DENOMINATOR = 20  # below this one person moves the share by 5 points or more

THIS_YEARS_FIGURES = (
    "this year's own figures: its quarters, the year so far and the rolling 12 months "
    "ending this year"
)
SUPPRESSED_REASON = (
    "No forecast: the figures it would be worked out from are suppressed "
    "(they count 1 to 4 people)."
)


@dataclass(frozen=True)
class Observed:
    """One stored figure of the indicator; numerator and denominator None where not stored
    or suppressed."""

    kind: str  # quarter | ytd | year | rolling
    start: dt.date
    end: dt.date
    numerator: int | None
    denominator: int | None
    value: Decimal | None
    suppressed: bool = False


@dataclass(frozen=True)
class Forecast:
    value: Decimal | None
    reason: str = ""  # why there is no number ("" when there is one)
    basis: str = ""
    numerator: int | None = None  # projected for the year (local rates: the quarters pooled)
    denominator: int | None = None
    lower: Decimal | None = None  # the plausible range the value was kept within
    upper: Decimal | None = None
    steps: tuple[str, ...] = ()  # the working, with the numbers, in words
    range_note: str = ""  # what lower and upper are, in words

    @property
    def method(self) -> str:
        return METHODS.get(self.basis, "")


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def _count(n: int | Decimal) -> str:
    return format_value(Decimal(n), is_count=True)


def _share(v: Decimal) -> str:
    return format_value(v, is_count=False)


def _whole(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _months(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` (1 April) to ``end`` (a month end), inclusive."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _none(reason: str, basis: str) -> Forecast:
    return Forecast(None, reason=reason, basis=basis)


def _range(values: Sequence[Decimal | None]) -> tuple[Decimal, Decimal] | None:
    shown = [v for v in values if v is not None]
    return (min(shown), max(shown)) if shown else None


def _within(value: Decimal, lower: Decimal, upper: Decimal) -> Decimal:
    return min(max(value, lower), upper)


def year_end_forecast(
    basis: Basis,
    figures: Sequence[Observed],
    *,
    year_start: dt.date,
    is_count: bool,
) -> Forecast:
    """The forecast of the year's own figure (1 April ``year_start`` to 31 March) from the
    indicator's stored figures (any periods: this year's are picked out here)."""
    year_end = dt.date(year_start.year + 1, 3, 31)
    mine = [f for f in figures if year_start <= f.start and f.end <= year_end]
    rolling_now = sorted(
        (f for f in figures if f.kind == "rolling" and year_start <= f.end <= year_end),
        key=lambda f: f.end,
    )
    quarters = sorted((f for f in mine if f.kind == "quarter"), key=lambda f: f.end)
    whole = [f for f in mine if f.kind in ("ytd", "year") and f.start == year_start]
    ytd = max(whole, key=lambda f: f.end) if whole else None
    key = basis.key

    if ytd is not None and ytd.end >= year_end:
        return _outturn(ytd, is_count)
    if key == "none":
        return _none(METHODS["none"], key)
    if key == "local_count":
        return _none(
            "No forecast: a local count's year cannot be worked out from its quarters "
            "(the same people can be in more than one). It is rated once the year's figure "
            "is entered.",
            key,
        )

    # how much of this year the figures cover
    if key == "local_rate":
        months = 3 * len(quarters)
    else:
        latest = ytd.end if ytd is not None else (rolling_now[-1].end if rolling_now else None)
        months = _months(year_start, latest) if latest else 0
    if months < MIN_MONTHS:
        if months == 0:
            return _none("No forecast: there are no figures for this year yet.", key)
        return _none(
            f"Not enough of this year's data to forecast: {months} month"
            f"{'' if months == 1 else 's'} of 12 (a forecast needs at least {MIN_MONTHS}).",
            key,
        )

    observed_values = [
        f.value for f in [*quarters, *([ytd] if ytd else []), *rolling_now] if not f.suppressed
    ]
    if key == "flow":
        return _flow(basis, ytd, year_start, year_end, observed_values)
    if key in ("stock", "lookback"):
        return _stock(basis, ytd, rolling_now, year_start, year_end, is_count, observed_values)
    if key == "prevalence":
        return _prevalence(ytd, rolling_now, year_start, year_end)
    return _local_rate(quarters)


def _outturn(f: Observed, is_count: bool) -> Forecast:
    if f.suppressed:
        return _none(SUPPRESSED_REASON, "outturn")
    if f.value is None:
        return _none("No forecast: the year is complete but has no figure.", "outturn")
    counts = (
        f"{_count(f.numerator)} of {_count(f.denominator)}: "
        if f.numerator is not None and f.denominator
        else ""
    )
    return Forecast(
        f.value,
        range_note="the year's own figure",
        basis="outturn",
        numerator=f.numerator,
        denominator=f.denominator,
        lower=f.value,
        upper=f.value,
        steps=(
            f"The year to {_day(f.end)} is complete: {counts}"
            f"{format_value(f.value, is_count=is_count)}.",
        ),
    )


def _usable_share(f: Observed | None, what: str, counted: str) -> str:
    """The reason ``f`` cannot carry a forecast of a share, or ""."""
    if f is None:
        return f"No forecast: there is no figure for the {what} yet."
    if f.suppressed:
        return SUPPRESSED_REASON
    if f.numerator is None or f.denominator is None:
        return f"No forecast: no numerator and denominator are stored for the {what}."
    if f.denominator < MIN_DENOMINATOR:
        return (
            f"Too few {counted.split()[0]} to forecast: {_count(f.denominator)} in the {what} "
            f"(a forecast needs at least {MIN_DENOMINATOR})."
        )
    return ""


def _flow(
    basis: Basis,
    ytd: Observed | None,
    year_start: dt.date,
    year_end: dt.date,
    observed: list[Decimal | None],
) -> Forecast:
    problem = _usable_share(ytd, "year so far", basis.counted)
    if problem or ytd is None or ytd.numerator is None or ytd.denominator is None:
        return _none(problem, "flow")
    lag = dt.timedelta(days=basis.lag_days)
    so_far_end, year_count_end = ytd.end - lag, year_end - lag
    days_so_far = (so_far_end - year_start).days + 1
    days_year = (year_count_end - year_start).days + 1
    scale = Decimal(days_year) / Decimal(days_so_far)
    p_num = (ytd.numerator * scale).quantize(ONE_PLACE, rounding=ROUND_HALF_EVEN)
    p_den = (ytd.denominator * scale).quantize(ONE_PLACE, rounding=ROUND_HALF_EVEN)
    # one scale for both: the projected share is exactly the share so far (no rounding drift)
    value = rate(ytd.numerator, ytd.denominator)
    assert value is not None  # den >= MIN_DENOMINATOR
    lag_words = f" ({basis.lag_days} days before {_day(year_end)})" if basis.lag_days else ""
    so_far_lag = f" ({basis.lag_days} days before {_day(ytd.end)})" if basis.lag_days else ""
    steps = (
        f"The year's figure counts {basis.counted} from {_day(year_start)} to "
        f"{_day(year_count_end)}{lag_words}: {days_year} days.",
        f"The year so far counts those from {_day(year_start)} to {_day(so_far_end)}"
        f"{so_far_lag}: {days_so_far} days, {_count(ytd.numerator)} of "
        f"{_count(ytd.denominator)}.",
        f"Projected numerator: {_count(ytd.numerator)} × {days_year} ÷ {days_so_far} = "
        f"{p_num:,}. Projected denominator: {_count(ytd.denominator)} × {days_year} ÷ "
        f"{days_so_far} = {p_den:,}.",
        f"Forecast: {p_num:,} ÷ {p_den:,} = {_share(value)}, the same as "
        f"{_count(ytd.numerator)} ÷ {_count(ytd.denominator)} since both are scaled alike.",
    )
    return _share_forecast(
        "flow",
        value,
        bounds=observed,
        range_note=THIS_YEARS_FIGURES,
        numerator=_whole(p_num),
        denominator=_whole(p_den),
        steps=steps,
    )


def _share_forecast(
    basis: str,
    value: Decimal,
    *,
    bounds: Sequence[Decimal | None],
    range_note: str,
    numerator: int,
    denominator: int,
    steps: Sequence[str],
) -> Forecast:
    """A share's forecast kept within ``bounds`` (the figures it may not leave), with the
    step that says so when it had to be kept."""
    lower, upper = _range(bounds) or (value, value)
    kept = _within(value, lower, upper)
    if kept != value:
        steps = (
            *steps,
            f"{_share(value)} is outside this year's figures ({_share(lower)} to "
            f"{_share(upper)}), so the forecast is kept at {_share(kept)}.",
        )
    return Forecast(
        kept,
        range_note=range_note,
        basis=basis,
        numerator=numerator,
        denominator=denominator,
        lower=lower,
        upper=upper,
        steps=tuple(steps),
    )


def _stock(
    basis: Basis,
    ytd: Observed | None,
    rolling_now: list[Observed],
    year_start: dt.date,
    year_end: dt.date,
    is_count: bool,
    observed: list[Decimal | None],
) -> Forecast:
    latest = rolling_now[-1] if rolling_now else None
    if latest is None:
        return _none("No forecast: there is no 12-month figure ending this year yet.", basis.key)
    if latest.suppressed or (ytd is not None and ytd.suppressed):
        return _none(SUPPRESSED_REASON, basis.key)
    if is_count:
        if latest.numerator is None:
            return _none("No forecast: the latest 12 months have no count stored.", basis.key)
        floor = ytd.numerator if ytd is not None and ytd.numerator is not None else 0
        num = max(latest.numerator, floor)
        counts = [f.numerator for f in [*rolling_now, *([ytd] if ytd else [])]]
        top = max(n for n in counts if n is not None)
        steps = [
            f"The year's figure counts everyone in treatment at any time from "
            f"{_day(year_start)} to {_day(year_end)}.",
            f"The latest 12 months measured ({_day(latest.start)} to {_day(latest.end)}) "
            f"count {_count(latest.numerator)}.",
        ]
        if ytd is not None and ytd.numerator is not None:
            steps.append(
                f"The year so far (to {_day(ytd.end)}) has already counted "
                f"{_count(ytd.numerator)}, and the year cannot count fewer."
            )
        steps.append(f"Forecast: {_count(num)}.")
        return Forecast(
            Decimal(num),
            range_note="what the year so far has already counted, and the largest count "
            "of this year's figures",
            basis=basis.key,
            numerator=num,
            lower=Decimal(floor),
            upper=Decimal(top),
            steps=tuple(steps),
        )
    problem = _usable_share(latest, "latest 12 months", basis.counted)
    if problem or latest.numerator is None or latest.denominator is None:
        return _none(problem, basis.key)
    value = rate(latest.numerator, latest.denominator)
    assert value is not None
    if basis.key == "lookback":
        w_start, w_end = completion_window(year_end)
        l_start, l_end = completion_window(latest.end)
        first = (
            f"The year's figure looks back at people in treatment from {_day(w_start)} to "
            f"{_day(w_end)}. The latest figure, for the period to {_day(latest.end)}, looks "
            f"back at {_day(l_start)} to {_day(l_end)}: {_count(latest.numerator)} of "
            f"{_count(latest.denominator)}."
        )
    else:
        first = (
            f"The year's figure counts people in treatment at any time from "
            f"{_day(year_start)} to {_day(year_end)}. The latest 12 months measured "
            f"({_day(latest.start)} to {_day(latest.end)}) count "
            f"{_count(latest.numerator)} of {_count(latest.denominator)}."
        )
    return _share_forecast(
        basis.key,
        value,
        bounds=observed,
        range_note=THIS_YEARS_FIGURES,
        numerator=latest.numerator,
        denominator=latest.denominator,
        steps=(
            first,
            f"Forecast: {_count(latest.numerator)} ÷ {_count(latest.denominator)} = "
            f"{_share(value)}.",
        ),
    )


def _prevalence(
    ytd: Observed | None, rolling_now: list[Observed], year_start: dt.date, year_end: dt.date
) -> Forecast:
    latest = rolling_now[-1] if rolling_now else None
    if ytd is None:
        return _none("No forecast: there is no figure for the year so far yet.", "prevalence")
    if ytd.suppressed or (latest is not None and latest.suppressed):
        return _none(SUPPRESSED_REASON, "prevalence")
    fy = f"{year_start.year}/{(year_start.year + 1) % 100:02d}"
    if not ytd.denominator or ytd.numerator is None:
        return _none(
            f"No forecast: there is no prevalence estimate for {fy}, so penetration cannot "
            "be worked out.",
            "prevalence",
        )
    den = ytd.denominator
    # the rolling figure's own denominator may be last year's estimate: only its count is used
    candidates = [ytd.numerator] + ([latest.numerator] if latest and latest.numerator else [])
    num = max(candidates)
    if num > den:
        return _none(
            f"No forecast: the count of opiate and crack users in treatment ({_count(num)}) "
            f"is more than the estimate for {fy} ({_count(den)}). Check the prevalence "
            "estimate.",
            "prevalence",
        )
    value = rate(num, den)
    lower = rate(ytd.numerator, den)
    assert value is not None and lower is not None
    steps = [
        f"The year's denominator is the estimate for {fy}: {_count(den)}.",
        f"The year so far (to {_day(ytd.end)}) has already counted {_count(ytd.numerator)} "
        f"opiate and crack users in treatment ({_share(lower)}), and the year cannot "
        "count fewer.",
    ]
    if latest is not None and latest.numerator is not None:
        steps.append(
            f"The latest 12 months measured ({_day(latest.start)} to {_day(latest.end)}) "
            f"count {_count(latest.numerator)}."
        )
    steps.append(f"Forecast: {_count(num)} ÷ {_count(den)} = {_share(value)}.")
    return Forecast(
        value,
        range_note="the year so far's share (the year cannot count fewer) and the latest "
        "12 months' count over the year's estimate",
        basis="prevalence",
        numerator=num,
        denominator=den,
        lower=lower,
        upper=value,
        steps=tuple(steps),
    )


def _local_rate(quarters: list[Observed]) -> Forecast:
    if any(q.suppressed for q in quarters):
        return _none(SUPPRESSED_REASON, "local_rate")
    usable = [q for q in quarters if q.numerator is not None and q.denominator]
    if len(usable) < len(quarters):
        return _none(
            "No forecast: a quarter of this year has no numerator and denominator.", "local_rate"
        )
    num = sum(q.numerator or 0 for q in usable)
    den = sum(q.denominator or 0 for q in usable)
    if den < MIN_DENOMINATOR:
        return _none(
            f"Too few to forecast: this year's quarters count {_count(den)} in the "
            f"denominator (a forecast needs at least {MIN_DENOMINATOR}).",
            "local_rate",
        )
    value = rate(num, den)
    assert value is not None
    nums = " + ".join(_count(q.numerator or 0) for q in usable)
    dens = " + ".join(_count(q.denominator or 0) for q in usable)
    return _share_forecast(
        "local_rate",
        value,
        bounds=[q.value for q in usable],
        range_note="this year's quarters",
        numerator=num,
        denominator=den,
        steps=(
            f"This year's quarters: numerators {nums} = {_count(num)}; denominators {dens} = "
            f"{_count(den)}.",
            f"Forecast: {_count(num)} ÷ {_count(den)} = {_share(value)}.",
        ),
    )
