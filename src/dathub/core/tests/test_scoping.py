"""Every page of the site, found by walking the URL resolver, is scoped.

A page added later is covered automatically; if it takes an object, its app must say which
object to test it with (tests/url_cases.py), or these tests fail naming it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from dathub.core.models import AuditEvent
from dathub.tenancy import permissions

from . import urlmap

WRITE_ROUTE = re.compile(r"/(new|edit|archive|roles|sign-in|remove)/$")


def _partnership_urls() -> list[urlmap.Url]:
    """Partnership pages the tests below can build an address for; the pages they cannot
    (an object page with no case) make test_every_page_is_known_to_the_scoping_tests fail."""
    cases = urlmap.object_urls()
    return [
        u
        for u in urlmap.site_urls()
        if "code" in u.params and (not u.object_params or u.name in cases)
    ]


def _kwargs(url: urlmap.Url, demo: Any, code: str = "N01A") -> dict[str, Any]:
    kwargs: dict[str, Any] = {"code": code}
    if url.object_params:
        kwargs.update(urlmap.object_urls()[url.name](demo))
    return kwargs


def _fetch(client: Client, path: str) -> Any:
    """GET the page, or POST to it when it only accepts POST."""
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path)
    return response


def test_every_page_is_known_to_the_scoping_tests(db):
    """Fails listing any page that these tests would not cover properly."""
    cases = urlmap.object_urls()
    unscoped = urlmap.unscoped_urls()
    problems = []
    for url in urlmap.site_urls():
        if "code" in url.params:
            if urlmap.required_capability(url) is None:
                problems.append(f"{url.name} ({url.route}) does not go through partnership_view")
            if url.object_params and url.name not in cases:
                problems.append(f"{url.name} ({url.route}) has no case in OBJECT_URLS")
        elif url.name not in unscoped:
            problems.append(f"{url.name} ({url.route}) has no partnership: add it to UNSCOPED_URLS")
    assert not problems, "Pages not covered by the scoping tests:\n" + "\n".join(problems)
    assert len(_partnership_urls()) >= 25


def test_the_enumeration_finds_the_pages_we_know(db):
    names = {u.name for u in urlmap.site_urls()}
    assert {
        "tenancy:organisation-detail",
        "tenancy:body-member-remove",
        "core:audit",
        "core:partnership-home",
        "tenancy:my-reminders",
    } <= names


def test_anonymous_users_are_sent_to_sign_in_from_every_page(demo, client):
    failures = []
    scoped = set(_partnership_urls())
    for url in urlmap.site_urls():
        if url.name in urlmap.merged("PUBLIC_URLS") or ("code" in url.params and url not in scoped):
            continue
        kwargs = _kwargs(url, demo) if "code" in url.params else {}
        if url.name == "core:api-token-revoke":
            kwargs = {"pk": 1}
        path = url.path(**kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            expected = "/sign-in/?next=" + path.replace("/", "%2F")
            if response.status_code != 302 or response["Location"] != expected:
                failures.append(
                    f"{method.upper()} {path}: {response.status_code} {response.get('Location')}"
                )
    assert not failures, "\n".join(failures)


def test_public_pages_need_no_sign_in(client, db):
    for path in ("/sign-in/", "/accessibility/", "/health/"):
        assert client.get(path).status_code == 200, path


def test_eastvale_gets_404_for_every_northshire_page_and_object(demo, client_for):
    client = client_for(demo.eastvale)
    northshire_names = [
        str(demo.organisation("Northshire County Council")),
        str(demo.person("police@northshire.example")),
        str(demo.body("Northshire Partnership Board")),
    ]
    failures = []
    for url in _partnership_urls():
        # Northshire's own pages, and Northshire objects asked for under Eastvale's code
        # (where the Eastvale co-ordinator has every right): both are "not found".
        variants = [_kwargs(url, demo, "N01A")]
        if url.object_params:
            variants.append(_kwargs(url, demo, "E02B"))
        for kwargs in variants:
            path = url.path(**kwargs)
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                if response.status_code == 405:
                    continue  # the method is refused before anything is looked up
                body = response.content.decode()
                if response.status_code != 404 or "Page not found" not in body:
                    failures.append(f"{method.upper()} {path}: {response.status_code}")
                elif any(name in body for name in northshire_names):
                    failures.append(f"{method.upper()} {path}: 404 page names a Northshire record")
    assert not failures, "\n".join(failures)
    assert not AuditEvent.objects.filter(actor=demo.eastvale).exists()


def test_provider_gets_404_outside_their_organisation_and_403_for_pages_their_role_lacks(
    demo, client_for
):
    client = client_for(demo.provider)
    provider = type(demo.provider).objects.get(pk=demo.provider.pk)
    failures = []
    seen = {403: 0, 404: 0, 200: 0}
    for url in _partnership_urls():
        capability = urlmap.required_capability(url)
        path = url.path(**_kwargs(url, demo))
        response = _fetch(client, path)
        if not permissions.can(provider, demo.northshire, capability):
            expected: tuple[int, ...] = (403,)
        elif url.object_params and url.name not in urlmap.provider_visible_urls():
            expected = (404,)
        else:
            expected = (200, 302)
        if response.status_code not in expected:
            failures.append(f"{path} ({capability}): {response.status_code}, expected {expected}")
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        # Eastvale is another partnership altogether: not found.
        other = _fetch(client, url.path(**{**_kwargs(url, demo), "code": "E02B"}))
        if other.status_code not in (404, 405):
            failures.append(f"{url.path(code='E02B', pk=1, member=1)}: {other.status_code}")
    assert not failures, "\n".join(failures)
    assert seen[403] >= 10 and seen[404] >= 3 and seen[200] >= 3, seen


def test_provider_sees_their_own_organisation_people_and_bodies(demo, client_for):
    client = client_for(demo.provider)
    trust = demo.organisation("Northshire Recovery Trust")
    sam = demo.person("provider@northshire.example")
    sug = demo.body("Northshire Service User Group")
    assert client.get(f"/p/N01A/organisations/{trust.pk}/").status_code == 200
    assert client.get(f"/p/N01A/people/{sam.pk}/").status_code == 200
    assert client.get(f"/p/N01A/bodies/{sug.pk}/").status_code == 200

    orgs = client.get("/p/N01A/organisations/").content.decode()
    assert "Northshire Recovery Trust" in orgs and "Northshire Police" not in orgs
    people = client.get("/p/N01A/people/").content.decode()
    assert "Sam Okafor" in people and "Alex Morgan" not in people
    bodies = client.get("/p/N01A/bodies/").content.decode()
    assert "Northshire Service User Group" in bodies
    assert "Northshire Partnership Board" not in bodies
    home = client.get("/p/N01A/").content.decode()
    assert "Audit trail" not in home and "Role names" not in home


def test_provider_body_page_links_only_to_bodies_they_may_see(demo, client_for):
    """A provider who sits on the JCG sees it, but not the board it reports to."""
    from dathub.tenancy import services

    jcg = demo.body("Northshire Joint Commissioning Group")
    housing = services.body_create(
        actor=demo.coordinator,
        partnership=demo.northshire,
        name="Housing sub-group",
        kind="other",
        reports_to=jcg,
    )
    services.body_member_add(
        actor=demo.coordinator, body=jcg, person=demo.person("provider@northshire.example")
    )
    client = client_for(demo.provider)
    page = client.get(f"/p/N01A/bodies/{jcg.pk}/").content.decode()
    assert "Housing sub-group" not in page  # no one of the trust sits on it
    assert client.get(f"/p/N01A/bodies/{housing.pk}/").status_code == 404


def test_board_member_is_refused_every_write_page_and_post(demo, client_for):
    client = client_for(demo.board)
    self_service = urlmap.self_service_urls()
    before = AuditEvent.objects.filter(actor=demo.board).count()
    failures = []
    writes = 0
    for url in _partnership_urls():
        path = url.path(**_kwargs(url, demo))
        if WRITE_ROUTE.search(url.route) or (urlmap.required_capability(url) or "").startswith(
            "manage_"
        ):
            writes += 1
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                if response.status_code == 405 and method == "get":
                    continue
                if response.status_code != 403:
                    failures.append(f"{method.upper()} {path}: {response.status_code}")
                elif "You do not have access" not in response.content.decode():
                    failures.append(f"{method.upper()} {path}: 403 without the friendly page")
        elif url.name not in self_service:
            client.post(path, {"name": "Changed", "roles": ["coordinator"]})
    assert not failures, "\n".join(failures)
    assert writes >= 15
    assert AuditEvent.objects.filter(actor=demo.board).count() == before


def test_board_member_reads_what_their_role_allows(demo, client_for):
    client = client_for(demo.board)
    board = type(demo.board).objects.get(pk=demo.board.pk)
    failures = []
    for url in _partnership_urls():
        response = client.get(url.path(**_kwargs(url, demo)))
        if response.status_code == 405:
            continue
        allowed = permissions.can(board, demo.northshire, urlmap.required_capability(url))
        expected: tuple[int, ...] = (200, 302) if allowed else (403,)
        if response.status_code not in expected:
            failures.append(f"{url.name}: {response.status_code}, expected {expected}")
    assert not failures, failures
    assert client.get("/p/N01A/audit/").status_code == 403
    assert client.get("/p/N01A/role-names/").status_code == 200


def test_coordinator_reaches_every_page_of_their_partnership(demo, client_for):
    """The control for the tests above: the same requests succeed for the co-ordinator."""
    client = client_for(demo.coordinator)
    failures = []
    for url in _partnership_urls():
        path = url.path(**_kwargs(url, demo))
        response = client.get(path)
        if response.status_code not in (200, 302, 405):
            failures.append(f"GET {path}: {response.status_code}")
    assert not failures, failures


def test_site_admin_sees_both_partnerships(demo, client_for):
    client = client_for(demo.admin)
    home = client.get("/")
    assert home.status_code == 200
    assert "Northshire DAAT" in home.content.decode() and "Eastvale DAT" in home.content.decode()
    failures = []
    for code in ("N01A", "E02B"):
        for url in _partnership_urls():
            if url.object_params:
                continue
            response = client.get(url.path(code=code))
            if response.status_code not in (200, 302):
                failures.append(f"{url.path(code=code)}: {response.status_code}")
    assert not failures, failures
    org = demo.organisation("Eastvale Police")
    assert client.get(f"/p/E02B/organisations/{org.pk}/").status_code == 200


def test_single_partnership_user_goes_straight_to_it(demo, client_for):
    response = client_for(demo.coordinator).get("/")
    assert response.status_code == 302 and response["Location"] == "/p/N01A/"


def test_user_without_partnership_sees_a_friendly_home(db, client_for):
    from dathub.tenancy.tests.factories import UserFactory

    client = client_for(UserFactory())
    response = client.get("/")
    assert response.status_code == 200
    assert "You do not have a role in any partnership" in response.content.decode()
    assert client.get("/p/N01A/").status_code == 404


def test_another_users_api_token_cannot_be_revoked(demo, client_for):
    from dathub.tenancy.models import ApiToken

    cases = urlmap.merged("OTHER_USERS_OBJECT_URLS")
    for url in urlmap.site_urls():
        if url.name in cases:
            path = url.path(**cases[url.name](demo))
            assert client_for(demo.eastvale).post(path).status_code == 404, path
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()


@pytest.mark.parametrize("role", ["board", "provider", "eastvale"])
def test_audit_trail_is_for_coordinators_of_that_partnership(demo, client_for, role):
    from dathub.tenancy import services

    services.organisation_update(
        actor=demo.coordinator,
        organisation=demo.organisation("Northshire Police"),
        name="Northshire Constabulary",
    )
    own = client_for(demo.coordinator).get("/p/N01A/audit/")
    assert own.status_code == 200 and "Northshire Constabulary" in own.content.decode()
    response = client_for(getattr(demo, role)).get("/p/N01A/audit/")
    assert response.status_code == (404 if role == "eastvale" else 403)
    assert "Northshire Constabulary" not in response.content.decode()
    # Eastvale's own trail does not show Northshire's changes.
    eastvale = client_for(demo.eastvale).get("/p/E02B/audit/").content.decode()
    assert "Northshire Constabulary" not in eastvale
