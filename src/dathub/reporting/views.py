"""Board pack pages: list, build, progress, the pack itself, downloads, narrative, issue."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from dathub.core.partnership_views import partnership_view
from dathub.core.web import DOCX, add_errors, attachment
from dathub.tenancy import permissions
from dathub.tenancy import roles as r

from . import forms, selectors, services
from .models import BoardPack


@require_GET
@partnership_view(r.VIEW_GOVERNANCE)
def pack_list(request: HttpRequest, partnership: Any) -> HttpResponse:
    return render(
        request,
        "reporting/pack_list.html",
        {
            "partnership": partnership,
            "packs": selectors.board_pack_list(actor=request.user, partnership=partnership),
            "can_build": permissions.can(request.user, partnership, r.BUILD_BOARD_PACKS),
        },
    )


@partnership_view(r.BUILD_BOARD_PACKS)
def pack_create(request: HttpRequest, partnership: Any) -> HttpResponse:
    bodies = selectors.pack_bodies(actor=request.user, partnership=partnership)
    board = bodies.filter(kind="board").first()
    form = forms.BoardPackForm(
        request.POST or None, bodies=bodies, initial={"body": board.pk if board else None}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            pack = services.board_pack_create(
                actor=request.user,
                partnership=partnership,
                body=d["body"],
                meeting_date=d["meeting_date"],
                kind=d["kind"],
                title=d["title"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if pack.kind == BoardPack.Kind.MANAGEMENT_REVIEW:
                messages.success(request, "Review created. Write its narrative, then build it.")
                return redirect("reporting:pack-narrative", partnership.code, pack.pk)
            services.board_pack_request_build(actor=request.user, pack=pack)
            return redirect("reporting:pack-detail", partnership.code, pack.pk)
    return render(
        request,
        "reporting/pack_form.html",
        {"partnership": partnership, "form": form},
        status=400 if form.errors else 200,
    )


def _detail_context(request: HttpRequest, partnership: Any, pack: BoardPack) -> dict[str, Any]:
    as_at = (pack.content or {}).get("as_at")
    return {
        "partnership": partnership,
        "pack": pack,
        # the day the built pack's figures stand at: may be earlier than the day it was built
        "as_at": date.fromisoformat(as_at) if as_at else None,
        "document": mark_safe(pack.html) if pack.html else "",  # noqa: S308 - rendered by us, escaped
        "can_build": permissions.can(request.user, partnership, r.BUILD_BOARD_PACKS),
        # building with no sign of life: the page stops polling and says so
        "stalled": services.board_pack_is_stale(pack),
    }


@require_GET
@partnership_view(r.VIEW_GOVERNANCE)
def pack_detail(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    pack = selectors.board_pack_get(actor=request.user, partnership=partnership, pk=pk)
    return render(
        request, "reporting/pack_detail.html", _detail_context(request, partnership, pack)
    )


@require_GET
@partnership_view(r.VIEW_GOVERNANCE)
def pack_status(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    """The small progress fragment htmx polls every second while a pack is building."""
    pack = selectors.board_pack_get(actor=request.user, partnership=partnership, pk=pk)
    response = render(
        request, "reporting/includes/build_status.html", _detail_context(request, partnership, pack)
    )
    if request.GET.get("was") == "building" and pack.status != BoardPack.Status.BUILDING:
        response["HX-Refresh"] = "true"  # built: reload the page to show the pack
    return response


@require_POST
@partnership_view(r.BUILD_BOARD_PACKS)
def pack_build(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    pack = selectors.board_pack_get(actor=request.user, partnership=partnership, pk=pk)
    try:
        services.board_pack_request_build(actor=request.user, pack=pack)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("reporting:pack-detail", partnership.code, pack.pk)


@require_POST
@partnership_view(r.BUILD_BOARD_PACKS)
def pack_retry(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    """The "Try again" of a build that failed or stalled."""
    pack = selectors.board_pack_get(actor=request.user, partnership=partnership, pk=pk)
    try:
        services.board_pack_retry(actor=request.user, pack=pack)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("reporting:pack-detail", partnership.code, pack.pk)


@partnership_view(r.BUILD_BOARD_PACKS)
def pack_narrative(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    pack = selectors.board_pack_get(actor=request.user, partnership=partnership, pk=pk)
    if pack.kind != BoardPack.Kind.MANAGEMENT_REVIEW or pack.is_issued:
        raise Http404("No narrative to write")
    form = forms.NarrativeForm(request.POST or None, initial=pack.narrative)
    if request.method == "POST" and form.is_valid():
        try:
            services.board_pack_narrative_save(
                actor=request.user, pack=pack, narrative=form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if request.POST.get("then") == "build":
                services.board_pack_request_build(actor=request.user, pack=pack)
                return redirect("reporting:pack-detail", partnership.code, pack.pk)
            messages.success(request, "Narrative saved. Build the review to include it.")
            return redirect("reporting:pack-detail", partnership.code, pack.pk)
    return render(
        request,
        "reporting/narrative_form.html",
        {"partnership": partnership, "pack": pack, "form": form},
        status=400 if form.errors else 200,
    )


@partnership_view(r.BUILD_BOARD_PACKS)
def pack_issue(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    pack = selectors.board_pack_get(actor=request.user, partnership=partnership, pk=pk)
    if request.method == "POST":
        try:
            services.board_pack_issue(actor=request.user, pack=pack)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Pack issued. This copy is kept exactly as it is now.")
        return redirect("reporting:pack-detail", partnership.code, pack.pk)
    return render(
        request,
        "reporting/confirm_issue.html",
        {"partnership": partnership, "pack": pack},
    )


@require_GET
@partnership_view(r.VIEW_GOVERNANCE)
def pack_download(request: HttpRequest, partnership: Any, pk: int, fmt: str) -> HttpResponse:
    pack = selectors.board_pack_get(actor=request.user, partnership=partnership, pk=pk)
    if fmt not in {"pdf", "docx"}:
        raise Http404("No such format")
    data = pack.pdf if fmt == "pdf" else pack.docx
    if not data or pack.status not in {BoardPack.Status.READY, BoardPack.Status.ISSUED}:
        raise Http404("The pack has not been built")
    name = slugify(f"{partnership.code} {pack.title}")[:90] or "board-pack"
    return attachment(bytes(data), f"{name}.{fmt}", "application/pdf" if fmt == "pdf" else DOCX)


app_name = "reporting"
P = "p/<str:code>/board-packs/"
urlpatterns = [
    path(P, pack_list, name="pack-list"),
    path(f"{P}new/", pack_create, name="pack-create"),
    path(f"{P}<int:pk>/", pack_detail, name="pack-detail"),
    path(f"{P}<int:pk>/status/", pack_status, name="pack-status"),
    path(f"{P}<int:pk>/build/", pack_build, name="pack-build"),
    path(f"{P}<int:pk>/retry/", pack_retry, name="pack-retry"),
    path(f"{P}<int:pk>/edit/", pack_narrative, name="pack-narrative"),
    path(f"{P}<int:pk>/issue/", pack_issue, name="pack-issue"),
    path(f"{P}<int:pk>/pack.<str:fmt>", pack_download, name="pack-download"),
]
