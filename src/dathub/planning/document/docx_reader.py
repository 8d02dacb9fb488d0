"""Reading a .docx plan: its paragraphs and table rows, in body order, become the same lines
of cells the text reader works on (so there is one parser)."""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Callable
from typing import Any

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from .containers import XML_ERRORS
from .errors import PlanDocumentError
from .lines import Line, squash


def _cell_text(cell: _Cell) -> str:
    """One cell; several paragraphs are kept apart as <p> markup, as some extractors give, so
    a cell listing several activities or time frames can still be read item by item."""
    paragraphs = [squash(p.text) for p in cell.paragraphs]
    paragraphs = [p for p in paragraphs if p]
    if len(paragraphs) <= 1:
        return paragraphs[0] if paragraphs else ""
    return " ".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


def _table_lines(table: Table, number: int) -> list[Line]:
    lines = []
    for row in table.rows:
        cells: list[Any] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue  # a merged cell is listed once per grid column it spans
            seen.add(id(cell._tc))
            cells.append(cell)
        lines.append(Line(tuple(_cell_text(c) for c in cells), number, exact=True))
    return lines


def docx_lines(data: bytes, *, progress: Callable[[int], None] | None = None) -> list[Line]:
    """The document's body as lines of cells (a blank line between blocks, as in text).

    ``progress`` is told the percentage of the body's blocks read so far. Any XML the parser
    refuses (a malformed part, or entities built to exhaust it) is a PlanDocumentError."""
    try:
        return _body_lines(data, progress)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise PlanDocumentError(f"This is not a readable Word (.docx) file: {error}") from error
    except XML_ERRORS as error:
        raise PlanDocumentError(
            "This Word (.docx) file holds XML that cannot be read safely "
            f"({type(error).__name__}): save it again from Word and upload that copy."
        ) from error


def _body_lines(data: bytes, progress: Callable[[int], None] | None) -> list[Line]:
    document = Document(io.BytesIO(data))
    total = max(len(document.element.body), 1)
    step = max(total // 20, 1)
    lines: list[Line] = []
    for number, block in enumerate(document.iter_inner_content(), 1):
        if isinstance(block, Paragraph):
            text = block.text
            if text.strip():
                lines.append(Line(tuple(squash(c) for c in text.split("\t")), number))
        else:
            lines.extend(_table_lines(block, number))
        lines.append(Line((), number))
        if progress is not None and number % step == 0:
            progress(min(100, number * 100 // total))
    return lines
