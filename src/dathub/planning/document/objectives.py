"""Objective boxes: an objective's heading, number and title (perhaps on the next line or
wrapped), its own by-when and by-whom, and the text between it and its actions table."""

from __future__ import annotations

import re

from .actions_table import ActionsTableReading
from .drafts import Objective
from .headers import header_name
from .lines import Line, cell_at, plain, squash
from .notes import NOTE
from .wrapping import is_continuation

# "Objective 2 (continued)": the box repeated at the top of the next page
_CONTINUED = re.compile(r"\(?\s*(?:continued|cont'?d|cont)\.?\s*\)?\.?", re.I)


def _own_cell(line: Line, index: int) -> str:
    """An objective box's by-when/by-whom cell; the box's own column names are not values."""
    cell = plain(cell_at(line, index))
    return "" if header_name(cell) in ("due", "owners") else cell


class ObjectiveReading(ActionsTableReading):
    """Objective boxes (states "objective_title", "objective_body")."""

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
            objective = Objective(number, title, line.number)
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
        if NOTE.match(text):
            self.add_note(objective, plain(line.text))
        elif sum(1 for c in line.cells if c) >= 2:
            self.state = "actions"  # a table whose header row is missing
            self.in_actions(line, blank_before)
        elif self.ends_note(objective, text, line):
            pass
        elif text and not line.exact and is_continuation(text, objective.title):
            objective.title = squash(f"{objective.title} {plain(line.text)}")
        else:
            self.add_note(objective, plain(line.text))
