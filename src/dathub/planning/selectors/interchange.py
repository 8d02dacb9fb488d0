"""A plan as the reader sees it: its structure in document order, and the dathub.plan/1
interchange form.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from ..models import ActionOwner, Grid, Objective, Plan, Priority, SpendLine
from .actions import action_list


def plan_structure(*, actor: Any, plan: Plan) -> list[Grid]:
    """The plan's current grids with priorities, spend, objectives and the actions the actor
    may see, in document order, fetched in a fixed number of queries."""
    visible = action_list(actor=actor, partnership=plan.partnership).prefetch_related(
        Prefetch(
            "owners", queryset=ActionOwner.objects.current().select_related("person", "role_name")
        )
    )
    objectives = Objective.objects.current().prefetch_related(
        Prefetch("actions", queryset=visible.order_by("position", "id"), to_attr="visible_actions")
    )
    return list(
        plan.grids.current()
        .prefetch_related(
            Prefetch(
                "objectives", queryset=objectives.order_by("position"), to_attr="current_objectives"
            ),
            Prefetch(
                "priorities",
                queryset=Priority.objects.current().order_by("position"),
                to_attr="current_priorities",
            ),
            Prefetch(
                "spend_lines",
                queryset=SpendLine.objects.current().order_by("position"),
                to_attr="current_spend",
            ),
        )
        .order_by("position", "number")
    )


def _number(amount: Decimal | None) -> int | float | None:
    if amount is None:
        return None
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _due(obj: Any) -> dict[str, Any] | None:
    if not obj.due_text:
        return None
    return {
        "text": obj.due_text,
        "start": obj.due_start.isoformat() if obj.due_start else None,
        "end": obj.due_end.isoformat() if obj.due_end else None,
        "recurrence": obj.due_recurrence or None,
        "ongoing": obj.due_ongoing,
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def plan_as_json(*, actor: Any, plan: Plan) -> dict[str, Any]:
    """The plan as `dathub.plan/1`, with ids so API clients can address what they update."""
    grids = []
    for grid in plan_structure(actor=actor, plan=plan):
        objectives = []
        for objective in grid.current_objectives:  # type: ignore[attr-defined]
            actions = []
            for action in objective.visible_actions:
                actions.append(
                    {
                        "id": action.pk,
                        "text": action.text,
                        "due": _due(action),
                        "owners": action.owners_text or None,
                        "owner_list": [o.text for o in action.owners.all()],
                        "cost": (
                            {"text": action.cost_text, "amount": _number(action.cost_amount)}
                            if action.cost_text
                            else None
                        ),
                        "status": action.status,
                        "percent_complete": action.percent_complete,
                    }
                )
            objectives.append(
                {
                    "id": objective.pk,
                    "number": objective.number,
                    "title": objective.title,
                    "due": _due(objective),
                    "owners": objective.owners_text or None,
                    "actions": actions,
                    "notes": list(objective.notes),
                }
            )
        grids.append(
            {
                "id": grid.pk,
                "number": grid.number,
                "title": grid.title,
                "rating": grid.rating or None,
                "assessment": grid.assessment or None,
                "priorities": [p.text for p in grid.current_priorities],  # type: ignore[attr-defined]
                "spend": [
                    {"label": s.label, "amount": _number(s.amount)}
                    for s in grid.current_spend  # type: ignore[attr-defined]
                ],  # type: ignore[attr-defined]
                "objectives": objectives,
            }
        )
    return {
        "schema": "dathub.plan/1",
        "id": plan.pk,
        "partnership": plan.partnership_name_text or plan.partnership.name,
        "title": plan.title,
        "financial_year": plan.financial_year,
        "published": _iso(plan.published_on),
        "status": plan.status,
        "grids": grids,
    }


def strip_ids(data: Any) -> Any:
    """The interchange form without the product's own keys, for comparing documents."""
    extra = {"id", "status", "percent_complete"}
    if isinstance(data, dict):
        return {k: strip_ids(v) for k, v in data.items() if k not in extra}
    if isinstance(data, list):
        return [strip_ids(v) for v in data]
    return data
