"""Reads of plans and actions, scoped to the actor.

A provider user sees the plans but, of the actions, only those their organisation owns:
an owner who is one of its people, a named role held by one of its people, or an owner
cell that names the organisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from dathub.core.selectors import object_in
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Partnership

from .document.dates import financial_year_label, financial_year_of
from .models import Action, ActionOwner, Grid, Objective, Plan, PlanImport, Priority, SpendLine


def plan_list(
    *, actor: Any, partnership: Partnership, include_archived: bool = False
) -> QuerySet[Plan]:
    qs = Plan.objects.filter(partnership=partnership)
    if not include_archived:
        qs = qs.current()
    return qs if permissions.can(actor, partnership, r.VIEW_PLANS) else qs.none()


def plan_get(*, actor: Any, partnership: Partnership, pk: Any) -> Plan:
    return object_in(plan_list(actor=actor, partnership=partnership, include_archived=True), pk)


def plan_import_get(*, actor: Any, partnership: Partnership, pk: Any) -> PlanImport:
    qs = PlanImport.objects.filter(partnership=partnership)
    if not permissions.can(actor, partnership, r.MANAGE_PLANS):
        qs = qs.none()
    return object_in(qs, pk)


# Words every partnership's name shares, left out when two names are compared.
_NAME_NOISE = {
    "daat",
    "dat",
    "drug",
    "drugs",
    "and",
    "alcohol",
    "action",
    "team",
    "partnership",
    "the",
    "of",
    "combating",
    "substance",
    "misuse",
    "board",
    "city",
    "borough",
    "council",
}


def _name_words(name: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in _NAME_NOISE}


@dataclass
class ImportCheck:
    """What the import preview warns about before anything is saved."""

    other_partnership: str = ""  # the partnership the document names, when it is not ours
    same_document: list[Plan] = field(default_factory=list)  # plans made from this very file
    same_year: list[Plan] = field(default_factory=list)  # other plans of the document's year

    @property
    def replaceable(self) -> list[Plan]:
        """Drafts the import may replace instead of adding a second plan."""
        seen = {p.pk: p for p in [*self.same_document, *self.same_year]}
        return [p for p in seen.values() if p.status == Plan.Status.DRAFT]


def plan_import_check(*, actor: Any, staged: PlanImport) -> ImportCheck:
    partnership = staged.partnership
    check = ImportCheck()
    named = str(staged.parsed.get("partnership") or "").strip()
    ours = _name_words(partnership.name) | _name_words(partnership.code)
    if named and _name_words(named) and not (_name_words(named) & ours):
        check.other_partnership = named
    plans = plan_list(actor=actor, partnership=partnership).filter(archived_at__isnull=True)
    if staged.digest:
        earlier = PlanImport.objects.filter(
            partnership=partnership, digest=staged.digest, status=PlanImport.Status.CONFIRMED
        ).exclude(pk=staged.pk)
        check.same_document = list(plans.filter(imports__in=earlier).distinct())
    year = staged.parsed.get("financial_year") or ""
    if year:
        check.same_year = [
            p for p in plans.filter(financial_year=year) if p not in check.same_document
        ]
    return check


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


def grid_get(*, actor: Any, plan: Plan, pk: Any) -> Grid:
    return object_in(Grid.objects.filter(plan=plan), pk)


def objective_get(*, actor: Any, plan: Plan, pk: Any) -> Objective:
    return object_in(Objective.objects.filter(grid__plan=plan), pk)


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


# --- the dathub.plan/1 interchange form -------------------------------------------------


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


# --- finding actions ----------------------------------------------------------------------


def due_filter(period: str, today: date) -> Q:
    """Actions due in a named period. Overdue = past the deadline and not complete."""
    from .due import financial_quarter_bounds, month_bounds

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


def plan_get_visible(*, actor: Any, pk: Any) -> Plan:
    """A plan by id from any partnership the actor may see (the API addresses plans by id)."""
    from dathub.tenancy.selectors import partnership_list

    plan = object_in(Plan.objects.filter(partnership__in=partnership_list(actor=actor)), pk)
    if not permissions.can(actor, plan.partnership, r.VIEW_PLANS):
        raise Http404("No plan found")
    return plan


# --- delivery tracking ------------------------------------------------------------------
#
# Who may report progress (UPDATE_ACTIONS): whoever manages plans, on every action they see;
# a provider user, on the actions their organisation owns (action_list already narrows them);
# anyone else with the capability, on the actions they or the roles they hold own.


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


def live_plans(*, partnership: Partnership, as_at: date) -> QuerySet[Plan]:
    """The plans whose actions are the partnership's live work on `as_at`: the agreed or
    published plans of that financial year (until one is agreed, those of the year before,
    whose actions are still being finished), and any plan a co-ordinator has marked live.

    A draft or an older year's plan (an old plan imported for reference, next year's plan
    being written) is not live: its actions stay out of My actions, the overdue counts,
    reminders, the progress spreadsheet, the actions list's default view and board packs.
    Every one of those asks here."""
    this_year = financial_year_of(as_at)
    settled = (
        Plan.objects.current().filter(partnership=partnership).exclude(status=Plan.Status.DRAFT)
    )
    year = financial_year_label(this_year)
    if not settled.filter(financial_year=year).exists():
        year = financial_year_label(this_year - 1)
    return (
        Plan.objects.current()
        .filter(partnership=partnership)
        .filter(Q(marked_live=True) | Q(pk__in=settled.filter(financial_year=year)))
    )


def in_live_plans(
    qs: QuerySet[Action], *, partnership: Partnership, as_at: date
) -> QuerySet[Action]:
    """Meeting actions (they belong to no plan), and the actions of the live plans."""
    live = live_plans(partnership=partnership, as_at=as_at)
    return qs.filter(Q(objective__isnull=True) | Q(objective__grid__plan__in=live))


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


def progress_updates(*, actor: Any, action: Action) -> QuerySet[Any]:
    """The action's history, newest first. The action was fetched through action_get."""
    from .models import ProgressUpdate

    return ProgressUpdate.objects.filter(action=action).select_related("author")


