"""The header rows of a plan's tables: recognising them, whole or cut by a page break, and
the columns (text, by when, by whom, costs; a strategic table's key priority) they name."""

from __future__ import annotations

import re

from .lines import Line, plain

# the column of each kind when a table comes with no header row to say otherwise
DEFAULT_COLUMNS = {"text": 0, "due": 1, "owners": 2, "cost": 3}

HEADER_START = re.compile(r"^(?:delivery\s+plan|actions?\b)", re.I)
_HEADER_WORDS = re.compile(
    r"(?:by|when|whom|by when|by whom|costs?|budget|/?\s*budget|costs?\s*/\s*(?:budget)?|for"
    r"|(?:for\s+)?(?:the\s+)?objectives?(?:\s*\d+)?|(?:and\s+)?milestones?|and|&|actions?"
    r"|delivery plan:?|lead|date|timescale|time\s*frame|responsibility|)",
    re.I,
)


def column_of(cell: str) -> str | None:
    c = cell.lower()
    if re.search(r"\bcost|budget|resource", c):
        return "cost"
    if re.search(r"\bwhom\b|\blead\b|responsib|\bowner", c):
        return "owners"
    if re.search(r"\bwhen\b|\bdate\b|timescale|time\s*frame|deadline", c):
        return "due"
    if re.search(r"action|milestone|activit|priorit", c):
        return "text"
    return None


# The names the templates give an actions table's columns, each matched as a whole cell.
_HEADER_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "text",
        re.compile(
            r"(?:delivery\s+plan\s*[:\-–]?\s*)?(?:key\s+)?(?:actions?|activit(?:y|ies)|tasks?)"
            r"(?:\s*(?:and|&|/|,)\s*milestones?)?"
            r"(?:\s+for\s+(?:the\s+)?objectives?(?:\s*\d+)?)?|milestones?",
            re.I,
        ),
    ),
    (
        "due",
        re.compile(
            r"by\s*when|when|(?:target\s+|completion\s+|due\s+)?dates?|deadlines?"
            r"|timescales?|time\s*frames?|due",
            re.I,
        ),
    ),
    (
        "owners",
        re.compile(
            r"by\s*whom|who|(?:lead|responsible)(?:\s+(?:officers?|persons?|agency|agencies"
            r"|organisations?|partners?|bod(?:y|ies)))?|responsibility|owners?",
            re.I,
        ),
    ),
    ("cost", re.compile(r"costs?(?:\s*(?:/|and|&)\s*budgets?)?|budgets?|resources?|funding", re.I)),
    ("label", re.compile(r"delivery\s+plan|no|ref|number", re.I)),
)
# A header cut to one cell by a page break is still a header only when the name is the
# template's own; "Actions" or "Date" alone could be anything.
_LONE_HEADER = re.compile(r"delivery\s+plan.*|.*milestones?.*|by\s*wh(?:en|om)", re.I)


def header_name(cell: str) -> str | None:
    """The column a header cell names ("By When?" -> "due"), or None when it names none."""
    name = re.sub(r"\(s\)", "s", plain(cell))
    name = re.sub(r"\s*\([^()]*\)", "", name)  # "By whom (lead agency)", "(continued)"
    name = re.sub(r"\s*\b(?:continued|cont'?d|cont)\b\.?$", "", name, flags=re.I)
    name = name.strip(" :.?*-–")
    for kind, pattern in _HEADER_NAMES:
        if pattern.fullmatch(name):
            return kind
    return None


def header_row(line: Line) -> dict[str, int] | None:
    """The columns of an actions table as a header row names them, or None when the line is
    not a header row: every non-empty cell must be a column name.

    A header repeated after a page break may have fewer cells, another order or more columns
    than the first one; the rows under it follow it, so its own positions are taken.
    """
    named = [(index, header_name(cell)) for index, cell in enumerate(line.cells) if cell]
    if not named or any(kind is None for _, kind in named):
        return None
    if len(named) == 1 and not _LONE_HEADER.fullmatch(plain(line.cells[named[0][0]])):
        return None
    columns: dict[str, int] = {}
    for index, kind in named:
        assert kind is not None
        columns.setdefault(kind, index)
    if "text" not in columns:
        if "label" in columns:
            columns["text"] = columns.pop("label")  # "Delivery plan | By when | By whom"
        elif named[0][0] == 0:
            # "By when\tBy whom": the empty first cell above the actions was lost
            columns = {kind: index + 1 for kind, index in columns.items()}
            columns["text"] = 0
        else:
            columns["text"] = 0
    return columns


def is_header_words(line: Line) -> bool:
    """Whether every cell is a word of a header: the second line of a header split in two."""
    return any(line.cells) and all(_HEADER_WORDS.fullmatch(c.strip()) for c in line.cells)


def header_columns(line: Line) -> dict[str, int] | None:
    """The columns of a header that starts with the actions cell ("Actions and milestones
    ...\tBy when\tLead"), by the words in its other cells; None when one names no column."""
    columns = {"text": 0}
    for index, cell in enumerate(line.cells[1:], 1):
        kind = column_of(cell)
        if cell and kind is None:
            return None
        if kind and kind != "text":
            columns.setdefault(kind, index)
    return columns


def strategic_columns(line: Line) -> dict[str, int] | None:
    """The columns of a strategic commissioning plan's "Key Priorities | Activity | Time
    Frame" header, or None when the line is not one."""
    if not line.is_row:
        return None
    columns: dict[str, int] = {}
    for i, cell in enumerate(line.cells):
        c = cell.lower()
        if "priorit" in c and "priority" not in columns:
            columns["priority"] = i
        elif re.search(r"activit|action", c) and "text" not in columns:
            columns["text"] = i
        elif re.search(r"time\s*frame|timescale|by when|date|deadline", c):
            columns["due"] = i
        elif re.search(r"\blead\b|by whom|responsib|owner", c):
            columns["owners"] = i
    return columns if {"priority", "text"} <= columns.keys() else None
