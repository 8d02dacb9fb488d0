"""The API against its own OpenAPI document, by schemathesis: every operation gets generated
requests (valid, invalid and malformed: huge numbers, missing boundaries, wrong types), and
no answer may be a server error, an undocumented status, or a body that does not match the
schema the document declares for it.

Each generated request is sent twice when the path names objects: as generated (mostly
unknown codes and ids, which must be a clean 404) and again with the path of real demo
objects the co-ordinator may see, so that the responses' schemas are checked on real data.

Bounded and repeatable: a fixed seed, derandomized generation, a few examples an operation;
the whole run takes about a minute on two cores.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dathub.core.tests import urlmap

MAX_EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class TestWSGIApp:
    """Django's WSGI handler, without closing the test's database connection at the end of
    each request (the test client does the same): everything runs in the test's
    transaction, which rolls back at the end."""

    __test__ = False

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.handler(environ, start_response)


@pytest.fixture
def wsgi_app() -> Iterator[TestWSGIApp]:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield TestWSGIApp()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def real_paths(demo: Any) -> dict[str, dict[str, Any]]:
    """For each templated API path, the path parameters of real Northshire objects."""
    cases = urlmap.api_object_urls()
    out = {}
    for url in urlmap.api_urls():
        if not url.params:
            continue
        params: dict[str, Any] = {"code": "N01A"} if "code" in url.params else {}
        if url.object_params:
            case = cases.get(url.name)  # test_api fails for an endpoint without a case
            if case is None:
                continue
            params.update(case(demo))
        out["/" + urlmap.PARAM.sub(r"{\1}", url.route)] = params
    return out


@pytest.fixture
def api_schema(demo: Any, api_client_for: Any, wsgi_app: TestWSGIApp) -> Any:
    client = api_client_for(demo.coordinator)
    config = SchemathesisConfig.from_dict(
        {
            "seed": 20261201,
            "suppress-health-check": ["all"],
            "headers": {"Authorization": f"Bearer {client.key}"},
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "phases": {"stateful": {"enabled": False}},
        }
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi_document(case: Any, real_paths: Any) -> None:
    case.call_and_validate(checks=CHECKS)
    real = real_paths.get(case.operation.path)
    if real and case.path_parameters != real:
        case.path_parameters = {**(case.path_parameters or {}), **real}
        case.call_and_validate(checks=CHECKS)