def progress_update_get(*, actor: Any, partnership: Partnership, action_pk: Any, pk: Any) -> Any:
    action = action_get(actor=actor, partnership=partnership, pk=action_pk)
    return object_in(progress_updates(actor=actor, action=action), pk)


def last_reported(action_ids: list[int]) -> dict[int, date]:
    """The date of each action's latest progress update."""
    from django.db.models import Max

    from .models import ProgressUpdate

    rows = (
        ProgressUpdate.objects.filter(action_id__in=action_ids)
        .values("action_id")
        .annotate(last=Max("date"))
    )
    return {row["action_id"]: row["last"] for row in rows}


def latest_updates(action_ids: list[int], as_at: date | None = None) -> dict[int, Any]:
    """Each action's latest progress update (on or before `as_at` when given)."""
    from .models import ProgressUpdate

    qs = ProgressUpdate.objects.filter(action_id__in=action_ids)
    if as_at is not None:
        qs = qs.filter(date__lte=as_at)
    latest: dict[int, Any] = {}
    for update in qs.order_by("action_id", "-date", "-created_at", "-id"):
        latest.setdefault(update.action_id, update)
    return latest


def my_actions(
    *, actor: Any, partnership: Partnership, today: date, include_closed: bool = False
) -> list[Action]:
    """The actions the actor's person or the roles they hold own, across the plans being
    delivered and meeting actions: overdue first (most overdue first), then by deadline.
    Each action carries `due_state` and `can_update`."""
    from . import delivery

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


def progress_upload_get(*, actor: Any, partnership: Partnership, pk: Any) -> Any:
    """An upload report: only the person who uploaded it sees it."""
    from .models import ProgressUpload

    qs = ProgressUpload.objects.filter(partnership=partnership, uploaded_by=actor)
    if not permissions.can(actor, partnership, r.UPDATE_ACTIONS):
        qs = qs.none()
    return object_in(qs, pk)


def meeting_actions(*, actor: Any, partnership: Partnership) -> QuerySet[Action]:
    return action_list(actor=actor, partnership=partnership).filter(objective__isnull=True)
