"""/api/v1: every endpoint (found by walking the routes) is authenticated and scoped, errors
have one shape, tokens work as the account page promises."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from dathub.core.models import AuditEvent
from dathub.core.tests import urlmap
from dathub.tenancy import services
from dathub.tenancy.models import ApiToken

ERROR_KEYS = {"status", "code", "message"}


def _assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert ERROR_KEYS <= set(error), error
    assert error["status"] == status and error["code"] == code and error["message"]
    return error


def _endpoints() -> list[urlmap.Url]:
    """The API's data endpoints (the OpenAPI document and the bare root aside)."""
    return [u for u in urlmap.api_urls() if u.name not in {"api:openapi-json", "api:api-root"}]


def _kwargs(url: urlmap.Url, demo: Any, code: str = "N01A") -> dict[str, Any] | None:
    kwargs: dict[str, Any] = {"code": code} if "code" in url.params else {}
    if url.object_params:
        case = urlmap.api_object_urls().get(url.name)
        if case is None:
            return None
        kwargs.update(case(demo))
    return kwargs


def _methods() -> dict[str, set[str]]:
    """The HTTP methods of each endpoint, by URL name, from the OpenAPI document."""
    from dathub.api.api import api

    doc = api.get_openapi_schema()
    out = {}
    for url in _endpoints():
        ops = doc["paths"].get(_openapi_path(url), {})
        out[url.name] = {m.upper() for m in ops}
    return out


def _openapi_path(url: urlmap.Url) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", url.route)


def test_every_endpoint_is_known_to_the_scoping_tests(db):
    cases = urlmap.api_object_urls()
    problems = [
        f"{u.name} (/{u.route}) has no case in API_OBJECT_URLS"
        for u in _endpoints()
        if u.object_params and u.name not in cases
    ]
    assert not problems, "\n".join(problems)
    assert len(_endpoints()) >= 8
    assert all(_methods().values())


