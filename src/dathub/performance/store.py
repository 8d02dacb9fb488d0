"""How submissions' client-level rows are kept and read back for the engine.

The engine's own types are kept: accepted rows as Parquet (``CheckResult.accepted``: dates
as dates, codes as integers, the file's line), rejected rows as the correction CSV written by
the engine (``write_rejected_csv``). Nothing here decides a rule of the spec.

The partnership's current records, for the indicators, are the accepted rows of the current
submissions, where each episode (AGNCY + EPISODID) is taken whole from the latest reporting
month whose current submission holds it: a provider that sends its whole caseload each
month and one that sends only the episodes that changed are both read correctly, and an
episode is never made of rows from two different files (which the episode checks could not
have seen together).
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from .engine.check_result import CheckResult, write_rejected_csv
from .engine.reading import RawRecords, RecordsFileError, read_csv_bytes, read_records

MONTH = "_month"


def read_upload(data: bytes, fmt: str) -> RawRecords:
    """The uploaded file as the engine reads it (CSV bytes, or an .xlsx workbook)."""
    if fmt == "xlsx":
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload.xlsx"
            path.write_bytes(data)
            return read_records(path)
    return read_csv_bytes(data)


def safe_file_error(exc: RecordsFileError) -> str:
    """The reason a file could not be read, without any of its content."""
    text = str(exc)
    head = text.split(":", 1)[0] if "cannot be read" in text else text
    return (head[:1].upper() + head[1:]).rstrip(".") + "."


def agencies_in(raw: RawRecords) -> set[str]:
    """The AGNCY codes the file names (trimmed, upper-cased, as the checks compare them)."""
    col = raw.columns.get("AGNCY")
    if col is None or raw.frame.height == 0:
        return set()
    values = raw.frame.select(pl.col(col).str.strip_chars().str.to_uppercase()).to_series()
    return {v for v in values.drop_nulls().unique().to_list() if v}


def accepted_bytes(result: CheckResult) -> bytes:
    buf = io.BytesIO()
    result.accepted.write_parquet(buf)
    return buf.getvalue()


def accepted_frame(blob: bytes | memoryview | None) -> pl.DataFrame | None:
    if blob is None:
        return None
    return pl.read_parquet(io.BytesIO(bytes(blob)))


def rejected_bytes(result: CheckResult) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rejected.csv"
        write_rejected_csv(result, path)
        return path.read_bytes()


def rejected_frame(blob: bytes | memoryview | None) -> pl.DataFrame:
    """The correction CSV as text columns (header as written, then ``reasons``)."""
    if not blob:
        return pl.DataFrame()
    return pl.read_csv(io.BytesIO(bytes(blob)), infer_schema=False, has_header=True)


def latest_episodes(frames: Sequence[tuple[object, pl.DataFrame]]) -> pl.DataFrame | None:
    """Concatenate (month, accepted rows) pairs, keeping each episode's latest month."""
    parts = [f.with_columns(pl.lit(month).alias(MONTH)) for month, f in frames if f.height]
    if not parts:
        return None
    rows = pl.concat(parts, how="vertical_relaxed")
    key = ["AGNCY", "EPISODID"]
    return rows.filter(pl.col(MONTH) == pl.col(MONTH).max().over(key)).drop(MONTH)
