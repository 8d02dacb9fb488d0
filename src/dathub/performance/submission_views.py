"""Record submission pages: the list, the upload, a submission with its report and its
decisions (confirm a replacement, try again), its rows and its rejected rows. Thin: the work
is in services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from dathub.core import clock
from dathub.core.partnership_views import partnership_view
from dathub.core.web import add_errors, attachment
from dathub.tenancy import permissions
from dathub.tenancy import roles as r

from . import forms, selectors, services
from .views import form_page


@require_GET
@partnership_view(r.VIEW_PERFORMANCE)
def submission_list(request: HttpRequest, partnership: Any) -> HttpResponse:
    subs = selectors.submission_list(actor=request.user, partnership=partnership).select_related(
        "submitted_by"
    )
    return render(
        request,
        "performance/submission_list.html",
        {
            "partnership": partnership,
            "submissions": subs[:500],
            "can_submit": bool(services.agencies_for(request.user, partnership)),
        },
    )


@partnership_view(r.SUBMIT_RECORDS)
def submission_create(request: HttpRequest, partnership: Any) -> HttpResponse:
    agencies = services.agencies_for(request.user, partnership)
    if not agencies:
        raise PermissionDenied("Your organisation has no agency code to submit records for.")
    today = clock.today()
    form = forms.SubmissionForm(
        request.POST or None, request.FILES or None, agencies=agencies, today=today
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            sub = services.submission_create(
                actor=request.user,
                partnership=partnership,
                agency=form.cleaned_data["agency"],
                month=form.cleaned_data["month"],
                filename=upload.name or "records.csv",
                data=upload.read(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("performance:submission-detail", partnership.code, sub.pk)
    return form_page(
        request,
        form,
        "Submit treatment records",
        reverse("performance:submission-list", args=[partnership.code]),
        submit_label="Upload and check",
    )


def _int_param(request: HttpRequest, name: str, default: int = 1) -> int:
    try:
        return max(1, min(int(request.GET.get(name, default)), 10**9))
    except ValueError:
        return default


@require_GET
@partnership_view(r.VIEW_PERFORMANCE)
def submission_detail(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    sub = selectors.submission_get(actor=request.user, partnership=partnership, pk=pk)
    per_page = selectors.ERRORS_PER_PAGE
    page = _int_param(request, "errors_page")
    errors = selectors.submission_errors(
        actor=request.user, submission=sub, offset=(page - 1) * per_page, limit=per_page
    )
    stalled = selectors.submission_stalled(sub)
    may_act = sub.agency in services.agencies_for(request.user, partnership)
    context = {
        "partnership": partnership,
        "submission": sub,
        "can_see_rows": permissions.can(request.user, partnership, r.VIEW_CLIENT_RECORDS),
        "errors": errors,
        "stalled": stalled,
        "polling": sub.in_progress and not stalled,
        "current": services.current_for(sub) if sub.awaiting else None,
        "confirmation_rule": services.CONFIRMATION_RULE,
        "may_act": may_act,
        "can_retry": may_act and services.can_retry(sub),
        "history": selectors.submission_list(actor=request.user, partnership=partnership)
        .filter(agency=sub.agency, month=sub.month)
        .order_by("-submitted_at", "-pk"),
    }
    if request.headers.get("HX-Request"):
        return render(request, "performance/includes/submission_status.html", context)
    response = render(request, "performance/submission_detail.html", context)
    if context["polling"]:
        response["Refresh"] = "3"  # without JavaScript the browser reloads until it is done
    return response


_SUBMISSION_DECISIONS: dict[str, tuple[Any, str]] = {
    "replace": (services.submission_replace_confirm, "The new file is now the current one."),
    "keep": (services.submission_keep_current, "The current submission was kept."),
    "retry": (services.submission_retry, "The file is being checked again."),
    "discard": (services.submission_discard_upload, "The uploaded file was removed."),
}


@require_POST
@partnership_view(r.SUBMIT_RECORDS)
def submission_decide(request: HttpRequest, partnership: Any, pk: int, decision: str) -> Any:
    """A person's decision on a submission: replace the current one with it, keep the
    current one, try a failed one again, or remove a failed one's file (services, audited)."""
    sub = selectors.submission_get(actor=request.user, partnership=partnership, pk=pk)
    if decision not in _SUBMISSION_DECISIONS:
        raise Http404("No such action")
    service, done = _SUBMISSION_DECISIONS[decision]
    kwargs: dict[str, Any] = {}
    if decision == "replace":
        try:
            kwargs["current_id"] = int(request.POST.get("current", ""))
        except ValueError:
            kwargs["current_id"] = None
    try:
        service(actor=request.user, submission=sub, **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("performance:submission-detail", partnership.code, sub.pk)


@require_GET
@partnership_view(r.VIEW_CLIENT_RECORDS)
def submission_rows(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    sub = selectors.submission_for_rows(actor=request.user, partnership=partnership, pk=pk)
    kind = "rejected" if request.GET.get("kind") == "rejected" else "accepted"
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    rows = selectors.submission_rows(actor=request.user, submission=sub, kind=kind, page=page)
    return render(
        request,
        "performance/submission_rows.html",
        {"partnership": partnership, "submission": sub, "kind": kind, "rows": rows},
    )


@require_GET
@partnership_view(r.VIEW_CLIENT_RECORDS)
def submission_rejected_csv(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    sub = selectors.submission_for_rows(actor=request.user, partnership=partnership, pk=pk)
    body = selectors.submission_rejected_csv(actor=request.user, submission=sub)
    return attachment(
        body, f"rejected-{sub.agency}-{sub.month:%Y-%m}-{sub.pk}.csv", "text/csv; charset=utf-8"
    )


urlpatterns = [
    path("p/<str:code>/performance/submissions/", submission_list, name="submission-list"),
    path("p/<str:code>/performance/submissions/new/", submission_create, name="submission-new"),
    path(
        "p/<str:code>/performance/submissions/<int:pk>/",
        submission_detail,
        name="submission-detail",
    ),
    path(
        "p/<str:code>/performance/submissions/<int:pk>/rows/",
        submission_rows,
        name="submission-rows",
    ),
    path(
        "p/<str:code>/performance/submissions/<int:pk>/rejected.csv",
        submission_rejected_csv,
        name="submission-rejected-csv",
    ),
    path(
        "p/<str:code>/performance/submissions/<int:pk>/<slug:decision>/",
        submission_decide,
        name="submission-decide",
    ),
]
