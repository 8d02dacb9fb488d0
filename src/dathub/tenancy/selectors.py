"""Every read of partnership data goes through here, with the actor, and is scoped.

An object outside what the actor may see raises Http404, exactly like a missing one, so the
existence of another partnership's data is never revealed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from dathub.core.models import AuditEvent
from dathub.core.selectors import object_in

from . import permissions
from . import roles as r
from .models import Body, BodyMember, Membership, Organisation, Partnership, Person, RoleName


def partnership_list(*, actor: Any) -> QuerySet[Partnership]:
    qs = Partnership.objects.filter(archived_at__isnull=True)
    if permissions.is_site_admin(actor):
        return qs
    return qs.filter(pk__in=permissions.partnership_ids(actor))


def partnership_get(*, actor: Any, code: str) -> Partnership:
    partnership = partnership_list(actor=actor).filter(code__iexact=code).first()
    if partnership is None or not permissions.can(actor, partnership, r.VIEW_PARTNERSHIP):
        raise Http404("No partnership found")
    return partnership


def _nothing_unless(
    actor: Any, partnership: Partnership, capability: str, qs: QuerySet
) -> QuerySet:
    return qs if permissions.can(actor, partnership, capability) else qs.none()


def organisation_list(
    *, actor: Any, partnership: Partnership, include_archived: bool = False
) -> QuerySet[Organisation]:
    qs: QuerySet[Organisation] = Organisation.objects.filter(partnership=partnership)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    qs = _nothing_unless(actor, partnership, r.VIEW_PARTNERSHIP, qs)
    scope = permissions.organisation_scope(actor, partnership)
    if scope is not False:
        qs = qs.filter(pk=scope.pk) if isinstance(scope, Organisation) else qs.none()
    return qs


def organisation_get(*, actor: Any, partnership: Partnership, pk: Any) -> Organisation:
    return object_in(
        organisation_list(actor=actor, partnership=partnership, include_archived=True), pk
    )


def person_list(
    *, actor: Any, partnership: Partnership, include_archived: bool = False
) -> QuerySet[Person]:
    qs = Person.objects.filter(partnership=partnership).select_related("organisation", "user")
    if not include_archived:
        qs = qs.current()
    scope = permissions.organisation_scope(actor, partnership)
    if scope is not False:
        return qs.filter(organisation=scope) if scope else qs.none()
    return _nothing_unless(actor, partnership, r.VIEW_PEOPLE, qs)


def person_get(*, actor: Any, partnership: Partnership, pk: Any) -> Person:
    return object_in(person_list(actor=actor, partnership=partnership, include_archived=True), pk)


def membership_for(*, actor: Any, person: Person) -> Membership | None:
    # The caller already fetched the person through person_get, which scoped it.
    return Membership.objects.current().filter(person=person).first()


def role_name_list(
    *, actor: Any, partnership: Partnership, include_archived: bool = False
) -> QuerySet[RoleName]:
    qs = RoleName.objects.filter(partnership=partnership).select_related("holder")
    if not include_archived:
        qs = qs.current()
    return _nothing_unless(actor, partnership, r.VIEW_PEOPLE, qs)


def role_name_get(*, actor: Any, partnership: Partnership, pk: Any) -> RoleName:
    return object_in(
        role_name_list(actor=actor, partnership=partnership, include_archived=True), pk
    )


def body_list(
    *, actor: Any, partnership: Partnership, include_archived: bool = False
) -> QuerySet[Body]:
    qs = Body.objects.filter(partnership=partnership).select_related("reports_to")
    if not include_archived:
        qs = qs.current()
    scope = permissions.organisation_scope(actor, partnership)
    if scope is not False:
        # A provider sees the bodies on which someone of their organisation sits.
        seats = BodyMember.objects.current().filter(person__organisation=scope)
        return qs.filter(pk__in=seats.values("body")) if scope else qs.none()
    return _nothing_unless(actor, partnership, r.VIEW_PARTNERSHIP, qs)


def body_get(*, actor: Any, partnership: Partnership, pk: Any) -> Body:
    return object_in(body_list(actor=actor, partnership=partnership, include_archived=True), pk)


def body_member_list(*, actor: Any, body: Body) -> QuerySet[BodyMember]:
    return BodyMember.objects.current().filter(body=body).select_related("person__organisation")


def body_member_get(*, actor: Any, body: Body, pk: Any) -> BodyMember:
    return object_in(body_member_list(actor=actor, body=body), pk)


def audit_event_list(
    *, actor: Any, partnership: Partnership, query: str = "", action: str = ""
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.filter(partnership=partnership).select_related("actor")
    qs = _nothing_unless(actor, partnership, r.VIEW_AUDIT, qs)
    if action:
        qs = qs.filter(action__startswith=action)
    if query:
        qs = qs.filter(
            Q(object_repr__icontains=query)
            | Q(actor__email__icontains=query)
            | Q(action__icontains=query)
        )
    return qs
