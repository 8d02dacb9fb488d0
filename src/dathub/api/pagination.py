"""The API's one pagination: `?limit=` and `?offset=` with bounds, so that any number a client
sends is either a page or a 422 in the error shape (never a database overflow).

`limit` is 1 to `DATHUB_API_MAX_LIMIT` (200), by default `NINJA_PAGINATION_PER_PAGE` (50);
`offset` is 0 to `DATHUB_API_MAX_OFFSET` (1,000,000): no list of a partnership's is longer.
"""

from __future__ import annotations

from django.conf import settings
from ninja import Field, Schema
from ninja import pagination as ninja_pagination

DEFAULT_LIMIT = int(getattr(settings, "NINJA_PAGINATION_PER_PAGE", 50))
MAX_LIMIT = int(settings.DATHUB_API_MAX_LIMIT)
MAX_OFFSET = int(settings.DATHUB_API_MAX_OFFSET)


class LimitOffsetPagination(ninja_pagination.LimitOffsetPagination):
    """django-ninja's limit/offset pagination with both numbers bounded."""

    class Input(Schema):
        limit: int = Field(
            min(DEFAULT_LIMIT, MAX_LIMIT),
            ge=1,
            le=MAX_LIMIT,
            description=f"How many items to return, 1 to {MAX_LIMIT}.",
        )
        offset: int = Field(
            0,
            ge=0,
            le=MAX_OFFSET,
            description=f"How many items to skip, 0 to {MAX_OFFSET}.",
        )

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)  # type: ignore[arg-type]
