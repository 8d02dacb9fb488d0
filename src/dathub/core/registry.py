"""Extension points that domain apps fill in from their AppConfig.ready().

Navigation entries, home-page panels, URL patterns, API routers and demo loaders are
registered here so that a new capability adds itself to the site without editing the shell:
adding an app is adding its folder and one line in INSTALLED_APPS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str  # reversed with the partnership code
    capability: str
    order: int
    # URL name prefix(es) that count as "in this section" for the active marker.
    section: str | tuple[str, ...] = ""


@dataclass(frozen=True)
class HomePanel:
    """A block on the partnership home page. `context` returns None to hide the panel."""

    template: str
    capability: str
    order: int
    context: Callable[[Any, Any], dict[str, Any] | None]


_nav: list[NavItem] = []
_panels: list[HomePanel] = []


def register_nav(item: NavItem) -> None:
    if item not in _nav:
        _nav.append(item)
        _nav.sort(key=lambda i: i.order)


def register_home_panel(panel: HomePanel) -> None:
    if panel not in _panels:
        _panels.append(panel)
        _panels.sort(key=lambda p: p.order)


def nav_items() -> list[NavItem]:
    return list(_nav)


def home_panels() -> list[HomePanel]:
    return list(_panels)


# --- URLs, API routers and demo data ----------------------------------------------------------

# Where an app's demo loader runs: after the loaders whose data it builds on.
DEMO_FIRST = 10  # partnerships' plans and delivery (others link to them)
DEMO_DATA = 50  # an app's own records (figures, money, contracts, risks)
DEMO_LAST = 90  # what gathers the rest (board packs issued from all of it)

_urls: list[str] = []
_routers: list[str] = []
_demo_loaders: list[tuple[int, str]] = []


def register_urls(module: str) -> None:
    """An app's URL patterns (a dotted module path), included at the site's root."""
    if module not in _urls:
        _urls.append(module)


def register_api_router(module: str) -> None:
    """A module whose ``router`` (django-ninja) is mounted under /api/v1."""
    if module not in _routers:
        _routers.append(module)


def register_demo_loader(dotted: str, order: int = DEMO_DATA) -> None:
    """A function ``loader(partnerships_by_code)`` that adds an app's demo data; loaders run
    by ``order`` (DEMO_FIRST, DEMO_DATA, DEMO_LAST), then in registration order."""
    if all(d != dotted for _, d in _demo_loaders):
        _demo_loaders.append((order, dotted))


def url_modules() -> list[str]:
    return list(_urls)


def api_router_modules() -> list[str]:
    return list(_routers)


def demo_loaders() -> list[str]:
    return [d for _, d in sorted(_demo_loaders, key=lambda pair: pair[0])]
