"""Reading a plan from lines of cells (text extracted from Word/PDF, or a .docx) into the
``dathub.plan/1`` dict.

The reader follows the structure of the national templates rather than any one file:
- 2007/08 grids: guidance, "Summary of self-assessment", rating, narrative, spend table,
  objectives with "Actions and milestones ... | By when | By whom | Costs/budget" tables;
- 2008/09 grids: "Identification of key priorities" list, objectives (own by-when/by-whom
  possible), "Delivery Plan: Actions and milestones | By when | By whom" tables;
- strategic commissioning plans: a "Key Priorities | Activity | Time Frame" table.
Every structural line is recognised wherever it appears, so sections may come in any order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .costs import read_amount, read_cost
from .dates import MONTHS, financial_year_label, financial_year_start, parse_due
from .errors import PlanDocumentError, objective_label, where
from .lines import Line, drop_furniture, lines_from_text, plain, segments, squash
from .owners import split_owners

SCHEMA = "dathub.plan/1"

# --- recognising the template's structure --------------------------------------------------

_GRID = re.compile(r"^planning\s+grid\s+(\d+)\s*(?:[:.\-–]\s*(.*))?$", re.I)
_SUMMARY = re.compile(r"^summary\s+of\s+(?:the\s+)?self[\s-]*assessment", re.I)
_PRIORITIES = re.compile(r"^identification\s+of\s+(?:the\s+)?key\s+priorities", re.I)
_OBJECTIVE = re.compile(
    r"^objective(?:\s*(?P<n>\d+)\b\s*[.:)\-–]?|\s*[:\-–]|(?=\s*$))\s*(?P<title>.*)$", re.I
)
_ACTIONS = re.compile(
    r"^(?:delivery\s+plan\s*:?\s*)?actions?\s*(?:and|&|/)\s*milestones?"
    r"(?:\s+for\s+(?:the\s+)?objectives?(?:\s*(?P<n>\d+))?)?\s*[:.\-–]?\s*",
    re.I,
)
_HEADER_START = re.compile(r"^(?:delivery\s+plan|actions?\b)", re.I)
_HEADER_WORDS = re.compile(
    r"(?:by|when|whom|by when|by whom|costs?|budget|/?\s*budget|costs?\s*/\s*(?:budget)?|for"
    r"|(?:for\s+)?(?:the\s+)?objectives?(?:\s*\d+)?|(?:and\s+)?milestones?|and|&|actions?"
    r"|delivery plan:?|lead|date|timescale|time\s*frame|responsibility|)",
    re.I,
)
_TEMPLATE_TEXT = re.compile(
    r"^(?:note\s*:?\s*)?please\s+cut\s+and\s+paste|^please\s+see\s+checklist"
    r"|^this\s+planning\s+grid\s+should",
    re.I,
)
_NOTE = re.compile(
    r"^(?:please\s+)?(?:see|refer\s+to|cross[\s-]?refer\w*)\b|^as\s+(?:above|per)\b"
    r"|^covered\s+(?:in|by|under)\b|^(?:n/?a|not applicable)\.?$"
    # "Note the board's decision" is an action: "note" alone must be marked as a note
    r"|^note\s*(?:[:\-–]|that\b)|^please\s+note\b|^n\.?\s?b\b\.?|^nota\s+bene\b",
    re.I,
)
_CONTINUED = re.compile(r"\(?\s*(?:continued|cont'?d|cont)\.?\s*\)?\.?", re.I)
_NUMBER_CELL = re.compile(r"\(?\d{1,2}(?:\.\d{1,2})*[.)]?|\(?[a-z][.)]", re.I)
_SENTENCE_END = re.compile(r"[.!?;:)][\"”’']?$")
_NEW_ITEM = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*[.)]\s|\(?[a-z][.)]\s|[-•▪●◦*\uf0b7]\s*\S)")
_SPEND_LABEL = re.compile(r"\b(?:spend|budget|allocation|expenditure|outturn)\b", re.I)
_NUMBERED = re.compile(r"^(?:\d{1,2}[.)]|[-•▪●◦*]|\(\w\))\s*(.+)$")
_CONNECTOR_END = re.compile(
    r"(?:\b(?:for|and|or|of|to|the|a|an|in|on|with|by|from|including|between|into|at|as|via"
    r"|across|within|per|than|that|which|who|over|under|their|its|our|e\.g\.|i\.e\.)|[&,/\-–(])$",
    re.I,
)
_HEADING = re.compile(r"^(\d{1,2})\.?\s+([A-Z][^.]{2,100})$")
_TITLE_WORDS = re.compile(r"\b(?:plan|framework|strategy|planning\s+grids?)\b", re.I)
_PARTNERSHIP_WORDS = re.compile(
    r"\b(?:D\s*&?\s*A?AT|Drug\s+(?:and|&)\s+Alcohol\s+Action\s+Team|Drug\s+Action\s+Team"
    r"|Partnership)\b",
    re.I,
)
_LABELLED = re.compile(
    r"^(?P<label>partnership(?:\s+name)?|financial\s+year|(?:date\s+)?published|author)\b"
    r"\s*[:\-–]?\s*(?P<value>.*)$",
    re.I,
)
_RATING_PREFIX = re.compile(
    r"^(?:self[\s-]*assessment\s+)?(?:rag\s+)?(?:rating|status)\s*[:\-–]?\s*", re.I
)


def rating_of(text: str) -> str | None:
    """A self-assessment rating in the spec's form ("Amber/ Green" -> "amber/green")."""
    t = _RATING_PREFIX.sub("", squash(text).lower()).strip(" .:")
    if re.fullmatch(r"n\s*/?\s*a|not\s+applicable", t):
        return "n/a"
    parts = re.split(r"\s*(?:/|-|–|\band\b|&|\bto\b)\s*", t)
    if 1 <= len(parts) <= 3 and all(p in ("red", "amber", "green") for p in parts):
        return "/".join(parts)
    return None


