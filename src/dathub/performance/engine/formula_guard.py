"""Cells a spreadsheet would run as formulas: guarded on the way out, unguarded on the way in."""

from __future__ import annotations

import csv
import io

# A cell starting with one of these runs as a formula when a spreadsheet opens the CSV. The
# rejected-rows download (``guard_csv``) puts an apostrophe in front of such a cell; the reader
# takes it off again (``unguard_cell``), so the file can be corrected and sent back as it is.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A cell that already looks guarded (apostrophes, then a formula start) is guarded too, so
# that taking one apostrophe off always gives back the cell as it was: "'=1" is written
# "''=1" and read back "'=1".
_GUARDED = r"^'+[=+\-@\t\r]"
# A cell holding one of these must be quoted, or a reader would split it there. Python's
# writer does not quote a carriage return when the line ends are "\n" (a cell "x\r=1+1"
# was written bare, and read back as a row starting with an unguarded "=1+1").
_QUOTE_WHEN = (",", '"', "\n", "\r")


def guard_cell(text: str) -> str:
    return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text


def unguard_cell(text: str) -> str:
    guarded = text.startswith("'") and text.lstrip("'").startswith(FORMULA_START)
    return text[1:] if guarded else text


def _csv_cell(text: str) -> str:
    if any(ch in text for ch in _QUOTE_WHEN):
        return '"' + text.replace('"', '""') + '"'
    return text


def guard_csv(data: bytes) -> bytes:
    """The CSV with every cell a spreadsheet would run as a formula guarded (see above).

    The file is split into cells first (RFC 4180: a quoted cell may hold line breaks), each
    cell is guarded, and every cell holding a comma, quote, newline or carriage return is
    written quoted, so the cells read back are exactly the guarded ones."""
    text = data.decode("utf-8")
    out = io.StringIO()
    for row in csv.reader(io.StringIO(text, newline="")):
        # one empty cell is written "" (a bare empty line would be no record at all)
        line = ",".join(_csv_cell(guard_cell(cell)) for cell in row)
        out.write((line if row != [""] else '""') + "\n")
    return out.getvalue().encode("utf-8")
