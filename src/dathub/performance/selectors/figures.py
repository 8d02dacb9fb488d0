"""The figures of the latest finished computation, as the actor may see them.

Whoever may see true figures gets them (marked "not for publication"); everyone else, and
every view asked for as published, gets the engine's small-number suppression. A viewer
restricted to one provider sees its own agency's figures, never another's, and the
partnership's figures only where they cannot be differenced into another provider's
(``..disclosure``: the rule, applied here so every page, the API and the packs go through it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import polars as pl
from django.db.models import Q

from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Organisation, Partnership

from .. import disclosure
from ..catalogue import NATIONAL, IndicatorInfo, local_info
from ..engine.suppression import SUPPRESSED, suppress
from ..models import (
    Computation,
    IndicatorResult,
    LocalFigure,
    LocalIndicator,
)
from ..numbers import format_value


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
    withheld: bool = False  # would disclose another provider's figure (..disclosure)

    @property
    def withheld_reason(self) -> str:
        return disclosure.WITHHELD_REASON if self.withheld else ""


def _withhold(f: Figure) -> Figure:
    """The figure as a restricted viewer gets it when it would disclose another provider's:
    no number at all, and saying so."""
    has_denominator = f.denominator is not None or bool(f.shown_denominator)
    return replace(
        f,
        numerator=None,
        denominator=None,
        value=None,
        shown_numerator=disclosure.WITHHELD,
        shown_denominator=disclosure.WITHHELD if has_denominator else "",
        shown_value=disclosure.WITHHELD,
        suppressed=False,
        withheld=True,
    )


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
    scope = permissions.organisation_scope(actor, partnership)
    restricted = scope is not False
    own = disclosure.own_breakdown(scope.agency_code if isinstance(scope, Organisation) else None)
    qs = IndicatorResult.objects.filter(partnership=partnership, computation=comp)
    if period:
        qs = qs.filter(period=period)
    if restricted:
        # what a restricted viewer may see is decided with the agency breakdown of the
        # totals and the indicators that share counts with the one asked for
        if indicator:
            qs = qs.filter(indicator__in=sorted(disclosure.group_of(indicator)))
        if not all_breakdowns:
            qs = qs.filter(Q(breakdown="all") | Q(breakdown__startswith=disclosure.AGENCY))
    else:
        if indicator:
            qs = qs.filter(indicator=indicator)
        if not all_breakdowns:
            qs = qs.filter(breakdown="all")
    rows = list(
        qs.order_by("period_start", "period_end", "id").values(
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
    )
    requested = [
        {**row, "dat": partnership.code.upper()}
        for row in rows
        if (not indicator or row["indicator"] == indicator)
        and (all_breakdowns or row["breakdown"] == "all")
    ]
    published = not shows_true_figures(actor, partnership, published)
    figures = _figures(_frame(requested), published, NATIONAL)
    if restricted:
        # A provider sees its own agency's breakdown, never another provider's, and the
        # partnership's figures only where they would not disclose another provider's.
        hidden = disclosure.withheld(rows, own)
        figures = [
            _withhold(f) if (f.period, f.indicator, f.breakdown) in hidden else f
            for f in figures
            if not disclosure.is_other_agency(f.breakdown, own)
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


def breakdown_table(
    *,
    actor: Any,
    partnership: Partnership,
    indicator: str,
    period: str,
    published: bool = False,
) -> list[tuple[str, list[Figure]]]:
    """The indicator's figures for one period by family (agency, sex, age, ...)."""
    from ..catalogue import BREAKDOWN_FAMILIES

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