def test_openapi_document_lists_every_endpoint(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    paths = set(doc["paths"])
    routes = {_openapi_path(u) for u in _endpoints()}
    assert routes == paths
    assert {
        "/api/v1/partnerships",
        "/api/v1/partnerships/{code}/organisations/{pk}",
        "/api/v1/partnerships/{code}/people",
        "/api/v1/partnerships/{code}/bodies/{pk}",
    } <= paths
    schemes = doc["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    for ops in doc["paths"].values():
        for op in ops.values():
            assert op.get("security"), op["operationId"]


WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _call(client: Client, method: str, path: str, demo: Any, name: str) -> Any:
    payload = urlmap.merged("API_PAYLOADS").get(name)
    data = payload(demo) if payload else {}
    return client.generic(method, path, data=json.dumps(data), content_type="application/json")


def test_every_endpoint_needs_authentication(demo, client):
    bad = Client(headers={"Authorization": "Bearer dh_not-a-real-token"})
    methods = _methods()
    checked = 0
    for url in _endpoints():
        kwargs = _kwargs(url, demo)
        if kwargs is None:
            continue
        for method in methods[url.name]:
            for c in (client, bad):
                _assert_error(
                    _call(c, method, url.path(**kwargs), demo, url.name), 401, "unauthenticated"
                )
                checked += 1
    assert checked >= 16


def test_eastvale_gets_404_for_every_northshire_endpoint(demo, api_client_for):
    """Northshire objects, asked for by path or under Eastvale's code: not found; lists
    without a partnership in the path hold nothing of Northshire's; writes change nothing."""
    client = api_client_for(demo.eastvale)
    before = AuditEvent.objects.filter(actor=demo.eastvale).count()
    methods = _methods()
    failures = []
    for url in _endpoints():
        variants = [_kwargs(url, demo, "N01A")]
        if url.object_params and "code" in url.params:
            variants.append(_kwargs(url, demo, "E02B"))
        for kwargs in variants:
            if kwargs is None:
                continue
            path = url.path(**kwargs)
            for method in methods[url.name]:
                response = _call(client, method, path, demo, url.name)
                if "code" not in url.params and not url.object_params:
                    ok = method != "GET" or (
                        response.status_code == 200 and "orthshire" not in response.content.decode()
                    )
                elif method == "GET":
                    ok = response.status_code == 404
                else:
                    ok = response.status_code in (403, 404, 422)
                if not ok:
                    failures.append(f"{method} {path}: {response.status_code}")
                elif response.status_code >= 400:
                    assert response.json()["error"]["status"] == response.status_code
    assert not failures, failures
    assert AuditEvent.objects.filter(actor=demo.eastvale).count() == before


def test_provider_gets_404_outside_their_organisation(demo, api_client_for):
    client = api_client_for(demo.provider)
    before = AuditEvent.objects.filter(actor=demo.provider).count()
    methods = _methods()
    failures = []
    for url in _endpoints():
        kwargs = _kwargs(url, demo)
        if kwargs is None or not url.object_params:
            continue
        for method in methods[url.name]:
            response = _call(client, method, url.path(**kwargs), demo, url.name)
            if method == "GET":
                visible = url.name in urlmap.provider_visible_urls()
                expected: tuple[int, ...] = (200,) if visible else (404,)
            else:
                expected = (403, 404, 422)
            if response.status_code not in expected:
                failures.append(f"{method} {url.path(**kwargs)}: {response.status_code}")
    assert not failures, failures
    assert AuditEvent.objects.filter(actor=demo.provider).count() == before


def test_provider_lists_only_their_organisation(demo, api_client_for):
    client = api_client_for(demo.provider)
    orgs = client.get("/api/v1/partnerships/N01A/organisations").json()
    assert [o["name"] for o in orgs["items"]] == ["Northshire Recovery Trust"]
    people = client.get("/api/v1/partnerships/N01A/people").json()["items"]
    trust = demo.organisation("Northshire Recovery Trust")
    assert people and {p["organisation_id"] for p in people} == {trust.pk}
    bodies = client.get("/api/v1/partnerships/N01A/bodies").json()["items"]
    assert [b["name"] for b in bodies] == ["Northshire Service User Group"]
    sam = demo.person("provider@northshire.example")
    assert client.get(f"/api/v1/partnerships/N01A/people/{sam.pk}").json()["roles"] == [
        "provider_user"
    ]


def test_every_list_endpoint_is_scoped_for_eastvale(demo, api_client_for):
    client = api_client_for(demo.eastvale)
    assert [p["code"] for p in client.get("/api/v1/partnerships").json()["items"]] == ["E02B"]
    methods = _methods()
    for url in _endpoints():
        if "code" in url.params and not url.object_params and "GET" in methods[url.name]:
            response = client.get(url.path(code="E02B"))
            assert response.status_code == 200, url.name
            assert "orthshire" not in response.content.decode(), url.name


def test_board_member_reads_every_endpoint_but_cannot_write(demo, api_client_for):
    client = api_client_for(demo.board)
    before = AuditEvent.objects.filter(actor=demo.board).count()
    methods = _methods()
    for url in _endpoints():
        kwargs = _kwargs(url, demo)
        if kwargs is None:
            continue
        path = url.path(**kwargs)
        if "GET" in methods[url.name]:
            readable = url.name not in urlmap.manager_only_api_urls()
            assert client.get(path).status_code == (200 if readable else 404), path
        for method in WRITES:
            response = _call(client, method, path, demo, url.name)
            if method in methods[url.name]:
                assert response.status_code in (403, 404, 422), (method, path)
            else:
                _assert_error(response, 405, "method_not_allowed")
                assert response["Allow"]
    # Creating the token was the board member's only recorded change.
    assert AuditEvent.objects.filter(actor=demo.board).count() == before


def test_site_admin_sees_both_partnerships(demo, api_client_for):
    client = api_client_for(demo.admin)
    codes = [p["code"] for p in client.get("/api/v1/partnerships").json()["items"]]
    assert sorted(codes) == ["E02B", "N01A"]
    org = demo.organisation("Eastvale Police")
    assert client.get(f"/api/v1/partnerships/E02B/organisations/{org.pk}").json()["name"] == (
        "Eastvale Police"
    )


def test_list_and_detail_content(demo, api_client_for):
    client = api_client_for(demo.coordinator)
    p = client.get("/api/v1/partnerships/N01A").json()
    assert p == {
        "code": "N01A",
        "name": "Northshire DAAT",
        "area": "Northshire County",
        "host_organisation": "Northshire County Council",
    }
    board = demo.body("Northshire Partnership Board")
    detail = client.get(f"/api/v1/partnerships/N01A/bodies/{board.pk}").json()
    assert detail["kind"] == "board"
    assert {m["name"] for m in detail["members"]} == {
        "Jordan Ellis",
        "Inspector Lee Carter",
        "Dr Avery Bell",
        "Alex Morgan",
    }
    people = client.get("/api/v1/partnerships/N01A/people?limit=3&offset=0").json()
    assert people["count"] == 11 and len(people["items"]) == 3


def test_archived_records_leave_lists_but_stay_readable(demo, api_client_for):
    org = demo.organisation("Northshire Probation Service")
    services.person_archive(actor=demo.coordinator, person=demo.person("cjlead@northshire.example"))
    services.organisation_archive(actor=demo.coordinator, organisation=org)
    client = api_client_for(demo.coordinator)
    names = [
        o["name"] for o in client.get("/api/v1/partnerships/N01A/organisations").json()["items"]
    ]
    assert "Northshire Probation Service" not in names
    detail = client.get(f"/api/v1/partnerships/N01A/organisations/{org.pk}").json()
    assert detail["archived"] is True


# Errors
def test_error_shapes(demo, api_client_for, client):
    api = api_client_for(demo.coordinator)
    _assert_error(client.get("/api/v1/partnerships"), 401, "unauthenticated")
    _assert_error(api.get("/api/v1/partnerships/N01A/organisations/999999"), 404, "not_found")
    _assert_error(api.get("/api/v1/partnerships/ZZZZ"), 404, "not_found")
    _assert_error(api.get("/api/v1/no-such-endpoint"), 404, "not_found")
    _assert_error(client.get("/api/v1/no-such-endpoint"), 404, "not_found")
    invalid = _assert_error(api.get("/api/v1/partnerships/N01A/organisations/abc"), 422, "invalid")
    assert invalid["details"][0]["field"] == "path.pk"
    invalid = _assert_error(api.get("/api/v1/partnerships?limit=0"), 422, "invalid")
    assert invalid["details"][0]["field"] == "query.limit"


def test_unexpected_errors_are_json_and_say_nothing_inside(demo, api_client_for, monkeypatch):
    from dathub.tenancy import api as tenancy_api

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(tenancy_api.selectors, "partnership_list", broken)
    response = api_client_for(demo.coordinator).get("/api/v1/partnerships")
    error = _assert_error(response, 500, "server_error")
    assert "secret" not in response.content.decode()
    assert error["message"]


# Tokens
def test_token_is_shown_once_and_only_its_hash_is_stored(demo, client_for):
    client = client_for(demo.analyst)
    response = client.post("/account/tokens/", {"name": "Monthly upload"})
    assert response.status_code == 302 and response["Location"] == "/account/"
    page = client.get("/account/").content.decode()
    key = re.search(r'<code id="new-token">([^<]+)</code>', page).group(1)
    assert key.startswith("dh_") and len(key) > 40
    assert key not in client.get("/account/").content.decode()  # shown once
    token = ApiToken.objects.get(user=demo.analyst)
    assert token.name == "Monthly upload"
    assert token.key_hash == ApiToken.hash_key(key) and key not in token.key_hash
    assert all(
        key not in str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()
    )
    assert not AuditEvent.objects.filter(changes__icontains=key).exists()
    api = Client(headers={"Authorization": f"Bearer {key}"})
    assert api.get("/api/v1/partnerships").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_needs_a_name(demo, client_for):
    client = client_for(demo.analyst)
    client.post("/account/tokens/", {"name": ""})
    assert not ApiToken.objects.filter(user=demo.analyst).exists()
    assert "Give the token a name" in client.get("/account/").content.decode()


def test_revoked_token_stops_working(demo, client_for, api_client_for):
    api = api_client_for(demo.analyst)
    assert api.get("/api/v1/partnerships").status_code == 200
    site = client_for(demo.analyst)
    assert site.post(f"/account/tokens/{api.token.pk}/revoke/").status_code == 302
    _assert_error(api.get("/api/v1/partnerships"), 401, "unauthenticated")
    assert AuditEvent.objects.filter(action="apitoken.revoke", actor=demo.analyst).count() == 1
    # Someone else cannot revoke it, even through the service.
    other = api_client_for(demo.board)
    with pytest.raises(services.permissions.PermissionDenied):
        services.api_token_revoke(actor=demo.analyst, token=other.token)
    assert (
        client_for(demo.analyst).post(f"/account/tokens/{other.token.pk}/revoke/").status_code
        == 404
    )
    assert other.get("/api/v1/partnerships").status_code == 200


def test_token_of_a_deactivated_user_stops_working(demo, api_client_for):
    api = api_client_for(demo.analyst)
    type(demo.analyst).objects.filter(pk=demo.analyst.pk).update(is_active=False)
    _assert_error(api.get("/api/v1/partnerships"), 401, "unauthenticated")


def test_token_sees_only_its_users_scope(demo, api_client_for):
    provider = api_client_for(demo.provider)
    coordinator = api_client_for(demo.coordinator)
    assert provider.get("/api/v1/partnerships/N01A/organisations").json()["count"] == 1
    assert coordinator.get("/api/v1/partnerships/N01A/organisations").json()["count"] == 6
    assert provider.get("/api/v1/partnerships/E02B").status_code == 404


def test_session_authenticates_the_api_too(demo, client_for):
    response = client_for(demo.coordinator).get("/api/v1/partnerships")
    assert response.status_code == 200
    assert response.json()["items"][0]["code"] == "N01A"
