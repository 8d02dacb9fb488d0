"""Every URL of the site and of /api/v1, found by walking the resolver, and the test cases
each app declares for them.

A page whose route takes more than the partnership code (an object's pk, ...) needs a case
that says which Northshire object to use: one the demo provider user (Northshire Recovery
Trust) may not see. Each app declares its cases in `dathub/<app>/tests/url_cases.py`:

    OBJECT_URLS = {"tenancy:organisation-detail": lambda demo: {"pk": ...}, ...}
    API_OBJECT_URLS = {"api:organisation_detail": lambda demo: {"pk": ...}, ...}
    UNSCOPED_URLS = {"core:account": "the user's own account"}   # pages with no partnership
    SELF_SERVICE_URLS = {"tenancy:my-reminders"}  # writes that read-only roles may make
    PROVIDER_VISIBLE_URLS = {"planning:plan-detail"}  # objects a provider may read

The scoping tests fail, listing the page, when a URL has no case, or when a partnership page
does not go through `partnership_view`.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Url:
    name: str  # "namespace:name"
    route: str  # "p/<str:code>/organisations/<int:pk>/"
    callback: Any

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.route)

    @property
    def object_params(self) -> list[str]:
        return [p for p in self.params if p != "code"]

    def path(self, **kwargs: Any) -> str:
        def fill(match: re.Match[str]) -> str:
            return str(kwargs[match.group(1)])

        return "/" + PARAM.sub(fill, self.route)


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[Url]:
    found: list[Url] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace or ""]))
            found += _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace else str(p.name)
            found.append(Url(name, prefix + str(p.pattern), p.callback))
    return found


def all_urls() -> list[Url]:
    return _walk(get_resolver().url_patterns)


def site_urls() -> list[Url]:
    return [u for u in all_urls() if not u.route.startswith("api/")]


def api_urls() -> list[Url]:
    return [u for u in all_urls() if u.route.startswith("api/")]


@functools.cache
def _cases() -> list[Any]:
    modules = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("dathub."):
            continue
        name = f"{app}.tests.url_cases"
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            spec = None
        if spec is not None:
            modules.append(importlib.import_module(name))
    return modules


def merged(attr: str) -> Any:
    out: Any = None
    for module in _cases():
        value = getattr(module, attr, None)
        if value is None:
            continue
        if out is None:
            out = type(value)()
        out.update(value)
    return out if out is not None else {}


def object_urls() -> dict[str, Callable[[Any], dict[str, Any]]]:
    return merged("OBJECT_URLS")


def api_object_urls() -> dict[str, Callable[[Any], dict[str, Any]]]:
    return merged("API_OBJECT_URLS")


def unscoped_urls() -> dict[str, str]:
    return merged("UNSCOPED_URLS")


def provider_visible_urls() -> set[str]:
    """Object pages a provider user may read with the case's object (e.g. the plan itself)."""
    return set(merged("PROVIDER_VISIBLE_URLS"))


def manager_only_api_urls() -> set[str]:
    """API objects only their managers read: anyone else gets the 404 of a missing one."""
    return set(merged("MANAGER_ONLY_API_URLS"))


def self_service_urls() -> set[str]:
    return set(merged("SELF_SERVICE_URLS"))


def required_capability(url: Url) -> str | None:
    return getattr(url.callback, "required_capability", None)
