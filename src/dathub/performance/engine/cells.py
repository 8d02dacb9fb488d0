"""Integer codes for the partnership and breakdown values of each journey, and ``CELL``,
one integer per combination, so that counting and summing run on integers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

CELL = "_cell"  # one integer per combination of partnership and breakdown values


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
