"""Reading a ``.csv`` or ``.xlsx`` records file as written: text cells, line numbers, header.

Nothing is checked here; :mod:`.records` documents the choices (line numbers, blank records,
repeated columns) this reader implements.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from .fields import FIELDS
from .formula_guard import _GUARDED, unguard_cell

LINE = "line"
EXTRA = "extra_cells"
"""Column present only when some row has filled cells beyond the header's last column: how
many (null for the other rows). Those cells are not read as fields; the checks report them."""


class RecordsFileError(ValueError):
    """The file cannot be read as a records file (not found, not UTF-8, not CSV/xlsx)."""


@dataclass(frozen=True)
class RawRecords:
    """The file as written: one String column per header column plus ``line``.

    ``frame`` columns are ``line`` then ``c0..cN`` (positional, because header names may
    repeat); ``header`` holds the names as written; ``columns`` maps a spec field to the
    positional column that carries it.
    """

    frame: pl.DataFrame
    header: tuple[str, ...]
    columns: dict[str, str]
    trimmed: bool = False
    """True when no cell can have surrounding whitespace (the reader saw no whitespace byte
    inside any record), so the checks may skip trimming; False means "not known"."""


def read_records(path: str | Path, max_rows: int | None = None) -> RawRecords:
    """Read a ``.csv`` or ``.xlsx`` records file as written (refused when it holds more than
    ``max_rows`` rows)."""
    p = Path(path)
    if not p.is_file():
        raise RecordsFileError(f"file not found: {p}")
    if p.suffix.lower() in {".xlsx", ".xlsm"}:
        return read_xlsx(p, max_rows=max_rows)
    return read_csv_bytes(p.read_bytes(), max_rows=max_rows)


def _too_many_rows(max_rows: int) -> RecordsFileError:
    return RecordsFileError(
        f"the file holds more than {max_rows:,} rows, the most one submission may hold"
    )


def _header_names(text: str) -> list[str]:
    return [unguard_cell(h) for h in next(csv.reader(io.StringIO(text)), [])]


def _record_start_lines(data: bytes) -> tuple[np.ndarray, bool]:
    """Physical line (1-based) on which each CSV record starts, header included, and whether
    every newline ends a record (none is inside a quoted cell).

    A newline ends a record only outside quotes; with RFC 4180 quoting ("" inside quotes)
    that is exactly when the number of quote bytes before it is even.
    """
    n_newlines = data.count(b"\n")
    ends_with_newline = data.endswith(b"\n")
    if b'"' not in data:
        # no quoting: every newline ends a record (the cheap, common case)
        starts = np.arange(1, n_newlines + 2, dtype=np.int64)
        if ends_with_newline:
            starts = starts[:-1]  # the final newline does not open a record
        return starts, True
    arr = np.frombuffer(data, dtype=np.uint8)
    index = np.int32 if len(arr) < 2**31 else np.int64
    step = 1 << 26  # 64 MiB slices keep the temporary boolean arrays small
    newlines = np.concatenate(
        [
            (np.flatnonzero(arr[i : i + step] == 10) + i).astype(index)
            for i in range(0, len(arr), step)
        ]
        or [np.zeros(0, dtype=index)]
    )
    quotes = np.concatenate(
        [
            (np.flatnonzero(arr[i : i + step] == 34) + i).astype(index)
            for i in range(0, len(arr), step)
        ]
        or [np.zeros(0, dtype=index)]
    )
    boundary = (np.searchsorted(quotes, newlines) % 2) == 0
    end_index = np.flatnonzero(boundary)
    # record k+1 starts on the line after the newline that ends record k
    starts = np.concatenate([[1], end_index + 2]).astype(np.int64)
    if len(end_index) and ends_with_newline and boundary[-1]:
        starts = starts[:-1]  # the final newline does not open a record
    return starts, bool(boundary.all())


# bytes that are whitespace to ``str.strip``/polars ``strip_chars`` in an ASCII body besides
# the newline that separates records
_ASCII_SPACE = (b" ", b"\t", b"\r", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f")


def _no_cell_whitespace(data: bytes, body_start: int, newlines_end_records: bool) -> bool:
    """True when no cell of the body can hold whitespace, so trimming would change nothing.

    Conservative: an ASCII body with no whitespace byte but the newlines between records.
    """
    if not newlines_end_records or not data.isascii():
        return False
    return all(data.find(b, body_start) < 0 for b in _ASCII_SPACE)


def _csv_lines_slow(text: str) -> list[int]:
    reader = csv.reader(io.StringIO(text, newline=""))
    lines: list[int] = []
    prev = 0
    for _ in reader:
        lines.append(prev + 1)
        prev = reader.line_num
    return lines


def _extra_cells(text: str, width: int) -> list[int | None]:
    """For each record after the header, how many filled cells it has beyond ``width``
    (None for none). Only for files with longer records than their header (the slow path)."""
    counts: list[int | None] = []
    for record in csv.reader(io.StringIO(text, newline="")):
        counts.append(sum(1 for cell in record[width:] if cell.strip()) or None)
    return counts[1:]


def _polars_csv(data: bytes, names: list[str], truncate: bool) -> pl.DataFrame:
    try:
        return pl.read_csv(
            data,
            has_header=True,
            new_columns=names,
            infer_schema=False,
            truncate_ragged_lines=truncate,
            encoding="utf8",
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        if not truncate and "more fields" in str(exc):
            raise _Ragged from exc
        if "utf-8" in str(exc).lower():
            raise RecordsFileError("the file is not UTF-8 text") from exc
        raise RecordsFileError(f"the file cannot be read as CSV: {exc}") from exc


class _Ragged(Exception):
    """Some record has more cells than the header (read again, and report them)."""


def read_csv_bytes(data: bytes, max_rows: int | None = None) -> RawRecords:
    """Read CSV bytes (UTF-8, optional BOM) into :class:`RawRecords` (refused when it holds
    more than ``max_rows`` rows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    first_nl = data.find(b"\n")
    head = data if first_nl < 0 else data[:first_nl]
    try:
        header = _header_names(head.decode("utf-8").rstrip("\r"))
    except UnicodeDecodeError as exc:
        raise RecordsFileError("the file is not UTF-8 text") from exc
    if not header or not any(h.strip() for h in header):
        raise RecordsFileError("the file has no header row")
    names = [f"c{i}" for i in range(len(header))]
    extra: list[int | None] | None = None
    # the line numbers (numpy, which releases the GIL) are found while polars parses
    with ThreadPoolExecutor(max_workers=1) as pool:
        lines = pool.submit(_record_start_lines, data)
        try:
            frame = _polars_csv(data, names, truncate=False)
        except _Ragged:
            # cells beyond the header are not dropped silently: count them per record
            frame = _polars_csv(data, names, truncate=True)
            extra = _extra_cells(data.decode("utf-8"), len(header))
        all_starts, newlines_end_records = lines.result()
    frame = frame.select(names)  # drop any extra unnamed columns polars may add
    if b"'" in data:  # cells guarded in the rejected-rows download (see guard_csv)
        frame = frame.with_columns(
            pl.when(pl.col(c).str.contains(_GUARDED))
            .then(pl.col(c).str.slice(1))
            .otherwise(pl.col(c))
            .alias(c)
            for c in names
        )
    starts = all_starts[1:]
    if len(starts) != frame.height:
        newlines_end_records = False
        starts = np.asarray(_csv_lines_slow(data.decode("utf-8"))[1:], dtype=np.int64)
    if len(starts) != frame.height or (extra is not None and len(extra) != frame.height):
        raise RecordsFileError("the file's quoting cannot be read consistently")
    trimmed = _no_cell_whitespace(data, len(head) + 1, newlines_end_records)
    frame = frame.with_columns(pl.Series(LINE, starts, dtype=pl.Int64)).select([LINE, *names])
    if extra is not None and any(n is not None for n in extra):
        frame = frame.with_columns(pl.Series(EXTRA, extra, dtype=pl.Int32))
    return _capped(_finish_raw(frame, header, trimmed=trimmed), max_rows)


def _capped(raw: RawRecords, max_rows: int | None) -> RawRecords:
    if max_rows is not None and raw.frame.height > max_rows:
        raise _too_many_rows(max_rows)
    return raw


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unguard_cell(str(value))


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def read_xlsx(path: str | Path, max_rows: int | None = None) -> RawRecords:
    """Read the first worksheet of an ``.xlsx`` file with the same columns as the CSV
    (refused as soon as it holds more than ``max_rows`` rows with anything in them)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad workbook
        raise RecordsFileError(f"the workbook cannot be read: {type(exc).__name__}") from exc
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            raise RecordsFileError("the workbook has no header row")
        header = ["" if v is None else str(v) for v in first]
        while header and not header[-1].strip():
            header.pop()
        width = len(header)
        lines: list[int] = []
        extra: list[int | None] = []
        filled = 0
        cols: list[list[str | None]] = [[] for _ in range(width)]
        for n, row in enumerate(rows, start=2):
            cells = [_cell_text(v) for v in row[:width]]
            cells += [None] * (width - len(cells))
            beyond = sum(1 for v in row[width:] if _filled(v))
            if beyond or any(v is not None and v.strip() for v in cells):
                filled += 1
                if max_rows is not None and filled > max_rows:
                    raise _too_many_rows(max_rows)
            lines.append(n)
            extra.append(beyond or None)
            for i, v in enumerate(cells):
                cols[i].append(v)
    finally:
        wb.close()
    data: dict[str, Any] = {LINE: pl.Series(LINE, lines, dtype=pl.Int64)}
    for i in range(width):
        data[f"c{i}"] = pl.Series(f"c{i}", cols[i], dtype=pl.String)
    if any(n is not None for n in extra):
        data[EXTRA] = pl.Series(EXTRA, extra, dtype=pl.Int32)
    return _finish_raw(pl.DataFrame(data), header)


def _blank(col: str, trimmed: bool) -> pl.Expr:
    text = pl.col(col) if trimmed else pl.col(col).str.strip_chars()
    return pl.col(col).is_null() | (text == "")


def _finish_raw(frame: pl.DataFrame, header: Sequence[str], trimmed: bool = False) -> RawRecords:
    names = [c for c in frame.columns if c not in (LINE, EXTRA)]
    # a record with nothing in any cell is not a row (see ``records``); only the records
    # whose first cell is blank can be, so the full test runs on those alone
    if names and frame.height:
        maybe = frame.filter(_blank(names[0], trimmed))
        if maybe.height:
            empty = [_blank(c, trimmed) for c in names]
            if EXTRA in frame.columns:
                empty.append(pl.col(EXTRA).is_null())
            blank = maybe.filter(pl.all_horizontal(empty))
            if blank.height:
                frame = frame.filter(~pl.col(LINE).is_in(blank[LINE].implode()))
    columns: dict[str, str] = {}
    for i, h in enumerate(header):
        key = h.strip().upper()
        if key in FIELDS and key not in columns:
            columns[key] = f"c{i}"
    return RawRecords(frame=frame, header=tuple(header), columns=columns, trimmed=trimmed)


def raw_from_frame(frame: pl.DataFrame) -> RawRecords:
    """Treat a DataFrame of strings (e.g. from the generator) as a file; line = index + 2."""
    header = tuple(frame.columns)
    renamed = frame.select(
        [pl.col(c).cast(pl.String).alias(f"c{i}") for i, c in enumerate(header)]
    ).with_row_index(LINE, offset=2)
    renamed = renamed.with_columns(pl.col(LINE).cast(pl.Int64))
    return _finish_raw(renamed, header)
