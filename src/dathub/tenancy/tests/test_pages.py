"""The partnership's pages: lists, detail, the forms and what they write."""

from __future__ import annotations

import re

import pytest

from dathub.core.models import AuditEvent
from dathub.tenancy.models import Body, BodyMember, Membership, Organisation, Person, RoleName

from .factories import OrganisationFactory


@pytest.fixture
def coordinator(demo, client_for):
    return client_for(demo.coordinator)


def _text(response) -> str:
    return response.content.decode()


def test_partnership_home_shows_the_directory(demo, coordinator):
    page = _text(coordinator.get("/p/N01A/"))
    assert "Northshire DAAT" in page and "Your roles: Co-ordinator." in page
    assert re.search(r'dathub-card__figure">6</span> organisations', page)
    assert re.search(r'dathub-card__figure">11</span> people', page)
    for label in ("Organisations", "People", "Bodies", "Role names", "Audit trail"):
        assert f">{label}</a>" in page


def test_navigation_follows_the_role(demo, client_for):
    page = _text(client_for(demo.analyst).get("/p/N01A/"))
    assert ">People</a>" in page and ">Audit trail</a>" not in page
    active = _text(client_for(demo.analyst).get("/p/N01A/people/"))
    assert (
        'aria-current="page"><strong class="govuk-service-navigation__active-fallback">Partnership'
        in active
    )


def test_add_an_organisation_through_the_form(demo, coordinator):
    form = coordinator.get("/p/N01A/organisations/new/")
    assert form.status_code == 200 and "Add organisation" in _text(form)
    response = coordinator.post(
        "/p/N01A/organisations/new/",
        {
            "name": "Northshire Housing Trust",
            "kind": "voluntary_provider",
            "agency_code": "NHT9",
        },
    )
    org = Organisation.objects.get(name="Northshire Housing Trust")
    assert org.partnership == demo.northshire
    assert response["Location"] == f"/p/N01A/organisations/{org.pk}/"
    detail = _text(coordinator.get(response["Location"]))
    assert "Organisation ‘Northshire Housing Trust’ added." in detail
    assert (
        AuditEvent.objects.filter(
            action="organisation.create", object_id=str(org.pk), partnership=demo.northshire
        ).count()
        == 1
    )


def test_a_bad_submit_shows_the_error_summary(demo, coordinator):
    response = coordinator.post("/p/N01A/organisations/new/", {"name": "", "kind": "nonsense"})
    page = _text(response)
    assert response.status_code == 200
    assert "<title>Error: Add organisation" in page
    assert 'class="govuk-error-summary"' in page
    # Django's generic message is said the GOV.UK way, naming the field, in both places.
    assert '<a href="#id_name">Enter name</a>' in page
    assert '<span class="govuk-visually-hidden">Error:</span> Enter name</p>' in page
    assert "This field is required." not in page
    assert 'id="id_name-error"' in page and 'aria-describedby="id_name-error"' in page
    assert "govuk-input--error" in page
    assert not AuditEvent.objects.filter(action="organisation.create").exists()


def test_duplicate_name_is_a_form_error_not_a_crash(demo, coordinator):
    response = coordinator.post(
        "/p/N01A/organisations/new/", {"name": "Northshire Police", "kind": "police"}
    )
    assert response.status_code == 200
    assert "already exists" in _text(response)
    # The same name in another partnership is fine.
    assert Organisation.objects.filter(name="Eastvale Police").exists()


