"""Treatment-plan documents in and out of the ``dathub.plan/1`` JSON shape.

Plain Python (no Django): readers for extracted text, .docx and the product's .xlsx, and
writers for .docx (national grid layout) and .xlsx. Problems inside a plan are listed in the
plan's "issues"; only a file that is not a plan at all raises PlanDocumentError.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from dathub.core.archives import unzipped_size

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
    "SCHEMA",
    "Due",
    "PlanDocumentError",
    "export_docx",
    "export_xlsx",
    "parse_document",
    "parse_due",
    "read_by_when",
    "read_cost",
    "split_owners",
]

READABLE = (".txt", ".docx", ".xlsx")
# A .docx or .xlsx is a zip: its parts are read whole into memory, so a small upload that
# unpacks to gigabytes (a "zip bomb") is refused before it is opened.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # text saved from Word on Windows


def parse_document(
    data: bytes,
    filename: str,
    *,
    known_roles: Iterable[str] = (),
    financial_year: str | None = None,
) -> dict[str, Any]:
    """The plan in a .txt (extracted text), .docx or .xlsx file, as a ``dathub.plan/1`` dict.

    ``known_roles`` are the partnership's own role names (kept whole when splitting by-whom);
    ``financial_year`` is used when the document does not say which year it is for.
    """
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
        return parse_text(_decode(data), known_roles=known_roles, financial_year=financial_year)
    if unzipped_size(data) > MAX_UNZIPPED_BYTES:
        raise PlanDocumentError(f"'{filename}' unpacks to too much data to be a plan.")
    if suffix == ".docx":
        return parse_lines(docx_lines(data), known_roles=known_roles, financial_year=financial_year)
    return read_xlsx(data, known_roles=known_roles, financial_year=financial_year)
