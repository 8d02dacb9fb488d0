"""Core pages that belong to no partnership, and why they need no partnership scope."""

from __future__ import annotations

from typing import Any


def _token(demo: Any) -> dict[str, Any]:
    from dathub.tenancy import services

    token, _ = services.api_token_create(actor=demo.coordinator, name="Northshire uploads")
    return {"pk": token.pk}


UNSCOPED_URLS = {
    "core:home": "lists the partnerships the user belongs to (selectors.partnership_list)",
    "core:sign-in": "public",
    "core:sign-out": "ends the user's own session",
    "core:account": "the user's own account",
    "core:password-change": "the user's own password",
    "core:api-token-create": "the user's own tokens",
    "core:api-token-revoke": "the user's own tokens (another user's token is a 404)",
    "core:accessibility": "public",
    "core:health": "public, says only 'ok'",
    "core:healthz": "public liveness probe: says only whether the database answers",
    "core:readyz": "public readiness probe: says only which check failed",
}

# Pages without a partnership that still take an object: tested with someone else's object.
OTHER_USERS_OBJECT_URLS = {"core:api-token-revoke": _token}

PUBLIC_URLS = {"core:sign-in", "core:accessibility", "core:health", "core:healthz", "core:readyz"}
