"""Who may do what in which partnership. The matrix itself is in roles.py."""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied

from . import roles as r
from .models import Membership, Organisation, Partnership

_CACHE_ATTR = "_dathub_memberships"


def _memberships(user: Any) -> dict[int, Membership]:
    """The user's current memberships by partnership id, cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = {
            m.partnership_id: m
            for m in Membership.objects.current()
            .filter(person__user=user, person__archived_at__isnull=True)
            .select_related("organisation", "person")
        }
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget(user: Any) -> None:
    """Drop the cached memberships after they changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_site_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def partnership_ids(user: Any) -> set[int]:
    return set(_memberships(user))


def roles_in(user: Any, partnership: Partnership) -> frozenset[str]:
    m = _memberships(user).get(partnership.pk)
    return frozenset(m.roles) if m else frozenset()


def can(user: Any, partnership: Partnership | None, capability: str) -> bool:
    if partnership is None or not getattr(user, "is_active", False):
        return False
    if is_site_admin(user):
        return True
    return capability in r.capabilities_for(roles_in(user, partnership))


def require(user: Any, partnership: Partnership, capability: str) -> None:
    if not can(user, partnership, capability):
        raise PermissionDenied(f"You do not have permission to {capability.replace('_', ' ')}.")


def organisation_scope(user: Any, partnership: Partnership) -> Organisation | None | bool:
    """The organisation a user's view is narrowed to, or False when not narrowed.

    A provider user sees only their own organisation's work; someone who also holds a
    partnership-wide role is not narrowed. A provider with no organisation set sees nothing
    organisation-specific (None).
    """
    if is_site_admin(user):
        return False
    held = roles_in(user, partnership)
    if held and held <= r.ORGANISATION_SCOPED_ROLES:
        m = _memberships(user)[partnership.pk]
        return m.organisation
    return False


def person_of(user: Any, partnership: Partnership) -> Any:
    m = _memberships(user).get(partnership.pk)
    return m.person if m else None


# Object permissions through `rules`, so `user.has_perm("dathub.<capability>", partnership)`
# gives the same answer as `can()` everywhere (templates included).
def _predicate(capability: str) -> Any:
    @rules.predicate
    def check(user: Any, partnership: Partnership | None) -> bool:
        return can(user, partnership, capability)

    return check


for _name, _value in vars(r).items():
    if _name.isupper() and isinstance(_value, str) and _name not in {"ORGANISATION_SCOPED_ROLES"}:
        rules.add_perm(f"dathub.{_value}", _predicate(_value))
