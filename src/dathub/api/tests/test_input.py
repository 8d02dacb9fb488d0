"""Bad input to the API is a 4xx in the one error shape, never a 500, and writes nothing:
pagination numbers out of range, bodies that cannot be read, and text with control
characters, bidirectional overrides or no bound on its length."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dathub.core.models import AuditEvent
from dathub.core.tests import urlmap
from dathub.planning.models import Action, Objective, Plan

from .test_api import _assert_error

RLO = "\u202e"
BELL = "\x07"
HUGE = "x" * 20_000_001

LISTS = [
    "/api/v1/partnerships",
    "/api/v1/partnerships/N01A/organisations",
    "/api/v1/partnerships/N01A/people",
    "/api/v1/partnerships/N01A/bodies",
    "/api/v1/partnerships/N01A/submissions",
]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "query, field",
    [
        ("limit=99999999999999999999", "query.limit"),
        ("offset=99999999999999999999", "query.offset"),
        ("limit=0", "query.limit"),
        ("limit=201", "query.limit"),
        ("offset=-1", "query.offset"),
        ("offset=1000001", "query.offset"),
        ("limit=1e3", "query.limit"),
    ],
)
def test_pagination_out_of_range_is_422(demo, api_client_for, path, query, field):
    client = api_client_for(demo.coordinator)
    error = _assert_error(client.get(f"{path}?{query}"), 422, "invalid")
    assert error["details"][0]["field"] == field
    assert error["details"][0]["code"]


def test_pagination_within_range(demo, api_client_for):
    client = api_client_for(demo.coordinator)
    body = client.get("/api/v1/partnerships/N01A/people?limit=200&offset=1000000").json()
    assert body["items"] == [] and body["count"] == 11
    assert len(client.get("/api/v1/partnerships/N01A/people?limit=2").json()["items"]) == 2


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\x01"],
)
def test_multipart_without_a_boundary_is_400(demo, api_client_for, content_type):
    client = api_client_for(demo.coordinator)
    plans, events = Plan.objects.count(), AuditEvent.objects.count()
    for path in ("/api/v1/plans", "/api/v1/partnerships/N01A/submissions"):
        response = client.generic("POST", path, b"--x\r\n\r\nbody", content_type=content_type)
        error = _assert_error(response, 400, "bad_request")
        assert "boundary" in error["message"]
    assert Plan.objects.count() == plans and AuditEvent.objects.count() == events


def test_unreadable_json_is_400(demo, api_client_for):
    client = api_client_for(demo.coordinator)
    path, _ = _objective_path(demo)
    for body in (b"{bad", b"\xff\xfe"):
        response = client.generic("PATCH", path, body, content_type="application/json")
        _assert_error(response, 400, "bad_request")


def _objective_path(demo: Any) -> tuple[str, Objective]:
    """A Northshire objective the co-ordinator may change (the scoping tests' case)."""
    ids = urlmap.api_object_urls()["api:objective_update"](demo)
    objective = Objective.objects.get(pk=ids["objective_pk"])
    return f"/api/v1/plans/{ids['pk']}/objectives/{objective.pk}", objective


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("title", f"Reduce{RLO}ecudeR", "bidi_control"),
        ("title", f"Reduce{BELL}", "control_character"),
        ("title", HUGE, "string_too_long"),
        ("due", "March\n2027", "control_character"),
        ("owners", "x" * 301, "string_too_long"),
        ("number", 99999999999999999999, "less_than_equal"),
    ],
    ids=["rlo", "bell", "20m", "line-break", "owners-301", "huge-number"],
)
def test_objective_update_refuses_bad_text_and_writes_nothing(
    demo, api_client_for, field, value, code
):
    client = api_client_for(demo.coordinator)
    path, objective = _objective_path(demo)
    events = AuditEvent.objects.count()
    response = client.patch(path, json.dumps({field: value}), content_type="application/json")
    error = _assert_error(response, 422, "invalid")
    assert error["details"][0]["field"] == field
    assert error["details"][0]["code"] == code
    assert "Remove" in error["details"][0]["message"] or code != "bidi_control"
    after = Objective.objects.get(pk=objective.pk)
    assert (after.title, after.owners_text, after.number) == (
        objective.title,
        objective.owners_text,
        objective.number,
    )
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("text", [f"Do{RLO}oD", f"Do{BELL}", HUGE], ids=["rlo", "bell", "20m"])
def test_action_create_refuses_bad_text_and_writes_nothing(demo, api_client_for, text):
    client = api_client_for(demo.coordinator)
    path, _ = _objective_path(demo)
    actions = Action.objects.count()
    response = client.post(
        f"{path}/actions", json.dumps({"text": text}), content_type="application/json"
    )
    _assert_error(response, 422, "invalid")
    assert Action.objects.count() == actions


def test_ordinary_text_with_line_breaks_is_accepted(demo, api_client_for):
    client = api_client_for(demo.coordinator)
    path, objective = _objective_path(demo)
    title = "Reduce drug-related deaths\n– with Zoë’s team (עברית)"
    response = client.patch(path, json.dumps({"title": title}), content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    assert Objective.objects.get(pk=objective.pk).title == title


def test_openapi_document_declares_the_error_responses(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    assert "Error" in doc["components"]["schemas"]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "422"):
                assert status in operation["responses"], (method, path, status)
    limit = next(
        p for p in doc["paths"]["/api/v1/partnerships"]["get"]["parameters"] if p["name"] == "limit"
    )
    assert limit["schema"]["minimum"] == 1 and limit["schema"]["maximum"] == 200


@pytest.mark.parametrize("body", ["[null, null]", '"title"', "1", '{"titel": "Misspelt"}'])
def test_a_body_that_is_not_the_object_is_422(demo, api_client_for, body):
    client = api_client_for(demo.coordinator)
    path, objective = _objective_path(demo)
    events = AuditEvent.objects.count()
    _assert_error(client.patch(path, body, content_type="application/json"), 422, "invalid")
    assert AuditEvent.objects.count() == events
    assert Objective.objects.get(pk=objective.pk).title == objective.title
