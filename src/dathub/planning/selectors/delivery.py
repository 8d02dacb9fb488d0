"""A person's own live work: My actions with their due state, and the progress spreadsheet."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from dathub.tenancy import permissions
from dathub.tenancy.models import Partnership

from ..models import Action
from .actions import action_list, action_updatable_list, owned_by_person_or_organisation
from .plans import in_live_plans
from .progress import last_reported


def my_actions(
    *, actor: Any, partnership: Partnership, today: date, include_closed: bool = False
) -> list[Action]:
    """The actions the actor's person or the roles they hold own, across the plans being
    delivered and meeting actions: overdue first (most overdue first), then by deadline.
    Each action carries `due_state` and `can_update`."""
    from .. import delivery

    person = permissions.person_of(actor, partnership)
    if person is None:
        return []
    qs = in_live_plans(
        action_list(actor=actor, partnership=partnership), partnership=partnership, as_at=today
    ).filter(owned_by_person_or_organisation(person))
    if not include_closed:
        qs = qs.exclude(status__in=[Action.Status.COMPLETE, Action.Status.DROPPED])
    actions = list(qs.select_related("objective__grid__plan"))
    reported = last_reported([a.pk for a in actions])
    updatable = set(
        action_updatable_list(actor=actor, partnership=partnership)
        .filter(pk__in=[a.pk for a in actions])
        .values_list("pk", flat=True)
    )
    for a in actions:
        due = delivery.due_of(a)
        a.due_state = delivery.due_state(due, a.status, today, reported.get(a.pk))  # type: ignore[attr-defined]
        a.can_update = a.pk in updatable  # type: ignore[attr-defined]
    actions.sort(key=lambda a: (*delivery.sort_key(delivery.due_of(a), a.status, today), a.pk))
    return actions


def open_actions_for_sheet(
    *, actor: Any, partnership: Partnership, today: date
) -> QuerySet[Action]:
    """The open actions of the live plans that the actor may update, for the progress
    spreadsheet."""
    return (
        in_live_plans(
            action_updatable_list(actor=actor, partnership=partnership),
            partnership=partnership,
            as_at=today,
        )
        .exclude(status__in=[Action.Status.COMPLETE, Action.Status.DROPPED])
        .select_related("objective__grid__plan")
        .order_by(
            "objective__grid__plan",
            "objective__grid__position",
            "objective__position",
            "position",
            "id",
        )
    )
