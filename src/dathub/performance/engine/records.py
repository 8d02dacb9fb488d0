"""Read and check client-level treatment records (spec: treatment-data.md, "The file", "Checks").

:func:`check_records` runs the steps, each in its own module: ``reading`` (the file as
written), ``normalise`` (text to values), ``row_checks`` and ``episode_checks``, then
``check_result`` (the tables and the report); ``fields`` holds the spec's tables.

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
- Limits the spec does not state (``fields.MAX_LENGTHS``, ``fields.LIMIT_CODES``), checked
  like its own and reported with their own codes: a value longer than its bound is
  ``too_long`` (references 64 characters, agency, partnership and initials 16); a row with
  filled cells beyond the header's last column is ``extra_cells`` (field ``row``): those cells
  belong to no column, and usually mean a value with an unquoted comma moved the row's cells,
  so the row is rejected rather than read with its cells dropped. Empty cells beyond the
  header (a trailing comma) are ignored.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from .check_result import CheckResult
from .episode_checks import _episode_checks
from .normalise import _normalise, _typed
from .reading import (
    EXTRA,
    LINE,
    RawRecords,
    raw_from_frame,
    read_records,
)
from .row_checks import _collect_errors, _row_checks

ERROR_SCHEMA: dict[str, pl.DataType] = {
    LINE: pl.Int64(),
    "field": pl.String(),
    "code": pl.String(),
    "message": pl.String(),
    "_order": pl.Int32(),
}


def check_records(
    source: RawRecords | pl.DataFrame | str | Path, as_of: dt.date | None = None
) -> CheckResult:
    """Apply every check of the spec; ``as_of`` (the submission date) defaults to today."""
    raw = _as_raw(source)
    as_of = as_of or dt.date.today()
    norm = _normalise(raw)
    row_errors = _collect_errors(norm, _row_checks(as_of, extra_cells=EXTRA in norm.columns))
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
