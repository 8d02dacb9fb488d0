"""Which Northshire object each tenancy page and API endpoint is tested with: always one the
Northshire provider user (Northshire Recovery Trust) may not see. See core/tests/urlmap.py."""

from __future__ import annotations

from typing import Any


def _org(demo: Any) -> dict[str, Any]:
    return {"pk": demo.organisation("Northshire County Council").pk}


def _person(demo: Any) -> dict[str, Any]:
    return {"pk": demo.person("police@northshire.example").pk}  # Northshire Police


def _body(demo: Any) -> dict[str, Any]:
    return {"pk": demo.body("Northshire Partnership Board").pk}  # no provider sits on it


def _role_name(demo: Any) -> dict[str, Any]:
    from dathub.tenancy.models import RoleName

    return {"pk": RoleName.objects.get(partnership=demo.northshire, abbreviation="DPM").pk}


def _seat(demo: Any) -> dict[str, Any]:
    body = demo.body("Northshire Partnership Board")
    seat = body.members.get(person__email="police@northshire.example")
    return {"pk": body.pk, "member": seat.pk}


OBJECT_URLS = {
    **{f"tenancy:organisation-{v}": _org for v in ("detail", "edit", "archive")},
    **{f"tenancy:person-{v}": _person for v in ("detail", "edit", "archive")},
    **{f"tenancy:role-name-{v}": _role_name for v in ("detail", "edit", "archive")},
    **{f"tenancy:body-{v}": _body for v in ("detail", "edit", "archive")},
    "tenancy:membership-edit": _person,
    "tenancy:person-sign-in": _person,
    "tenancy:body-member-add": _body,
    "tenancy:body-member-remove": _seat,
}

API_OBJECT_URLS = {
    "api:organisation_detail": _org,
    "api:person_detail": _person,
    "api:body_detail": _body,
}

# A read-only user may still switch their own reminder e-mails off.
SELF_SERVICE_URLS = {"tenancy:my-reminders"}
