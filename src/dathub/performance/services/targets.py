"""What the figures are measured against, entered by the partnership: prevalence
estimates, local indicators and their figures, targets. Each write is audited.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction

from dathub.core.services import audited_create, audited_update
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Partnership

from ..engine.rates import rate
from ..models import (
    IndicatorResult,
    LocalFigure,
    LocalIndicator,
    PrevalenceEstimate,
    Target,
)
from ..periods import financial_year_bounds, quarter_window
from .computation import request_recompute


def clean_financial_year(text: str) -> str:
    """A financial year typed in a form (``2026/27``, ``2026/2027`` or ``2026-27``) as
    ``2026/27``. (The prevalence file is read by the engine's own reader.)"""
    m = re.fullmatch(r"\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*", text or "")
    if not m or int(m.group(2)) % 100 != (int(m.group(1)) + 1) % 100:
        raise ValidationError({"financial_year": "Enter the financial year as 2026/27."})
    first = int(m.group(1))
    return f"{first}/{(first + 1) % 100:02d}"


@transaction.atomic
def prevalence_set(
    *,
    actor: Any,
    partnership: Partnership,
    financial_year: str,
    ocu_estimate: int,
    source: str = "",
    recompute_after: bool = True,
) -> PrevalenceEstimate:
    permissions.require(actor, partnership, r.MANAGE_PERFORMANCE)
    fy = clean_financial_year(financial_year)
    if ocu_estimate is None or int(ocu_estimate) < 1:
        raise ValidationError({"ocu_estimate": "Enter an estimate of 1 or more."})
    existing = (
        PrevalenceEstimate.objects.current()
        .filter(partnership=partnership, financial_year=fy)
        .first()
    )
    if existing:
        est = audited_update(
            actor=actor, instance=existing, ocu_estimate=int(ocu_estimate), source=source
        )
    else:
        est = audited_create(
            actor=actor,
            instance=PrevalenceEstimate(
                partnership=partnership,
                financial_year=fy,
                ocu_estimate=int(ocu_estimate),
                source=source,
            ),
        )
    if recompute_after:
        request_recompute()
    return est


def prevalence_import(*, actor: Any, partnership: Partnership, data: bytes) -> int:
    """Read the spec's prevalence file (``DAT,FINYEAR,OCU_ESTIMATE``) with the engine's reader;
    every row must be this partnership's. All or nothing."""
    import tempfile
    from pathlib import Path

    from ..engine.prevalence import read_prevalence

    permissions.require(actor, partnership, r.MANAGE_PERFORMANCE)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "prevalence.csv"
        path.write_bytes(data)
        try:
            table = read_prevalence(path)
        except (ValueError, pl.exceptions.PolarsError) as exc:
            message = str(exc) if isinstance(exc, ValueError) else "The file cannot be read."
            raise ValidationError({"file": message}) from exc
    others = sorted(set(table["dat"].to_list()) - {partnership.code.upper()})
    if others:
        raise ValidationError(
            {
                "file": f"The file has estimates for {', '.join(others)}; only "
                f"{partnership.code}'s can be loaded here. Nothing was loaded."
            }
        )
    if table.height == 0:
        raise ValidationError({"file": "The file has no estimates."})
    with transaction.atomic():
        for row in table.iter_rows(named=True):
            prevalence_set(
                actor=actor,
                partnership=partnership,
                financial_year=row["finyear"],
                ocu_estimate=row["estimate"],
                source="Prevalence file",
                recompute_after=False,
            )
    request_recompute()
    return table.height


# --- local indicators -----------------------------------------------------------------------


def local_indicator_create(
    *, actor: Any, partnership: Partnership, **fields: Any
) -> LocalIndicator:
    permissions.require(actor, partnership, r.MANAGE_PERFORMANCE)
    return audited_create(actor=actor, instance=LocalIndicator(partnership=partnership, **fields))


def local_indicator_update(
    *, actor: Any, indicator: LocalIndicator, **fields: Any
) -> LocalIndicator:
    permissions.require(actor, indicator.partnership, r.MANAGE_PERFORMANCE)
    fields.pop("code", None)  # the code is how targets refer to it
    return audited_update(actor=actor, instance=indicator, **fields)


def period_for(financial_year: str, quarter: int | None) -> tuple[str, str, dt.date, dt.date]:
    """(label, kind, start, end) of a financial year or one of its quarters."""
    fy = clean_financial_year(financial_year)
    start, end = financial_year_bounds(fy)
    if quarter:
        w = quarter_window(start, int(quarter))
        return w.label, IndicatorResult.Kind.QUARTER, w.start, w.end
    return fy, IndicatorResult.Kind.YEAR, start, end


@transaction.atomic
def local_figure_set(
    *,
    actor: Any,
    indicator: LocalIndicator,
    financial_year: str,
    quarter: int | None,
    numerator: int,
    denominator: int | None,
) -> LocalFigure:
    """Enter (or correct) a local indicator's figure; the value is the engine's ``rate``."""
    permissions.require(actor, indicator.partnership, r.MANAGE_PERFORMANCE)
    label, kind, start, end = period_for(financial_year, quarter)
    if indicator.unit == LocalIndicator.Unit.PERCENT:
        if not denominator:
            raise ValidationError({"denominator": "Enter the denominator (more than 0)."})
        if numerator > denominator:
            raise ValidationError({"numerator": "The numerator cannot exceed the denominator."})
        value = rate(numerator, denominator)
    else:
        denominator = None
        value = Decimal(numerator)
    existing = LocalFigure.objects.current().filter(indicator=indicator, period=label).first()
    fields = {"numerator": numerator, "denominator": denominator, "value": value}
    if existing:
        return audited_update(actor=actor, instance=existing, **fields)
    return audited_create(
        actor=actor,
        instance=LocalFigure(
            partnership=indicator.partnership,
            indicator=indicator,
            period=label,
            kind=kind,
            period_start=start,
            period_end=end,
            **fields,
        ),
    )


# --- targets --------------------------------------------------------------------------------


def indicator_keys(partnership: Partnership) -> list[str]:
    from ..engine.indicators import INDICATORS

    return list(INDICATORS) + [
        li.key for li in LocalIndicator.objects.current().filter(partnership=partnership)
    ]


@transaction.atomic
def target_set(
    *,
    actor: Any,
    partnership: Partnership,
    indicator: str,
    financial_year: str,
    value: Decimal,
    tolerance: Decimal = Decimal(0),
    q1: Decimal | None = None,
    q2: Decimal | None = None,
    q3: Decimal | None = None,
    q4: Decimal | None = None,
) -> Target:
    permissions.require(actor, partnership, r.MANAGE_PERFORMANCE)
    if indicator not in indicator_keys(partnership):
        raise ValidationError({"indicator": "Choose an indicator."})
    fy = clean_financial_year(financial_year)
    if tolerance is None or tolerance < 0:
        raise ValidationError({"tolerance": "The tolerance cannot be negative."})
    fields = {"value": value, "tolerance": tolerance, "q1": q1, "q2": q2, "q3": q3, "q4": q4}
    existing = (
        Target.objects.current()
        .filter(partnership=partnership, indicator=indicator, financial_year=fy)
        .first()
    )
    if existing:
        return audited_update(actor=actor, instance=existing, **fields)
    return audited_create(
        actor=actor,
        instance=Target(partnership=partnership, indicator=indicator, financial_year=fy, **fields),
    )
