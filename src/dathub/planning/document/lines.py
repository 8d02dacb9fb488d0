"""The intermediate form every reader works on: a document as lines of cells.

Text extracted from Word or PDF gives one line per paragraph or table row, cells separated by
tabs. A .docx is turned into the same lines (see docx_reader), so there is one parser.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    cells: tuple[str, ...]
    number: int  # 1-based line of the text file, or block of the .docx
    exact: bool = False  # a real table row (docx): its cells never wrap onto other lines

    @property
    def blank(self) -> bool:
        return not any(self.cells)

    @property
    def first(self) -> str:
        return self.cells[0] if self.cells else ""

    @property
    def is_row(self) -> bool:
        """A table row (had tabs / several cells) rather than a paragraph."""
        return len(self.cells) > 1

    @property
    def rest(self) -> tuple[str, ...]:
        return self.cells[1:]

    @property
    def text(self) -> str:
        return " ".join(c for c in self.cells if c)


def squash(text: str) -> str:
    """Whitespace-normalise as the spec asks: runs of white space become one space."""
    return " ".join(text.split())


def cell_at(line: Line, index: int | None) -> str:
    """A line's cell at index, or "" when the line has no such cell (or no column is named)."""
    if index is None or index >= len(line.cells):
        return ""
    return line.cells[index]


def merge_lines(first: Line, second: Line) -> Line:
    """Two lines as one, cell by cell: a header or label row the extractor split over two."""
    width = max(len(first.cells), len(second.cells))
    cells = [
        squash(" ".join(x for x in (cell_at(first, i), cell_at(second, i)) if x))
        for i in range(width)
    ]
    return Line(tuple(cells), first.number, first.exact)


_FURNITURE = [
    re.compile(r"[-–—\s]*(?:page\s*)?\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?[-–—\s]*", re.I),
    re.compile(r".{0,120}\bpage\s+\d{1,3}(?:\s+of\s+\d{1,3})?", re.I),
]
_RULE = re.compile(r"[-=_+|*\s]*")


def is_page_furniture(line: Line) -> bool:
    """Page numbers and running headers/footers that PDF extraction leaves between rows."""
    if line.is_row or line.exact or not line.first:
        return False
    return any(p.fullmatch(line.first) for p in _FURNITURE)


def is_table_rule(line: Line) -> bool:
    """Stray table borders drawn with dashes: "--\\t----\\t---"."""
    joined = "".join(line.cells)
    return len(joined) >= 2 and bool(_RULE.fullmatch(joined)) and any(c in joined for c in "-=_")


def lines_from_text(text: str) -> list[Line]:
    """Lines of cells from extracted text; blank lines are kept (they matter to wrapping)."""
    lines: list[Line] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        raw = raw.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
        line = Line(tuple(squash(cell) for cell in raw.split("\t")), number)
        lines.append(Line((), number) if line.blank else line)
    return lines


def drop_furniture(lines: list[Line], structural: Callable[[Line], bool]) -> list[Line]:
    """Without page numbers, running headers and table rules.

    A running header is a paragraph mostly in capitals met three times or more that is not
    part of the template's own structure.
    """
    counts: dict[str, int] = {}
    for line in lines:
        if not line.is_row and line.first:
            counts[line.first] = counts.get(line.first, 0) + 1
    running = {
        text
        for text, n in counts.items()
        if n >= 3
        and sum(c.isalpha() for c in text) >= 8
        and sum(c.isupper() for c in text) > 0.6 * sum(c.isalpha() for c in text)
    }
    return [
        line
        for line in lines
        if line.blank
        or structural(line)
        or not (is_page_furniture(line) or is_table_rule(line) or line.first in running)
    ]


# --- markup left by some extractors (HTML lists and paragraphs inside cells) ---------------

_TAG = re.compile(r"</?(?:p|ul|ol|li|br|span|div|b|i|u|strong|em|font)\b[^<>]*/?>", re.I)
_ITEM_START = re.compile(r"<(?:ul|ol|li)\b[^<>]*>|[•▪●◦\uf0b7]", re.I)
_PARA_START = re.compile(r"<p\b[^<>]*>", re.I)


def has_markup(cell: str) -> bool:
    return bool(_TAG.search(cell))


def plain(cell: str) -> str:
    """A cell's text without markup or bullets."""
    if has_markup(cell):
        cell = html.unescape(_TAG.sub(" ", cell))
    return squash(re.sub(r"[•▪●◦\uf0b7]", " ", cell))


def segments(cell: str) -> list[tuple[str, str]]:
    """A cell cut into its paragraphs and list items, each ("item" | "para", text).

    A list item starts a new entry; a paragraph may be the wrapped end of the previous one.
    """
    out: list[tuple[str, str]] = []
    kind, buffer = "para", ""
    position = 0
    pattern = re.compile(f"{_ITEM_START.pattern}|{_PARA_START.pattern}|{_TAG.pattern}", re.I)
    marked = has_markup(cell)
    for match in pattern.finditer(cell):
        buffer += cell[position : match.start()]
        position = match.end()
        token = match.group(0)
        if _ITEM_START.fullmatch(token):
            new_kind: str | None = "item"
        elif _PARA_START.fullmatch(token):
            new_kind = "para"
        else:
            new_kind = None  # closing tags end nothing on their own
        if new_kind is None:
            continue
        text = squash(html.unescape(buffer) if marked else buffer)
        if text:
            out.append((kind, text))
            kind = new_kind
        elif kind != "item":
            kind = new_kind  # "<ul> •": one item, not two
        buffer = ""
    buffer += cell[position:]
    text = squash(html.unescape(buffer) if marked else buffer)
    if text:
        out.append((kind, text))
    return out
