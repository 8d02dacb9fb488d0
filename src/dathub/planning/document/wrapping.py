"""Whether a line is the wrapped end of the cell before it or starts anew: extractors cut
long cells over several lines, and PDF text cuts table rows anywhere."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .headers import header_row
from .lines import Line, cell_at, plain
from .structure import GRID, OBJECTIVE

_SENTENCE_END = re.compile(r"[.!?;:)][\"”’']?$")
_NEW_ITEM = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*[.)]\s|\(?[a-z][.)]\s|[-•▪●◦*\uf0b7]\s*\S)")
_CONNECTOR_END = re.compile(
    r"(?:\b(?:for|and|or|of|to|the|a|an|in|on|with|by|from|including|between|into|at|as|via"
    r"|across|within|per|than|that|which|who|over|under|their|its|our|e\.g\.|i\.e\.)|[&,/\-–(])$",
    re.I,
)


def is_continuation(text: str, previous: str) -> bool:
    """Whether text is the wrapped end of the previous cell rather than a new row."""
    if not previous or not text:
        return False
    if text[0].islower() or text[0] in "(&,;:)–":
        return True
    return bool(_CONNECTOR_END.search(previous.rstrip()))


def starts_item(cell: str) -> bool:
    """Whether a cell starts a numbered or bulleted entry of its own ("2. ...", "• ...")."""
    return bool(
        _NEW_ITEM.match(cell) or _NEW_ITEM.match(plain(cell)) or re.match(r"\s*<li\b", cell, re.I)
    )


def punctuates(lines: Sequence[Line]) -> bool:
    """Whether the author ends actions with a full stop. Then an action row whose text stops
    without one and is followed by a row of text only was cut by the extractor, even when
    the next row starts with a capital ("... reporting to the Safer" / "Northshire Board.").

    Judged on rows that are surely whole: ones followed by a row with its own text and
    by-when, by a heading or by nothing, so the first parts of cut rows do not count.
    """
    content = [line for line in lines if not line.blank]
    ended = whole = 0
    for row, following in zip(content, [*content[1:], None], strict=True):
        text = plain(row.first)
        if (
            not row.is_row
            or sum(1 for c in row.cells if c) < 2
            or len(text.split()) < 3
            or header_row(row) is not None
            or OBJECTIVE.match(text)
        ):
            continue
        if following is not None and not (
            GRID.match(following.first)
            or OBJECTIVE.match(following.first)
            or header_row(following) is not None
            or (cell_at(following, 0) and cell_at(following, 1))
        ):
            continue  # perhaps followed by its own wrapped end
        whole += 1
        ended += bool(_SENTENCE_END.search(text))
    return ended >= 2 and 2 * ended >= whole


def carries_on(text: str, previous: str, line: Line, punctuated: bool) -> bool:
    """Whether text ends the sentence of the cell before it rather than starting anew;
    ``punctuated`` is whether the author ends actions with full stops (see punctuates)."""
    if is_continuation(text, previous):
        return True
    # an extractor cuts rows anywhere; an author who ends actions with full stops did
    # not end this one, so it goes on, capital or not
    return not line.exact and punctuated and not _SENTENCE_END.search(previous)
