"""Signing in and out, the home pages, the account page, the audit trail and error pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dathub.api.errors import API_PREFIX, error_response
from dathub.tenancy import forms, permissions, selectors, services
from dathub.tenancy import roles as r
from dathub.tenancy.models import ApiToken

from .partnership_views import partnership_view
from .registry import home_panels
from .web import form_page


def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    form = forms.SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
        except services.SignInRefused as exc:
            form.add_error(None, str(exc))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = ""
            return redirect(target or "core:home")
    status = 200 if not form.errors else 400
    return render(
        request,
        "core/sign_in.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=status,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("core:sign-in")


def home(request: HttpRequest) -> HttpResponse:
    partnerships = list(selectors.partnership_list(actor=request.user))
    if len(partnerships) == 1:
        return redirect("core:partnership-home", partnerships[0].code)
    return render(request, "core/home.html", {"partnerships": partnerships})


@partnership_view(r.VIEW_PARTNERSHIP)
def partnership_home(request: HttpRequest, partnership: Any) -> HttpResponse:
    panels = []
    for panel in home_panels():
        if permissions.can(request.user, partnership, panel.capability):
            context = panel.context(request.user, partnership)
            if context is not None:
                panels.append({"template": panel.template, **context})
    held = permissions.roles_in(request.user, partnership)
    return render(
        request,
        "core/partnership_home.html",
        {
            "partnership": partnership,
            "panels": panels,
            "role_labels": [label for value, label in r.Role.choices if value in held],
        },
    )


def account(request: HttpRequest) -> HttpResponse:
    user: Any = request.user  # signed in: the sign-in wall lets no one else here
    tokens = ApiToken.objects.filter(user=user)
    people = user.people.filter(archived_at__isnull=True).select_related("partnership")
    return render(
        request,
        "core/account.html",
        {
            "tokens": tokens,
            "people": people,
            "token_form": forms.ApiTokenForm(),
            "new_key": request.session.pop("new_api_key", None),
        },
    )


def password_change(request: HttpRequest) -> HttpResponse:
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errs in exc.message_dict.items():
                    form.add_error(name, errs)
            else:
                form.add_error("new_password", exc.messages)
        else:
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, "Your password has been changed.")
            return redirect("core:account")
    return form_page(request, form, "Change your password", "", "Change password", status=200)


@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    form = forms.ApiTokenForm(request.POST)
    if form.is_valid():
        _, key = services.api_token_create(actor=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        # Shown once on the next page, then gone: only its hash is stored.
        request.session["new_api_key"] = key
    else:
        messages.error(request, "Give the token a name.")
    return redirect("core:account")


@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    messages.success(request, f"Token ‘{token.name}’ revoked.")
    return redirect("core:account")


@partnership_view(r.VIEW_AUDIT)
def audit_trail(request: HttpRequest, partnership: Any) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    events = selectors.audit_event_list(actor=request.user, partnership=partnership, query=query)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {"page": page, "query": query})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _error(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return error_response(status, title)
    return render(request, "core/error.html", {"title": title, "text": text}, status=status)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        403,
        "You do not have access to this page",
        "Your roles in this partnership do not include this. If you need it, ask "
        "your partnership's co-ordinator.",
    )


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        404,
        "Page not found",
        "If you typed the web address, check it is correct. If you followed a link, "
        "the page may have been archived or you may not have access to it.",
    )


def error_500(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        "Sorry, there is a problem with the service",
        "Try again later. Nothing you saved has been lost.",
    )


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request, 400, "Sorry, that request could not be understood", "Go back and try again."
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        "Your session has expired or the form was sent twice",
        "Go back, reload the page and try again.",
    )
