"""Plan pages: list, import with preview, the plan as its grids, editing, search, export."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from dathub.core import clock
from dathub.core.partnership_views import partnership_view
from dathub.core.web import DOCX, XLSX, add_errors, attachment, form_page
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy import selectors as tenancy_selectors

from . import forms, selectors, services
from .document import export_docx, export_xlsx
from .models import Action, Plan

# --- plans ----------------------------------------------------------------------------------


@partnership_view(r.VIEW_PLANS)
def plan_list(request: HttpRequest, partnership: Any) -> HttpResponse:
    plans = selectors.plan_list(actor=request.user, partnership=partnership)
    return render(
        request,
        "planning/plan_list.html",
        {
            "plans": plans,
            "partnership": partnership,
            "can_manage": permissions.can(request.user, partnership, r.MANAGE_PLANS),
        },
    )


@partnership_view(r.MANAGE_PLANS)
def plan_create(request: HttpRequest, partnership: Any) -> HttpResponse:
    form = forms.PlanForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                actor=request.user, partnership=partnership, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Plan ‘{plan}’ created as a draft.")
            return redirect("planning:plan-detail", partnership.code, plan.pk)
    return form_page(
        request,
        form,
        "Create a plan",
        reverse("planning:plan-list", args=[partnership.code]),
        "Create plan",
    )


@partnership_view(r.VIEW_PLANS)
def plan_detail(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, partnership=partnership, pk=pk)
    data = selectors.plan_as_json(actor=request.user, plan=plan)
    can_manage = permissions.can(request.user, partnership, r.MANAGE_PLANS) and not plan.archived_at
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "data": data,
            "partnership": partnership,
            "can_manage": can_manage,
            "editable": can_manage,
            "statuses": dict(Action.Status.choices),
            "next_statuses": [
                s for s in Plan.Status if s in services._NEXT_STATUS[Plan.Status(plan.status)]
            ],
            "scoped": permissions.organisation_scope(request.user, partnership) is not False,
            "today_iso": clock.today().isoformat(),
            "is_live": selectors.live_plans(partnership=partnership, as_at=clock.today())
            .filter(pk=plan.pk)
            .exists(),
        },
    )


@partnership_view(r.MANAGE_PLANS)
def plan_edit(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, partnership=partnership, pk=pk)
    form = forms.PlanForm(
        request.POST or None,
        partnership=partnership,
        initial={"financial_year": plan.financial_year, "title": plan.title},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Plan saved.")
            return redirect("planning:plan-detail", partnership.code, plan.pk)
    return form_page(
        request,
        form,
        "Change plan",
        reverse("planning:plan-detail", args=[partnership.code, plan.pk]),
    )


@require_POST
@partnership_view(r.MANAGE_PLANS)
def plan_status(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, partnership=partnership, pk=pk)
    form = forms.PlanStatusForm(request.POST)
    if form.is_valid():
        try:
            services.plan_set_status(
                actor=request.user, plan=plan, status=form.cleaned_data["status"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"The plan is now {plan.get_status_display().lower()}.")
    return redirect("planning:plan-detail", partnership.code, plan.pk)


@require_POST
@partnership_view(r.MANAGE_PLANS)
def plan_live(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, partnership=partnership, pk=pk)
    live = request.POST.get("live") == "yes"
    services.plan_set_live(actor=request.user, plan=plan, live=live)
    messages.success(
        request,
        "Delivery tracking now follows this plan."
        if live
        else "This plan is live work only while it is the agreed or published plan of the year.",
    )
    return redirect("planning:plan-detail", partnership.code, plan.pk)


@partnership_view(r.MANAGE_PLANS)
def plan_roll_over(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, partnership=partnership, pk=pk)
    try:
        suggested = services._next_year(plan.financial_year)
    except ValidationError:
        suggested = ""
    form = forms.RollOverForm(
        request.POST or None, partnership=partnership, initial={"financial_year": suggested}
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.plan_roll_over(
                actor=request.user, plan=plan, financial_year=form.cleaned_data["financial_year"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                f"Draft plan ‘{new}’ created from {plan.financial_year}, "
                "with the actions not yet complete carried forward.",
            )
            return redirect("planning:plan-detail", partnership.code, new.pk)
    return form_page(
        request,
        form,
        f"Roll ‘{plan}’ over to the next year",
        reverse("planning:plan-detail", args=[partnership.code, plan.pk]),
        "Create next year's draft",
    )


@partnership_view(r.MANAGE_PLANS)
def plan_archive(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, partnership=partnership, pk=pk)
    if request.method == "POST":
        services.plan_archive(actor=request.user, plan=plan)
        messages.success(request, f"Plan ‘{plan}’ archived.")
        return redirect("planning:plan-list", partnership.code)
    return render(
        request,
        "planning/confirm.html",
        {
            "heading": f"Archive the plan ‘{plan}’?",
            "button": "Archive plan",
            "text": "The plan is kept with its history but no longer listed. Nothing is deleted.",
            "cancel_url": reverse("planning:plan-detail", args=[partnership.code, plan.pk]),
        },
    )


@partnership_view(r.VIEW_PLANS)
def plan_export(request: HttpRequest, partnership: Any, pk: int, fmt: str) -> HttpResponse:
    if fmt not in {"docx", "xlsx", "json"}:
        raise Http404("No such format")
    plan = selectors.plan_get(actor=request.user, partnership=partnership, pk=pk)
    data = selectors.plan_as_json(actor=request.user, plan=plan)
    name = slugify(f"{partnership.code} {plan.title}")[:80] or "plan"
    if fmt == "docx":
        return attachment(export_docx(data), f"{name}.docx", DOCX)
    if fmt == "xlsx":
        return attachment(export_xlsx(data), f"{name}.xlsx", XLSX)
    return attachment(
        json.dumps(data, indent=2, ensure_ascii=False).encode(), f"{name}.json", "application/json"
    )


# --- import with preview ----------------------------------------------------------------------


@partnership_view(r.MANAGE_PLANS)
def plan_import(request: HttpRequest, partnership: Any) -> HttpResponse:
    form = forms.PlanImportForm(
        request.POST or None, request.FILES or None, partnership=partnership
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["document"]
        try:
            staged = services.plan_import_stage(
                actor=request.user,
                partnership=partnership,
                filename=upload.name,
                data=upload.read(),
                financial_year=form.cleaned_data["financial_year"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("planning:plan-import-preview", partnership.code, staged.pk)
    return form_page(
        request,
        form,
        "Import a plan document",
        reverse("planning:plan-list", args=[partnership.code]),
        "Upload and preview",
    )


@partnership_view(r.MANAGE_PLANS)
def plan_import_preview(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    staged = selectors.plan_import_get(actor=request.user, partnership=partnership, pk=pk)
    check = selectors.plan_import_check(actor=request.user, staged=staged)
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "confirm":
                choice = request.POST.get("replace", "")
                replace = next((p for p in check.replaceable if str(p.pk) == choice), None)
                plan = services.plan_import_confirm(
                    actor=request.user, plan_import=staged, replace=replace
                )
                messages.success(
                    request,
                    f"Plan ‘{plan}’ imported as a draft"
                    + (f", replacing the draft ‘{replace}’." if replace else "."),
                )
                return redirect("planning:plan-detail", partnership.code, plan.pk)
            services.plan_import_cancel(actor=request.user, plan_import=staged)
            messages.success(request, "Import cancelled: nothing was saved.")
            return redirect("planning:plan-list", partnership.code)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    data = staged.parsed
    counts = {
        "grids": len(data.get("grids", [])),
        "objectives": sum(len(g.get("objectives", [])) for g in data.get("grids", [])),
        "actions": sum(
            len(o.get("actions", []))
            for g in data.get("grids", [])
            for o in g.get("objectives", [])
        ),
    }
    return render(
        request,
        "planning/import_preview.html",
        {
            "staged": staged,
            "data": data,
            "counts": counts,
            "issues": staged.issues,
            "check": check,
            "partnership": partnership,
            "editable": False,
            "statuses": {},
        },
    )


# --- grids, objectives, actions -------------------------------------------------------------


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


# --- finding actions ----------------------------------------------------------------------


@partnership_view(r.VIEW_PLANS)
def action_search(request: HttpRequest, partnership: Any) -> HttpResponse:
    # Only the roles and people the actor may see (a provider: their own organisation's).
    owners = [
        (f"role:{rn.pk}", f"{rn.abbreviation}" + (f" ({rn.name})" if rn.name else ""))
        for rn in tenancy_selectors.role_name_list(actor=request.user, partnership=partnership)
    ]
    owners += [
        (f"person:{p.pk}", p.full_name)
        for p in tenancy_selectors.person_list(actor=request.user, partnership=partnership)
    ]
    plans = [
        (str(p.pk), f"{p.title} ({p.financial_year})")
        for p in selectors.plan_list(actor=request.user, partnership=partnership)
    ]
    form = forms.ActionSearchForm(request.GET or None, owners=owners, plans=plans)
    criteria = form.cleaned_data if form.is_valid() else {}
    actions = selectors.action_search(
        actor=request.user,
        partnership=partnership,
        today=clock.today(),
        q=criteria.get("q", ""),
        owner=criteria.get("owner", ""),
        due=criteria.get("due", ""),
        plan=criteria.get("plan", ""),
        grid=criteria.get("grid"),
        status=criteria.get("status", ""),
    )
    page = Paginator(actions, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "planning/action_search.html",
        {
            "form": form,
            "page": page,
            "partnership": partnership,
            "querystring": query.urlencode(),
            "today": clock.today(),
            "count": page.paginator.count,
            "can_manage": permissions.can(request.user, partnership, r.MANAGE_PLANS),
        },
    )


app_name = "planning"
P = "p/<str:code>/plans/<int:pk>/"
urlpatterns = [
    path("p/<str:code>/plans/", plan_list, name="plan-list"),
    path("p/<str:code>/plans/new/", plan_create, name="plan-create"),
    path("p/<str:code>/plans/import/", plan_import, name="plan-import"),
    path("p/<str:code>/plans/imports/<int:pk>/", plan_import_preview, name="plan-import-preview"),
    path(P, plan_detail, name="plan-detail"),
    path(f"{P}edit/", plan_edit, name="plan-edit"),
    path(f"{P}status/", plan_status, name="plan-status"),
    path(f"{P}live/", plan_live, name="plan-live"),
    path(f"{P}roll-over/", plan_roll_over, name="plan-roll-over"),
    path(f"{P}archive/", plan_archive, name="plan-archive"),
    path(f"{P}export.<str:fmt>", plan_export, name="plan-export"),
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
    path("p/<str:code>/actions/", action_search, name="action-search"),
    path("p/<str:code>/actions/<int:action_pk>/owners/", action_owners, name="action-owners"),
]
