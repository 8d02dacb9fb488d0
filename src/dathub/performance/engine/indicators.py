"""Performance indicators from journeys (spec: "Indicators for a window [S, E]").

Pure functions over polars frames; journeys are built once (:func:`build_journeys`) and any
number of windows is computed in one call (:func:`compute_windows`).

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

import calendar
import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import polars as pl

from .journeys import AGE_BANDS, DRUG_GROUPS, ETHNIC_GROUPS, REFERRAL_GROUPS, build_journeys

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

RETENTION_DAYS = 84
WAIT_DAYS = 21
EPOCH = dt.date(1970, 1, 1)

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
FLAGS: tuple[str, ...] = (
    "in_treatment",
    "ocu",
    "effective",
    "inj",
    "hepb",
    "hepc",
    "care_plan",
    "ret_num",
    "ret_den",
    "pe_num",
    "pe_den",
    "wt_num",
    "wt_den",
    "sc_num",
    "sc_den",
    "sco_num",
    "sco_den",
    "scn_num",
    "scn_den",
)
OUTPUT_COLUMNS: tuple[str, ...] = (
    "dat",
    "indicator",
    "breakdown",
    "numerator",
    "denominator",
    "value",
)
PERIOD_COLUMNS: tuple[str, ...] = ("period", "period_start", "period_end")
VALUE_DTYPE = pl.Decimal(38, 1)
CELL = "_cell"  # one integer per combination of partnership and breakdown values


@dataclass(frozen=True)
class Window:
    """A reporting window [start, end], dates inclusive."""

    label: str
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a window's end is before its start")


# ---------------------------------------------------------------------------------------------
# Dates and windows


def add_months(day: dt.date, months: int) -> dt.date:
    """Move by calendar months; a day past the new month's end becomes its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def completion_window(end: dt.date) -> tuple[dt.date, dt.date]:
    """Window W of ``successful_completion``: 12 months ending 6 months before ``end``."""
    w_end = add_months(end, -6)
    return add_months(w_end, -12) + dt.timedelta(days=1), w_end


