"""The wrapper every partnership page goes through: find the partnership, check the role."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from dathub.tenancy import permissions, selectors

from .registry import nav_items


def partnership_view(capability: str) -> Callable[..., Any]:
    """Resolve `code` to a partnership the user may see (404 otherwise), then require the
    capability (403 otherwise). The view receives the partnership instead of the code."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
            partnership = selectors.partnership_get(actor=request.user, code=code)
            request.partnership = partnership  # type: ignore[attr-defined]
            permissions.require(request.user, partnership, capability)
            return view(request, partnership, *args, **kwargs)

        # Read by the scoping tests: every partnership page declares what it requires.
        wrapped.required_capability = capability  # type: ignore[attr-defined]
        return wrapped

    return decorator


def partnership_nav(request: HttpRequest) -> list[dict[str, Any]]:
    partnership = getattr(request, "partnership", None)
    if partnership is None:
        return []
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = []
    for item in nav_items():
        if not permissions.can(request.user, partnership, item.capability):
            continue
        section = item.section or item.url_name
        items.append(
            {
                "label": item.label,
                "url": reverse(item.url_name, args=[partnership.code]),
                "active": current == item.url_name or current.startswith(section),
            }
        )
    return items