def test_edit_and_archive_through_the_site(demo, coordinator):
    org = demo.organisation("Northshire Probation Service")
    page = _text(coordinator.get(f"/p/N01A/organisations/{org.pk}/edit/"))
    assert 'value="Northshire Probation Service"' in page
    response = coordinator.post(
        f"/p/N01A/organisations/{org.pk}/edit/",
        {"name": "Northshire Probation Delivery Unit", "kind": "probation", "agency_code": ""},
    )
    assert response.status_code == 302
    confirm = coordinator.get(f"/p/N01A/organisations/{org.pk}/archive/")
    assert "Nothing is deleted" in _text(confirm)
    org.refresh_from_db()
    assert org.archived_at is None  # GET only asks
    # People still belong to it (PROTECT), but archiving keeps the row so that is fine.
    assert coordinator.post(f"/p/N01A/organisations/{org.pk}/archive/")["Location"] == (
        "/p/N01A/organisations/"
    )
    org.refresh_from_db()
    assert org.archived_at is not None and org.name == "Northshire Probation Delivery Unit"
    listing = _text(coordinator.get("/p/N01A/organisations/"))
    assert "‘Northshire Probation Delivery Unit’ archived." in listing
    assert ">Northshire Probation Delivery Unit</a>" not in listing
    detail = _text(coordinator.get(f"/p/N01A/organisations/{org.pk}/"))
    assert "Archived" in detail and "Change<span" not in detail
    actions = list(
        AuditEvent.objects.filter(object_id=str(org.pk), object_type="tenancy.organisation")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["organisation.update", "organisation.archive"]


@pytest.mark.parametrize(
    "path, data, field",
    [
        ("/p/N01A/people/new/", {"full_name": "Cross Partnership"}, "organisation"),
        ("/p/N01A/bodies/new/", {"name": "Cross", "kind": "other"}, "reports_to"),
        ("/p/N01A/role-names/new/", {"abbreviation": "XP", "name": "Cross"}, "holder"),
    ],
)
def test_forms_refuse_another_partnerships_records(demo, coordinator, path, data, field):
    eastvale = {
        "organisation": Organisation.objects.get(name="Eastvale Police").pk,
        "reports_to": Body.objects.get(name="Eastvale Partnership Board").pk,
        "holder": Person.objects.get(email="police@eastvale.example").pk,
    }
    response = coordinator.post(path, {**data, field: eastvale[field], "reminders_enabled": "on"})
    assert response.status_code == 200
    assert "Select a valid choice" in _text(response)
    assert (
        AuditEvent.objects.count() == 0
        or not AuditEvent.objects.filter(action__endswith=".create").exists()
    )


def test_forms_offer_only_this_partnerships_current_records(demo, coordinator):
    archived = OrganisationFactory(partnership=demo.northshire, name="Old Trust")
    archived.archived_at = archived.created_at
    archived.save()
    page = _text(coordinator.get("/p/N01A/people/new/"))
    assert "Northshire Police" in page
    assert "Eastvale" not in page and "Old Trust" not in page


def test_search_and_pagination(demo, coordinator):
    for i in range(55):
        OrganisationFactory(partnership=demo.northshire, name=f"Pharmacy {i:02d}", kind="other")
    first = _text(coordinator.get("/p/N01A/organisations/"))
    assert "Page 1 of 2" in first and 'rel="next"' in first
    found = _text(coordinator.get("/p/N01A/organisations/?q=police"))
    assert "Northshire Police" in found and "Pharmacy" not in found
    none = _text(coordinator.get("/p/N01A/organisations/?q=zzz"))
    assert "No organisations match ‘zzz’" in none
    assert coordinator.get("/p/N01A/organisations/?page=999").status_code == 200


def test_person_detail_shows_roles_bodies_and_named_roles(demo, coordinator):
    alex = demo.person("analyst@northshire.example")
    page = _text(coordinator.get(f"/p/N01A/people/{alex.pk}/"))
    assert "Performance analyst" in page
    assert "DPM (Data Performance Manager)" in page
    sam = demo.person("provider@northshire.example")
    page = _text(coordinator.get(f"/p/N01A/people/{sam.pk}/"))
    assert "Sees the work of Northshire Recovery Trust only." in page
    assert "Northshire Service User Group" in page


def test_change_roles_through_the_site(demo, coordinator):
    person = demo.person("finance@northshire.example")
    page = _text(coordinator.get(f"/p/N01A/people/{person.pk}/roles/"))
    assert 'value="finance_officer" checked' in page
    bad = coordinator.post(f"/p/N01A/people/{person.pk}/roles/", {"roles": ["provider_user"]})
    # The person's own organisation (the council) is taken when none is chosen.
    assert bad.status_code == 302
    assert Membership.objects.get(person=person).organisation.name == "Northshire County Council"
    nobody = Person.objects.create(partnership=demo.northshire, full_name="No Org")
    bad = coordinator.post(f"/p/N01A/people/{nobody.pk}/roles/", {"roles": ["provider_user"]})
    assert bad.status_code == 200
    assert "Choose the organisation whose work this provider user sees" in _text(bad)
    cross = coordinator.post(
        f"/p/N01A/people/{nobody.pk}/roles/",
        {
            "roles": ["provider_user"],
            "organisation": Organisation.objects.get(name="Eastvale Drug Services").pk,
        },
    )
    assert "Select a valid choice" in _text(cross)
    assert not Membership.objects.filter(person=nobody).exists()


def test_give_sign_in_access(demo, coordinator):
    person = demo.person("finance@northshire.example")
    assert coordinator.get(f"/p/N01A/people/{person.pk}/sign-in/").status_code == 405
    response = coordinator.post(f"/p/N01A/people/{person.pk}/sign-in/", follow=True)
    page = _text(response)
    assert "Account created for finance@northshire.example" in page
    password = re.search(r"pass it on securely\): (\S+)</p>", page).group(1)
    person.refresh_from_db()
    assert person.user.check_password(password)


def test_body_members_through_the_site(demo, coordinator):
    body = demo.body("Northshire Joint Commissioning Group")
    person = demo.person("finance@northshire.example")
    response = coordinator.post(
        f"/p/N01A/bodies/{body.pk}/members/new/", {"person": person.pk, "position": "adviser"}
    )
    assert response["Location"] == f"/p/N01A/bodies/{body.pk}/"
    seat = BodyMember.objects.get(body=body, person=person, archived_at__isnull=True)
    again = coordinator.post(
        f"/p/N01A/bodies/{body.pk}/members/new/", {"person": person.pk, "position": "member"}
    )
    assert "is already a member" in _text(again)
    eastvale_person = Person.objects.get(email="finance@eastvale.example")
    cross = coordinator.post(
        f"/p/N01A/bodies/{body.pk}/members/new/",
        {"person": eastvale_person.pk, "position": "member"},
    )
    assert "Select a valid choice" in _text(cross)
    page = _text(coordinator.get(f"/p/N01A/bodies/{body.pk}/"))
    assert "Robin Hughes" in page and "Adviser (non-voting)" in page
    # A seat of another body cannot be removed through this body's address.
    board = demo.body("Northshire Partnership Board")
    assert (
        coordinator.post(f"/p/N01A/bodies/{board.pk}/members/{seat.pk}/remove/").status_code == 404
    )
    assert (
        coordinator.post(f"/p/N01A/bodies/{body.pk}/members/{seat.pk}/remove/").status_code == 302
    )
    seat.refresh_from_db()
    assert seat.archived_at is not None


def test_body_detail_lists_sub_groups(demo, coordinator):
    board = demo.body("Northshire Partnership Board")
    page = _text(coordinator.get(f"/p/N01A/bodies/{board.pk}/"))
    assert "Sub-groups" in page and "Northshire Joint Commissioning Group" in page


def test_role_names_through_the_site(demo, coordinator):
    response = coordinator.post(
        "/p/N01A/role-names/new/",
        {
            "abbreviation": "SMS",
            "name": "Substance Misuse Service",
            "holder": demo.person("trustlead@northshire.example").pk,
        },
    )
    assert response.status_code == 302
    assert RoleName.objects.get(abbreviation="SMS").holder.full_name == "Dr Avery Bell"
    dupe = coordinator.post("/p/N01A/role-names/new/", {"abbreviation": "DPM", "name": "Again"})
    assert dupe.status_code == 200 and "already exists" in _text(dupe)


def test_my_reminders(demo, client_for):
    client = client_for(demo.board)
    person = demo.person("board@northshire.example")
    assert 'id="reminders-' in _text(client.get("/account/"))
    assert client.post("/p/N01A/my-reminders/", {})["Location"] == "/account/"
    person.refresh_from_db()
    assert person.reminders_enabled is False
    client.post("/p/N01A/my-reminders/", {"reminders": "on"})
    person.refresh_from_db()
    assert person.reminders_enabled is True
    # The site admin has no person in Northshire: nothing to change, no error.
    assert client_for(demo.admin).post("/p/N01A/my-reminders/", {})["Location"] == "/account/"


def test_audit_trail_page_and_search(demo, coordinator):
    org = demo.organisation("Northshire Police")
    coordinator.post(
        f"/p/N01A/organisations/{org.pk}/edit/",
        {"name": "Northshire Constabulary", "kind": "police", "agency_code": ""},
    )
    page = _text(coordinator.get("/p/N01A/audit/"))
    assert "organisation.update" in page
    assert "Northshire Police → Northshire Constabulary" in page
    assert "coordinator@northshire.example" in page
    assert "No changes found" in _text(coordinator.get("/p/N01A/audit/?q=zzzz"))


def test_select_lists_say_what_to_do_rather_than_dashes(demo, coordinator):
    page = _text(coordinator.get("/p/N01A/organisations/new/"))
    assert "---------" not in page
    assert '<option value="" selected>Choose one</option>' in page
    body = _text(coordinator.get("/p/N01A/bodies/new/"))
    assert "---------" not in body
    assert '<option value="" selected>None</option>' in body  # "Reports to" is optional


def test_an_active_token_says_so(demo, coordinator):
    coordinator.post("/account/tokens/", {"name": "Monthly upload"})
    page = _text(coordinator.get("/account/"))
    assert "Monthly upload" in page and ">Active</strong>" in page
