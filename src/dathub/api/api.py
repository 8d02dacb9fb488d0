"""The /api/v1 root: authentication, one error shape, and each app's router."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import APIKeyCookie, HttpBearer

from dathub.tenancy import services as tenancy_services

from .errors import ERROR_CODES, document_errors


class TokenAuth(HttpBearer):
    """Personal API token: `Authorization: Bearer dh_...`."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = tenancy_services.api_token_user(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The site's own session (for htmx and the browser); CSRF is checked on writes."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


class DathubAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document declares the error responses every operation gives,
    in the one error shape, so that clients (and schemathesis) know them."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema


api = DathubAPI(
    title="dathub API",
    version="1",
    description="Partnership data, scoped to what the caller may see. Authenticate with a "
    "personal API token (create one on your account page) as a Bearer token.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url=None,  # the interactive viewer needs inline script our CSP refuses
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    return api.create_response(
        request,
        {"error": {"status": status, "code": code, "message": message, **extra}},
        status=status,
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or "You may not do this.")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "Sign in or send a valid API token.")


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [
        {
            "field": ".".join(str(p) for p in e.get("loc", []) if p not in {"body", "payload"}),
            "message": e.get("msg", ""),
            "code": str(e.get("type", "invalid")),
        }
        for e in exc.errors
    ]
    return _error(request, 422, "invalid", "The request is not valid.", details=details)


@api.exception_handler(DjangoValidationError)
def _invalid_model(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        details = [{"field": k, "message": " ".join(v)} for k, v in exc.message_dict.items()]
    else:
        details = [{"field": "", "message": m} for m in exc.messages]
    return _error(request, 422, "invalid", "The request is not valid.", details=details)


@api.exception_handler(MultiPartParserError)
@api.exception_handler(UnreadablePostError)
@api.exception_handler(BadRequest)
@api.exception_handler(SuspiciousOperation)
def _bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A body that cannot be read (multipart without a boundary, a broken upload, too many
    fields): the client's fault, and nothing was read, so 400 and never a crash."""
    return _error(
        request,
        400,
        "bad_request",
        "The request body could not be read. Send JSON with Content-Type: application/json, "
        "or a form with Content-Type: multipart/form-data and its boundary.",
    )


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 413, "too_large", "The request is too large.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, ERROR_CODES.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Exception)
def _crash(request: HttpRequest, exc: Exception) -> HttpResponse:
    import logging

    logging.getLogger("dathub.api").exception("API error on %s", request.path)
    return _error(request, 500, "server_error", "Something went wrong. Nothing was saved.")


def _add_routers() -> None:
    """Each app registers its router from ready() (core.registry.register_api_router)."""
    from importlib import import_module

    from dathub.core.registry import api_router_modules

    for module in api_router_modules():
        api.add_router("/", import_module(module).router)


_add_routers()
