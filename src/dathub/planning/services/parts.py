"""Editing a plan's grids, objectives and actions, and an action's owners. All audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from dathub.core import audit, clock
from dathub.core.services import audited_archive, audited_create, audited_update
from dathub.tenancy.models import Partnership, Person, RoleName

from ..models import Action, ActionOwner, Grid, Objective, Plan, Priority, SpendLine
from .cells import create_versioned, require_manage, set_owners


@transaction.atomic
def action_owners_set(
    *,
    actor: Any,
    action: Action,
    people: list[Person] | None = None,
    role_names: list[RoleName] | None = None,
) -> Action:
    """Assign owners from the partnership's people and roles; 'by whom' is rewritten."""
    require_manage(actor, action.partnership)
    parties = [p for p in (people or []) if p.partnership_id == action.partnership_id]
    roles_ = [rn for rn in (role_names or []) if rn.partnership_id == action.partnership_id]
    before = action.owners_text
    action.owners_text = ", ".join(
        [rn.abbreviation for rn in roles_] + [p.full_name for p in parties]
    )
    action._history_user = actor  # type: ignore[attr-defined]
    action.save(update_fields=["owners_text", "updated_at"])
    ActionOwner.objects.filter(action=action, archived_at__isnull=True).update(
        archived_at=clock.now()
    )
    position = 0
    for rn in roles_:
        ActionOwner.objects.create(
            partnership=action.partnership,
            action=action,
            text=rn.abbreviation,
            role_name=rn,
            position=position,
        )
        position += 1
    for person in parties:
        ActionOwner.objects.create(
            partnership=action.partnership,
            action=action,
            text=person.full_name,
            person=person,
            position=position,
        )
        position += 1
    audit.record(
        actor=actor,
        partnership=action.partnership,
        action="action.owners",
        obj=action,
        changes={"owners": [before, action.owners_text]},
    )
    return action


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@transaction.atomic
def grid_save(
    *,
    actor: Any,
    plan: Plan,
    grid: Grid | None = None,
    priorities: str = "",
    spend: list[tuple[str, Decimal]] | None = None,
    **fields: Any,
) -> Grid:
    """Create or change a grid; key priorities and spend lines are replaced as a whole."""
    require_manage(actor, plan.partnership)
    if grid is None:
        position = plan.grids.count()
        grid = audited_create(
            actor=actor,
            instance=Grid(partnership=plan.partnership, plan=plan, position=position, **fields),
        )
    else:
        grid = audited_update(actor=actor, instance=grid, **fields)
    new_priorities = _lines(priorities)
    if [p.text for p in grid.priorities.current()] != new_priorities:
        grid.priorities.current().update(archived_at=clock.now())
        for i, text in enumerate(new_priorities):
            create_versioned(
                actor, Priority, partnership=plan.partnership, grid=grid, text=text, position=i
            )
        audit.record(
            actor=actor,
            partnership=plan.partnership,
            action="grid.priorities",
            obj=grid,
            changes={"priorities": [None, new_priorities]},
        )
    if spend is not None:
        old = [(s.label, s.amount) for s in grid.spend_lines.current()]
        if old != spend:
            grid.spend_lines.current().update(archived_at=clock.now())
            for i, (label, amount) in enumerate(spend):
                create_versioned(
                    actor,
                    SpendLine,
                    partnership=plan.partnership,
                    grid=grid,
                    label=label,
                    amount=amount,
                    position=i,
                )
            audit.record(
                actor=actor,
                partnership=plan.partnership,
                action="grid.spend",
                obj=grid,
                changes={"spend": [[f"{a} {b}" for a, b in old], [f"{a} {b}" for a, b in spend]]},
            )
    return grid


def grid_archive(*, actor: Any, grid: Grid) -> Grid:
    require_manage(actor, grid.partnership)
    return audited_archive(actor=actor, instance=grid)


def objective_create(*, actor: Any, grid: Grid, **fields: Any) -> Objective:
    require_manage(actor, grid.partnership)
    position = grid.objectives.count()
    return audited_create(
        actor=actor,
        instance=Objective(partnership=grid.partnership, grid=grid, position=position, **fields),
    )


def objective_update(*, actor: Any, objective: Objective, **fields: Any) -> Objective:
    require_manage(actor, objective.partnership)
    return audited_update(actor=actor, instance=objective, **fields)


def objective_archive(*, actor: Any, objective: Objective) -> Objective:
    require_manage(actor, objective.partnership)
    return audited_archive(actor=actor, instance=objective)


@transaction.atomic
def action_create(
    *, actor: Any, partnership: Partnership, objective: Objective | None = None, **fields: Any
) -> Action:
    require_manage(actor, partnership)
    if objective is not None and objective.partnership_id != partnership.pk:
        raise ValidationError({"objective": "Choose an objective of this partnership."})
    if objective is None and not fields.get("source"):
        raise ValidationError({"source": "Say where an action outside the plan came from."})
    position = objective.actions.count() if objective else 0
    action = audited_create(
        actor=actor,
        instance=Action(partnership=partnership, objective=objective, position=position, **fields),
    )
    if action.owners_text:
        set_owners(action, action.owners_text)
    return action


@transaction.atomic
def action_update(*, actor: Any, action: Action, **fields: Any) -> Action:
    require_manage(actor, action.partnership)
    owners_changed = "owners_text" in fields and fields["owners_text"] != action.owners_text
    action = audited_update(actor=actor, instance=action, **fields)
    if owners_changed:
        set_owners(action, action.owners_text)
    return action


def action_archive(*, actor: Any, action: Action) -> Action:
    require_manage(actor, action.partnership)
    return audited_archive(actor=actor, instance=action)