def _column_of(cell: str) -> str | None:
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


def _header_name(cell: str) -> str | None:
    """The column a header cell names ("By When?" -> "due"), or None when it names none."""
    name = re.sub(r"\(s\)", "s", plain(cell))
    name = re.sub(r"\s*\([^()]*\)", "", name)  # "By whom (lead agency)", "(continued)"
    name = re.sub(r"\s*\b(?:continued|cont'?d|cont)\b\.?$", "", name, flags=re.I)
    name = name.strip(" :.?*-–")
    for kind, pattern in _HEADER_NAMES:
        if pattern.fullmatch(name):
            return kind
    return None


def _header_row(line: Line) -> dict[str, int] | None:
    """The columns of an actions table as a header row names them, or None when the line is
    not a header row: every non-empty cell must be a column name.

    A header repeated after a page break may have fewer cells, another order or more columns
    than the first one; the rows under it follow it, so its own positions are taken.
    """
    named = [(index, _header_name(cell)) for index, cell in enumerate(line.cells) if cell]
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


def _is_header_words(line: Line) -> bool:
    return any(line.cells) and all(_HEADER_WORDS.fullmatch(c.strip()) for c in line.cells)


def _merge(first: Line, second: Line) -> Line:
    width = max(len(first.cells), len(second.cells))
    cells = [
        squash(" ".join(x for x in (_cell(first, i), _cell(second, i)) if x)) for i in range(width)
    ]
    return Line(tuple(cells), first.number, first.exact)


def _cell(line: Line, index: int | None) -> str:
    if index is None or index >= len(line.cells):
        return ""
    return line.cells[index]


def _own_cell(line: Line, index: int) -> str:
    """An objective box's by-when/by-whom cell; the box's own column names are not values."""
    cell = plain(_cell(line, index))
    return "" if _header_name(cell) in ("due", "owners") else cell


def _is_continuation(text: str, previous: str) -> bool:
    """Whether text is the wrapped end of the previous cell rather than a new row."""
    if not previous or not text:
        return False
    if text[0].islower() or text[0] in "(&,;:)–":
        return True
    return bool(_CONNECTOR_END.search(previous.rstrip()))


def _index_of(items: Sequence[Any], item: Any) -> int:
    """1-based place of a draft in its list, by identity (two drafts may be equal)."""
    return next(i for i, x in enumerate(items, 1) if x is item)


def _starts_item(cell: str) -> bool:
    """Whether a cell starts a numbered or bulleted entry of its own ("2. ...", "• ...")."""
    return bool(
        _NEW_ITEM.match(cell) or _NEW_ITEM.match(plain(cell)) or re.match(r"\s*<li\b", cell, re.I)
    )


def _punctuates(lines: Sequence[Line]) -> bool:
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
            or _header_row(row) is not None
            or _OBJECTIVE.match(text)
        ):
            continue
        if following is not None and not (
            _GRID.match(following.first)
            or _OBJECTIVE.match(following.first)
            or _header_row(following) is not None
            or (_cell(following, 0) and _cell(following, 1))
        ):
            continue  # perhaps followed by its own wrapped end
        whole += 1
        ended += bool(_SENTENCE_END.search(text))
    return ended >= 2 and 2 * ended >= whole


def _amount_cell(text: str) -> int | float | None:
    text = text.strip()
    if not re.fullmatch(r"£?\s*\d[\d,\s]*(?:\.\d+)?\s*[kKmM]?", text):
        return None
    return read_amount(text if text.startswith("£") else "£" + text)


