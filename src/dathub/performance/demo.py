"""Demo performance data for the two demo partnerships (loaded by ``dathub demo``).

Synthetic records from the engine's generator (about 3,000 people per partnership over four
years up to today, with the generator's share of bad and no-consent rows), given the
partnership's two real agency codes and sent as one submission per agency and reporting
month: each episode goes in the month of its latest date, and the file is dated a week after
that month (today for the current month). The latest month of the first agency is sent twice,
so the submissions page shows a replaced file in its history. Then prevalence estimates,
targets with a trajectory, three local indicators with quarterly figures, and one
computation of every figure. Loading again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl

from dathub.core import clock
from dathub.tenancy.models import Partnership, User

from . import services
from .engine import generate
from .engine.fields import DATE_FIELDS
from .models import IndicatorResult, LocalIndicator, Submission
from .periods import fy_start, quarter_window

PEOPLE = 3000
YEARS = 4
SETTINGS = {"N01A": {"seed": 11, "prevalence": 1150}, "E02B": {"seed": 23, "prevalence": 980}}
RATE_TARGETS = {
    "effective_treatment": (Decimal("85.0"), Decimal("3.0")),
    "retention_12wk": (Decimal("80.0"), Decimal("3.0")),
    "planned_exit": (Decimal("50.0"), Decimal("5.0")),
    "waiting_over_3wk": (Decimal("5.0"), Decimal("2.0")),
    "successful_completion": (Decimal("25.0"), Decimal("3.0")),
    "hepb_vaccination": (Decimal("60.0"), Decimal("5.0")),
    "hepc_testing": (Decimal("75.0"), Decimal("5.0")),
    "care_plan": (Decimal("90.0"), Decimal("3.0")),
    "penetration": (Decimal("55.0"), Decimal("5.0")),
}
LOCAL = [
    (
        "dip-assessment",
        "DIP: required assessments attended",
        "Of those testing positive on arrest, the share who attended the required assessment.",
        True,
        Decimal("95.0"),
        (80, 91),
    ),
    (
        "nx-coverage",
        "Pharmacy needle exchange coverage",
        "Share of pharmacies in the area offering needle exchange.",
        True,
        Decimal("60.0"),
        (45, 58),
    ),
    (
        "nx-returns",
        "Needle exchange return rate",
        "Share of needles given out that came back.",
        True,
        Decimal("70.0"),
        (62, 71),
    ),
]


def _parsed(col: str) -> pl.Expr:
    return pl.coalesce(
        pl.col(col).str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        pl.col(col).str.strptime(pl.Date, "%d/%m/%Y", strict=False),
    )


def _monthly_groups(frame: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """Add ``_month``: the first day of the month of the episode's latest date."""
    latest = pl.max_horizontal([_parsed(c) for c in DATE_FIELDS]).clip(upper_bound=today)
    return frame.with_columns(_latest=latest).with_columns(
        _month=pl.col("_latest")
        .max()
        .over(["AGNCY", "EPISODID"])
        .fill_null(today)
        .dt.truncate("1mo")
    )


