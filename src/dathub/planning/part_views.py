"""Editing a plan's parts: its grids, objectives and actions, an action's owners, and
archiving a part."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from dathub.core.partnership_views import partnership_view
from dathub.core.web import add_errors, form_page
from dathub.tenancy import roles as r

from . import forms, selectors, services
from .models import Plan


def _plan_url(partnership: Any, plan: Plan, anchor: str = "") -> str:
    url = reverse("planning:plan-detail", args=[partnership.code, plan.pk])
    return f"{url}#{anchor}" if anchor else url


@partnership_view(r.MANAGE_PLANS)
def grid_edit(
    request: HttpRequest, partnership: Any, pk: int, grid_pk: int | None = None
) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, partnership=partnership, pk=pk)
    grid = selectors.grid_get(actor=request.user, plan=plan, pk=grid_pk) if grid_pk else None
    initial: dict[str, Any] = {}
    if grid is not None:
        initial = {
            "number": grid.number,
            "title": grid.title,
            "rating": grid.rating,
            "assessment": grid.assessment,
            "priorities": "\n".join(p.text for p in grid.priorities.current()),
            "spend": "\n".join(f"{s.label} | {s.amount:.0f}" for s in grid.spend_lines.current()),
        }
    else:
        initial = {"number": plan.grids.current().count() + 1}
    form = forms.GridForm(request.POST or None, partnership=partnership, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved = services.grid_save(
                actor=request.user,
                plan=plan,
                grid=grid,
                priorities=d["priorities"],
                spend=d["spend"],
                number=d["number"],
                title=d["title"],
                rating=d["rating"],
                assessment=d["assessment"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{saved} saved.")
            return redirect(_plan_url(partnership, plan, f"grid-{saved.pk}"))
    return form_page(
        request,
        form,
        "Change planning grid" if grid else "Add a planning grid",
        _plan_url(partnership, plan),
        caption=str(plan),
    )


@partnership_view(r.MANAGE_PLANS)
def objective_edit(
    request: HttpRequest, partnership: Any, pk: int, grid_pk: int, objective_pk: int | None = None
) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, partnership=partnership, pk=pk)
    grid = selectors.grid_get(actor=request.user, plan=plan, pk=grid_pk)
    objective = (
        selectors.objective_get(actor=request.user, plan=plan, pk=objective_pk)
        if objective_pk
        else None
    )
    if objective is not None and objective.grid_id != grid.pk:
        raise Http404("No objective found")  # addressed under another grid of the plan
    initial: dict[str, Any] = {}
    if objective is not None:
        initial = {
            "number": objective.number,
            "title": objective.title,
            "due_text": objective.due_text,
            "owners_text": objective.owners_text,
            "notes": "\n".join(objective.notes),
        }
    form = forms.ObjectiveForm(request.POST or None, partnership=partnership, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {
            "number": d["number"],
            "title": d["title"],
            "owners_text": d["owners_text"],
            "notes": [n.strip() for n in d["notes"].splitlines() if n.strip()],
            **services.read_due(d["due_text"], plan.financial_year),
        }
        try:
            if objective is None:
                objective = services.objective_create(actor=request.user, grid=grid, **fields)
            else:
                objective = services.objective_update(
                    actor=request.user, objective=objective, **fields
                )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Objective saved.")
            return redirect(_plan_url(partnership, plan, f"objective-{objective.pk}"))
    return form_page(
        request,
        form,
        "Change objective" if objective else "Add an objective",
        _plan_url(partnership, plan),
        caption=str(grid),
    )


@partnership_view(r.MANAGE_PLANS)
def action_edit(
    request: HttpRequest, partnership: Any, pk: int, objective_pk: int, action_pk: int | None = None
) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, partnership=partnership, pk=pk)
    objective = selectors.objective_get(actor=request.user, plan=plan, pk=objective_pk)
    action = (
        selectors.action_get(actor=request.user, partnership=partnership, pk=action_pk)
        if action_pk
        else None
    )
    if action is not None and action.objective_id != objective.pk:
        action = selectors.action_get(actor=request.user, partnership=partnership, pk=0)
    initial: dict[str, Any] = {}
    if action is not None:
        initial = {
            "text": action.text,
            "due_text": action.due_text,
            "owners_text": action.owners_text,
            "cost_text": action.cost_text,
        }
    form = forms.ActionForm(request.POST or None, partnership=partnership, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {
            "text": d["text"],
            "owners_text": d["owners_text"],
            **services.read_due(d["due_text"], plan.financial_year),
            **services.read_cost(d["cost_text"]),
        }
        try:
            if action is None:
                action = services.action_create(
                    actor=request.user, partnership=partnership, objective=objective, **fields
                )
            else:
                action = services.action_update(actor=request.user, action=action, **fields)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Action saved.")
            return redirect(_plan_url(partnership, plan, f"action-{action.pk}"))
    return form_page(
        request,
        form,
        "Change action" if action else "Add an action",
        _plan_url(partnership, plan),
        caption=str(objective),
    )


@partnership_view(r.MANAGE_PLANS)
def action_owners(request: HttpRequest, partnership: Any, action_pk: int) -> HttpResponse:
    action = selectors.action_get(actor=request.user, partnership=partnership, pk=action_pk)
    current = list(action.owners.current())
    form = forms.ActionOwnersForm(
        request.POST or None,
        partnership=partnership,
        initial={
            "people": [o.person_id for o in current if o.person_id],
            "role_names": [o.role_name_id for o in current if o.role_name_id],
        },
    )
    back = (
        _plan_url(partnership, action.objective.grid.plan, f"action-{action.pk}")
        if action.objective
        else reverse("planning:action-search", args=[partnership.code])
    )
    if request.method == "POST" and form.is_valid():
        services.action_owners_set(
            actor=request.user,
            action=action,
            people=list(form.cleaned_data["people"]),
            role_names=list(form.cleaned_data["role_names"]),
        )
        messages.success(request, "Owners saved.")
        return redirect(back)
    return form_page(
        request, form, "Who owns this action?", back, "Save owners", caption=action.text[:120]
    )


@partnership_view(r.MANAGE_PLANS)
def archive_part(
    request: HttpRequest, partnership: Any, pk: int, kind: str, part_pk: int
) -> HttpResponse:
    if kind not in {"grid", "objective", "action"}:
        raise Http404("Nothing to archive")
    plan = selectors.plan_get(actor=request.user, partnership=partnership, pk=pk)
    if kind == "grid":
        obj: Any = selectors.grid_get(actor=request.user, plan=plan, pk=part_pk)
        archive: Any = lambda: services.grid_archive(actor=request.user, grid=obj)  # noqa: E731
    elif kind == "objective":
        obj = selectors.objective_get(actor=request.user, plan=plan, pk=part_pk)
        archive = lambda: services.objective_archive(actor=request.user, objective=obj)  # noqa: E731
    else:
        obj = selectors.action_get(actor=request.user, partnership=partnership, pk=part_pk)
        if obj.objective is None or obj.objective.grid.plan_id != plan.pk:
            obj = selectors.action_get(actor=request.user, partnership=partnership, pk=0)
        archive = lambda: services.action_archive(actor=request.user, action=obj)  # noqa: E731
    if request.method == "POST":
        archive()
        messages.success(request, f"{kind.capitalize()} archived.")
        return redirect(_plan_url(partnership, plan))
    return render(
        request,
        "planning/confirm.html",
        {
            "heading": f"Archive this {kind}?",
            "quote": str(obj),
            "button": f"Archive {kind}",
            "text": "It is kept with its history but no longer shown in the plan.",
            "cancel_url": _plan_url(partnership, plan),
        },
    )


P = "p/<str:code>/plans/<int:pk>/"
urlpatterns = [
    path(f"{P}grids/new/", grid_edit, name="plan-grid-create"),
    path(f"{P}grids/<int:grid_pk>/edit/", grid_edit, name="plan-grid-edit"),
    path(f"{P}grids/<int:grid_pk>/objectives/new/", objective_edit, name="plan-objective-create"),
    path(
        f"{P}grids/<int:grid_pk>/objectives/<int:objective_pk>/edit/",
        objective_edit,
        name="plan-objective-edit",
    ),
    path(f"{P}objectives/<int:objective_pk>/actions/new/", action_edit, name="plan-action-create"),
    path(
        f"{P}objectives/<int:objective_pk>/actions/<int:action_pk>/edit/",
        action_edit,
        name="plan-action-edit",
    ),
    path(f"{P}<str:kind>/<int:part_pk>/archive/", archive_part, name="plan-part-archive"),
    path("p/<str:code>/actions/<int:action_pk>/owners/", action_owners, name="action-owners"),
]
