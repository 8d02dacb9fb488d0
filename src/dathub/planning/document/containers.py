"""The zip container of a .docx or .xlsx: what is checked before a reader opens it.

A container is refused, with a PlanDocumentError, when it unpacks to more than the caller's
limit (a "zip bomb") or when an XML part declares entities (a "billion laughs": a few
kilobytes that the XML parser would expand to gigabytes). Word and Excel never write a DTD,
so a part with one is refused whatever the parser would do with it; and any XML error a
reader's parser raises later is turned into a PlanDocumentError too (``XML_ERRORS``).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from xml.etree.ElementTree import ParseError

from lxml import etree

from dathub.core.archives import unzipped_size

from .errors import PlanDocumentError

# What lxml (python-docx) and expat (openpyxl) raise on a malformed or hostile part.
XML_ERRORS: tuple[type[Exception], ...] = (etree.LxmlError, ParseError)
ENTITY_REFUSED = (
    "declares XML entities, which Word and Excel never write (it may be built to exhaust "
    "the server): save it again from Word or Excel and upload that copy"
)
_CHUNK = 1024 * 1024


def _declares_entities(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(_CHUNK):
            window = (tail + chunk).upper()
            if b"<!ENTITY" in window or b"<!DOCTYPE" in window:
                return True
            tail = chunk[-16:]
    return False


def check_container(data: bytes, filename: str, *, max_unzipped_bytes: int) -> None:
    """Refuse a .docx/.xlsx that unpacks to more than ``max_unzipped_bytes`` or whose XML
    declares entities. Reading the zip's directory costs nothing; the parts are only read
    (in chunks) once their total is known to be within the limit."""
    if unzipped_size(data) > max_unzipped_bytes:
        limit = f"{max_unzipped_bytes / (1024 * 1024):.0f} MB"
        raise PlanDocumentError(
            f"'{filename}' unpacks to too much data to be a plan (more than {limit})."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.filename.lower().endswith((".xml", ".rels")) and _declares_entities(
                    archive, info
                ):
                    raise PlanDocumentError(f"'{filename}' {ENTITY_REFUSED}.")
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
    ) as error:
        kind = "Excel (.xlsx)" if filename.lower().endswith(".xlsx") else "Word (.docx)"
        raise PlanDocumentError(f"This is not a readable {kind} file: {error}") from error
