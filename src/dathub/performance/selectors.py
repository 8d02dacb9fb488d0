"""Reads of submissions, client-level rows and figures, scoped to the actor.

- Submissions (their reports: counts, line numbers, fields and codes, never cell values)
  are seen by whoever may view performance or submit records; a provider user sees only
  their own agency's. Another agency's or another partnership's submission is "not found".
- Client-level rows (accepted and rejected) need ``view_client_records`` on top, and every
  read of them is written to the audit trail.
- Figures come from the latest finished computation. Whoever may see true figures gets them
  (marked "not for publication"); everyone else, and every view asked for as published,
  gets the engine's small-number suppression.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from django.db.models import QuerySet
from django.http import Http404

from dathub.core import audit, clock
from dathub.core.selectors import object_in
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Organisation, Partnership

from . import ratings, store
from .catalogue import NATIONAL, IndicatorInfo, local_info
from .engine.indicators import COUNT_INDICATORS as NATIONAL_COUNTS
from .engine.records import FIELDS
from .engine.suppression import SUPPRESSED, suppress
from .forecast import Forecast, Observed, year_end_forecast
from .forecast_bases import basis_for
from .models import (
    Computation,
    IndicatorResult,
    LocalFigure,
    LocalIndicator,
    PrevalenceEstimate,
    Submission,
    SubmissionData,
    Target,
)
from .numbers import format_value
from .periods import fy_start, last_month_end, quarter_of

ROWS_PER_PAGE = 50


# --- submissions ----------------------------------------------------------------------------


def submission_list(*, actor: Any, partnership: Partnership) -> QuerySet[Submission]:
    qs = Submission.objects.filter(partnership=partnership, archived_at__isnull=True)
    if not (
        permissions.can(actor, partnership, r.VIEW_PERFORMANCE)
        or permissions.can(actor, partnership, r.SUBMIT_RECORDS)
    ):
        return qs.none()
    scope = permissions.organisation_scope(actor, partnership)
    if scope is not False:
        code = (
            scope.agency_code.strip().upper() if isinstance(scope, Organisation) else ""
        ) or None
        qs = qs.filter(agency=code) if code else qs.none()
    return qs


def submission_get(*, actor: Any, partnership: Partnership, pk: Any) -> Submission:
    return object_in(submission_list(actor=actor, partnership=partnership), pk)


def submission_for_rows(*, actor: Any, partnership: Partnership, pk: Any) -> Submission:
    """A submission whose client-level rows ``actor`` may see; otherwise not found."""
    if not permissions.can(actor, partnership, r.VIEW_CLIENT_RECORDS):
        raise Http404("No submission found")
    return submission_get(actor=actor, partnership=partnership, pk=pk)


def _audit_rows(actor: Any, sub: Submission, what: str) -> None:
    audit.record(
        actor=actor,
        partnership=sub.partnership,
        action="submission.rows_view",
        obj=sub,
        changes={"viewed": [None, what]},
    )


@dataclass
class RowsPage:
    columns: list[str]
    rows: list[list[Any]]
    total: int
    page: int
    pages: int


def submission_rows(*, actor: Any, submission: Submission, kind: str, page: int = 1) -> RowsPage:
    """One page of the submission's accepted or rejected rows (audited)."""
    data = SubmissionData.objects.filter(submission=submission).first()
    if kind == "rejected":
        frame = store.rejected_frame(data.rejected if data else None)
        columns = list(frame.columns)
    else:
        kind = "accepted"
        accepted = store.accepted_frame(data.accepted if data else None)
        frame = accepted.sort("line") if accepted is not None else pl.DataFrame()
        columns = ["line", *FIELDS] if frame.height else []
    total = frame.height
    pages = max(1, -(-total // ROWS_PER_PAGE))
    page = min(max(1, page), pages)
    chunk = frame.slice((page - 1) * ROWS_PER_PAGE, ROWS_PER_PAGE)
    rows = [[("" if v is None else v) for v in row] for row in chunk.select(columns).iter_rows()]
    _audit_rows(actor, submission, f"{kind} rows, page {page} ({len(rows)} rows)")
    return RowsPage(columns=columns, rows=rows, total=total, page=page, pages=pages)


def submission_rejected_csv(*, actor: Any, submission: Submission) -> bytes:
    """The rejected rows as the correction file (audited). Cells a spreadsheet would run as
    a formula are guarded with an apostrophe, which the records reader takes off again."""
    from .engine.records import guard_csv

    data = SubmissionData.objects.filter(submission=submission).first()
    blob = guard_csv(bytes(data.rejected)) if data and data.rejected else b""
    _audit_rows(actor, submission, f"rejected rows downloaded ({submission.rejected or 0} rows)")
    return blob


# --- figures --------------------------------------------------------------------------------


def latest_computation() -> Computation | None:
    return Computation.objects.filter(status=Computation.Status.DONE).order_by("-pk").first()


def shows_true_figures(actor: Any, partnership: Partnership, published: bool = False) -> bool:
    return not published and permissions.can(actor, partnership, r.VIEW_TRUE_FIGURES)


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema: dict[str, Any] = {
        "period": pl.String,
        "kind": pl.String,
        "period_start": pl.Date,
        "period_end": pl.Date,
        "dat": pl.String,
        "indicator": pl.String,
        "breakdown": pl.String,
        "numerator": pl.Int64,
        "denominator": pl.Int64,
        "value": pl.Decimal(38, 1),
    }
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


@dataclass
class Figure:
    indicator: str
    breakdown: str
    period: str
    kind: str
    period_start: dt.date
    period_end: dt.date
    numerator: int | None
    denominator: int | None
    value: Decimal | None
    shown_numerator: str
    shown_denominator: str
    shown_value: str
    suppressed: bool


def _fmt_count(n: Any) -> str:
    return "" if n is None else f"{int(n):,}"


def _figures(frame: pl.DataFrame, published: bool, infos: dict[str, IndicatorInfo]) -> list[Figure]:
    if frame.height == 0:
        return []
    shown = suppress(frame) if published else None
    out: list[Figure] = []
    for i, row in enumerate(frame.iter_rows(named=True)):
        info = infos.get(row["indicator"])
        is_count = bool(info and info.is_count)
        if shown is not None:
            s = shown.row(i, named=True)
            hidden = SUPPRESSED in (s["numerator"], s["denominator"], s["value"])
            num_text = SUPPRESSED if s["numerator"] == SUPPRESSED else _fmt_count(row["numerator"])
            den_text = (
                SUPPRESSED if s["denominator"] == SUPPRESSED else _fmt_count(row["denominator"])
            )
        else:
            hidden = False
            num_text, den_text = _fmt_count(row["numerator"]), _fmt_count(row["denominator"])
        value = row["value"]
        out.append(
            Figure(
                indicator=row["indicator"],
                breakdown=row["breakdown"],
                period=row["period"],
                kind=row["kind"],
                period_start=row["period_start"],
                period_end=row["period_end"],
                numerator=None if hidden and num_text == SUPPRESSED else row["numerator"],
                denominator=None if hidden and den_text == SUPPRESSED else row["denominator"],
                value=None if hidden else value,
                shown_numerator=num_text,
                shown_denominator=den_text,
                shown_value=SUPPRESSED if hidden else format_value(value, is_count),
                suppressed=hidden,
            )
        )
    return out


def indicator_infos(partnership: Partnership) -> dict[str, IndicatorInfo]:
    infos = dict(NATIONAL)
    for li in LocalIndicator.objects.current().filter(partnership=partnership):
        infos[li.key] = local_info(li)
    return infos


def national_figures(
    *,
    actor: Any,
    partnership: Partnership,
    published: bool = False,
    indicator: str | None = None,
    period: str | None = None,
    all_breakdowns: bool = False,
) -> list[Figure]:
    """Stored figures of the latest computation. ``all_breakdowns`` needs one indicator and
    one period (secondary suppression works on whole breakdown families)."""
    if not permissions.can(actor, partnership, r.VIEW_PERFORMANCE):
        return []
    comp = latest_computation()
    if comp is None:
        return []
    qs = IndicatorResult.objects.filter(partnership=partnership, computation=comp)
    if indicator:
        qs = qs.filter(indicator=indicator)
    if period:
        qs = qs.filter(period=period)
    if not all_breakdowns:
        qs = qs.filter(breakdown="all")
    rows = [
        {**row, "dat": partnership.code.upper()}
        for row in qs.order_by("period_start", "period_end", "id").values(
            "period",
            "kind",
            "period_start",
            "period_end",
            "indicator",
            "breakdown",
            "numerator",
            "denominator",
            "value",
        )
    ]
    published = not shows_true_figures(actor, partnership, published)
    figures = _figures(_frame(rows), published, NATIONAL)
    scope = permissions.organisation_scope(actor, partnership)
    if scope is not False:
        # A provider sees its own agency's breakdown, never another provider's.
        own = "agency:" + (
            scope.agency_code.strip().upper() if isinstance(scope, Organisation) else ""
        )
        figures = [
            f for f in figures if not f.breakdown.startswith("agency:") or f.breakdown == own
        ]
    return figures


def local_figures(*, actor: Any, partnership: Partnership, published: bool = False) -> list[Figure]:
    if not permissions.can(actor, partnership, r.VIEW_PERFORMANCE):
        return []
    infos = indicator_infos(partnership)
    rows = [
        {
            "period": f.period,
            "kind": f.kind,
            "period_start": f.period_start,
            "period_end": f.period_end,
            "dat": partnership.code.upper(),
            "indicator": f.indicator.key,
            "breakdown": "all",
            "numerator": f.numerator,
            "denominator": f.denominator,
            "value": f.value,
        }
        for f in LocalFigure.objects.current()
        .filter(partnership=partnership, indicator__archived_at__isnull=True)
        .select_related("indicator")
        .order_by("period_start")
    ]
    published = not shows_true_figures(actor, partnership, published)
    return _figures(_frame(rows), published, infos)


def targets_by_key(partnership: Partnership) -> dict[tuple[str, str], Target]:
    return {
        (t.indicator, t.financial_year): t
        for t in Target.objects.current().filter(partnership=partnership)
    }


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
    def alt_text(self) -> str:
        if not self.series:
            return f"No figures yet for {self.info.name}."
        first, last = self.series[0].figure.period, self.series[-1].figure.period
        has_target = any(p.target is not None for p in self.series)
        return (
            f"Line chart of {self.info.name.lower()} for each quarter from {first} to {last}"
            + (", with the target line" if has_target else "")
            + ". The figures are in the table beside the chart."
        )


def _target_for(targets: dict[tuple[str, str], Target], key: str, fig: Figure) -> Decimal | None:
    fy, quarter = quarter_of(fig.period_start)
    t = targets.get((key, fy))
    return t.for_quarter(quarter) if t else None


def _forecast(info: IndicatorInfo, figures: list[Figure], year_start: dt.date) -> Forecast:
    """The year-end forecast of one indicator from its figures."""
    return year_end_forecast(
        basis_for(info.key, local=info.local, is_count=info.is_count),
        [
            Observed(
                kind=f.kind,
                start=f.period_start,
                end=f.period_end,
                numerator=f.numerator,
                denominator=f.denominator,
                value=f.value,
                suppressed=f.suppressed,
            )
            for f in figures
        ],
        year_start=year_start,
        is_count=info.is_count,
    )


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


def breakdown_table(
    *,
    actor: Any,
    partnership: Partnership,
    indicator: str,
    period: str,
    published: bool = False,
) -> list[tuple[str, list[Figure]]]:
    """The indicator's figures for one period by family (agency, sex, age, ...)."""
    from .catalogue import BREAKDOWN_FAMILIES

    figs = national_figures(
        actor=actor,
        partnership=partnership,
        published=published,
        indicator=indicator,
        period=period,
        all_breakdowns=True,
    )
    groups = []
    total = [f for f in figs if f.breakdown == "all"]
    if total:
        groups.append(("All", total))
    for prefix, label in BREAKDOWN_FAMILIES:
        members = [f for f in figs if f.breakdown.startswith(prefix + ":")]
        if members:
            groups.append((label, members))
    return groups


def periods_available(partnership: Partnership) -> list[tuple[str, str]]:
    comp = latest_computation()
    if comp is None:
        return []
    rows = (
        IndicatorResult.objects.filter(
            partnership=partnership, computation=comp, indicator="in_treatment", breakdown="all"
        )
        .order_by("-period_end", "kind")
        .values_list("period", "kind")
    )
    return list(rows)


def comparison(
    *, actor: Any, indicator: str, period: str
) -> list[tuple[Partnership, Figure | None]]:
    """The published figure of each partnership the actor may compare (regional viewers)."""
    from dathub.tenancy.selectors import partnership_list

    out: list[tuple[Partnership, Figure | None]] = []
    for p in partnership_list(actor=actor):
        if not permissions.can(actor, p, r.COMPARE_PARTNERSHIPS):
            continue
        figs = national_figures(
            actor=actor, partnership=p, published=True, indicator=indicator, period=period
        )
        out.append((p, figs[0] if figs else None))
    return out


def comparable_partnerships(actor: Any) -> list[Partnership]:
    from dathub.tenancy.selectors import partnership_list

    return [
        p
        for p in partnership_list(actor=actor)
        if permissions.can(actor, p, r.COMPARE_PARTNERSHIPS)
    ]


def prevalence_list(*, actor: Any, partnership: Partnership) -> QuerySet[PrevalenceEstimate]:
    qs = PrevalenceEstimate.objects.current().filter(partnership=partnership)
    return qs if permissions.can(actor, partnership, r.VIEW_PERFORMANCE) else qs.none()


def target_list(*, actor: Any, partnership: Partnership) -> QuerySet[Target]:
    qs = Target.objects.current().filter(partnership=partnership)
    return qs if permissions.can(actor, partnership, r.VIEW_PERFORMANCE) else qs.none()


@dataclass
class TargetRow:
    """A target as the targets page writes it: the same words as the dashboard's."""

    info: IndicatorInfo | None
    target: Target
    quarters: list[str]  # Q1-Q4 (a blank quarter is the year's target)
    year: str
    tolerance: str


def target_rows(*, actor: Any, partnership: Partnership) -> list[TargetRow]:
    infos = indicator_infos(partnership)
    rows = []
    for t in target_list(actor=actor, partnership=partnership):
        info = infos.get(t.indicator)
        # an indicator no longer defined: a count if the engine counts it, else a rate
        is_count = info.is_count if info else t.indicator in NATIONAL_COUNTS
        rows.append(
            TargetRow(
                info=info,
                target=t,
                quarters=[format_value(t.for_quarter(q), is_count) for q in (1, 2, 3, 4)],
                year=format_value(t.value, is_count),
                tolerance=format_value(t.tolerance, is_count=is_count, difference=True),
            )
        )
    return rows


def prevalence_rows(
    *, actor: Any, partnership: Partnership
) -> list[tuple[PrevalenceEstimate, str]]:
    """Each estimate with its number of people written as the pages write counts."""
    return [
        (p, format_value(Decimal(p.ocu_estimate), True))
        for p in prevalence_list(actor=actor, partnership=partnership)
    ]


def local_indicator_list(*, actor: Any, partnership: Partnership) -> QuerySet[LocalIndicator]:
    qs = LocalIndicator.objects.current().filter(partnership=partnership)
    return qs if permissions.can(actor, partnership, r.VIEW_PERFORMANCE) else qs.none()


def local_indicator_get(*, actor: Any, partnership: Partnership, pk: Any) -> LocalIndicator:
    return object_in(local_indicator_list(actor=actor, partnership=partnership), pk)


def home_panel_context(user: Any, partnership: Partnership) -> dict[str, Any] | None:
    comp = latest_computation()
    current = submission_list(actor=user, partnership=partnership).filter(
        status=Submission.Status.CURRENT
    )
    return {
        "computed_at": comp.finished_at if comp else None,
        "current_submissions": current.count(),
        "partnership": partnership,
    }
