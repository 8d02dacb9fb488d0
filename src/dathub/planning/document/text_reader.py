"""Reading a plan from lines of cells (text extracted from Word/PDF, or a .docx) into the
``dathub.plan/1`` dict.

The reader follows the structure of the national templates rather than any one file:
- 2007/08 grids: guidance, "Summary of self-assessment", rating, narrative, spend table,
  objectives with "Actions and milestones ... | By when | By whom | Costs/budget" tables;
- 2008/09 grids: "Identification of key priorities" list, objectives (own by-when/by-whom
  possible), "Delivery Plan: Actions and milestones | By when | By whom" tables;
- strategic commissioning plans: a "Key Priorities | Activity | Time Frame" table.
Every structural line is recognised wherever it appears, so sections may come in any order.

The reader is put together from one part per idea (grid_parts, objectives, actions_table,
notes, strategic, assembly); here is the pass that hands each line to the part it is for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .assembly import SCHEMA, PlanAssembly
from .errors import PlanDocumentError
from .grid_parts import GridReading
from .headers import strategic_columns
from .lines import Line, lines_from_text, plain, squash
from .objectives import ObjectiveReading
from .strategic import StrategicReading
from .structure import (
    GRID,
    HEADING,
    OBJECTIVE,
    PRIORITIES,
    SUMMARY,
    TEMPLATE_TEXT,
    is_structural,
    rating_of,
)
from .wrapping import is_continuation

__all__ = ["SCHEMA", "parse_lines", "parse_text"]


class _Reader(GridReading, ObjectiveReading, StrategicReading, PlanAssembly):
    """One reading of a plan's lines; ``state`` says which part of the template it is in,
    and a line no structural line claims goes to that part's ``in_<state>``."""

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

    def dispatch(self, i: int, line: Line, blank_before: bool) -> int:
        """Handle one line; returns the index of the next line to read."""
        first = line.first
        if self.state == "strategic":
            if line.is_row or (first and is_continuation(first, "x")):
                self.strategic_row(line)
                return i + 1
            self.close_objective()
            self.state = "between"

        if (m := GRID.match(first)) and not any(line.rest):
            self.start_grid(int(m.group(1)), squash(m.group(2) or ""), line, i)
            if not self.grid or self.grid.title:
                return i + 1
            j, nxt = self.next_nonblank(i)  # the title on the line after the heading
            if nxt is not None and not nxt.is_row and not is_structural(nxt):
                self.grid.title = plain(nxt.first)
                return j + 1
            return i + 1

        if (columns := strategic_columns(line)) is not None:
            self.start_strategic(columns, line)
            return i + 1

        if self.grid is None:
            self.preamble.append(line)
            if not line.is_row and (m := HEADING.match(first)):
                self.heading = (int(m.group(1)), m.group(2).strip())
            return i + 1

        if TEMPLATE_TEXT.match(first):
            self.state = "intro" if self.state in ("intro", "priorities") else self.state
            return i + 1

        if SUMMARY.match(first):
            self.close_objective()
            self.state = "rating"
            for cell in line.rest:
                if cell and (rating := rating_of(cell)):
                    self.grid.rating = rating
                    self.state = "assessment"
            return i + 1

        if PRIORITIES.match(first) and not any(line.rest):
            self.close_objective()
            self.state = "priorities"
            return i + 1

        if (after_spend := self.spend_table(i, line)) is not None:
            self.state = "intro"
            return after_spend

        if m := OBJECTIVE.match(first):
            self.start_objective(m, line)
            return i + 1

        if (after_header := self.header_at(i, line)) is not None:
            return after_header

        handler = getattr(self, f"in_{self.state}", None)
        if handler is not None:
            handler(line, blank_before)
        return i + 1


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
