"""Delivery tracking pages: an action's progress, My actions, the progress spreadsheet,
meeting actions. Thin: selectors read, services write."""

from __future__ import annotations

import mimetypes
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.text import slugify

from dathub.core import clock
from dathub.core.partnership_views import partnership_view
from dathub.core.web import XLSX, add_errors, attachment, form_page
from dathub.tenancy import permissions
from dathub.tenancy import roles as r

from . import delivery, delivery_xlsx, forms, selectors, services
from .document.dates import financial_year_label, financial_year_of
from .models import Action


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- one action -----------------------------------------------------------------------------


def _action_context(request: HttpRequest, partnership: Any, action: Action, form: Any) -> dict:
    today = clock.today()
    updates = list(selectors.progress_updates(actor=request.user, action=action))
    last = updates[0].date if updates else None
    return {
        "partnership": partnership,
        "action": action,
        "updates": updates,
        "form": form,
        "can_update": selectors.action_can_update(actor=request.user, action=action),
        "can_manage": permissions.can(request.user, partnership, r.MANAGE_PLANS),
        "state": delivery.due_state(delivery.due_of(action), action.status, today, last),
        "owners": list(action.owners.current().select_related("person", "role_name")),
        "today": today,
    }


@partnership_view(r.VIEW_PLANS)
def action_detail(request: HttpRequest, partnership: Any, action_pk: int) -> HttpResponse:
    action = selectors.action_get(actor=request.user, partnership=partnership, pk=action_pk)
    form = forms.ProgressUpdateForm(
        initial={"status": action.status, "percent_complete": action.percent_complete}
    )
    status = 200
    if request.method == "POST":
        if not selectors.action_can_update(actor=request.user, action=action):
            raise PermissionDenied("You may not report progress on this action.")
        form = forms.ProgressUpdateForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.progress_update_create(
                    actor=request.user,
                    action=action,
                    status=d["status"],
                    percent_complete=d["percent_complete"],
                    note=d["note"],
                    decision_needed=d["decision_needed"],
                    date=d["date"],
                    evidence_file=d["evidence_file"],
                    evidence_link=d["evidence_link"] or "",
                    source="page",
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "Progress recorded.")
                if not _is_htmx(request):
                    return redirect("planning:action-detail", partnership.code, action.pk)
                action.refresh_from_db()
                form = forms.ProgressUpdateForm(
                    initial={"status": action.status, "percent_complete": action.percent_complete}
                )
        if form.errors:
            status = 400
    context = _action_context(request, partnership, action, form)
    if _is_htmx(request):
        # htmx swaps just the progress region; messages would be lost in a fragment
        list(messages.get_messages(request))
        context["recorded"] = request.method == "POST" and not form.errors
        # htmx swaps only 2xx answers, so the fragment with its errors is sent as 200
        return render(request, "planning/includes/action_progress.html", context)
    return render(request, "planning/action_detail.html", context, status=status)


@partnership_view(r.VIEW_PLANS)
def update_evidence(
    request: HttpRequest, partnership: Any, action_pk: int, update_pk: int
) -> HttpResponseBase:
    update = selectors.progress_update_get(
        actor=request.user, partnership=partnership, action_pk=action_pk, pk=update_pk
    )
    if not update.evidence_file:
        raise Http404("No evidence file")
    name = update.evidence_name or update.evidence_file.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(
        update.evidence_file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=content_type,
    )