def read_published(text: str) -> date | None:
    """A publication date: "14 November 2008", "December 2006" (first of the month),
    "01/10/2007", "2007-10-01"."""
    t = squash(text).lower().rstrip(".")
    try:
        return date.fromisoformat(t)
    except ValueError:
        pass
    months = "|".join(sorted(MONTHS, key=len, reverse=True))
    try:
        m = re.fullmatch(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+({months})\.?,?\s+(\d{{4}})", t)
        if m:
            return date(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)))
        m = re.fullmatch(rf"({months})\.?,?\s+(\d{{4}})", t)
        if m:
            return date(int(m.group(2)), MONTHS[m.group(1)], 1)
        m = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", t)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None
    return None


def _plan_year(text: str) -> str | None:
    """The financial year a title names; a multi-year plan ("2009-12") gives its first."""
    start = financial_year_start(text)
    if start is None:
        m = re.search(r"\b((?:19|20)\d\d)\s*[-/–]\s*(?:\d\d|(?:19|20)\d\d)\b", text)
        if not m:
            return None
        start = int(m.group(1))
    return financial_year_label(start)


# --- drafts built while reading --------------------------------------------------------------


@dataclass
class _Action:
    line: int
    text: list[str] = field(default_factory=list)
    due: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    cost: list[str] = field(default_factory=list)

    def add(self, text: str = "", due: str = "", owners: str = "", cost: str = "") -> None:
        for parts, value in ((self.text, text), (self.due, due), (self.owners, owners)):
            if value:
                parts.append(value)
        if cost:
            self.cost.append(cost)

    @property
    def text_so_far(self) -> str:
        return " ".join(self.text)


@dataclass
class _Objective:
    number: int | None
    title: str
    line: int
    due: str = ""
    owners: str = ""
    pending: bool = False  # made by an actions table that came before its heading
    actions: list[_Action] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    last_was_note: bool = False  # a wrapped line then ends the note, not the last action
    # strategic tables: activities waiting for a time frame, and time frames waiting for one
    awaiting: list[_Action] = field(default_factory=list)
    spare_times: list[str] = field(default_factory=list)


@dataclass
class _Grid:
    number: int
    title: str
    line: int
    rating: str | None = None
    assessment: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    spend: list[dict[str, Any]] = field(default_factory=list)
    objectives: list[_Objective] = field(default_factory=list)
    strategic: bool = False


@dataclass
class _Issue:
    """An issue while reading: it points at the drafts it is about, so that where it is can
    be said in the grid's terms once the objectives and actions are all known."""

    line: int | None
    text: str
    why: str
    grid: _Grid | None
    objective: _Objective | None = None
    action: _Action | None = None


_DEFAULT_COLUMNS = {"text": 0, "due": 1, "owners": 2, "cost": 3}


