"""An actions table's rows: its header, wherever it comes, then row by row, whether a row
is a new action, the wrapped end of the one above, or a note."""

from __future__ import annotations

import re

from .drafts import Action, Objective
from .headers import (
    DEFAULT_COLUMNS,
    HEADER_START,
    header_columns,
    header_row,
    is_header_words,
)
from .lines import Line, cell_at, merge_lines, plain, squash
from .notes import NOTE, NoteReading
from .structure import ACTIONS
from .wrapping import carries_on, is_continuation, starts_item

# a row's number in a "No"/"Ref" column ("1.2", "(a)") is no cell beyond the table's columns
_NUMBER_CELL = re.compile(r"\(?\d{1,2}(?:\.\d{1,2})*[.)]?|\(?[a-z][.)]", re.I)


class ActionsTableReading(NoteReading):
    """The actions table of the objective being read (state "actions")."""

    def header_at(self, i: int, line: Line) -> int | None:
        """An actions table's header at line i, read: the index of the line after it. The
        header may be split over two lines, glued to the first row, or repeated anywhere in
        the table after a page break, whole or in part."""
        first = plain(line.first)
        j, nxt = self.next_nonblank(i)
        if HEADER_START.match(first) and nxt is not None and is_header_words(nxt):
            merged = merge_lines(line, nxt)  # "Delivery Plan: Actions and" / "milestones\tBy when"
            if ACTIONS.match(plain(merged.first)):
                self.actions_header(merged)
                return j + 1
        if header_row(line) is not None or ACTIONS.match(first):
            self.actions_header(line)
            return i + 1
        return None

    def actions_header(self, line: Line) -> None:
        assert self.grid is not None
        first = plain(line.first)
        m = ACTIONS.match(first)
        number = int(m.group("n")) if m and m.group("n") else None
        current = self.objective
        if current is None or (number is not None and current.number != number):
            self.close_objective()
            found = next((o for o in self.grid.objectives if o.number == number), None)
            if number is None or found is None:
                found = Objective(number, "", line.number, pending=True)
                self.grid.objectives.append(found)
            self.objective = found
        self.state = "actions"
        if (named := header_row(line)) is not None:
            self.use_header(named, line)
            return
        assert m is not None
        glued = squash(first[m.end() :])
        columns = header_columns(line)
        if columns is not None:
            self.use_header(columns, line)
            if glued:
                self.in_actions(Line((glued,), line.number, line.exact), False)
        else:
            # the header glued to the first row: "Delivery Plan: Actions and milestones Agree
            # a protocol ...\tOngoing - quarterly\tJCG"
            self.columns = dict(DEFAULT_COLUMNS)
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
        raw = cell_at(line, cols.get("text")) if line.is_row else line.first
        text = plain(raw)
        due = plain(cell_at(line, cols.get("due")))
        owners = plain(cell_at(line, cols.get("owners")))
        cost = plain(cell_at(line, cols.get("cost")))
        used = set(cols.values())
        extra = [
            c
            for i, c in enumerate(line.cells)
            if c and i not in used and not (i == cols.get("label") and _NUMBER_CELL.fullmatch(c))
        ]
        last = objective.actions[-1] if objective.actions else None

        if not line.is_row:
            # a paragraph (or a row spanning the whole table) among the actions
            if NOTE.match(text):
                self.add_note(objective, text)
            elif self.ends_note(objective, text, line):
                pass
            elif (
                last
                and not line.exact
                and carries_on(text, last.text_so_far, line, self.punctuated)
            ):
                self.extend(objective, last, text=text)
            else:
                self.add_note(objective, text)
            return
        target: Action | None = None
        orphan = noted = False
        if not (text or due or owners or cost):
            pass
        elif not text:
            if last is not None:
                # "\t\tProbation and CJIT.": a by-whom (or by-when) cell wrapped onto a row of
                # its own belongs to the action above; there is nothing else it could be
                target = self.extend(objective, last, due=due, owners=owners, cost=cost)
            orphan = last is None
        elif not (due or owners or cost) and NOTE.match(text):
            self.add_note(objective, text)
            noted = True
        elif not (due or owners or cost) and self.ends_note(objective, text, line):
            noted = True
        elif last is not None and self.continues(line, raw, text, due, owners, last):
            target = self.extend(objective, last, text, due, owners, cost)
        if target is None and not noted and (text or due or owners or cost):
            target = Action(line.number)
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
        objective: Objective,
        action: Action,
        text: str = "",
        due: str = "",
        owners: str = "",
        cost: str = "",
    ) -> Action:
        action.add(text, due, owners, cost)
        objective.last_was_note = False
        return action

    def continues(
        self, line: Line, raw: str, text: str, due: str, owners: str, last: Action
    ) -> bool:
        """Whether a row with action text of its own is the wrapped end of the last action.

        A numbered or bulleted entry never is. A row with its own by-when is a new action
        unless its text plainly carries on the last one's and the by-when is empty above or
        carries on too ("Monthly/" / "Quarterly"). Otherwise the text must carry on the last
        one's sentence, and a by-whom of its own must carry on the one above.
        """
        previous = last.text_so_far
        if not previous or starts_item(raw):
            return False
        plainly = is_continuation(text, previous)
        if due:
            return plainly and (not last.due or is_continuation(due, last.due[-1]))
        if plainly:
            return True
        if not carries_on(text, previous, line, self.punctuated):
            return False
        return not owners or not last.owners or is_continuation(owners, last.owners[-1])
