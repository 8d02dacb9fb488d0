"""Assembling the drafts of one reading into the ``dathub.plan/1`` dict: cells read into
Due, Cost and owner lists, and each issue said where it is in the grid's terms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .costs import read_cost
from .dates import parse_due
from .drafts import Action, Grid, Objective
from .errors import objective_where, position_of, where
from .front_matter import front_matter
from .lines import squash
from .owners import split_owners
from .reading import ReaderState

SCHEMA = "dathub.plan/1"


class PlanAssembly(ReaderState):
    """The plan dict, once every line is read."""

    def issues_json(self) -> list[dict[str, Any]]:
        """Each issue with where it is: indexes for programs, ``where`` for people."""
        out = []
        for issue in self.issues:
            grid = issue.grid
            entry: dict[str, Any] = {"line": issue.line, "grid": grid.number if grid else None}
            if grid is not None and issue.objective is not None:
                position = position_of(grid.objectives, issue.objective)
                entry["objective"] = position
                if issue.action is not None:
                    entry["action"] = position_of(issue.objective.actions, issue.action)
                numbers = [o.number for o in grid.objectives]
                entry["where"] = objective_where(
                    grid.number,
                    issue.objective.number,
                    position,
                    numbers,
                    entry.get("action"),
                    strategic=grid.strategic,
                )
            else:
                entry["where"] = where(entry["grid"])
            entry.update(text=issue.text, why=issue.why)
            out.append(entry)
        # in the order a planner reads the plan: details, then grid by grid
        grids = {id(g): n for n, g in enumerate(self.grids, 1)}
        order = [
            (grids.get(id(i.grid), 0), e.get("objective", 0), e.get("action", 0))
            for i, e in zip(self.issues, out, strict=True)
        ]
        return [e for _, e in sorted(zip(order, out, strict=True), key=lambda pair: pair[0])]

    def plan(self, known_roles: Iterable[str], financial_year: str | None) -> dict[str, Any]:
        self.grid = None  # reading is over: what the front matter reports is about no grid
        plan: dict[str, Any] = {
            "schema": SCHEMA,
            **front_matter(self.preamble, financial_year, self.issue),
        }
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
        grid: Grid,
        objective: Objective,
        action: Action | None,
    ) -> dict[str, Any] | None:
        if not text:
            return None
        due = parse_due(text, fy)
        if not due.is_readable:
            why = "by-when not understood as a date or period"
            self.issue(line, text, why, objective, action, grid=grid)
        return due.to_json()

    def action_json(
        self, action: Action, fy: str | None, roles: list[str], grid: Grid, objective: Objective
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
