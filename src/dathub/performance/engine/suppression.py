"""Small-number suppression for published figures (spec: "Published figures").

Rules, per window, partnership and indicator:

- primary: a count (numerator or denominator) from 1 to 4 shows as ``*``; a value shows as
  ``*`` when its numerator or denominator is suppressed (a rate would give the count away).
- secondary: the cells of a breakdown family (``sex:*``, ``age:*``, ... ``agency:*``) add up
  to the ``all`` cell, so when exactly one cell of a family is suppressed in a column and the
  ``all`` cell of that column is shown, the next smallest shown non-zero cell of the family is
  suppressed too (ties: the family's first in output order). Numerators and denominators are
  treated as separate columns. A zero is never chosen: hiding it protects nothing.
  When the ``all`` cell is itself suppressed no secondary cell is needed: the total is then
  1-4, so every non-zero cell of every family is 1-4 and already hidden.
"""

from __future__ import annotations

import polars as pl

from .indicators import value_text

SUPPRESSED = "*"
_FAMILY = "_family"


def suppress(table: pl.DataFrame) -> pl.DataFrame:
    """Return ``table`` with ``numerator``, ``denominator`` and ``value`` as published text.

    ``table`` has the columns of the indicator engine's output (``dat, indicator, breakdown,
    numerator, denominator, value``, and optionally the period columns). Shown values are
    written as text; an empty count or value stays null.
    """
    keys = [c for c in ("period", "period_start", "period_end") if c in table.columns]
    keys += ["dat", "indicator"]
    fam_keys = [*keys, _FAMILY]
    t = table.with_row_index("_row").with_columns(
        pl.when(pl.col("breakdown") == "all")
        .then(pl.lit("all"))
        .otherwise(pl.col("breakdown").str.split(":").list.first())
        .alias(_FAMILY)
    )
    flags: dict[str, str] = {}
    for col in ("numerator", "denominator"):
        flag = f"_sup_{col}"
        flags[col] = flag
        v = pl.col(col)
        t = t.with_columns(v.is_between(1, 4).fill_null(False).alias(flag))
        total_shown = (
            (pl.when(pl.col(_FAMILY) == "all").then(~pl.col(flag)).otherwise(None)).max().over(keys)
        )
        lone = (pl.col(flag).cast(pl.Int32).sum().over(fam_keys) == 1) & (pl.col(_FAMILY) != "all")
        cand = lone & total_shown.fill_null(False) & ~pl.col(flag) & (v > 0).fill_null(False)
        t = (
            t.sort([*fam_keys, col, "_row"])
            .with_columns(cand.alias("_cand"))
            .with_columns(
                (
                    pl.col(flag)
                    | (
                        pl.col("_cand")
                        & (pl.col("_cand").cast(pl.Int32).cum_sum().over(fam_keys) == 1)
                    )
                ).alias(flag)
            )
            .sort("_row")
        )
    hidden_value = pl.col(flags["numerator"]) | pl.col(flags["denominator"])

    def text(col: str, hidden: pl.Expr) -> pl.Expr:
        return (
            pl.when(pl.col(col).is_null())
            .then(None)
            .when(hidden)
            .then(pl.lit(SUPPRESSED))
            .otherwise(pl.col(col).cast(pl.String))
            .alias(col)
        )

    return (
        t.with_columns(value_text().alias("value"))
        .with_columns(
            text("numerator", pl.col(flags["numerator"])),
            text("denominator", pl.col(flags["denominator"])),
            text("value", hidden_value),
        )
        .select(table.columns)
    )
