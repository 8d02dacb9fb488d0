"""A strategic commissioning plan's "Key Priorities | Activity | Time Frame" table: each key
priority is read as an objective and its activities as actions, time frames paired in order."""

from __future__ import annotations

from .drafts import Action, Grid, Objective
from .lines import Line, cell_at, plain, segments, squash
from .reading import ReaderState
from .wrapping import is_continuation


class StrategicReading(ReaderState):
    """The strategic table (state "strategic") and what follows it (state "between")."""

    def start_strategic(self, columns: dict[str, int], line: Line) -> None:
        self.close_objective()
        number, title = self.heading or (len(self.grids) + 1, "Strategic commissioning plan")
        self.grid = Grid(number, title, line.number, strategic=True)
        self.grids.append(self.grid)
        self.columns = columns
        self.state = "strategic"

    def strategic_row(self, line: Line) -> None:
        assert self.grid is not None
        cols = self.columns
        priority = plain(cell_at(line, cols.get("priority")))
        activities = segments(cell_at(line, cols.get("text")))
        times = [plain(t) for _, t in segments(cell_at(line, cols.get("due")))]
        owners = plain(cell_at(line, cols.get("owners")))
        objective = self.objective
        if priority:
            if (
                objective is not None
                and not line.exact
                and is_continuation(priority, objective.title)
            ):
                objective.title = squash(f"{objective.title} {priority}")
            else:
                self.close_objective()
                objective = self.objective = Objective(None, priority, line.number)
                self.grid.objectives.append(objective)
        orphan = objective is None
        if objective is None:
            if not (activities or times):
                return
            objective = self.objective = Objective(None, "", line.number)
            self.grid.objectives.append(objective)

        new: list[Action] = []
        continued = False
        for index, (kind, text) in enumerate(activities):
            last = objective.actions[-1] if objective.actions else None
            if (
                index == 0
                and kind != "item"
                and last is not None
                and not line.exact
                and is_continuation(text, last.text_so_far)
            ):
                last.add(text=text)
                continued = True
                continue
            action = Action(line.number)
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

    def in_between(self, line: Line, blank_before: bool) -> None:
        """Text after a strategic table and before anything else the reader knows."""
