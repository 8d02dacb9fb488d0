"""Cells a spreadsheet would run as formulas: guarded on the way out, unguarded on the way in."""

from __future__ import annotations

import csv
import io

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
