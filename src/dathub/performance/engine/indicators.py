"""Performance indicators from journeys (spec: "Indicators for a window [S, E]").

Pure functions over polars frames; journeys are built once (:func:`build_journeys`) and any
number of windows is computed in one call (:func:`compute_windows`). Here the units are summed
into indicators and breakdowns; ``windows``, ``units`` (what each window counts), ``cells``,
``rates`` and ``prevalence`` hold the parts.

Choices where the spec leaves room:

- Every partnership (DAT) that has an adult journey anywhere in the data gets a row for every
  indicator, breakdown and window, with zero counts where nothing happened. Fixed breakdown
  categories (sex, age, ethnic, drug, referral) always appear; ``agency:<AGNCY>`` appears for
  each agency that is the journey agency of some counted person or journey of that
  partnership in that window.
- ETHNIC "from the person": the person's latest stated value (not empty, not ``Z``) over their
  treatment episodes in journey order; none stated gives ``not_stated``.
- The reference journey's (start, triage, agency, episode reference) uses the agency and
  EPISODID of the journey's latest episode.
- Window W is the spec taken literally: E = 30 September gives W ending 30 March (not the
  month's end), starting 31 March of the year before.
- ``referral:other`` includes an empty RFLS.
- The wait's first structured modality: earliest MODST, then smallest MODID as text, then
  smaller AGNCY and EPISODID.
- ``successful_completion_opiate`` / ``_non_opiate`` split by the reference journey's opiate
  flag (a code 1000-1199 in any of its episodes); crack alone is non-opiate.
- ``penetration`` rows are produced only when a prevalence table is given; a partnership with
  no estimate for the financial year that contains S gets no denominator and no value.
  FINYEAR may be written ``2009/10``, ``2009/2010``, ``2009-10`` or ``0910``.
- ``value`` is a ``Decimal`` with one place (``pl.Decimal(38, 1)``): rates are rounded half to
  even by exact integer arithmetic (no float); counts (``in_treatment``,
  ``ocu_in_treatment``) carry value = numerator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from .cells import CELL, _code_names, _codes
from .journeys import AGE_BANDS, DRUG_GROUPS, ETHNIC_GROUPS, REFERRAL_GROUPS, build_journeys
from .prevalence import read_prevalence
from .rates import VALUE_DTYPE, _rate_expr, rate
from .units import FLAGS, _by_person, _window_units
from .windows import (
    Window,
    add_months,
    completion_window,
    financial_year,
    financial_year_windows,
    rolling_12_months,
)

__all__ = [
    "INDICATORS",
    "Window",
    "add_months",
    "build_journeys",
    "completion_window",
    "compute_indicators",
    "compute_windows",
    "indicators_from_rows",
    "financial_year",
    "financial_year_windows",
    "rate",
    "read_prevalence",
    "rolling_12_months",
    "value_text",
]

# indicator -> (numerator column, denominator column or None for counts)
INDICATORS: dict[str, tuple[str, str | None]] = {
    "in_treatment": ("in_treatment", None),
    "ocu_in_treatment": ("ocu", None),
    "effective_treatment": ("effective", "ocu"),
    "retention_12wk": ("ret_num", "ret_den"),
    "planned_exit": ("pe_num", "pe_den"),
    "waiting_over_3wk": ("wt_num", "wt_den"),
    "successful_completion": ("sc_num", "sc_den"),
    "successful_completion_opiate": ("sco_num", "sco_den"),
    "successful_completion_non_opiate": ("scn_num", "scn_den"),
    "hepb_vaccination": ("hepb", "inj"),
    "hepc_testing": ("hepc", "inj"),
    "care_plan": ("care_plan", "in_treatment"),
    "penetration": ("ocu", "prevalence"),
}
COUNT_INDICATORS = frozenset({"in_treatment", "ocu_in_treatment"})
FAMILIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("sex", "sex", ("M", "F")),
    ("age", "age_band", AGE_BANDS),
    ("ethnic", "ethnic", ETHNIC_GROUPS),
    ("drug", "drug", DRUG_GROUPS),
    ("referral", "referral", REFERRAL_GROUPS),
)
DIMS: tuple[str, ...] = ("sex", "age_band", "ethnic", "drug", "referral", "agency")
OUTPUT_COLUMNS: tuple[str, ...] = (
    "dat",
    "indicator",
    "breakdown",
    "numerator",
    "denominator",
    "value",
)
PERIOD_COLUMNS: tuple[str, ...] = ("period", "period_start", "period_end")


def compute_windows(
    journeys: pl.DataFrame,
    windows: Sequence[Window],
    prevalence: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every indicator and breakdown, per partnership, for each window.

    ``journeys`` comes from :func:`build_journeys`. Columns: ``period, period_start,
    period_end, dat, indicator, breakdown, numerator, denominator, value``.
    """
    if not windows:
        raise ValueError("at least one window is needed")
    j, grouped = _by_person(journeys)
    # the partnership and breakdown values as integer codes, and their combination as one
    # integer ("cell"): units are counted per window and cell, and the families summed, on
    # integers; the strings come back only for the few thousand sums
    dims = ["dat", *DIMS]
    codes, values = _codes(j, dims)
    j = j.with_columns(codes)
    cells = j.lazy().filter(pl.col(CELL).is_first_distinct()).select(CELL, *_code_names(dims))
    lazy = j.lazy().select(
        "pid", "jorder", "start", "end", "successful", "transfer", "represented", "opiate",
        "ocu", "wait", "injector", "hepb_ok", "hepc_ok", "care_plan", CELL,
    )  # fmt: skip
    parts = [_window_units(lazy, w, win, grouped) for w, win in enumerate(windows)]
    # one row per window and combination of breakdown values before the families fan out
    units = pl.concat(pl.collect_all(parts)).join(cells.collect(), on=CELL, how="left").lazy()
    dat = values["dat"].lazy()
    families = [
        units.group_by(["wid", "_dat"])
        .agg(pl.col(f).sum() for f in FLAGS)
        .join(dat, on="_dat", how="left")
        .select("wid", "dat", pl.lit("all").alias("breakdown"), *FLAGS)
    ]
    for prefix, col, _ in (*FAMILIES, ("agency", "agency", ())):
        families.append(
            units.group_by(["wid", "_dat", f"_{col}"])
            .agg(pl.col(f).sum() for f in FLAGS)
            .join(dat, on="_dat", how="left")
            .join(values[col].lazy(), on=f"_{col}", how="left")
            .select(
                "wid",
                "dat",
                (pl.lit(f"{prefix}:") + pl.col(col)).alias("breakdown"),
                *FLAGS,
            )
        )
    sums = pl.concat(families, how="vertical").collect()
    grid = _grid(journeys, sums, len(windows))
    table = grid.join(sums, on=["wid", "dat", "breakdown"], how="left").with_columns(
        pl.col(f).fill_null(0) for f in FLAGS
    )
    out = _to_indicators(table, windows, prevalence)
    return out