@partnership_view(r.MANAGE_PLANS)
def meeting_action_create(request: HttpRequest, partnership: Any) -> HttpResponse:
    form = forms.MeetingActionForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fy = financial_year_label(financial_year_of(clock.today()))
        try:
            action = services.action_create(
                actor=request.user,
                partnership=partnership,
                objective=None,
                text=d["text"],
                source=d["source"],
                owners_text=d["owners_text"],
                **services.read_due(d["due_text"], fy),
                **services.read_cost(d["cost_text"]),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Action added.")
            return redirect("planning:action-detail", partnership.code, action.pk)
    return form_page(
        request,
        form,
        "Add an action from a meeting or review",
        reverse("planning:action-search", args=[partnership.code]),
        submit_label="Add action",
        caption="Actions outside the plan",
    )


# --- my actions -----------------------------------------------------------------------------


def _rows_from_post(request: HttpRequest, ids: list[int]) -> list[dict[str, Any]]:
    rows = []
    for n, pk in enumerate(ids, start=1):
        rows.append(
            {
                "row": n,
                "action_id": pk,
                "status": request.POST.get(f"status-{pk}", ""),
                "percent": request.POST.get(f"percent-{pk}", ""),
                "note": request.POST.get(f"note-{pk}", ""),
            }
        )
    return rows


@partnership_view(r.VIEW_PLANS)
def my_actions(request: HttpRequest, partnership: Any) -> HttpResponse:
    today = clock.today()
    include_closed = request.GET.get("show") == "all"
    report = None
    if request.method == "POST":
        permissions.require(request.user, partnership, r.UPDATE_ACTIONS)
        mine = selectors.my_actions(actor=request.user, partnership=partnership, today=today)
        ids = [a.pk for a in mine if a.can_update]  # type: ignore[attr-defined]
        # Only the rows someone changed: an unchanged row keeps its status and has no note.
        current = {a.pk: a for a in mine}
        rows = [
            row
            for row in _rows_from_post(request, ids)
            if row["note"].strip()
            or (row["status"] and row["status"] != current[row["action_id"]].status)
            or (
                str(row["percent"]).strip()
                and str(row["percent"]).strip() != str(current[row["action_id"]].percent_complete)
            )
        ]
        report = services.progress_bulk_apply(
            actor=request.user, partnership=partnership, rows=rows, source="my-actions"
        )
        if report["rejected"] == 0:
            if report["applied"]:
                messages.success(
                    request,
                    f"Progress recorded on {report['applied']} action"
                    f"{'s' if report['applied'] != 1 else ''}.",
                )
            else:
                messages.info(request, "Nothing was changed.")
            return redirect("planning:my-actions", partnership.code)
    actions = selectors.my_actions(
        actor=request.user, partnership=partnership, today=today, include_closed=include_closed
    )
    rejected = {
        int(row["action_id"]): row
        for row in (report or {}).get("rows", [])
        if row["outcome"] == "rejected"
    }
    for a in actions:
        a.rejected = rejected.get(a.pk)  # type: ignore[attr-defined]
        if a.rejected:  # type: ignore[attr-defined]
            a.posted = {  # type: ignore[attr-defined]
                "status": request.POST.get(f"status-{a.pk}", a.status),
                "percent": request.POST.get(f"percent-{a.pk}", a.percent_complete),
                "note": request.POST.get(f"note-{a.pk}", ""),
            }
    return render(
        request,
        "planning/my_actions.html",
        {
            "partnership": partnership,
            "actions": actions,
            "report": report,
            "today": today,
            "include_closed": include_closed,
            "has_person": permissions.person_of(request.user, partnership) is not None,
            "can_update_any": any(a.can_update for a in cast(list[Any], actions)),
            "overdue": sum(1 for a in cast(list[Any], actions) if a.due_state.overdue),
            "statuses": Action.Status.choices,
            "can_bulk": permissions.can(request.user, partnership, r.UPDATE_ACTIONS),
        },
        status=400 if report and report["rejected"] else 200,
    )


# --- the progress spreadsheet -------------------------------------------------------------


def _sheet_row(a: Action) -> dict[str, Any]:
    objective = a.objective
    return {
        "Action id": a.pk,
        "Plan or source": (
            f"{objective.grid.plan.title} ({objective.grid.plan.financial_year})"
            if objective
            else a.source
        ),
        "Grid": objective.grid.number if objective else None,
        "Action": a.text,
        "By when": a.due_text,
        "Deadline": a.due_end,
        "By whom": a.owners_text,
        "Current status": a.get_status_display(),
        "Current % complete": a.percent_complete,
    }


@partnership_view(r.UPDATE_ACTIONS)
def progress_sheet(request: HttpRequest, partnership: Any) -> HttpResponse:
    today = clock.today()
    actions = selectors.open_actions_for_sheet(
        actor=request.user, partnership=partnership, today=today
    )
    content = delivery_xlsx.write_sheet(
        [_sheet_row(a) for a in actions],
        partnership_code=partnership.code,
        title=f"{partnership.name}: open actions, {today:%d %B %Y}. Fill in the yellow "
        "columns and upload the file back.",
    )
    return attachment(content, f"{slugify(partnership.code)}-progress-{today:%Y-%m-%d}.xlsx", XLSX)


@partnership_view(r.UPDATE_ACTIONS)
def progress_upload(request: HttpRequest, partnership: Any) -> HttpResponse:
    form = forms.ProgressUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["spreadsheet"]
        try:
            rows = delivery_xlsx.read_sheet(
                upload.read(),
                partnership_code=partnership.code,
                max_unzipped_bytes=services.max_unzipped_bytes(),
                max_rows=int(settings.DATHUB_PROGRESS_MAX_ROWS),
            )
        except delivery_xlsx.NotOurLayout as exc:
            form.add_error("spreadsheet", f"{exc} Nothing was applied.")
        else:
            saved = services.progress_upload_apply(
                actor=request.user, partnership=partnership, filename=upload.name, rows=rows
            )
            return redirect("planning:progress-upload-report", partnership.code, saved.pk)
    return render(
        request,
        "planning/progress_upload.html",
        {"partnership": partnership, "form": form},
        status=400 if form.errors else 200,
    )


@partnership_view(r.UPDATE_ACTIONS)
def progress_upload_report(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    upload = selectors.progress_upload_get(actor=request.user, partnership=partnership, pk=pk)
    return render(
        request,
        "planning/progress_upload_report.html",
        {"partnership": partnership, "upload": upload, "report": upload.report},
    )


@partnership_view(r.UPDATE_ACTIONS)
def progress_upload_rejected(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    """The rejected rows, in the same layout with the reason, to correct and upload again."""
    upload = selectors.progress_upload_get(actor=request.user, partnership=partnership, pk=pk)
    rejected = [row for row in upload.report.get("rows", []) if row["outcome"] == "rejected"]
    known = {
        a.pk: a
        for a in selectors.action_updatable_list(actor=request.user, partnership=partnership)
        .filter(pk__in=[int(r["action_id"]) for r in rejected if str(r["action_id"]).isdigit()])
        .select_related("objective__grid__plan")
    }
    rows = []
    for row in rejected:
        action = known.get(int(row["action_id"])) if str(row["action_id"]).isdigit() else None
        values = row.get("values", {})
        out: dict[str, Any] = _sheet_row(action) if action else {"Action id": row["action_id"]}
        for header, key in delivery_xlsx.FIELD_OF.items():
            out[header] = values.get(key, "")
        out[delivery_xlsx.REASON_HEADER] = row.get("reason", "")
        rows.append(out)
    content = delivery_xlsx.write_sheet(
        rows,
        partnership_code=partnership.code,
        title=f"Rows rejected from {upload.filename}: correct them and upload this file.",
        reasons=True,
    )
    return attachment(content, f"{slugify(partnership.code)}-rejected-rows-{upload.pk}.xlsx", XLSX)


urlpatterns = [
    path("p/<str:code>/my-actions/", my_actions, name="my-actions"),
    path("p/<str:code>/actions/new/", meeting_action_create, name="meeting-action-create"),
    path("p/<str:code>/actions/progress.xlsx", progress_sheet, name="progress-sheet"),
    path("p/<str:code>/actions/upload/", progress_upload, name="progress-upload"),
    path(
        "p/<str:code>/actions/upload/<int:pk>/",
        progress_upload_report,
        name="progress-upload-report",
    ),
    path(
        "p/<str:code>/actions/upload/<int:pk>/rejected.xlsx",
        progress_upload_rejected,
        name="progress-upload-rejected",
    ),
    path("p/<str:code>/actions/<int:action_pk>/", action_detail, name="action-detail"),
    path(
        "p/<str:code>/actions/<int:action_pk>/updates/<int:update_pk>/evidence/",
        update_evidence,
        name="update-evidence",
    ),
]
