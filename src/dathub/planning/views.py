"""Plan pages: list, import with preview, the plan as its grids, status and roll-over,
search, export. Editing a plan's grids, objectives and actions is in part_views."""

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
from django.views.decorators.http import require_GET, require_POST

from dathub.core import clock
from dathub.core.partnership_views import partnership_view
from dathub.core.web import DOCX, XLSX, add_errors, attachment, form_page
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy import selectors as tenancy_selectors

from . import forms, selectors, services
from .document import export_docx, export_xlsx
from .models import Action

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
            "next_statuses": services.next_statuses(plan),
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
        suggested = services.next_year(plan.financial_year)
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
    """The upload: the request only stores the file; it is read in the background while the
    preview page shows how far the reading has got."""
    form = forms.PlanImportForm(
        request.POST or None, request.FILES or None, partnership=partnership
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["document"]
        try:
            staged = services.plan_import_upload(
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


def _import_status_context(partnership: Any, staged: Any) -> dict[str, Any]:
    return {
        "partnership": partnership,
        "staged": staged,
        # reading with no sign of life: the page stops polling and says so
        "stalled": services.plan_import_is_stale(staged),
        "retryable": services.plan_import_can_retry(staged),
    }


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
            **_import_status_context(partnership, staged),
            "data": data,
            "counts": counts,
            "issues": staged.issues,
            "check": check,
            "editable": False,
            "statuses": {},
            "lifetime_hours": round(services.staged_lifetime().total_seconds() / 3600),
        },
    )


@partnership_view(r.MANAGE_PLANS)  # outermost: one without the right is refused first
@require_GET
def plan_import_status(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    """The small progress fragment htmx polls while the document is being read."""
    staged = selectors.plan_import_get(actor=request.user, partnership=partnership, pk=pk)
    response = render(
        request,
        "planning/includes/import_status.html",
        _import_status_context(partnership, staged),
    )
    if request.GET.get("was") == "reading" and staged.status != "reading":
        response["HX-Refresh"] = "true"  # read (or failed): reload the page to show it
    return response


@require_POST
@partnership_view(r.MANAGE_PLANS)
def plan_import_retry(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    """The "Try again" of a reading that failed or stalled."""
    staged = selectors.plan_import_get(actor=request.user, partnership=partnership, pk=pk)
    try:
        services.plan_import_retry(actor=request.user, plan_import=staged)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("planning:plan-import-preview", partnership.code, staged.pk)


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
    path(
        "p/<str:code>/plans/imports/<int:pk>/status/", plan_import_status, name="plan-import-status"
    ),
    path("p/<str:code>/plans/imports/<int:pk>/retry/", plan_import_retry, name="plan-import-retry"),
    path(P, plan_detail, name="plan-detail"),
    path(f"{P}edit/", plan_edit, name="plan-edit"),
    path(f"{P}status/", plan_status, name="plan-status"),
    path(f"{P}live/", plan_live, name="plan-live"),
    path(f"{P}roll-over/", plan_roll_over, name="plan-roll-over"),
    path(f"{P}archive/", plan_archive, name="plan-archive"),
    path(f"{P}export.<str:fmt>", plan_export, name="plan-export"),
    path("p/<str:code>/actions/", action_search, name="action-search"),
]
