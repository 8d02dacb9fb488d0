"""Audit events: who changed what, when, before and after. Values only, never request data."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import models

from .models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The instance's editable field values as JSON-able data (FKs by their text)."""
    out: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if not field.editable or field.name in {"id", "partnership", "updated_at"}:
            continue
        if field.is_relation:
            related = getattr(instance, field.name, None)
            out[field.name] = str(related) if related is not None else None
        else:
            out[field.name] = _plain(getattr(instance, field.attname))
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(
    *,
    actor: Any,
    partnership: Any,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        partnership=partnership,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
    )
