from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .partnership_views import partnership_nav


def site(request: HttpRequest) -> dict[str, Any]:
    """The service name, the partnership being looked at and its menu."""
    return {
        "service_name": "dathub",
        "current_partnership": getattr(request, "partnership", None),
        "partnership_nav": partnership_nav(request),
    }