def _submit(partnership: Partnership, agencies: tuple[str, str], seed: int, actor: Any) -> None:
    today = clock.today()
    frame = generate.generate(
        [partnership.code], people_per_partnership=PEOPLE, years=YEARS, seed=seed, as_of=today
    )
    # the generator's agencies (N01AP1..) become the partnership's two real ones
    number = pl.col("AGNCY").str.extract(r"P(\d+)$").cast(pl.Int32)
    frame = frame.with_columns(
        AGNCY=pl.when(number % 2 == 1).then(pl.lit(agencies[0])).otherwise(pl.lit(agencies[1]))
    )
    frame = _monthly_groups(frame, today)
    groups = frame.partition_by(["AGNCY", "_month"], as_dict=True)
    last_month = max(m for _, m in groups)
    for (agency, month), rows in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        as_of = min(next_month + dt.timedelta(days=6), today)
        raw = rows.drop("_latest", "_month")
        if month == last_month and agency == agencies[0]:
            services.submission_store_checked(
                partnership=partnership,
                agency=agency,
                month=month,
                as_of=as_of,
                raw=raw.head(max(1, raw.height // 2)),
                submitted_by=actor,
                filename=f"{agency}-{month:%Y-%m}.csv",
            )
        services.submission_store_checked(
            partnership=partnership,
            agency=agency,
            month=month,
            as_of=as_of,
            raw=raw,
            submitted_by=actor,
            filename=f"{agency}-{month:%Y-%m}.csv",
        )


def _targets(partnership: Partnership, actor: Any, today: dt.date) -> None:
    current = fy_start(today.replace(day=1) - dt.timedelta(days=1))
    years = [dt.date(current.year - 1, 4, 1), current]
    for first in years:
        fy = f"{first.year}/{(first.year + 1) % 100:02d}"
        services.prevalence_set(
            actor=actor,
            partnership=partnership,
            financial_year=fy,
            ocu_estimate=SETTINGS[partnership.code]["prevalence"] + (first.year % 7) * 10,
            source="Demo estimate",
            recompute_after=False,
        )
        for key, (value, tolerance) in RATE_TARGETS.items():
            services.target_set(
                actor=actor,
                partnership=partnership,
                indicator=key,
                financial_year=fy,
                value=value,
                tolerance=tolerance,
            )
    # counts: 5% more than the year before, quarter by quarter, once figures exist
    for key in ("in_treatment", "ocu_in_treatment"):
        by_period = {
            r.period: r.numerator
            for r in IndicatorResult.objects.filter(
                partnership=partnership, indicator=key, breakdown="all"
            )
        }
        for first in years:
            fy = f"{first.year}/{(first.year + 1) % 100:02d}"
            before = f"{first.year - 1}/{first.year % 100:02d}"
            levels = [by_period.get(f"{before} Q{q}") for q in (1, 2, 3, 4)]
            year = by_period.get(before)
            if year is None or any(v is None for v in levels):
                continue
            q = [Decimal(round(v * 1.05)) for v in levels]  # type: ignore[operator]
            services.target_set(
                actor=actor,
                partnership=partnership,
                indicator=key,
                financial_year=fy,
                value=Decimal(round(year * 1.05)),
                q1=q[0],
                q2=q[1],
                q3=q[2],
                q4=q[3],
                tolerance=Decimal(round(year * 0.03)),
            )


def _local(partnership: Partnership, actor: Any, today: dt.date) -> None:
    current = fy_start(today.replace(day=1) - dt.timedelta(days=1))
    quarters = []
    for first in (dt.date(current.year - 1, 4, 1), current):
        for q in (1, 2, 3, 4):
            w = quarter_window(first, q)
            if w.end < today:
                quarters.append((first, q))
    for code, name, description, higher, target, (start, end) in LOCAL:
        indicator = LocalIndicator.objects.filter(partnership=partnership, code=code).first()
        if indicator is None:
            indicator = services.local_indicator_create(
                actor=actor,
                partnership=partnership,
                code=code,
                name=name,
                description=description,
                unit=LocalIndicator.Unit.PERCENT,
                higher_is_better=higher,
            )
        for i, (first, q) in enumerate(quarters):
            share = start + (end - start) * i / max(1, len(quarters) - 1)
            denominator = 120 + 7 * i
            services.local_figure_set(
                actor=actor,
                indicator=indicator,
                financial_year=f"{first.year}/{(first.year + 1) % 100:02d}",
                quarter=q,
                numerator=round(denominator * share / 100),
                denominator=denominator,
            )
        for first in {f for f, _ in quarters}:
            services.target_set(
                actor=actor,
                partnership=partnership,
                indicator=indicator.key,
                financial_year=f"{first.year}/{(first.year + 1) % 100:02d}",
                value=target,
                tolerance=Decimal("5.0"),
            )


def load(partnerships_by_code: dict[str, Partnership]) -> None:
    actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    today = clock.today()
    made = False
    for code, partnership in partnerships_by_code.items():
        if code not in SETTINGS or Submission.objects.filter(partnership=partnership).exists():
            continue
        agencies = tuple(sorted(services.agency_codes(partnership)))
        if len(agencies) < 2:
            continue
        _submit(partnership, (agencies[0], agencies[1]), SETTINGS[code]["seed"], actor)
        made = True
    if not made:
        return
    for code, partnership in partnerships_by_code.items():
        if code in SETTINGS:
            _targets(partnership, actor, today)
    services.recompute(today)
    for code, partnership in partnerships_by_code.items():
        if code in SETTINGS:
            _targets(partnership, actor, today)  # count targets need the first figures
            _local(partnership, actor, today)