def _grid(journeys: pl.DataFrame, sums: pl.DataFrame, n_windows: int) -> pl.DataFrame:
    """Every (window, partnership, breakdown) that must appear, with its sort order."""
    fixed = ["all"] + [f"{p}:{v}" for p, _, values in FAMILIES for v in values]
    dats = journeys.select(pl.col("dat").unique())
    base = (
        pl.DataFrame({"wid": list(range(n_windows))})
        .join(dats, how="cross")
        .join(
            pl.DataFrame({"breakdown": fixed, "_border": list(range(len(fixed)))}),
            how="cross",
        )
    )
    agencies = (
        sums.filter(pl.col("breakdown").str.starts_with("agency:"))
        .select("wid", "dat", "breakdown", pl.lit(len(fixed)).alias("_border"))
        .unique()
    )
    return pl.concat(
        [base.cast({"wid": pl.Int32}), agencies.cast({"wid": pl.Int32, "_border": pl.Int64})],
        how="vertical_relaxed",
    )


def _to_indicators(
    table: pl.DataFrame, windows: Sequence[Window], prevalence: pl.DataFrame | None
) -> pl.DataFrame:
    finyears = pl.DataFrame(
        {
            "wid": list(range(len(windows))),
            "period": [w.label for w in windows],
            "period_start": [w.start for w in windows],
            "period_end": [w.end for w in windows],
            "finyear": [financial_year(w.start) for w in windows],
        }
    ).cast({"wid": pl.Int32})
    table = table.with_columns(pl.col("wid").cast(pl.Int32)).join(finyears, on="wid")
    if prevalence is not None:
        table = table.join(
            prevalence.select("dat", "finyear", pl.col("estimate").alias("prevalence")),
            on=["dat", "finyear"],
            how="left",
        )
    rows: list[pl.DataFrame] = []
    for order, (name, (num, den)) in enumerate(INDICATORS.items()):
        if name == "penetration":
            if prevalence is None:
                continue
            sub = table.filter(pl.col("breakdown") == "all")
        else:
            sub = table
        den_expr = pl.col(den).cast(pl.Int64) if den else pl.lit(None, dtype=pl.Int64)
        value = (
            pl.col(num).cast(VALUE_DTYPE)
            if name in COUNT_INDICATORS
            else _rate_expr(pl.col(num), den_expr)
        )
        rows.append(
            sub.select(
                "wid",
                *PERIOD_COLUMNS,
                "dat",
                pl.lit(name).alias("indicator"),
                "breakdown",
                pl.col(num).cast(pl.Int64).alias("numerator"),
                den_expr.alias("denominator"),
                value.alias("value"),
                pl.lit(order).alias("_iorder"),
                "_border",
            )
        )
    return (
        pl.concat(rows)
        .sort(["wid", "dat", "_iorder", "_border", "breakdown"])
        .select(*PERIOD_COLUMNS, *OUTPUT_COLUMNS)
    )


def value_text() -> pl.Expr:
    """``value`` as published text: counts as whole numbers, rates with one decimal."""
    return (
        pl.when(pl.col("indicator").is_in(list(COUNT_INDICATORS)))
        .then(pl.col("numerator").cast(pl.String))
        .otherwise(pl.col("value").cast(pl.String))
    )


def compute_indicators(
    journeys: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    prevalence: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One window: columns ``dat, indicator, breakdown, numerator, denominator, value``."""
    out = compute_windows(journeys, [Window("window", start, end)], prevalence)
    return out.select(OUTPUT_COLUMNS)


def indicators_from_rows(
    rows: pl.DataFrame,
    windows: Sequence[Window],
    prevalence: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Accepted records straight to indicators for several windows (journeys built once)."""
    return compute_windows(build_journeys(rows), windows, prevalence)
