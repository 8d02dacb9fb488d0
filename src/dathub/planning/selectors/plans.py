"""Reads of plans, their grids and objectives, scoped to the actor; and which plans are
the partnership's live work on a day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, Q, QuerySet
from django.http import Http404

from dathub.core.selectors import object_in
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Partnership

from ..document.dates import financial_year_label, financial_year_of
from ..models import Action, Grid, Objective, Plan


def plan_list(
    *, actor: Any, partnership: Partnership, include_archived: bool = False
) -> QuerySet[Plan]:
    qs = Plan.objects.filter(partnership=partnership)
    if not include_archived:
        qs = qs.current()
    return qs if permissions.can(actor, partnership, r.VIEW_PLANS) else qs.none()


def plan_get(*, actor: Any, partnership: Partnership, pk: Any) -> Plan:
    return object_in(plan_list(actor=actor, partnership=partnership, include_archived=True), pk)


def grid_get(*, actor: Any, plan: Plan, pk: Any) -> Grid:
    return object_in(Grid.objects.filter(plan=plan), pk)


def objective_get(*, actor: Any, plan: Plan, pk: Any) -> Objective:
    return object_in(Objective.objects.filter(grid__plan=plan), pk)


def plan_get_visible(*, actor: Any, pk: Any) -> Plan:
    """A plan by id from any partnership the actor may see (the API addresses plans by id)."""
    from dathub.tenancy.selectors import partnership_list

    plan = object_in(Plan.objects.filter(partnership__in=partnership_list(actor=actor)), pk)
    if not permissions.can(actor, plan.partnership, r.VIEW_PLANS):
        raise Http404("No plan found")
    return plan


def live_plans(*, partnership: Partnership, as_at: date) -> QuerySet[Plan]:
    """The plans whose actions are the partnership's live work on `as_at`: the agreed or
    published plans of that financial year (until one is agreed, those of the year before,
    whose actions are still being finished), and any plan a co-ordinator has marked live.

    A draft or an older year's plan (an old plan imported for reference, next year's plan
    being written) is not live: its actions stay out of My actions, the overdue counts,
    reminders, the progress spreadsheet, the actions list's default view and board packs.
    Every one of those asks here."""
    this_year = financial_year_of(as_at)
    year, last_year = financial_year_label(this_year), financial_year_label(this_year - 1)
    plans = Plan.objects.current().filter(partnership=partnership)
    settled = plans.exclude(status=Plan.Status.DRAFT)
    # one lazy query, so that asking per person (reminders) costs no query of its own
    this_years_agreed = Exists(settled.filter(financial_year=year))
    return plans.filter(
        Q(marked_live=True)
        | Q(pk__in=settled.filter(financial_year=year))
        | (Q(pk__in=settled.filter(financial_year=last_year)) & ~this_years_agreed)
    )


def in_live_plans(
    qs: QuerySet[Action], *, partnership: Partnership, as_at: date
) -> QuerySet[Action]:
    """Meeting actions (they belong to no plan), and the actions of the live plans."""
    live = live_plans(partnership=partnership, as_at=as_at)
    return qs.filter(Q(objective__isnull=True) | Q(objective__grid__plan__in=live))
