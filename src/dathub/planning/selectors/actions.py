"""Finding actions, scoped to the actor. A provider user sees, of the actions, only those
their organisation owns: an owner who is one of its people, a named role held by one of its
people, or an owner cell that names the organisation.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from dathub.core.selectors import object_in
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Partnership

from ..models import Action, ActionOwner
from .plans import in_live_plans


def _owned_by_organisation(qs: QuerySet[Action], organisation: Any) -> QuerySet[Action]:
    if organisation is None:
        return qs.none()
    owners = (
        ActionOwner.objects.current()
        .filter(action=OuterRef("pk"))
        .filter(
            Q(person__organisation=organisation)
            | Q(role_name__holder__organisation=organisation)
            | Q(text__icontains=organisation.name)
        )
    )
    return qs.filter(Exists(owners) | Q(owners_text__icontains=organisation.name))


def action_list(
    *, actor: Any, partnership: Partnership, include_archived: bool = False
) -> QuerySet[Action]:
    qs: QuerySet[Action] = Action.objects.filter(partnership=partnership)
    if not include_archived:
        qs = (
            Action.objects.current()
            .filter(partnership=partnership)
            .filter(
                Q(objective__isnull=True)
                | Q(
                    objective__archived_at__isnull=True,
                    objective__grid__archived_at__isnull=True,
                    objective__grid__plan__archived_at__isnull=True,
                )
            )
        )
    if not permissions.can(actor, partnership, r.VIEW_PLANS):
        return qs.none()
    scope = permissions.organisation_scope(actor, partnership)
    if scope is not False:
        qs = _owned_by_organisation(qs, scope)
    return qs


def action_get(*, actor: Any, partnership: Partnership, pk: Any) -> Action:
    return object_in(action_list(actor=actor, partnership=partnership, include_archived=True), pk)


def due_filter(period: str, today: date) -> Q:
    """Actions due in a named period. Overdue = past the deadline and not complete."""
    from ..due import financial_quarter_bounds, month_bounds

    closed = [Action.Status.COMPLETE, Action.Status.DROPPED]
    if period == "overdue":
        return Q(due_end__lt=today, due_ongoing=False) & ~Q(status__in=closed)
    if period == "this_month":
        start, end = month_bounds(today)
        return Q(due_end__range=(start, end))
    if period in {"this_quarter", "next_quarter"}:
        start, end = financial_quarter_bounds(today, 0 if period == "this_quarter" else 1)
        return Q(due_end__range=(start, end))
    if period == "recurring":
        return ~Q(due_recurrence="")
    if period == "ongoing":
        return Q(due_ongoing=True, due_end__isnull=True, due_recurrence="")
    if period == "no_date":
        return ~Q(due_text="") & Q(
            due_start__isnull=True, due_end__isnull=True, due_recurrence="", due_ongoing=False
        )
    return Q()


def action_search(
    *,
    actor: Any,
    partnership: Partnership,
    today: date,
    q: str = "",
    owner: str = "",
    due: str = "",
    plan: str = "",
    grid: int | None = None,
    status: str = "",
) -> QuerySet[Action]:
    qs = action_list(actor=actor, partnership=partnership).select_related("objective__grid__plan")
    if plan:
        qs = qs.filter(objective__grid__plan_id=int(plan)) if plan.isdigit() else qs.none()
    elif not q and not owner:
        # Without a plan chosen, the live work; a search looks through every plan.
        qs = in_live_plans(qs, partnership=partnership, as_at=today)
    if grid:
        qs = qs.filter(objective__grid__number=grid)
    if q:
        qs = qs.filter(
            Q(text__icontains=q)
            | Q(owners_text__icontains=q)
            | Q(objective__title__icontains=q)
            | Q(source__icontains=q)
        )
    if owner:
        kind, _, pk = owner.partition(":")
        field = {"person": "person_id", "role": "role_name_id"}.get(kind)
        if field and pk.isdigit():
            owned = ActionOwner.objects.current().filter(action=OuterRef("pk"), **{field: pk})
            qs = qs.filter(Exists(owned))
    if status == "open":
        qs = qs.exclude(status__in=[Action.Status.COMPLETE, Action.Status.DROPPED])
    elif status:
        qs = qs.filter(status=status)
    if due:
        qs = qs.filter(due_filter(due, today))
    return qs.order_by(
        "due_end",
        "objective__grid__plan",
        "objective__grid__position",
        "objective__position",
        "position",
        "id",
    )


def owned_by_person(person: Any) -> Exists:
    """Actions one of whose current owners is the person or a role the person holds."""
    return Exists(
        ActionOwner.objects.current().filter(
            Q(person=person) | Q(role_name__holder=person, role_name__archived_at__isnull=True),
            action=OuterRef("pk"),
        )
    )


def owned_by_person_or_organisation(person: Any) -> Q:
    """What is the person's to deliver: actions they or their roles own and, for a provider
    user, the actions their organisation owns."""
    mine = Q(owned_by_person(person))
    membership = getattr(person, "membership", None)
    if (
        membership is not None
        and membership.archived_at is None
        and membership.organisation_id is not None
        and set(membership.roles) <= set(r.ORGANISATION_SCOPED_ROLES)
    ):
        org_owned = _owned_by_organisation(Action.objects.all(), membership.organisation).values(
            "pk"
        )
        mine |= Q(pk__in=org_owned)
    return mine


def action_updatable_list(*, actor: Any, partnership: Partnership) -> QuerySet[Action]:
    qs = action_list(actor=actor, partnership=partnership)
    if not permissions.can(actor, partnership, r.UPDATE_ACTIONS):
        return qs.none()
    if permissions.can(actor, partnership, r.MANAGE_PLANS):
        return qs
    if permissions.organisation_scope(actor, partnership) is not False:
        return qs  # already narrowed to the organisation's actions
    person = permissions.person_of(actor, partnership)
    return qs.filter(owned_by_person(person)) if person is not None else qs.none()


def action_can_update(*, actor: Any, action: Action) -> bool:
    if action.archived_at is not None:
        return False
    return (
        action_updatable_list(actor=actor, partnership=action.partnership)
        .filter(pk=action.pk)
        .exists()
    )


def meeting_actions(*, actor: Any, partnership: Partnership) -> QuerySet[Action]:
    return action_list(actor=actor, partnership=partnership).filter(objective__isnull=True)
