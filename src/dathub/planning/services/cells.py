"""What every planning write shares: the capability to manage plans, and reading an action's
'by whom' (its owners, resolved to people and roles), 'by when' and cost cells.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from dathub.core import clock
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Partnership, Person, RoleName

from ..document.costs import read_cost as _read_cost_cell
from ..document.dates import read_by_when
from ..document.owners import split_owners
from ..models import Action, ActionOwner


def require_manage(actor: Any, partnership: Partnership) -> None:
    permissions.require(actor, partnership, r.MANAGE_PLANS)


def known_roles(partnership: Partnership) -> list[str]:
    """The partnership's role names and abbreviations, consulted first when splitting owners."""
    names: list[str] = []
    for abbreviation, name in (
        RoleName.objects.current()
        .filter(partnership=partnership)
        .values_list("abbreviation", "name")
    ):
        names.append(abbreviation)
        if name:
            names.append(name)
    return names


def create_versioned(actor: Any, model: Any, **fields: Any) -> Any:
    """A new row whose first history entry names the person who made it."""
    instance = model(**fields)
    instance._history_user = actor
    instance.save()
    return instance


def _resolve_party(partnership: Partnership, text: str, cache: dict[Any, Any]) -> dict[str, Any]:
    if not cache:
        for rn in RoleName.objects.current().filter(partnership=partnership):
            cache.setdefault(("role", rn.abbreviation.casefold()), rn)
            if rn.name:
                cache.setdefault(("role", rn.name.casefold()), rn)
        for person in Person.objects.current().filter(partnership=partnership):
            cache.setdefault(("person", person.full_name.casefold()), person)
        cache["_loaded"] = True
    key = text.casefold()
    return {
        "role_name": cache.get(("role", key)),
        "person": cache.get(("person", key)),
    }


def set_owners(
    action: Action,
    owners_text: str,
    cache: dict[Any, Any] | None = None,
    parties: list[str] | None = None,
) -> None:
    cache = {} if cache is None else cache
    if parties is None:
        parties = split_owners(owners_text, known_roles(action.partnership))
    ActionOwner.objects.filter(action=action, archived_at__isnull=True).update(
        archived_at=clock.now()
    )
    for position, party in enumerate(parties):
        found = _resolve_party(action.partnership, party, cache)
        ActionOwner.objects.create(
            partnership=action.partnership,
            action=action,
            text=party,
            position=position,
            person=found["person"],
            role_name=found["role_name"],
        )


def due_fields(due: dict[str, Any] | None) -> dict[str, Any]:
    if not due:
        return {
            "due_text": "",
            "due_start": None,
            "due_end": None,
            "due_recurrence": "",
            "due_ongoing": False,
        }
    return {
        "due_text": due.get("text") or "",
        "due_start": date.fromisoformat(due["start"]) if due.get("start") else None,
        "due_end": date.fromisoformat(due["end"]) if due.get("end") else None,
        "due_recurrence": due.get("recurrence") or "",
        "due_ongoing": bool(due.get("ongoing")),
    }


def read_due(text: str, financial_year: str) -> dict[str, Any]:
    """Model fields for a 'by when' typed in a form, read like an imported one."""
    text = (text or "").strip()
    return due_fields(read_by_when(text, financial_year) if text else None)


def cost_fields(cost: dict[str, Any] | None) -> dict[str, Any]:
    if not cost:
        return {"cost_text": "", "cost_amount": None}
    amount = cost.get("amount")
    return {
        "cost_text": cost.get("text") or "",
        "cost_amount": Decimal(str(amount)) if amount is not None else None,
    }


def read_cost(text: str) -> dict[str, Any]:
    text = (text or "").strip()
    return cost_fields(_read_cost_cell(text) if text else None)
