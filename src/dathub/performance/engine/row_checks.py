"""The checks of each row on its own: missing, bad_date, future_date, bad_code, under_18,
date_order (spec: "Checks"), then the product's limits: too_long, extra_cells (``fields``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl

from .fields import (
    CODES,
    DATE_FIELDS,
    DATE_ORDER,
    FIELDS,
    MAX_LENGTHS,
    MODALITY_FIELDS,
    MODALITY_REQUIRED,
    NO_CONSENT_FIELDS,
    REQUIRED,
)
from .reading import EXTRA, LINE


def _err(cond: pl.Expr, field: str, code: str, message: str, order: int) -> tuple[pl.Expr, ...]:
    return (
        cond,
        pl.lit(field),
        pl.lit(code),
        pl.lit(message),
        pl.lit(order, dtype=pl.Int32),
    )


def _row_checks(as_of: dt.date, extra_cells: bool = False) -> list[tuple[pl.Expr, ...]]:
    """Every row check; ``extra_cells`` when the file has the ``EXTRA`` column."""
    c = pl.col
    nc = c("CONSENT") == "N"
    full = ~nc.fill_null(False)  # empty or bad CONSENT gets the full checks
    present = {f: c(f).is_not_null() for f in FIELDS}
    checks: list[tuple[pl.Expr, ...]] = []
    order = 0

    def add(cond: pl.Expr, field: str, code: str, message: str) -> None:
        nonlocal order
        order += 1
        checks.append(_err(cond.fill_null(False), field, code, message, order))

    # missing
    for f in REQUIRED:
        cond = ~present[f] if f in NO_CONSENT_FIELDS else full & ~present[f]
        add(cond, f, "missing", f"{f} is required")
    add(
        full & present["DISRSN"] & ~present["DISD"],
        "DISD",
        "missing",
        "DISD is required with DISRSN",
    )
    add(
        full & present["DISD"] & ~present["DISRSN"],
        "DISRSN",
        "missing",
        "DISRSN is required with DISD",
    )
    any_mod = pl.any_horizontal([present[f] for f in MODALITY_FIELDS])
    for f in MODALITY_REQUIRED:
        add(
            full & any_mod & ~present[f],
            f,
            "missing",
            f"{f} is required when any modality field is filled",
        )
    add(
        full & present["MODEND"] & ~present["MODEXIT"],
        "MODEXIT",
        "missing",
        "MODEXIT is required with MODEND",
    )
    add(
        full & present["MODEXIT"] & ~present["MODEND"],
        "MODEND",
        "missing",
        "MODEND is required with MODEXIT",
    )
    # bad_date, future_date
    for f in DATE_FIELDS:
        add(
            full & present[f] & c(f"{f}__d").is_null(),
            f,
            "bad_date",
            f"{f} is not a real date in YYYY-MM-DD or DD/MM/YYYY",
        )
    for f in DATE_FIELDS:
        add(full & (c(f"{f}__d") > as_of), f, "future_date", f"{f} is after the as-of date")
    # bad_code
    for f, allowed in CODES.items():
        cond = present[f] & ~c(f).is_in(list(allowed))
        if f != "CONSENT":
            cond = full & cond
        shown = f"one of {', '.join(allowed)}" if len(allowed) <= 17 else "a listed substance code"
        add(cond, f, "bad_code", f"{f} must be {shown}")
    # under_18: whole years from DOB to REFLD
    dob, ref = c("DOB__d"), c("REFLD__d")
    month_day = {
        k: e.dt.month().cast(pl.Int32) * 100 + e.dt.day().cast(pl.Int32)
        for k, e in (("ref", ref), ("dob", dob))
    }  # Int32: month() is Int8, and month * 100 would overflow it
    age = ref.dt.year() - dob.dt.year() - (month_day["ref"] < month_day["dob"]).cast(pl.Int32)
    add(full & (age < 18), "DOB", "under_18", "age on REFLD is under 18")
    # date_order
    for early, late, strict in DATE_ORDER:
        a, b = c(f"{early}__d"), c(f"{late}__d")
        broken = a > b if strict else a >= b
        words = "after" if strict else "on or after"
        add(full & broken, late, "date_order", f"{early} is {words} {late}")
    # the product's limits (after the spec's checks, so their order is unchanged)
    for f, limit in MAX_LENGTHS.items():
        cond = present[f] & (c(f).str.len_chars() > limit)
        if f not in NO_CONSENT_FIELDS:
            cond = full & cond
        add(cond, f, "too_long", f"{f} is longer than {limit} characters")
    if extra_cells:
        order += 1
        checks.append(
            (
                c(EXTRA).is_not_null(),
                pl.lit("row"),
                pl.lit("extra_cells"),
                pl.format(
                    "the row has {} filled cell(s) beyond the header's last column; a value "
                    "holding a comma must be in double quotes",
                    c(EXTRA),
                ),
                pl.lit(order, dtype=pl.Int32),
            )
        )
    return checks


def _collect_errors(norm: pl.DataFrame, checks: Iterable[tuple[pl.Expr, ...]]) -> pl.DataFrame:
    lazy = norm.lazy()
    parts = [
        lazy.filter(cond).select(
            pl.col(LINE),
            field.alias("field"),
            code.alias("code"),
            msg.alias("message"),
            order.alias("_order"),
        )
        for cond, field, code, msg, order in checks
    ]
    return pl.concat(parts).collect()
