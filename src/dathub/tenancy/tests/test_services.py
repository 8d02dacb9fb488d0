"""Every write goes through a service that checks the role, archives instead of deleting,
writes exactly one audit event and a history row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dathub.core.models import AuditEvent
from dathub.tenancy import permissions, services
from dathub.tenancy.models import Body, BodyMember, Membership, Organisation, Person, RoleName
from dathub.tenancy.roles import Role

from .factories import BodyFactory, OrganisationFactory, PersonFactory, RoleNameFactory


def _one_event(before_id: int, **expected: Any) -> AuditEvent:
    events = list(AuditEvent.objects.filter(pk__gt=before_id))
    assert len(events) == 1, [e.action for e in events]
    event = events[0]
    for name, value in expected.items():
        assert getattr(event, name) == value, (name, getattr(event, name), value)
    return event


def _last_event_id() -> int:
    last = AuditEvent.objects.order_by("-pk").first()
    return last.pk if last else 0


# (model, create(actor, partnership) -> obj, update(actor, obj) -> obj with changed field,
#  archive(actor, obj), field changed by update, its new value)
CRUD: dict[
    str, tuple[type, Callable[..., Any], Callable[..., Any], Callable[..., Any], str, Any]
] = {
    "organisation": (
        Organisation,
        lambda a, p: services.organisation_create(
            actor=a, partnership=p, name="Newtown Recovery", kind=Organisation.Kind.OTHER
        ),
        lambda a, o: services.organisation_update(actor=a, organisation=o, name="Newtown Hope"),
        lambda a, o: services.organisation_archive(actor=a, organisation=o),
        "name",
        "Newtown Hope",
    ),
    "person": (
        Person,
        lambda a, p: services.person_create(
            actor=a, partnership=p, full_name="Lee Ridley", job_title="Outreach worker"
        ),
        lambda a, o: services.person_update(actor=a, person=o, job_title="Team leader"),
        lambda a, o: services.person_archive(actor=a, person=o),
        "job_title",
        "Team leader",
    ),
    "rolename": (
        RoleName,
        lambda a, p: services.role_name_create(
            actor=a, partnership=p, abbreviation="CJIT", name="Criminal Justice Team"
        ),
        lambda a, o: services.role_name_update(actor=a, role_name=o, name="CJ Intervention Team"),
        lambda a, o: services.role_name_archive(actor=a, role_name=o),
        "name",
        "CJ Intervention Team",
    ),
    "body": (
        Body,
        lambda a, p: services.body_create(
            actor=a, partnership=p, name="Housing sub-group", kind=Body.Kind.TASK_AND_FINISH
        ),
        lambda a, o: services.body_update(actor=a, body=o, meeting_cycle=Body.Cycle.QUARTERLY),
        lambda a, o: services.body_archive(actor=a, body=o),
        "meeting_cycle",
        "quarterly",
    ),
}


@pytest.mark.parametrize("kind", sorted(CRUD))
def test_create_update_archive_each_write_one_audit_event(demo, kind):
    model, create, update, archive, fname, new_value = CRUD[kind]
    actor, partnership = demo.coordinator, demo.northshire

    mark = _last_event_id()
    obj = create(actor, partnership)
    event = _one_event(
        mark,
        action=f"{kind}.create",
        actor=actor,
        partnership=partnership,
        object_type=f"tenancy.{kind}",
        object_id=str(obj.pk),
    )
    assert obj.partnership == partnership
    assert all(before is None for before, _ in event.changes.values())
    assert obj.history.count() == 1
    assert obj.history.first().history_user == actor

    mark = _last_event_id()
    old_value = getattr(model.objects.get(pk=obj.pk), fname)
    obj = update(actor, obj)
    event = _one_event(mark, action=f"{kind}.update", actor=actor, partnership=partnership)
    assert event.changes == {fname: [old_value, new_value]}
    assert getattr(model.objects.get(pk=obj.pk), fname) == new_value
    assert obj.history.count() == 2

    mark = _last_event_id()
    archive(actor, obj)
    event = _one_event(mark, action=f"{kind}.archive", actor=actor, partnership=partnership)
    assert list(event.changes) == ["archived_at"]
    stored = model.objects.get(pk=obj.pk)  # archived, never deleted
    assert stored.archived_at is not None
    assert not model.objects.current().filter(pk=obj.pk).exists()
    assert obj.history.count() == 3

    # Archiving again changes nothing and records nothing.
    mark = _last_event_id()
    archive(actor, stored)
    assert _last_event_id() == mark


def test_update_without_a_change_records_nothing(demo):
    org = demo.organisation("Northshire Police")
    mark = _last_event_id()
    services.organisation_update(actor=demo.coordinator, organisation=org, name=org.name)
    assert _last_event_id() == mark


def test_update_records_the_stored_value_as_before_even_if_the_object_was_changed(demo):
    org = demo.organisation("Northshire Police")
    org.name = "Changed in memory only"
    services.organisation_update(
        actor=demo.coordinator, organisation=org, name="Northshire Constabulary"
    )
    event = AuditEvent.objects.get(action="organisation.update")
    assert event.changes == {"name": ["Northshire Police", "Northshire Constabulary"]}


@pytest.mark.parametrize("role", ["board", "analyst", "provider", "eastvale"])
@pytest.mark.parametrize("kind", sorted(CRUD))
def test_users_without_manage_tenancy_are_refused_by_services(demo, role, kind):
    _, create, update, archive, _, _ = CRUD[kind]
    actor = getattr(demo, role)
    existing = create(demo.coordinator, demo.northshire)
    mark = _last_event_id()
    with pytest.raises(PermissionDenied):
        create(actor, demo.northshire)
    with pytest.raises(PermissionDenied):
        update(actor, existing)
    with pytest.raises(PermissionDenied):
        archive(actor, existing)
    assert _last_event_id() == mark
    existing.refresh_from_db()
    assert existing.archived_at is None


def test_other_partnership_coordinator_cannot_write_here(demo):
    with pytest.raises(PermissionDenied):
        services.membership_set(
            actor=demo.eastvale,
            person=demo.person("finance@northshire.example"),
            roles=[Role.COORDINATOR],
        )
    with pytest.raises(PermissionDenied):
        services.body_member_add(
            actor=demo.eastvale,
            body=demo.body("Northshire Partnership Board"),
            person=demo.person("finance@northshire.example"),
        )


def test_anonymous_actor_is_refused(demo):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.organisation_create(
            actor=AnonymousUser(), partnership=demo.northshire, name="X", kind="other"
        )


def test_site_admin_may_manage_any_partnership(demo):
    org = services.organisation_create(
        actor=demo.admin,
        partnership=demo.eastvale_partnership,
        name="Eastvale Hope",
        kind=Organisation.Kind.OTHER,
    )
    assert (
        AuditEvent.objects.get(action="organisation.create", object_id=str(org.pk)).actor
        == demo.admin
    )


def test_create_validates_the_model(demo):
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(
            actor=demo.coordinator,
            partnership=demo.northshire,
            name="Northshire Police",
            kind=Organisation.Kind.POLICE,
        )
    assert "__all__" in exc.value.message_dict or "name" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.organisation_create(
            actor=demo.coordinator, partnership=demo.northshire, name="Bad kind", kind="not-a-kind"
        )
    assert not AuditEvent.objects.filter(action="organisation.create").exists()


# Memberships and roles
def test_membership_set_provider_needs_an_organisation(demo):
    person = services.person_create(
        actor=demo.coordinator, partnership=demo.northshire, full_name="No Org"
    )
    with pytest.raises(ValidationError) as exc:
        services.membership_set(actor=demo.coordinator, person=person, roles=[Role.PROVIDER_USER])
    assert "organisation" in exc.value.message_dict
    assert not Membership.objects.filter(person=person).exists()


def test_membership_set_provider_takes_the_persons_organisation(demo):
    trust = demo.organisation("Northshire Recovery Trust")
    person = services.person_create(
        actor=demo.coordinator,
        partnership=demo.northshire,
        full_name="Key Worker",
        organisation=trust,
    )
    mark = _last_event_id()
    m = services.membership_set(actor=demo.coordinator, person=person, roles=[Role.PROVIDER_USER])
    assert m.organisation == trust and m.roles == ["provider_user"]
    _one_event(
        mark, action="membership.create", partnership=demo.northshire, actor=demo.coordinator
    )


def test_membership_set_drops_organisation_for_non_providers_and_orders_roles(demo):
    person = demo.person("finance@northshire.example")
    trust = demo.organisation("Northshire Recovery Trust")
    mark = _last_event_id()
    m = services.membership_set(
        actor=demo.coordinator,
        person=person,
        roles=[Role.BOARD_MEMBER, Role.FINANCE_OFFICER],
        organisation=trust,
    )
    assert m.organisation is None
    assert m.roles == ["finance_officer", "board_member"]  # in the order of Role
    event = _one_event(mark, action="membership.update")
    assert event.changes["roles"] == [["finance_officer"], ["finance_officer", "board_member"]]


def test_membership_set_refuses_unknown_roles(demo):
    with pytest.raises(ValidationError):
        services.membership_set(
            actor=demo.coordinator,
            person=demo.person("finance@northshire.example"),
            roles=["emperor"],
        )


def test_membership_change_takes_effect_for_the_user_at_once(demo):
    analyst_person = demo.person("analyst@northshire.example")
    analyst = demo.analyst
    from dathub.tenancy import roles as r

    assert not permissions.can(analyst, demo.northshire, r.MANAGE_TENANCY)
    services.membership_set(
        actor=demo.coordinator,
        person=analyst_person,
        roles=[Role.PERFORMANCE_ANALYST, Role.ADMINISTRATOR],
    )
    analyst_person.user.refresh_from_db()
    assert permissions.can(analyst_person.user, demo.northshire, r.MANAGE_TENANCY)


def test_person_archive_archives_their_membership_and_seats(demo):
    person = demo.person("trustlead@northshire.example")
    seats = list(person.body_seats.current())
    assert len(seats) == 2
    mark = _last_event_id()
    services.person_archive(actor=demo.coordinator, person=person)
    actions = sorted(AuditEvent.objects.filter(pk__gt=mark).values_list("action", flat=True))
    assert actions == [
        "bodymember.archive",
        "bodymember.archive",
        "membership.archive",
        "person.archive",
    ]
    assert not BodyMember.objects.current().filter(person=person).exists()
    assert BodyMember.objects.filter(person=person).count() == 2
    assert Person.objects.filter(pk=person.pk, archived_at__isnull=False).exists()


def test_archived_person_loses_access(demo):
    from dathub.tenancy import roles as r

    services.person_archive(actor=demo.coordinator, person=demo.person("board@northshire.example"))
    board = type(demo.board).objects.get(pk=demo.board.pk)
    assert not permissions.can(board, demo.northshire, r.VIEW_PARTNERSHIP)


def test_person_may_switch_their_own_reminders_only(demo):
    board_person = demo.person("board@northshire.example")
    services.person_update(actor=demo.board, person=board_person, reminders_enabled=False)
    board_person.refresh_from_db()
    assert board_person.reminders_enabled is False
    with pytest.raises(PermissionDenied):
        services.person_update(actor=demo.board, person=board_person, job_title="Chief")
    with pytest.raises(PermissionDenied):
        services.person_update(
            actor=demo.board,
            person=demo.person("police@northshire.example"),
            reminders_enabled=False,
        )


def test_grant_sign_in_creates_an_account_once(demo):
    person = demo.person("finance@northshire.example")
    user, password = services.person_grant_sign_in(actor=demo.coordinator, person=person)
    assert password and user.check_password(password)
    assert user.email == "finance@northshire.example"
    person.refresh_from_db()
    assert person.user == user
    again, second = services.person_grant_sign_in(actor=demo.coordinator, person=person)
    assert again == user and second is None
    no_email = PersonFactory(partnership=demo.northshire, email="")
    with pytest.raises(ValidationError):
        services.person_grant_sign_in(actor=demo.coordinator, person=no_email)


# Bodies
def test_body_member_add_and_remove(demo):
    body = demo.body("Northshire Joint Commissioning Group")
    person = demo.person("finance@northshire.example")
    mark = _last_event_id()
    seat = services.body_member_add(
        actor=demo.coordinator, body=body, person=person, position=BodyMember.Position.ADVISER
    )
    _one_event(mark, action="bodymember.create", partnership=demo.northshire)
    with pytest.raises(ValidationError):
        services.body_member_add(actor=demo.coordinator, body=body, person=person)
    services.body_member_remove(actor=demo.coordinator, member=seat)
    seat.refresh_from_db()
    assert seat.archived_at is not None
    # Once removed, they may be added again.
    services.body_member_add(actor=demo.coordinator, body=body, person=person)


def test_body_member_must_be_of_the_same_partnership(demo):
    with pytest.raises(ValidationError):
        services.body_member_add(
            actor=demo.coordinator,
            body=demo.body("Northshire Partnership Board"),
            person=demo.person("finance@eastvale.example"),
        )


def test_body_cannot_report_to_itself(demo):
    body = demo.body("Northshire Service User Group")
    with pytest.raises(ValidationError):
        services.body_update(actor=demo.coordinator, body=body, reports_to=body)


def test_partnership_update_is_audited_in_that_partnership(demo):
    mark = _last_event_id()
    services.partnership_update(
        actor=demo.coordinator, partnership=demo.northshire, area="Northshire and Downs"
    )
    event = _one_event(mark, action="partnership.update", actor=demo.coordinator)
    assert event.partnership == demo.northshire
    assert event.changes == {"area": ["Northshire County", "Northshire and Downs"]}
    with pytest.raises(PermissionDenied):
        services.partnership_update(actor=demo.eastvale, partnership=demo.northshire, area="X")


def test_only_site_admins_create_partnerships(demo):
    with pytest.raises(PermissionDenied):
        services.partnership_create(actor=demo.coordinator, name="Westmere DAT", code="W03C")
    mark = _last_event_id()
    p = services.partnership_create(actor=demo.admin, name="Westmere DAT", code="w03c")
    assert p.code == "W03C"
    _one_event(mark, action="partnership.create", partnership=p, actor=demo.admin)


def test_factories_make_consistent_rows(db):
    body = BodyFactory()
    org = OrganisationFactory(partnership=body.partnership)
    person = PersonFactory(partnership=body.partnership, organisation=org)
    rn = RoleNameFactory(partnership=body.partnership, holder=person)
    assert {body.partnership_id, org.partnership_id, person.partnership_id, rn.partnership_id} == {
        body.partnership_id
    }
