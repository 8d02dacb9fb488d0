"""Reads every app shares."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404


def object_in(queryset: QuerySet[Any], pk: Any) -> Any:
    """The object with this id among those the caller may see, else the same 404 as a
    missing one (a scoped queryset makes another partnership's object simply absent)."""
    try:
        return queryset.get(pk=int(pk))
    except (ValueError, TypeError, queryset.model.DoesNotExist) as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} found") from exc
