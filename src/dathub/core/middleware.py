"""Security headers and the sign-in wall."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# The site loads only its own scripts, styles, fonts and images: no inline script or style.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Paths reachable without signing in. The API answers 401 JSON itself; a service manager's
# liveness and readiness probes (core.health) have no session.
PUBLIC_PREFIXES = (
    "/sign-in",
    "/static/",
    "/api/",
    "/accessibility",
    "/health/",
    "/healthz",
    "/readyz",
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The API's own docs page loads its viewer from a CDN we cannot reach; it is not
        # served (see api/urls), so every page gets the same strict policy.
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages with partnership data must not be kept by shared caches or the back button.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class LoginRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            return redirect(
                f"{reverse('core:sign-in')}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)