class _Reader:
    def __init__(self, lines: Sequence[Line]) -> None:
        self.lines = drop_furniture(list(lines), self._structural)
        self.issues: list[_Issue] = []
        self.grids: list[_Grid] = []
        self.preamble: list[Line] = []
        self.grid: _Grid | None = None
        self.objective: _Objective | None = None
        self.state = "preamble"
        self.columns: dict[str, int] = dict(_DEFAULT_COLUMNS)
        self.header_width = 0  # cells in the header row the columns came from (0: none)
        self.punctuated = _punctuates(self.lines)
        self.heading: tuple[int, str] | None = None  # last numbered heading, for tables

    # -- issues ----------------------------------------------------------------------------

    def issue(
        self,
        line: int | None,
        text: str,
        why: str,
        objective: _Objective | None = None,
        action: _Action | None = None,
        *,
        grid: _Grid | None = None,
    ) -> None:
        grid = grid if grid is not None else self.grid
        self.issues.append(_Issue(line, text, why, grid, objective, action))

    def issues_json(self) -> list[dict[str, Any]]:
        """Each issue with where it is: indexes for programs, ``where`` for people."""
        out = []
        for issue in self.issues:
            grid = issue.grid
            entry: dict[str, Any] = {"line": issue.line, "grid": grid.number if grid else None}
            objective_text = action_text = None
            if grid is not None and issue.objective is not None:
                position = _index_of(grid.objectives, issue.objective)
                entry["objective"] = position
                if grid.strategic:
                    objective_text = f"key priority {position}"
                else:
                    numbers = [o.number for o in grid.objectives]
                    objective_text = objective_label(issue.objective.number, position, numbers)
                if issue.action is not None:
                    entry["action"] = _index_of(issue.objective.actions, issue.action)
                    noun = "activity" if grid.strategic else "action"
                    action_text = f"{noun} {entry['action']}"
            entry["where"] = where(entry["grid"], objective_text, action_text)
            entry.update(text=issue.text, why=issue.why)
            out.append(entry)
        # in the order a planner reads the plan: details, then grid by grid
        grids = {id(g): n for n, g in enumerate(self.grids, 1)}
        order = [
            (grids.get(id(i.grid), 0), e.get("objective", 0), e.get("action", 0))
            for i, e in zip(self.issues, out, strict=True)
        ]
        return [e for _, e in sorted(zip(order, out, strict=True), key=lambda pair: pair[0])]

    # -- recognition -----------------------------------------------------------------------

    @staticmethod
    def _structural(line: Line) -> bool:
        first = line.first
        return bool(
            _GRID.match(first)
            or _SUMMARY.match(first)
            or _OBJECTIVE.match(first)
            or _ACTIONS.match(first)
            or _PRIORITIES.match(first)
            or rating_of(first)
        )

    @staticmethod
    def _strategic_columns(line: Line) -> dict[str, int] | None:
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

    # -- the pass over the lines -----------------------------------------------------------

    def read(self) -> None:
        i = 0
        blank_before = False
        while i < len(self.lines):
            line = self.lines[i]
            if line.blank:
                blank_before = True
                i += 1
                continue
            i = self.dispatch(i, line, blank_before)
            blank_before = False
        self.close_objective()

    def next_nonblank(self, i: int) -> tuple[int, Line | None]:
        j = i + 1
        while j < len(self.lines) and self.lines[j].blank:
            j += 1
        return j, (self.lines[j] if j < len(self.lines) else None)

    def dispatch(self, i: int, line: Line, blank_before: bool) -> int:
        """Handle one line; returns the index of the next line to read."""
        first = line.first
        if self.state == "strategic":
            if line.is_row or (first and _is_continuation(first, "x")):
                self.strategic_row(line)
                return i + 1
            self.close_objective()
            self.state = "between"

        if (m := _GRID.match(first)) and not any(line.rest):
            self.start_grid(int(m.group(1)), squash(m.group(2) or ""), line, i)
            if not self.grid or self.grid.title:
                return i + 1
            j, nxt = self.next_nonblank(i)  # the title on the line after the heading
            if nxt is not None and not nxt.is_row and not self._structural(nxt):
                self.grid.title = plain(nxt.first)
                return j + 1
            return i + 1

        if (columns := self._strategic_columns(line)) is not None:
            self.start_strategic(columns, line)
            return i + 1

        if self.grid is None:
            self.preamble.append(line)
            if not line.is_row and (m := _HEADING.match(first)):
                self.heading = (int(m.group(1)), m.group(2).strip())
            return i + 1

        if _TEMPLATE_TEXT.match(first):
            self.state = "intro" if self.state in ("intro", "priorities") else self.state
            return i + 1

        if _SUMMARY.match(first):
            self.close_objective()
            self.state = "rating"
            for cell in line.rest:
                if cell and (rating := rating_of(cell)):
                    self.grid.rating = rating
                    self.state = "assessment"
            return i + 1

        if _PRIORITIES.match(first) and not any(line.rest):
            self.close_objective()
            self.state = "priorities"
            return i + 1

        if (after_spend := self.spend_table(i, line)) is not None:
            self.state = "intro"
            return after_spend

        if m := _OBJECTIVE.match(first):
            self.start_objective(m, line)
            return i + 1

        if (after_header := self.header_at(i, line)) is not None:
            return after_header

        handler = getattr(self, f"in_{self.state}", None)
        if handler is not None:
            handler(line, blank_before)
        return i + 1

    # -- grids -------------------------------------------------------------------------------

    def header_at(self, i: int, line: Line) -> int | None:
        """An actions table's header at line i, read: the index of the line after it. The
        header may be split over two lines, glued to the first row, or repeated anywhere in
        the table after a page break, whole or in part."""
        first = plain(line.first)
        j, nxt = self.next_nonblank(i)
        if _HEADER_START.match(first) and nxt is not None and _is_header_words(nxt):
            merged = _merge(line, nxt)  # "Delivery Plan: Actions and" / "milestones\tBy when"
            if _ACTIONS.match(plain(merged.first)):
                self.actions_header(merged)
                return j + 1
        if _header_row(line) is not None or _ACTIONS.match(first):
            self.actions_header(line)
            return i + 1
        return None

    def start_grid(self, number: int, title: str, line: Line, i: int) -> None:
        self.close_objective()
        self.grid = _Grid(number, title, line.number)
        self.grids.append(self.grid)
        self.state = "intro"
        self.columns = dict(_DEFAULT_COLUMNS)
        self.header_width = 0

    def start_strategic(self, columns: dict[str, int], line: Line) -> None:
        self.close_objective()
        number, title = self.heading or (len(self.grids) + 1, "Strategic commissioning plan")
        self.grid = _Grid(number, title, line.number, strategic=True)
        self.grids.append(self.grid)
        self.columns = columns
        self.state = "strategic"

    def spend_table(self, i: int, line: Line) -> int | None:
        """A spend table: labels on one line (or two), amounts on the next."""
        labels = [c for c in line.cells if c]
        if not labels or not all(_SPEND_LABEL.search(c) for c in labels):
            return None
        if _ACTIONS.match(line.first) or _column_of(line.first) == "due":
            return None
        j, nxt = self.next_nonblank(i)
        if nxt is not None and all(
            financial_year_start(c) or re.fullmatch(r"(?:19|20)\d\d", c) for c in nxt.cells if c
        ):
            merged = _merge(line, nxt)
            labels = [c for c in merged.cells if c]
            j, nxt = self.next_nonblank(j)
        if nxt is None:
            return None
        amounts = [c for c in nxt.cells if c]
        if len(amounts) != len(labels) or not any(_amount_cell(a) is not None for a in amounts):
            return None
        assert self.grid is not None
        for label, written in zip(labels, amounts, strict=True):
            amount = _amount_cell(written)
            if amount is None:
                self.issue(nxt.number, written, f"spend for '{label}' is not an amount")
            else:
                self.grid.spend.append({"label": label, "amount": amount})
        return j + 1

    def in_rating(self, line: Line, blank_before: bool) -> None:
        assert self.grid is not None
        rating = rating_of(line.first)
        if rating and not any(line.rest):
            self.grid.rating = rating
            self.state = "assessment"
        else:
            self.state = "assessment"
            self.in_assessment(line, blank_before)

    def in_assessment(self, line: Line, blank_before: bool) -> None:
        assert self.grid is not None
        if not line.is_row and (rating := rating_of(line.first)) and self.grid.rating is None:
            self.grid.rating = rating
            return
        self.grid.assessment.append(plain(line.text))

    def in_priorities(self, line: Line, blank_before: bool) -> None:
        assert self.grid is not None
        text = plain(line.text)
        m = _NUMBERED.match(text)
        if m:
            self.grid.priorities.append(squash(m.group(1)))
        elif self.grid.priorities and _is_continuation(text, self.grid.priorities[-1]):
            self.grid.priorities[-1] += " " + text
        else:
            self.grid.priorities.append(text)

    def in_intro(self, line: Line, blank_before: bool) -> None:
        """Guidance text of the template: not part of the plan."""

    def in_between(self, line: Line, blank_before: bool) -> None:
        """Text after a strategic table and before anything else the reader knows."""

    # -- objectives --------------------------------------------------------------------------

    def start_objective(self, m: re.Match[str], line: Line) -> None:
        assert self.grid is not None
        number = int(m.group("n")) if m.group("n") else None
        title = plain(m.group("title") or "")
        current = self.objective
        if (
            current is not None
            and number is not None
            and current.number == number
            and current.title
            and (title == current.title or _CONTINUED.fullmatch(title))
        ):
            return  # the objective's box repeated after a page break: "Objective 2 (continued)"
        self.close_objective()
        objective = next(
            (
                o
                for o in self.grid.objectives
                if o.pending and (o.number == number or o.number is None)
            ),
            None,
        )
        if objective is None:
            objective = _Objective(number, title, line.number)
            self.grid.objectives.append(objective)
        else:
            objective.pending = False
            objective.number = number
            objective.title = title
        self.objective = objective
        objective.due = objective.due or _own_cell(line, 1)
        objective.owners = objective.owners or _own_cell(line, 2)
        self.state = "objective_body" if title else "objective_title"

    def in_objective_title(self, line: Line, blank_before: bool) -> None:
        assert self.objective is not None
        self.objective.title = plain(line.first)
        self.objective.due = self.objective.due or _own_cell(line, 1)
        self.objective.owners = self.objective.owners or _own_cell(line, 2)
        self.state = "objective_body"

    def in_objective_body(self, line: Line, blank_before: bool) -> None:
        """Between an objective's title and its actions table."""
        objective = self.objective
        assert objective is not None
        text = plain(line.first)
        if _NOTE.match(text):
            self.add_note(objective, plain(line.text))
        elif sum(1 for c in line.cells if c) >= 2:
            self.state = "actions"  # a table whose header row is missing
            self.in_actions(line, blank_before)
        elif self.ends_note(objective, text, line):
            pass
        elif text and not line.exact and _is_continuation(text, objective.title):
            objective.title = squash(f"{objective.title} {plain(line.text)}")
        else:
            self.add_note(objective, plain(line.text))

    def add_note(self, objective: _Objective, text: str) -> None:
        objective.notes.append(text)
        objective.last_was_note = True

    def ends_note(self, objective: _Objective, text: str, line: Line) -> bool:
        """Append a wrapped line to the note just read ("Note: ... shared with" / "grid 3")."""
        if not (objective.last_was_note and objective.notes and text) or _NOTE.match(text):
            return False
        if not self.carries_on(text, objective.notes[-1], line):
            return False
        objective.notes[-1] = squash(f"{objective.notes[-1]} {text}")
        return True

    def carries_on(self, text: str, previous: str, line: Line) -> bool:
        """Whether text ends the sentence of the cell before it rather than starting anew."""
        if _is_continuation(text, previous):
            return True
        # an extractor cuts rows anywhere; an author who ends actions with full stops did
        # not end this one, so it goes on, capital or not
        return not line.exact and self.punctuated and not _SENTENCE_END.search(previous)

    def header_columns(self, line: Line) -> dict[str, int] | None:
        columns = {"text": 0}
        for index, cell in enumerate(line.cells[1:], 1):
            kind = _column_of(cell)
            if cell and kind is None:
                return None
            if kind and kind != "text":
                columns.setdefault(kind, index)
        return columns

    def actions_header(self, line: Line) -> None:
        assert self.grid is not None
        first = plain(line.first)
        m = _ACTIONS.match(first)
        number = int(m.group("n")) if m and m.group("n") else None
        current = self.objective
        if current is None or (number is not None and current.number != number):
            self.close_objective()
            found = next((o for o in self.grid.objectives if o.number == number), None)
            if number is None or found is None:
                found = _Objective(number, "", line.number, pending=True)
                self.grid.objectives.append(found)
            self.objective = found
        self.state = "actions"
        if (named := _header_row(line)) is not None:
            self.use_header(named, line)
            return
        assert m is not None
        glued = squash(first[m.end() :])
        columns = self.header_columns(line)
        if columns is not None:
            self.use_header(columns, line)
            if glued:
                self.in_actions(Line((glued,), line.number, line.exact), False)
        else:
            # the header glued to the first row: "Delivery Plan: Actions and milestones Agree
            # a protocol ...\tOngoing - quarterly\tJCG"
            self.columns = dict(_DEFAULT_COLUMNS)
            self.header_width = 0
            self.in_actions(Line((glued, *line.rest), line.number, line.exact), False)

    def use_header(self, columns: dict[str, int], line: Line) -> None:
        """Read the rows that follow by the columns this header names."""
        if sum(1 for c in line.cells if c) < 2:
            return  # "Delivery plan" alone: the column names are on another line, or none
        width = len(line.cells)
        # a header cut short at the right keeps the columns the table had beyond its end
        kept = {
            kind: index
            for kind, index in self.columns.items()
            if kind not in columns and index >= width and index not in columns.values()
        }
        self.columns = {**columns, **kept}
        self.header_width = width

    def row_columns(self, line: Line) -> dict[str, int]:
        """The columns for one row. A header with a cell "Delivery plan" before "Actions and
        milestones" may be one header cell split in two: rows a cell shorter have no such
        column."""
        label = self.columns.get("label")
        if label is None or len(line.cells) >= self.header_width:
            return self.columns
        return {k: i - (i > label) for k, i in self.columns.items() if k != "label"}

    def in_actions(self, line: Line, blank_before: bool) -> None:
        objective = self.objective
        assert objective is not None
        cols = self.row_columns(line)
        raw = _cell(line, cols.get("text")) if line.is_row else line.first
        text = plain(raw)
        due = plain(_cell(line, cols.get("due")))
        owners = plain(_cell(line, cols.get("owners")))
        cost = plain(_cell(line, cols.get("cost")))
        used = set(cols.values())
        extra = [
            c
            for i, c in enumerate(line.cells)
            if c and i not in used and not (i == cols.get("label") and _NUMBER_CELL.fullmatch(c))
        ]
        last = objective.actions[-1] if objective.actions else None

        if not line.is_row:
            # a paragraph (or a row spanning the whole table) among the actions
            if _NOTE.match(text):
                self.add_note(objective, text)
            elif self.ends_note(objective, text, line):
                pass
            elif last and not line.exact and self.carries_on(text, last.text_so_far, line):
                self.extend(objective, last, text=text)
            else:
                self.add_note(objective, text)
            return
        target: _Action | None = None
        orphan = noted = False
        if not (text or due or owners or cost):
            pass
        elif not text:
            if last is not None:
                # "\t\tProbation and CJIT.": a by-whom (or by-when) cell wrapped onto a row of
                # its own belongs to the action above; there is nothing else it could be
                target = self.extend(objective, last, due=due, owners=owners, cost=cost)
            orphan = last is None
        elif not (due or owners or cost) and _NOTE.match(text):
            self.add_note(objective, text)
            noted = True
        elif not (due or owners or cost) and self.ends_note(objective, text, line):
            noted = True
        elif last is not None and self.continues(line, raw, text, due, owners, last):
            target = self.extend(objective, last, text, due, owners, cost)
        if target is None and not noted and (text or due or owners or cost):
            target = _Action(line.number)
            target.add(text, due, owners, cost)
            objective.actions.append(target)
            objective.last_was_note = False
        if orphan:
            why = "by-when/by-whom cells with no action"
            self.issue(line.number, line.text, why, objective, target)
        if extra:
            why = "cells beyond the table's columns"
            self.issue(line.number, " | ".join(extra), why, objective, target)

    def extend(
        self,
        objective: _Objective,
        action: _Action,
        text: str = "",
        due: str = "",
        owners: str = "",
        cost: str = "",
    ) -> _Action:
        action.add(text, due, owners, cost)
        objective.last_was_note = False
        return action

    def continues(
        self, line: Line, raw: str, text: str, due: str, owners: str, last: _Action
    ) -> bool:
        """Whether a row with action text of its own is the wrapped end of the last action.

        A numbered or bulleted entry never is. A row with its own by-when is a new action
        unless its text plainly carries on the last one's and the by-when is empty above or
        carries on too ("Monthly/" / "Quarterly"). Otherwise the text must carry on the last
        one's sentence, and a by-whom of its own must carry on the one above.
        """
        previous = last.text_so_far
        if not previous or _starts_item(raw):
            return False
        plainly = _is_continuation(text, previous)
        if due:
            return plainly and (not last.due or _is_continuation(due, last.due[-1]))
        if plainly:
            return True
        if not self.carries_on(text, previous, line):
            return False
        return not owners or not last.owners or _is_continuation(owners, last.owners[-1])

    # -- strategic commissioning plan table ------------------------------------------------

    def strategic_row(self, line: Line) -> None:
        assert self.grid is not None
        cols = self.columns
        priority = plain(_cell(line, cols.get("priority")))
        activities = segments(_cell(line, cols.get("text")))
        times = [plain(t) for _, t in segments(_cell(line, cols.get("due")))]
        owners = plain(_cell(line, cols.get("owners")))
        objective = self.objective
        if priority:
            if (
                objective is not None
                and not line.exact
                and _is_continuation(priority, objective.title)
            ):
                objective.title = squash(f"{objective.title} {priority}")
            else:
                self.close_objective()
                objective = self.objective = _Objective(None, priority, line.number)
                self.grid.objectives.append(objective)
        orphan = objective is None
        if objective is None:
            if not (activities or times):
                return
            objective = self.objective = _Objective(None, "", line.number)
            self.grid.objectives.append(objective)

        new: list[_Action] = []
        continued = False
        for index, (kind, text) in enumerate(activities):
            last = objective.actions[-1] if objective.actions else None
            if (
                index == 0
                and kind != "item"
                and last is not None
                and not line.exact
                and _is_continuation(text, last.text_so_far)
            ):
                last.add(text=text)
                continued = True
                continue
            action = _Action(line.number)
            action.add(text=text, owners=owners)
            objective.actions.append(action)
            new.append(action)
        if orphan:
            why = "activity with no key priority"
            self.issue(line.number, line.text, why, objective, new[0] if new else None)
        if continued and owners and not new:
            objective.actions[-1].add(owners=owners)
        if not continued:
            objective.awaiting = []  # earlier activities left without a time frame keep none
        # time frames pair with the activities in order; a wrapped row may carry some over
        objective.awaiting.extend(new)
        objective.spare_times.extend(times)
        while objective.awaiting and objective.spare_times:
            objective.awaiting.pop(0).add(due=objective.spare_times.pop(0))

    # -- closing ---------------------------------------------------------------------------

    def close_objective(self) -> None:
        objective = self.objective
        if objective is not None:
            for spare in objective.spare_times:
                why = "time frame with no activity to belong to"
                self.issue(objective.line, spare, why, objective)
            objective.spare_times = []
            objective.awaiting = []
        self.objective = None

    # -- output ----------------------------------------------------------------------------

    def header(self, financial_year: str | None) -> dict[str, Any]:
        partnership = title = fy = None
        published: date | None = None
        candidates = [line for line in self.preamble if not line.is_row][:15]
        unlabelled: list[str] = []
        for line in candidates:
            text = plain(line.text)
            m = _LABELLED.match(text)
            if m:
                label, value = m.group("label").lower(), squash(m.group("value"))
                if label.startswith("partnership") and value and partnership is None:
                    partnership = value
                elif label.startswith("financial") and value and fy is None:
                    start = financial_year_start(value)
                    fy = financial_year_label(start) if start is not None else None
                    if fy is None:
                        self.issue(line.number, value, "financial year not understood")
                elif "published" in label and value and published is None:
                    published = read_published(value)
                    if published is None:
                        self.issue(line.number, value, "publication date not understood")
                continue
            unlabelled.append(text)
        for text in unlabelled:
            if title is None and len(text) <= 200 and _TITLE_WORDS.search(text):
                title = text
        for text in unlabelled:
            if partnership is None and text != title and len(text) <= 80:
                if _PARTNERSHIP_WORDS.search(text) and not _TITLE_WORDS.search(text):
                    partnership = text
        if title is None:
            title = next((t for t in unlabelled if t != partnership), None)
        if fy is None and title:
            fy = _plan_year(title)
        if fy is None:
            fy = next((y for y in (_plan_year(t) for t in unlabelled) if y), None)
        if fy is None and financial_year:
            start = financial_year_start(financial_year)
            fy = financial_year_label(start) if start is not None else None
        return {
            "schema": SCHEMA,
            "partnership": partnership,
            "title": title,
            "financial_year": fy,
            "published": published.isoformat() if published else None,
        }

    def plan(self, known_roles: Iterable[str], financial_year: str | None) -> dict[str, Any]:
        self.grid = None  # reading is over: what the header reports is about no grid
        plan = self.header(financial_year)
        roles = list(known_roles)
        fy = plan["financial_year"]
        grids = []
        for grid in self.grids:
            objectives = []
            for objective in grid.objectives:
                if not objective.title:
                    self.issue(objective.line, "", "objective has no title", objective, grid=grid)
                actions = [
                    self.action_json(action, fy, roles, grid, objective)
                    for action in objective.actions
                ]
                due = self.due_json(objective.due, fy, objective.line, grid, objective, None)
                objectives.append(
                    {
                        "number": objective.number,
                        "title": objective.title,
                        "due": due,
                        "owners": objective.owners or None,
                        "notes": objective.notes,
                        "actions": actions,
                    }
                )
            priorities = grid.priorities
            if grid.strategic and not priorities:
                priorities = [o.title for o in grid.objectives if o.title]
            grids.append(
                {
                    "number": grid.number,
                    "title": grid.title,
                    "rating": grid.rating,
                    "assessment": "\n".join(grid.assessment) or None,
                    "priorities": priorities,
                    "spend": grid.spend,
                    "objectives": objectives,
                }
            )
        plan["grids"] = grids
        if self.issues:
            plan["issues"] = self.issues_json()
        return plan

    def due_json(
        self,
        text: str,
        fy: str | None,
        line: int,
        grid: _Grid,
        objective: _Objective,
        action: _Action | None,
    ) -> dict[str, Any] | None:
        if not text:
            return None
        due = parse_due(text, fy)
        if not due.is_readable:
            why = "by-when not understood as a date or period"
            self.issue(line, text, why, objective, action, grid=grid)
        return due.to_json()

    def action_json(
        self, action: _Action, fy: str | None, roles: list[str], grid: _Grid, objective: _Objective
    ) -> dict[str, Any]:
        text = squash(" ".join(action.text))
        owners = squash(" ".join(action.owners)) or None
        cost = read_cost(" ".join(action.cost))
        if cost is not None and cost["amount"] is None and "£" in cost["text"]:
            why = "cost names pounds but no amount"
            self.issue(action.line, cost["text"], why, objective, action, grid=grid)
        if not text:
            self.issue(action.line, "", "action has no text", objective, action, grid=grid)
        return {
            "text": text,
            "due": self.due_json(" ".join(action.due), fy, action.line, grid, objective, action),
            "owners": owners,
            "owner_list": split_owners(owners, roles),
            "cost": cost,
        }


def parse_lines(
    lines: Sequence[Line],
    *,
    known_roles: Iterable[str] = (),
    financial_year: str | None = None,
) -> dict[str, Any]:
    """The plan in lines of cells, as a ``dathub.plan/1`` dict (with "issues" when any)."""
    reader = _Reader(lines)
    reader.read()
    if not reader.grids:
        raise PlanDocumentError(
            "This does not look like a treatment plan: no planning grids and no "
            "'Key Priorities | Activity | Time Frame' table were found."
        )
    return reader.plan(known_roles, financial_year)


def parse_text(
    text: str, *, known_roles: Iterable[str] = (), financial_year: str | None = None
) -> dict[str, Any]:
    """A plan from text extracted from Word or PDF (table cells separated by tabs)."""
    if not text.strip():
        raise PlanDocumentError("The file is empty.")
    return parse_lines(
        lines_from_text(text), known_roles=known_roles, financial_year=financial_year
    )
