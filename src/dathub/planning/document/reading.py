"""The state of one reading of a plan's lines, shared by the parts of the reader that handle
each kind of line: where the reading is, the drafts so far, and the issues found."""

from __future__ import annotations

from collections.abc import Sequence

from .drafts import Action, Grid, Issue, Objective
from .headers import DEFAULT_COLUMNS
from .lines import Line, drop_furniture
from .structure import is_structural
from .wrapping import punctuates


class ReaderState:
    """What one reading knows so far. The reader's parts are mixins over this one state
    (not objects of their own) because they hand lines to one another mid-table."""

    def __init__(self, lines: Sequence[Line]) -> None:
        self.lines = drop_furniture(list(lines), is_structural)
        self.issues: list[Issue] = []
        self.grids: list[Grid] = []
        self.preamble: list[Line] = []
        self.grid: Grid | None = None
        self.objective: Objective | None = None
        self.state = "preamble"
        self.columns: dict[str, int] = dict(DEFAULT_COLUMNS)
        self.header_width = 0  # cells in the header row the columns came from (0: none)
        self.punctuated = punctuates(self.lines)
        self.heading: tuple[int, str] | None = None  # last numbered heading, for tables

    def issue(
        self,
        line: int | None,
        text: str,
        why: str,
        objective: Objective | None = None,
        action: Action | None = None,
        *,
        grid: Grid | None = None,
    ) -> None:
        grid = grid if grid is not None else self.grid
        self.issues.append(Issue(line, text, why, grid, objective, action))

    def next_nonblank(self, i: int) -> tuple[int, Line | None]:
        j = i + 1
        while j < len(self.lines) and self.lines[j].blank:
            j += 1
        return j, (self.lines[j] if j < len(self.lines) else None)

    def close_objective(self) -> None:
        objective = self.objective
        if objective is not None:
            for spare in objective.spare_times:
                why = "time frame with no activity to belong to"
                self.issue(objective.line, spare, why, objective)
            objective.spare_times = []
            objective.awaiting = []
        self.objective = None