def financial_year(day: dt.date) -> str:
    """The financial year containing ``day``, written ``2009/10``."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def financial_year_windows(first_year: int) -> list[Window]:
    """The financial year starting 1 April ``first_year`` and its quarters Q1-Q4."""
    fy = financial_year(dt.date(first_year, 4, 1))
    windows = [Window(fy, dt.date(first_year, 4, 1), dt.date(first_year + 1, 3, 31))]
    for q in range(4):
        start = add_months(dt.date(first_year, 4, 1), 3 * q)
        end = add_months(start, 3) - dt.timedelta(days=1)
        windows.append(Window(f"{fy} Q{q + 1}", start, end))
    return windows


def rolling_12_months(last_month_end: dt.date, count: int = 1) -> list[Window]:
    """``count`` rolling 12-month windows ending at month ends, the last at ``last_month_end``."""
    windows = []
    for k in range(count - 1, -1, -1):
        end = _month_end(add_months(last_month_end, -k))
        start = add_months(end, -12) + dt.timedelta(days=1)
        windows.append(Window(f"12m to {end.isoformat()}", start, end))
    return windows


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _days(day: dt.date) -> int:
    return (day - EPOCH).days


# ---------------------------------------------------------------------------------------------
# Rounding


def rate(numerator: int, denominator: int | None) -> Decimal | None:
    """100 x numerator / denominator, half to even at one decimal; none for no denominator."""
    if not denominator:
        return None
    return (Decimal(100) * Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_EVEN
    )


def _rate_expr(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """Vectorised :func:`rate` in exact integer arithmetic, as a one-place Decimal."""
    scaled = num.cast(pl.Int64) * 1000
    q = scaled // den
    r = scaled - q * den
    tenths = q + ((2 * r > den) | ((2 * r == den) & (q % 2 == 1))).cast(pl.Int64)
    text = (tenths // 10).cast(pl.String) + "." + (tenths % 10).cast(pl.String)
    return pl.when(den > 0).then(text).otherwise(None).cast(VALUE_DTYPE)


# ---------------------------------------------------------------------------------------------
# Prevalence


def _finyear_label(text: str) -> str | None:
    t = text.strip()
    m = re.fullmatch(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})", t)
    if m:
        first = int(m.group(1))
        second = int(m.group(2)) % 100
        return f"{first}/{second:02d}" if second == (first + 1) % 100 else None
    m = re.fullmatch(r"(\d{2})(\d{2})", t)
    if m and int(m.group(2)) == (int(m.group(1)) + 1) % 100:
        return f"20{m.group(1)}/{m.group(2)}"
    return None


def read_prevalence(path: str | Path) -> pl.DataFrame:
    """Read ``DAT,FINYEAR,OCU_ESTIMATE`` into columns ``dat, finyear, estimate``.

    Raises ``ValueError`` naming the line of a value that cannot be read.
    """
    frame = pl.read_csv(Path(path), infer_schema=False, encoding="utf8")
    names = {c.strip().upper(): c for c in frame.columns}
    missing = [c for c in ("DAT", "FINYEAR", "OCU_ESTIMATE") if c not in names]
    if missing:
        raise ValueError(f"prevalence file lacks column(s): {', '.join(missing)}")
    out: list[tuple[str, str, int]] = []
    for line, (dat, fy, est) in enumerate(
        frame.select(names["DAT"], names["FINYEAR"], names["OCU_ESTIMATE"]).iter_rows(), start=2
    ):
        label = _finyear_label(fy or "")
        if not dat or label is None or not (est or "").strip().isdigit():
            raise ValueError(
                f"prevalence file line {line}: DAT, FINYEAR or OCU_ESTIMATE unreadable"
            )
        out.append((dat.strip().upper(), label, int(est.strip())))
    return pl.DataFrame(
        out, schema={"dat": pl.String, "finyear": pl.String, "estimate": pl.Int64}, orient="row"
    )


# ---------------------------------------------------------------------------------------------
# Units: counted persons (by their reference journey) and journeys, as 0/1 flags per journey


def _is_reference(active: pl.Expr, grouped: bool) -> pl.Expr:
    """The journey is its person's active journey with the largest ``jorder``.

    ``grouped``: rows are strictly ordered by (pid, jorder), so it is the last active row of
    its person: the next active row (if any) belongs to someone else. Otherwise by a group
    maximum over the person.
    """
    c = pl.col
    if grouped:
        next_active_pid = pl.when(active).then(c("pid")).shift(-1).backward_fill()
        return active & (next_active_pid != c("pid")).fill_null(True)
    return active & (c("jorder") == pl.when(active).then(c("jorder")).max().over("pid"))


def _window_units(j: pl.LazyFrame, w: int, window: Window, grouped: bool) -> pl.LazyFrame:
    """Every flag of window ``w``, summed per cell, over the journeys that are a unit of it:
    a reference journey in [S, E] (person indicators) or in W (successful completion), or a
    journey starting or ending in the window (journey indicators). Every flag is false on a
    journey that is not its kind of unit, so one row per journey carries all three kinds.
    """
    c = pl.col
    s, e = _days(window.start), _days(window.end)
    ws, we = (_days(d) for d in completion_window(window.end))
    end = c("end")
    retained = ((pl.when(end <= e).then(end).otherwise(e) - c("start")) >= RETENTION_DAYS) | (
        (end <= e) & c("successful")
    )
    # persons in [S, E], by their reference journey
    active = ((c("start") <= e) & (end.is_null() | (end >= s))).fill_null(False)
    ref = _is_reference(active, grouped)
    # journeys starting or ending in [S, E]
    ret_den = c("start").is_between(s, e - RETENTION_DAYS)
    ended = end.is_between(s, e).fill_null(False)
    wt_den = c("start").is_between(s, e)
    # persons in W, by their reference journey there
    active_w = ((c("start") <= we) & (end.is_null() | (end >= ws))).fill_null(False)
    ref_w = _is_reference(active_w, grouped)
    num = (end.is_between(ws, we) & c("successful") & ~c("represented")).fill_null(False)
    # the shared parts once, as columns, then every flag from them
    flags = j.with_columns(
        ref.alias("_ref"),
        ref_w.alias("_ref_w"),
        retained.fill_null(False).alias("_retained"),
        ret_den.alias("_ret_den"),
        ended.alias("_ended"),
        wt_den.alias("_wt_den"),
        num.alias("_num"),
    ).select(
        CELL,
        "_ref",
        "_ref_w",
        (c("_ret_den") | c("_ended") | c("_wt_den")).fill_null(False).alias("_journey"),
        c("_ref").alias("in_treatment"),
        (c("_ref") & c("ocu")).alias("ocu"),
        (c("_ref") & c("ocu") & c("_retained")).alias("effective"),
        (c("_ref") & c("injector")).alias("inj"),
        (c("_ref") & c("injector") & c("hepb_ok")).alias("hepb"),
        (c("_ref") & c("injector") & c("hepc_ok")).alias("hepc"),
        (c("_ref") & (c("care_plan") <= e).fill_null(False)).alias("care_plan"),
        (c("_ret_den") & c("_retained")).alias("ret_num"),
        c("_ret_den").alias("ret_den"),
        (c("_ended") & c("successful")).alias("pe_num"),
        (c("_ended") & ~c("transfer")).alias("pe_den"),
        (c("_wt_den") & (c("wait") > WAIT_DAYS)).fill_null(False).alias("wt_num"),
        c("_wt_den").alias("wt_den"),
        (c("_ref_w") & c("_num")).alias("sc_num"),
        c("_ref_w").alias("sc_den"),
        (c("_ref_w") & c("_num") & c("opiate")).alias("sco_num"),
        (c("_ref_w") & c("opiate")).alias("sco_den"),
        (c("_ref_w") & c("_num") & ~c("opiate")).alias("scn_num"),
        (c("_ref_w") & ~c("opiate")).alias("scn_den"),
    )
    return (
        flags.filter(c("_ref") | c("_ref_w") | c("_journey"))
        .group_by(CELL)
        .agg(c(f).sum().cast(pl.Int64) for f in FLAGS)
        .select(pl.lit(w, dtype=pl.Int32).alias("wid"), CELL, *FLAGS)
    )


# ---------------------------------------------------------------------------------------------
# Aggregation


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


def _code_names(dims: Sequence[str]) -> list[str]:
    return [f"_{c}" for c in dims]


def _codes(
    journeys: pl.DataFrame, dims: Sequence[str]
) -> tuple[list[pl.Series], dict[str, pl.DataFrame]]:
    """An integer code ``_<dim>`` per distinct value of each of ``dims`` (with the tables
    ``_<dim>, <dim>`` to read them back), and ``CELL``, one integer per distinct combination
    (mixed-radix, or a dense rank of the codes if that could overflow)."""
    values: dict[str, pl.DataFrame] = {}
    codes: list[pl.Series] = []
    for c in dims:
        table = journeys.select(pl.col(c).unique()).with_row_index(f"_{c}")
        values[c] = table
        codes.append(
            journeys.select(c)
            .join(table, on=c, how="left", maintain_order="left", nulls_equal=True)
            .get_column(f"_{c}")
            .cast(pl.Int64)
        )
    radix = [values[c].height for c in dims]
    if math.prod(radix) < 2**62:
        cell = codes[0]
        for code, r in zip(codes[1:], radix[1:], strict=True):
            cell = cell * r + code
    else:
        cell = pl.DataFrame(codes).select(pl.struct(pl.all()).rank("dense")).to_series()
    return [*codes, cell.cast(pl.Int64).alias(CELL)], {
        c: t.with_columns(pl.col(f"_{c}").cast(pl.Int64)) for c, t in values.items()
    }


def _by_person(journeys: pl.DataFrame) -> tuple[pl.DataFrame, bool]:
    """The journeys ordered by (pid, jorder), and whether that order is strict (no person has
    two journeys with the same ``jorder``), which :func:`_is_reference` relies on."""
    strict = (pl.col("pid") > pl.col("pid").shift()) | (
        (pl.col("pid") == pl.col("pid").shift()) & (pl.col("jorder") > pl.col("jorder").shift())
    )

    def ordered(frame: pl.DataFrame) -> bool:
        return frame.height < 2 or bool(frame.select(strict.slice(1).fill_null(False).all()).item())

    if ordered(journeys):
        return journeys, True
    by_person = journeys.sort(["pid", "jorder"], maintain_order=True)
    return by_person, ordered(by_person)


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
