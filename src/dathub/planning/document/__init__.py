"""Treatment-plan documents in and out of the ``dathub.plan/1`` JSON shape.

Plain Python (no Django): readers for extracted text, .docx and the product's .xlsx, and
writers for .docx (national grid layout) and .xlsx. Problems inside a plan are listed in the
plan's "issues"; only a file that is not a plan at all raises PlanDocumentError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import PurePath
from typing import Any

from dathub.core.archives import unzipped_size

from .containers import check_container
from .costs import read_cost
from .dates import Due, parse_due, read_by_when
from .docx_reader import docx_lines
from .errors import PlanDocumentError
from .export_docx import export_docx
from .export_xlsx import export_xlsx
from .owners import split_owners
from .text_reader import SCHEMA, parse_lines, parse_text
from .xlsx_reader import read_xlsx

__all__ = [
    "MAX_UNZIPPED_BYTES",
    "SCHEMA",
    "Due",
    "Progress",
    "PlanDocumentError",
    "export_docx",
    "export_xlsx",
    "check_upload",
    "parse_document",
    "parse_due",
    "read_by_when",
    "read_cost",
    "split_owners",
    "unzipped_size",
]

READABLE = (".txt", ".docx", ".xlsx")
# A .docx or .xlsx is a zip: its parts are read whole into memory, so a small upload that
# unpacks to far more than a plan (a "zip bomb") is refused before it is opened. The real
# plans unpack to under 1 MB (Ealing's 73 actions as .docx: 0.9 MB, most of it Word's
# styles); reading takes about a second a megabyte. Callers pass the site's setting
# (DATHUB_PLAN_MAX_UNZIPPED_BYTES); this is the default of the command line.
MAX_UNZIPPED_BYTES = 10 * 1024 * 1024

Progress = Callable[[int, str], None]  # (percent done, what is being done)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # text saved from Word on Windows


def check_upload(
    data: bytes, filename: str, *, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES
) -> None:
    """What can be said of a file without reading it (its type, that it is not empty, its
    container): quick enough for the request that receives it. Raises PlanDocumentError."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in READABLE:
        raise PlanDocumentError(
            f"'{filename}' is not a file type the product reads: use .txt, .docx or .xlsx."
        )
    if not data or not data.strip():
        raise PlanDocumentError(f"'{filename}' is empty.")
    if suffix == ".txt":
        if b"\x00" in data[:1024]:
            raise PlanDocumentError(f"'{filename}' is not a text file.")
        return
    check_container(data, filename, max_unzipped_bytes=max_unzipped_bytes)


def parse_document(
    data: bytes,
    filename: str,
    *,
    known_roles: Iterable[str] = (),
    financial_year: str | None = None,
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The plan in a .txt (extracted text), .docx or .xlsx file, as a ``dathub.plan/1`` dict.

    ``known_roles`` are the partnership's own role names (kept whole when splitting by-whom);
    ``financial_year`` is used when the document does not say which year it is for;
    ``max_unzipped_bytes`` caps what a .docx or .xlsx may unpack to; ``progress`` is told how
    far the reading has got.
    """
    report = progress or (lambda percent, step: None)
    check_upload(data, filename, max_unzipped_bytes=max_unzipped_bytes)
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".txt":
        report(10, "Reading the text")
        text = _decode(data)
        report(40, "Understanding the planning grids")
        return parse_text(text, known_roles=known_roles, financial_year=financial_year)
    if suffix == ".docx":
        report(10, "Opening the Word document")
        lines = docx_lines(
            data, progress=lambda pct: report(10 + pct // 2, "Reading the paragraphs and tables")
        )
        report(60, "Understanding the planning grids")
        return parse_lines(lines, known_roles=known_roles, financial_year=financial_year)
    report(10, "Opening the spreadsheet")
    return read_xlsx(
        data,
        known_roles=known_roles,
        financial_year=financial_year,
        progress=lambda pct: report(10 + pct * 85 // 100, "Reading the planning grids"),
    )
