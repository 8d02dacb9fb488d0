"""Extension points that domain apps fill in from their AppConfig.ready().

Navigation entries and home-page panels are registered here so that a new capability adds
itself to the site without editing the shell.
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
