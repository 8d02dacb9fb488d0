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
from typing import Any

import polars as pl
from django.conf import settings

from dathub.core.archives import unzipped_size

from .engine.check_result import CheckResult, write_rejected_csv
from .engine.reading import LINE, RawRecords, RecordsFileError, read_csv_bytes, read_records

MONTH = "_month"

# An upload's limits (settings DATHUB_RECORDS_MAX_UNZIPPED_BYTES and _MAX_ROWS): a
# workbook's size unpacked (its parts are read whole; a small .xlsx can unpack to gigabytes),
# and the rows one submission may hold (CSV and .xlsx alike: the work, the stored rows and
# the report all grow with them).


def max_unzipped_bytes() -> int:
    return int(settings.DATHUB_RECORDS_MAX_UNZIPPED_BYTES)


def max_rows() -> int:
    return int(settings.DATHUB_RECORDS_MAX_ROWS)


def read_upload(data: bytes, fmt: str) -> RawRecords:
    """The uploaded file as the engine reads it (CSV bytes, or an .xlsx workbook), refused
    when a workbook unpacks to more than ``max_unzipped_bytes()`` or the file holds more
    than ``max_rows()`` rows."""
    if fmt == "xlsx":
        limit = max_unzipped_bytes()
        if unzipped_size(data) > limit:
            raise RecordsFileError(
                f"the workbook unpacks to more than {limit // (1024 * 1024)} MB, the most a "
                "records workbook may; send it as CSV, or split it"
            )
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload.xlsx"
            path.write_bytes(data)
            return read_records(path, max_rows=max_rows())
    return read_csv_bytes(data, max_rows=max_rows())


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


ERROR_SCHEMA = {LINE: pl.Int64, "field": pl.String, "code": pl.String, "message": pl.String}


def errors_bytes(result: CheckResult) -> bytes:
    """The report's reasons, compactly: Parquet, zstd, in row groups a page can be read from
    (the messages and codes repeat, so a million reasons take a few megabytes)."""
    buf = io.BytesIO()
    result.errors.select(list(ERROR_SCHEMA)).cast(ERROR_SCHEMA).write_parquet(  # type: ignore[arg-type]
        buf, compression="zstd", row_group_size=50_000
    )
    return buf.getvalue()


def errors_page(blob: bytes | memoryview | None, offset: int, limit: int) -> list[dict[str, Any]]:
    """Reasons ``offset`` to ``offset + limit`` in the spec's shape (row, field, code, message)."""
    if not blob or limit <= 0:
        return []
    frame = pl.scan_parquet(io.BytesIO(bytes(blob))).slice(offset, limit).collect()
    return [
        {"row": r[LINE], "field": r["field"], "code": r["code"], "message": r["message"]}
        for r in frame.iter_rows(named=True)
    ]


def full_report(submission: Any) -> dict[str, Any]:
    """The spec's report of a stored submission, every reason included (for the command
    line, whose files are bounded by ``max_rows()``; pages and the API read it in pages)."""
    from .models import SubmissionData

    blob = (
        SubmissionData.objects.filter(submission=submission)
        .values_list("errors", flat=True)
        .first()
    )
    errors = errors_page(blob, 0, submission.error_count or 0)
    return {**store_counts(submission), "errors": errors}


def store_counts(submission: Any) -> dict[str, Any]:
    return {k: getattr(submission, k) for k in ("rows", "accepted", "rejected", "no_consent")}


def report_counts(result: CheckResult) -> dict[str, int]:
    """The spec's report without its reasons (kept on the submission)."""
    return {
        "rows": result.rows,
        "accepted": result.accepted.height,
        "rejected": result.rejected.height,
        "no_consent": result.no_consent,
    }


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
