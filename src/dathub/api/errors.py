"""The API's one error shape, `{"error": {"status", "code", "message", ...}}`, for responses
made outside django-ninja's handlers too (unknown paths, refused methods, CSRF, crashes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"

ERROR_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    500: "server_error",
}


ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "description": "Every error the API gives, whatever its status.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "integer", "description": "The HTTP status, again."},
                "code": {"type": "string", "description": "What went wrong, for programs."},
                "message": {"type": "string", "description": "What went wrong, for people."},
                "details": {
                    "type": "array",
                    "description": "For 422: each field that is not valid.",
                    "items": {
                        "type": "object",
                        "required": ["field", "message"],
                        "properties": {
                            "field": {"type": "string"},
                            "message": {"type": "string"},
                            "code": {"type": "string"},
                        },
                    },
                },
            },
        }
    },
}

# The errors any operation may give, and those an operation with a request body may add.
DOCUMENTED_ERRORS = {
    400: "The request could not be read",
    401: "No valid API token or session",
    403: "Your role does not allow this",
    404: "Not found, or not yours to see",
    422: "The request is not valid (see `details`)",
}
BODY_ERRORS = {413: "The request or its file is too large"}


def document_errors(schema: dict[str, Any]) -> None:
    """Declare the error shape and the error responses of every operation in an OpenAPI
    document (in place)."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = dict(DOCUMENTED_ERRORS)
            if "requestBody" in operation:
                errors.update(BODY_ERRORS)
            responses = operation["responses"]
            for status, description in errors.items():
                responses.setdefault(status, {"description": description, "content": content})
            operation["responses"] = dict(sorted(responses.items(), key=lambda i: str(i[0])))


def error_response(status: int, message: str, code: str = "", **extra: Any) -> JsonResponse:
    return JsonResponse(
        {
            "error": {
                "status": status,
                "code": code or ERROR_CODES.get(status, "error"),
                "message": message,
                **extra,
            }
        },
        status=status,
    )


class ApiErrorMiddleware:
    """Turns any error response under /api/ that is not already JSON into the error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            replaced = error_response(response.status_code, f"{response.reason_phrase}.")
            if "Allow" in response:
                replaced["Allow"] = response["Allow"]
            return replaced
        return response
