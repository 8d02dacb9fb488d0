"""Targets, prevalence estimates and local indicators: what the figures are measured
against, written as the pages write them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from dathub.core.selectors import object_in
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Partnership

from ..catalogue import IndicatorInfo
from ..engine.indicators import COUNT_INDICATORS as NATIONAL_COUNTS
from ..models import (
    LocalIndicator,
    PrevalenceEstimate,
    Target,
)
from ..numbers import format_value
from .figures import indicator_infos


def targets_by_key(partnership: Partnership) -> dict[tuple[str, str], Target]:
    return {
        (t.indicator, t.financial_year): t
        for t in Target.objects.current().filter(partnership=partnership)
    }


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
