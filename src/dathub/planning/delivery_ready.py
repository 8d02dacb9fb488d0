"""Delivery tracking's extension points, registered from PlanningConfig.ready(): the
My actions menu entry and home panel, and the planning sections of the board pack."""

from __future__ import annotations

from typing import Any

from dathub.core import clock


def _my_actions_panel(user: Any, partnership: Any) -> dict[str, Any] | None:
    from dathub.tenancy import permissions

    from . import selectors

    if permissions.person_of(user, partnership) is None:
        return None
    today = clock.today()
    mine: list[Any] = list(selectors.my_actions(actor=user, partnership=partnership, today=today))
    return {
        "my_actions": {
            "open": len(mine),
            "overdue": sum(1 for a in mine if a.due_state.overdue),
            "this_month": sum(
                1 for a in mine if a.due_state.due_this_month and not a.due_state.overdue
            ),
        }
    }


def ready() -> None:
    from dathub.core.registry import HomePanel, NavItem, register_home_panel, register_nav
    from dathub.tenancy import roles as r

    register_nav(
        NavItem(
            "My actions", "planning:my-actions", r.VIEW_PLANS, 12, section="planning:my-actions"
        )
    )
    register_home_panel(
        HomePanel("planning/panel_my_actions.html", r.VIEW_PLANS, 20, _my_actions_panel)
    )
    from . import pack_sections

    pack_sections.register()
