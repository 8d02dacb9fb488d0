"""Progress reported on actions: the updates, the latest as at a day, upload reports."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from dathub.core.selectors import object_in
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Partnership

from ..models import Action
from .actions import action_get


def progress_updates(*, actor: Any, action: Action) -> QuerySet[Any]:
    """The action's history, newest first. The action was fetched through action_get."""
    from ..models import ProgressUpdate

    return ProgressUpdate.objects.filter(action=action).select_related("author")


def progress_update_get(*, actor: Any, partnership: Partnership, action_pk: Any, pk: Any) -> Any:
    action = action_get(actor=actor, partnership=partnership, pk=action_pk)
    return object_in(progress_updates(actor=actor, action=action), pk)


def last_reported(action_ids: list[int]) -> dict[int, date]:
    """The date of each action's latest progress update."""
    from django.db.models import Max

    from ..models import ProgressUpdate

    rows = (
        ProgressUpdate.objects.filter(action_id__in=action_ids)
        .values("action_id")
        .annotate(last=Max("date"))
    )
    return {row["action_id"]: row["last"] for row in rows}


def latest_updates(action_ids: list[int], as_at: date | None = None) -> dict[int, Any]:
    """Each action's latest progress update (on or before `as_at` when given)."""
    from ..models import ProgressUpdate

    qs = ProgressUpdate.objects.filter(action_id__in=action_ids)
    if as_at is not None:
        qs = qs.filter(date__lte=as_at)
    latest: dict[int, Any] = {}
    for update in qs.order_by("action_id", "-date", "-created_at", "-id"):
        latest.setdefault(update.action_id, update)
    return latest


def progress_upload_get(*, actor: Any, partnership: Partnership, pk: Any) -> Any:
    """An upload report: only the person who uploaded it sees it."""
    from ..models import ProgressUpload

    qs = ProgressUpload.objects.filter(partnership=partnership, uploaded_by=actor)
    if not permissions.can(actor, partnership, r.UPDATE_ACTIONS):
        qs = qs.none()
    return object_in(qs, pk)
