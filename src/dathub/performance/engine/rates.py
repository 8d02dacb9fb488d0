"""An indicator's value: 100 x numerator / denominator, half to even at one decimal."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import polars as pl

VALUE_DTYPE = pl.Decimal(38, 1)


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
