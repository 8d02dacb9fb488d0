"""A planning grid's own parts, before its objectives: its heading, the summary of
self-assessment (rating and narrative), the key priorities list and the spend table."""

from __future__ import annotations

import re

from .costs import read_amount_cell
from .dates import financial_year_start
from .drafts import Grid
from .headers import DEFAULT_COLUMNS, column_of
from .lines import Line, merge_lines, plain, squash
from .reading import ReaderState
from .structure import ACTIONS, rating_of
from .wrapping import is_continuation

_SPEND_LABEL = re.compile(r"\b(?:spend|budget|allocation|expenditure|outturn)\b", re.I)
_NUMBERED = re.compile(r"^(?:\d{1,2}[.)]|[-•▪●◦*]|\(\w\))\s*(.+)$")


class GridReading(ReaderState):
    """A grid's own parts (states "intro", "rating", "assessment", "priorities")."""

    def start_grid(self, number: int, title: str, line: Line, i: int) -> None:
        self.close_objective()
        self.grid = Grid(number, title, line.number)
        self.grids.append(self.grid)
        self.state = "intro"
        self.columns = dict(DEFAULT_COLUMNS)
        self.header_width = 0

    def spend_table(self, i: int, line: Line) -> int | None:
        """A spend table: labels on one line (or two), amounts on the next."""
        labels = [c for c in line.cells if c]
        if not labels or not all(_SPEND_LABEL.search(c) for c in labels):
            return None
        if ACTIONS.match(line.first) or column_of(line.first) == "due":
            return None
        j, nxt = self.next_nonblank(i)
        if nxt is not None and all(
            financial_year_start(c) or re.fullmatch(r"(?:19|20)\d\d", c) for c in nxt.cells if c
        ):
            merged = merge_lines(line, nxt)
            labels = [c for c in merged.cells if c]
            j, nxt = self.next_nonblank(j)
        if nxt is None:
            return None
        amounts = [c for c in nxt.cells if c]
        if len(amounts) != len(labels) or not any(read_amount_cell(a) is not None for a in amounts):
            return None
        assert self.grid is not None
        for label, written in zip(labels, amounts, strict=True):
            amount = read_amount_cell(written)
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
        elif self.grid.priorities and is_continuation(text, self.grid.priorities[-1]):
            self.grid.priorities[-1] += " " + text
        else:
            self.grid.priorities.append(text)

    def in_intro(self, line: Line, blank_before: bool) -> None:
        """Guidance text of the template: not part of the plan."""
