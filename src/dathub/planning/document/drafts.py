"""The drafts a reading builds, grid by grid, objective by objective, action by action, as
cells come (a wrapped cell adds to the draft above), and the issues that point at them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Action:
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
class Objective:
    number: int | None
    title: str
    line: int
    due: str = ""
    owners: str = ""
    pending: bool = False  # made by an actions table that came before its heading
    actions: list[Action] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    last_was_note: bool = False  # a wrapped line then ends the note, not the last action
    # strategic tables: activities waiting for a time frame, and time frames waiting for one
    awaiting: list[Action] = field(default_factory=list)
    spare_times: list[str] = field(default_factory=list)


@dataclass
class Grid:
    number: int
    title: str
    line: int
    rating: str | None = None
    assessment: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    spend: list[dict[str, Any]] = field(default_factory=list)
    objectives: list[Objective] = field(default_factory=list)
    strategic: bool = False


@dataclass
class Issue:
    """An issue while reading: it points at the drafts it is about, so that where it is can
    be said in the grid's terms once the objectives and actions are all known."""

    line: int | None
    text: str
    why: str
    grid: Grid | None
    objective: Objective | None = None
    action: Action | None = None
