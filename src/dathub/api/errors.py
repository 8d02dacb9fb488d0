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
