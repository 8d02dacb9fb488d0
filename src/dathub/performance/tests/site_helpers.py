"""Small generated records files for the site tests (the engine's generator, no real people)."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl

from dathub.core import clock
from dathub.performance.engine import generate


def records(
    *, people: int = 60, seed: int = 1, agency: str = "NRT01", dat: str = "N01A", years: int = 2
) -> pl.DataFrame:
    """Text cells in the spec's shape, every row given ``agency``."""
    frame = generate.generate(
        [dat],
        people_per_partnership=people,
        years=years,
        seed=seed,
        as_of=clock.today(),
        bad_share=0.0,
    )
    return frame.with_columns(AGNCY=pl.lit(agency))


def spoil(frame: pl.DataFrame, rows: list[int], field: str, value: str) -> pl.DataFrame:
    """Set ``field`` to ``value`` in the given row indexes (0-based)."""
    return (
        frame.with_row_index("_i")
        .with_columns(
            pl.when(pl.col("_i").is_in(rows))
            .then(pl.lit(value))
            .otherwise(pl.col(field))
            .alias(field)
        )
        .drop("_i")
    )


def csv_bytes(frame: pl.DataFrame) -> bytes:
    return frame.write_csv(line_terminator="\n").encode()


def xlsx_bytes(frame: pl.DataFrame) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(frame.columns)
    for row in frame.iter_rows():
        ws.append([v if v not in (None, "") else None for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def last_month() -> str:
    today = clock.today()
    return f"{today.replace(day=1) - dt.timedelta(days=1):%Y-%m}"
