"""Read and check client-level treatment records (spec: treatment-data.md, "The file", "Checks").

Choices where the spec leaves room (the spec itself is followed exactly elsewhere):

- Line numbers are physical file lines where the record starts (header = line 1), so a quoted
  cell holding a newline does not shift the numbers of later rows. In ``.xlsx`` the line is
  the worksheet row number.
- A record with no value in any cell (a blank line, or ``,,,``) is not a row: it is not
  counted and gets no error. Every other record is a row.
- If a known column appears twice in the header, the first one is used.
- Dates: ``YYYY-MM-DD`` or ``DD/MM/YYYY``; day and month may have one digit (``5/7/2009``),
  the year must have four. Surrounding spaces are ignored in every cell.
- Codes (CONSENT, SEX, ETHNIC, INJSTAT, RFLS, HEPBSTAT, HEPCSTAT, MODEXIT) and AGNCY, DAT and
  the initials are compared upper-cased; numeric codes (DRUG1-3, DISRSN, MODAL) are compared
  as text, so ``01`` or ``1011.0`` is a ``bad_code``. CLIENTID, EPISODID and MODID are
  references, compared exactly as written (trimmed).
- CONSENT ``N`` rows are checked only for AGNCY, CLIENTID and EPISODID; their other cells are
  not checked, not kept in ``accepted`` (set empty: the client did not consent to sharing)
  and they take part in no episode check. A row whose CONSENT is empty or not Y/N gets the
  full checks besides its own ``missing``/``bad_code``.
- Report arithmetic: ``rows = accepted + rejected``; ``no_consent`` counts the *accepted*
  rows with CONSENT ``N`` (kept, used in no indicator), so the rows an indicator may use are
  ``accepted - no_consent``. A CONSENT ``N`` row with an error counts as rejected only.
- ``under_18``: age in whole years on REFLD; someone born on 29 February turns a year older
  on 1 March in non-leap years.
- ``date_order`` names the field that should be the later one of the pair (REFLD for
  "DOB on or after REFLD", TRIAGED for "REFLD after TRIAGED", ...); one error per broken pair.
- ``episode_conflict`` gives one error per row and per disagreeing field; empty vs filled is
  a disagreement. ``duplicate`` names MODID.
- Messages never quote cell values (client-level data); the rejected-rows CSV holds them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

FIELDS: tuple[str, ...] = (
    "AGNCY",
    "CLIENTID",
    "EPISODID",
    "CONSENT",
    "DAT",
    "FINITIAL",
    "SINITIAL",
    "DOB",
    "SEX",
    "ETHNIC",
    "REFLD",
    "TRIAGED",
    "CPLANDT",
    "DRUG1",
    "DRUG2",
    "DRUG3",
    "INJSTAT",
    "RFLS",
    "HEPBSTAT",
    "HEPCSTAT",
    "DISD",
    "DISRSN",
    "MODID",
    "MODAL",
    "REFMODDT",
    "FAOMODDT",
    "MODST",
    "MODEND",
    "MODEXIT",
)
DATE_FIELDS: tuple[str, ...] = (
    "DOB",
    "REFLD",
    "TRIAGED",
    "CPLANDT",
    "DISD",
    "REFMODDT",
    "FAOMODDT",
    "MODST",
    "MODEND",
)
MODALITY_FIELDS: tuple[str, ...] = (
    "MODID",
    "MODAL",
    "REFMODDT",
    "FAOMODDT",
    "MODST",
    "MODEND",
    "MODEXIT",
)
EPISODE_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f not in MODALITY_FIELDS)
NO_CONSENT_FIELDS: tuple[str, ...] = ("AGNCY", "CLIENTID", "EPISODID", "CONSENT")
REQUIRED: tuple[str, ...] = (
    "AGNCY",
    "CLIENTID",
    "EPISODID",
    "CONSENT",
    "DAT",
    "FINITIAL",
    "SINITIAL",
    "DOB",
    "SEX",
    "REFLD",
    "TRIAGED",
    "DRUG1",
)
MODALITY_REQUIRED: tuple[str, ...] = ("MODID", "MODAL", "REFMODDT", "MODST")
# Fields kept exactly as written (references); everything else is upper-cased.
REFERENCE_FIELDS: frozenset[str] = frozenset({"CLIENTID", "EPISODID", "MODID"})

SUBSTANCES: tuple[str, ...] = (
    *("1000", "1011", "1105", "1199", "2100", "2200", "3100", "3200", "3201", "3406"),
    *("4000", "5000", "6000", "7000", "8200", "8300", "8799", "9005"),
)
CODES: dict[str, tuple[str, ...]] = {
    "CONSENT": ("Y", "N"),
    "SEX": ("M", "F"),
    "ETHNIC": tuple("ABCDEFGHJKLMNPRSZ"),
    "INJSTAT": ("C", "P", "N", "Z"),
    "RFLS": ("DIP", "ARR", "PRB", "PRS", "CRT", "SLF", "GP", "HOS", "SOC", "DRG", "OTH"),
    "HEPBSTAT": ("A", "B", "C", "D", "E"),
    "HEPCSTAT": ("A", "B", "D"),
    "MODEXIT": ("A", "B", "C"),
    "DRUG1": SUBSTANCES,
    "DRUG2": SUBSTANCES,
    "DRUG3": SUBSTANCES,
    "DISRSN": tuple(str(n) for n in range(80, 90)),
    "MODAL": tuple(str(n) for n in range(1, 13)),
}
INT_CODE_FIELDS: dict[str, pl.DataType] = {
    "DRUG1": pl.Int16(),
    "DRUG2": pl.Int16(),
    "DRUG3": pl.Int16(),
    "DISRSN": pl.Int8(),
    "MODAL": pl.Int8(),
}
# (earlier, later, strict): the pair is broken when earlier > later (or >= when not strict).
DATE_ORDER: tuple[tuple[str, str, bool], ...] = (
    ("DOB", "REFLD", False),
    ("REFLD", "TRIAGED", True),
    ("TRIAGED", "MODST", True),
    ("REFMODDT", "FAOMODDT", True),
    ("FAOMODDT", "MODST", True),
    ("REFMODDT", "MODST", True),
    ("MODST", "MODEND", True),
    ("MODEND", "DISD", True),
    ("MODST", "DISD", True),
    ("TRIAGED", "DISD", True),
)
CHECK_CODES: tuple[str, ...] = (
    "missing",
    "bad_date",
    "future_date",
    "bad_code",
    "under_18",
    "date_order",
    "episode_conflict",
    "duplicate",
)

LINE = "line"
_DATE_SHAPE = r"^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4})$"
ERROR_SCHEMA: dict[str, pl.DataType] = {
    LINE: pl.Int64(),
    "field": pl.String(),
    "code": pl.String(),
    "message": pl.String(),
    "_order": pl.Int32(),
}


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


@dataclass(frozen=True)
class CheckResult:
    """Outcome of :func:`check_records`."""

    accepted: pl.DataFrame
    """Accepted rows, typed (dates as ``pl.Date``, numeric codes as integers), with ``line``."""
    rejected: pl.DataFrame
    """Rejected rows as written: ``line``, positional raw columns ``c0..cN``, ``reasons``."""
    errors: pl.DataFrame
    """One row per reason: ``line, field, code, message``, ordered by line."""
    header: tuple[str, ...]

    @property
    def rows(self) -> int:
        return self.accepted.height + self.rejected.height

    @property
    def no_consent(self) -> int:
        return int((self.accepted["CONSENT"] == "N").sum())

    @property
    def used(self) -> pl.DataFrame:
        """Accepted rows with CONSENT Y: the only rows any indicator may use."""
        return self.accepted.filter(pl.col("CONSENT") == "Y")

    def report(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "accepted": self.accepted.height,
            "rejected": self.rejected.height,
            "no_consent": self.no_consent,
            "errors": [
                {"row": r[LINE], "field": r["field"], "code": r["code"], "message": r["message"]}
                for r in self.errors.iter_rows(named=True)
            ],
        }


# ---------------------------------------------------------------------------------------------
# Reading


def read_records(path: str | Path) -> RawRecords:
    """Read a ``.csv`` or ``.xlsx`` records file as written."""
    p = Path(path)
    if not p.is_file():
        raise RecordsFileError(f"file not found: {p}")
    if p.suffix.lower() in {".xlsx", ".xlsm"}:
        return read_xlsx(p)
    return read_csv_bytes(p.read_bytes())


def _header_names(text: str) -> list[str]:
    return [unguard_cell(h) for h in next(csv.reader(io.StringIO(text)), [])]


# A cell starting with one of these runs as a formula when a spreadsheet opens the CSV. The
# rejected-rows download (``guard_csv``) puts an apostrophe in front of such a cell; the reader
# takes it off again (``unguard_cell``), so the file can be corrected and sent back as it is.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_GUARDED = r"^'[=+\-@\t\r]"


def guard_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def unguard_cell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def guard_csv(data: bytes) -> bytes:
    """The CSV with every cell a spreadsheet would run as a formula guarded (see above)."""
    text = data.decode("utf-8")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow([guard_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8")


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


def read_csv_bytes(data: bytes) -> RawRecords:
    """Read CSV bytes (UTF-8, optional BOM) into :class:`RawRecords`."""
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
    # the line numbers (numpy, which releases the GIL) are found while polars parses
    with ThreadPoolExecutor(max_workers=1) as pool:
        lines = pool.submit(_record_start_lines, data)
        try:
            frame = pl.read_csv(
                data,
                has_header=True,
                new_columns=names,
                infer_schema=False,
                truncate_ragged_lines=True,
                encoding="utf8",
            )
        except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
            if "utf-8" in str(exc).lower():
                raise RecordsFileError("the file is not UTF-8 text") from exc
            raise RecordsFileError(f"the file cannot be read as CSV: {exc}") from exc
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
    if len(starts) != frame.height:
        raise RecordsFileError("the file's quoting cannot be read consistently")
    trimmed = _no_cell_whitespace(data, len(head) + 1, newlines_end_records)
    frame = frame.with_columns(pl.Series(LINE, starts, dtype=pl.Int64)).select([LINE, *names])
    return _finish_raw(frame, header, trimmed=trimmed)


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


def read_xlsx(path: str | Path) -> RawRecords:
    """Read the first worksheet of an ``.xlsx`` file with the same columns as the CSV."""
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
        cols: list[list[str | None]] = [[] for _ in range(width)]
        for n, row in enumerate(rows, start=2):
            cells = [_cell_text(v) for v in row[:width]]
            cells += [None] * (width - len(cells))
            lines.append(n)
            for i, v in enumerate(cells):
                cols[i].append(v)
    finally:
        wb.close()
    data: dict[str, Any] = {LINE: pl.Series(LINE, lines, dtype=pl.Int64)}
    for i in range(width):
        data[f"c{i}"] = pl.Series(f"c{i}", cols[i], dtype=pl.String)
    return _finish_raw(pl.DataFrame(data), header)


def _blank(col: str, trimmed: bool) -> pl.Expr:
    text = pl.col(col) if trimmed else pl.col(col).str.strip_chars()
    return pl.col(col).is_null() | (text == "")


def _finish_raw(frame: pl.DataFrame, header: Sequence[str], trimmed: bool = False) -> RawRecords:
    names = [c for c in frame.columns if c != LINE]
    # a record with nothing in any cell is not a row (see module docstring); only the records
    # whose first cell is blank can be, so the full test runs on those alone
    if names and frame.height:
        maybe = frame.filter(_blank(names[0], trimmed))
        if maybe.height:
            blank = maybe.filter(pl.all_horizontal([_blank(c, trimmed) for c in names]))
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


# ---------------------------------------------------------------------------------------------
# Normalising


def _parse_date(col: pl.Expr) -> pl.Expr:
    # the shape check keeps out what chrono would accept but the spec does not ("+2009-1-1")
    shaped = col.str.contains(_DATE_SHAPE)
    parsed = pl.coalesce(
        col.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        col.str.strptime(pl.Date, "%d/%m/%Y", strict=False),
    )
    return pl.when(shaped).then(parsed)


# Fields whose text is upper-cased. Dates and numeric codes are not: upper-casing cannot change
# whether they parse or are in their list (digits, '-' and '/' have no case), and their text
# is never kept (dates are parsed, codes cast to integers), so it would be wasted work.
UPPER_FIELDS: frozenset[str] = frozenset(
    f
    for f in FIELDS
    if f not in REFERENCE_FIELDS and f not in DATE_FIELDS and f not in INT_CODE_FIELDS
)


def _normalise(raw: RawRecords) -> pl.DataFrame:
    """Trimmed text per field (``F``), and for dates the parsed value (``F__d``)."""
    exprs: list[pl.Expr] = [pl.col(LINE)]
    frame = raw.frame
    for f in FIELDS:
        src = raw.columns.get(f)
        if src is None:
            exprs.append(pl.lit(None, dtype=pl.String).alias(f))
            continue
        e = pl.col(src)
        if not raw.trimmed:
            e = e.str.strip_chars()
        if f in UPPER_FIELDS:
            e = e.str.to_uppercase()
        if raw.trimmed and not bool(frame.select((pl.col(src) == "").any()).item()):
            exprs.append(e.alias(f))  # no empty text to turn into "no value"
        else:
            exprs.append(pl.when(e == "").then(None).otherwise(e).alias(f))
    norm = frame.lazy().select(exprs).collect()
    return norm.with_columns([_parsed_dates(norm[f]).alias(f"{f}__d") for f in DATE_FIELDS])


def _parsed_dates(text: pl.Series) -> pl.Series:
    """:func:`_parse_date` of every value, computed once per distinct text (a file holds a few
    thousand distinct dates in a column of a million rows) and joined back in row order."""
    if text.null_count() == text.len():
        return pl.Series(text.name, [None] * text.len(), dtype=pl.Date)
    distinct = text.drop_nulls().unique().to_frame("k")
    table = distinct.with_columns(_parse_date(pl.col("k")).alias("v"))
    return (
        text.to_frame("k")
        .join(table, on="k", how="left", maintain_order="left")
        .get_column("v")
        .alias(text.name)
    )


# ---------------------------------------------------------------------------------------------
# Checking


def _err(cond: pl.Expr, field: str, code: str, message: str, order: int) -> tuple[pl.Expr, ...]:
    return (
        cond,
        pl.lit(field),
        pl.lit(code),
        pl.lit(message),
        pl.lit(order, dtype=pl.Int32),
    )


def _row_checks(as_of: dt.date) -> list[tuple[pl.Expr, ...]]:
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


def _episode_checks(norm: pl.DataFrame, candidates: pl.Series) -> pl.DataFrame:
    key = ["AGNCY", "EPISODID"]
    fields = [f for f in EPISODE_FIELDS if f not in key]
    if not norm[LINE].is_sorted():
        by_line = norm[LINE].arg_sort()
        norm, candidates = norm[by_line], candidates.gather(by_line)
    # the candidate rows only, in line order; an integer per episode (dense rank of the key)
    # keeps every later step off the strings. Columns are taken one expression at a time
    # (``.filter`` inside the expression), so no filtered copy of the table is made.
    mask = pl.lit(candidates)
    eid = (
        norm.lazy()
        .select(pl.struct(key).filter(mask).rank("dense").alias("_eid"))
        .collect()
        .to_series()
    )
    lines = norm[LINE].filter(candidates)
    # sorted by episode, a row that differs from the row before it in the same episode shows
    # the episode disagrees on that field (exact, and cheaper than n_unique per group); a
    # file whose episodes are already contiguous needs no sort
    runs = int((eid != eid.shift()).fill_null(True).sum()) if len(eid) else 0
    order = None if runs == (eid.max() or 0) else eid.arg_sort()
    by_episode = eid if order is None else eid.sort()
    same_episode = pl.lit((by_episode == by_episode.shift()).fill_null(False))

    def in_episode_order(f: str) -> pl.Expr:
        # compare dates as dates: the parsed value, not the text
        value = pl.col(f"{f}__d" if f in DATE_FIELDS else f).filter(mask)
        return value if order is None else value.gather(pl.lit(order))

    changed = (
        norm.lazy()
        .select(
            pl.lit(by_episode).alias("_eid"),
            *[
                (same_episode & in_episode_order(f).ne_missing(in_episode_order(f).shift()))
                .fill_null(False)
                .alias(f)
                for f in fields
            ],
        )
        .filter(pl.any_horizontal(fields))
    )
    conflicts = (
        changed.group_by("_eid")
        .agg([pl.col(f).any() for f in fields])
        .unpivot(index="_eid", on=fields, variable_name="field", value_name="bad")
        .filter(pl.col("bad"))
        .drop("bad")
        .collect()
    )
    order_of = {f: 1000 + i for i, f in enumerate(fields)}
    cand = pl.DataFrame([lines, eid])
    conflict_errors = (
        cand.lazy()
        .filter(pl.col("_eid").is_in(conflicts["_eid"].unique().implode()))
        .join(conflicts.lazy(), on="_eid", how="inner")
        .select(
            pl.col(LINE),
            pl.col("field"),
            pl.lit("episode_conflict").alias("code"),
            (
                pl.lit("rows of this episode disagree on ")
                + pl.col("field")
                + pl.lit("; all its rows are rejected")
            ).alias("message"),
            pl.col("field").replace_strict(order_of, return_dtype=pl.Int32).alias("_order"),
        )
    )
    # in line order, a (episode, MODID) already seen is a duplicate
    modid = norm.lazy().select(pl.col("MODID").filter(mask)).collect().to_series()
    dup_errors = (
        cand.with_columns(modid)
        .lazy()
        .filter(pl.col("MODID").is_not_null() & ~pl.struct("_eid", "MODID").is_first_distinct())
        .select(
            pl.col(LINE),
            pl.lit("MODID").alias("field"),
            pl.lit("duplicate").alias("code"),
            pl.lit("MODID already seen earlier in this episode").alias("message"),
            pl.lit(2000, dtype=pl.Int32).alias("_order"),
        )
    )
    return pl.concat([conflict_errors, dup_errors]).collect()


def _typed(norm: pl.DataFrame, keep: pl.Series | None = None) -> pl.DataFrame:
    """The accepted-rows table: the rows of ``norm`` where ``keep``, typed, in one pass."""
    # no consent: keep only what the spec says such a row carries
    nc = pl.col("CONSENT") == "N"
    any_nc = bool(norm.select(nc.any()).item())
    exprs: list[pl.Expr] = [pl.col(LINE)]
    for f in FIELDS:
        if f in DATE_FIELDS:
            e = pl.col(f"{f}__d")
        elif f in INT_CODE_FIELDS:
            e = pl.col(f).cast(INT_CODE_FIELDS[f], strict=False)
        else:
            e = pl.col(f)
        if any_nc and f not in NO_CONSENT_FIELDS:
            e = pl.when(nc).then(None).otherwise(e)
        exprs.append(e.alias(f))
    lazy = norm.lazy()
    if keep is not None:
        lazy = lazy.filter(keep)
    return lazy.select(exprs).collect()


def check_records(
    source: RawRecords | pl.DataFrame | str | Path, as_of: dt.date | None = None
) -> CheckResult:
    """Apply every check of the spec; ``as_of`` (the submission date) defaults to today."""
    raw = _as_raw(source)
    as_of = as_of or dt.date.today()
    norm = _normalise(raw)
    row_errors = _collect_errors(norm, _row_checks(as_of))
    bad_lines = row_errors[LINE].unique()
    candidates = ~norm[LINE].is_in(bad_lines.implode()) & (norm["CONSENT"] == "Y").fill_null(False)
    errors = (
        pl.concat([row_errors, _episode_checks(norm, candidates)])
        .cast(ERROR_SCHEMA)  # type: ignore[arg-type]
        .sort([LINE, "_order"])
    )
    rejected_lines = errors[LINE].unique().implode()
    is_rejected = norm[LINE].is_in(rejected_lines)
    accepted = _typed(norm, ~is_rejected)
    del norm  # the largest intermediate: free it before the rejected rows are built
    reasons = errors.group_by(LINE, maintain_order=True).agg(
        (pl.col("field") + ": " + pl.col("code") + " (" + pl.col("message") + ")")
        .str.join("; ")
        .alias("reasons")
    )
    rejected = raw.frame.filter(is_rejected).join(reasons, on=LINE, how="left")
    return CheckResult(
        accepted=accepted,
        rejected=rejected,
        errors=errors.drop("_order"),
        header=raw.header,
    )


def _as_raw(source: RawRecords | pl.DataFrame | str | Path) -> RawRecords:
    if isinstance(source, RawRecords):
        return source
    if isinstance(source, pl.DataFrame):
        return raw_from_frame(source)
    return read_records(source)


def rejected_frame(result: CheckResult) -> pl.DataFrame:
    """Rejected rows with the file's own column names (made unique if repeated) + reasons."""
    seen: dict[str, int] = {}
    names: list[str] = []
    for h in result.header:
        n = seen.get(h, 0)
        seen[h] = n + 1
        names.append(h if n == 0 else f"{h}_{n + 1}")
    cols = [pl.col(f"c{i}").alias(names[i]) for i in range(len(names))]
    return result.rejected.sort(LINE).select([*cols, pl.col("reasons")])


def write_rejected_csv(result: CheckResult, path: str | Path) -> int:
    """Write the rejected rows as written, with the original header and a ``reasons`` column.

    The file can be corrected and sent again: the header is the original one (``reasons`` is
    not a known column, so it is ignored when read back). Returns the number of rows written.
    """
    frame = result.rejected.sort(LINE)
    out = Path(path)
    with out.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow([*result.header, "reasons"])
        body = frame.select([*(f"c{i}" for i in range(len(result.header))), "reasons"]).write_csv(
            include_header=False, line_terminator="\n"
        )
        fh.write(body)
    return frame.height
