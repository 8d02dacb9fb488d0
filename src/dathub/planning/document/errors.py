"""Errors of the plan-document package, and where a problem inside a plan is."""

from __future__ import annotations

from collections.abc import Sequence

PLAN_DETAILS = "plan details"


class PlanDocumentError(ValueError):
    """The file is not a plan the product can read at all (empty, wrong type, no grids).

    Problems inside a plan never raise: they are listed in the plan's "issues".
    """


def where(grid: int | None, objective: str | None = None, action: str | None = None) -> str:
    """Where an issue is, in the words a planner uses for the grids, never a line number:
    "grid 6, objective 1, action 3"; "grid 6, objective 1"; "grid 6 header" for the grid's
    own part (rating, spend); "plan details" before the first grid.

    ``objective`` and ``action`` are labels as the reader names them ("objective 1",
    "key priority 2", "activity 3").
    """
    if grid is None:
        return PLAN_DETAILS
    if objective is None:
        return f"grid {grid} header"
    return ", ".join(part for part in (f"grid {grid}", objective, action) if part)


def ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th": for objectives that print no number of their own."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def objective_label(number: int | None, position: int, numbers: list[int | None]) -> str:
    """An objective as the reader of the grid finds it: by its printed number, or by its
    place in the grid when it has none or shares its number with another objective."""
    if number is not None and numbers.count(number) == 1:
        return f"objective {number}"
    if number is None:
        return f"the {ordinal(position)} objective"
    return f"the {ordinal(position)} objective (numbered {number})"


def position_of(items: Sequence[object], item: object) -> int:
    """1-based place of an objective or action in its list, by identity (two may be equal)."""
    return next(i for i, x in enumerate(items, 1) if x is item)


def objective_where(
    grid: int,
    number: int | None,
    position: int,
    numbers: list[int | None],
    action: int | None = None,
    *,
    strategic: bool = False,
) -> str:
    """Where an issue about an objective, or one of its actions, is: "grid 6, objective 1,
    action 3". A strategic commissioning plan has key priorities and activities instead."""
    if strategic:
        objective = f"key priority {position}"
    else:
        objective = objective_label(number, position, numbers)
    noun = "activity" if strategic else "action"
    return where(grid, objective, f"{noun} {action}" if action is not None else None)
