"""Audited create/update/archive that the domain services build on.

Each runs in a transaction, validates the model, stamps django-simple-history with the actor,
and writes one audit event with the before/after values of what changed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

from dathub.core import clock

from . import audit

M = TypeVar("M", bound=models.Model)


def _action(instance: models.Model, verb: str) -> str:
    return f"{instance._meta.model_name}.{verb}"


def _partnership_of(instance: models.Model) -> Any:
    # A partnership's own changes belong to its audit trail too.
    if instance._meta.label_lower == "tenancy.partnership":
        return instance
    return getattr(instance, "partnership", None)


@transaction.atomic
def audited_create(*, actor: Any, instance: M) -> M:
    instance.full_clean()
    instance._history_user = actor  # type: ignore[attr-defined]
    instance.save()
    after = audit.snapshot(instance)
    audit.record(
        actor=actor,
        partnership=_partnership_of(instance),
        action=_action(instance, "create"),
        obj=instance,
        changes={k: [None, v] for k, v in after.items() if v not in (None, "", [], {})},
    )
    return instance


@transaction.atomic
def audited_update(*, actor: Any, instance: M, **fields: Any) -> M:
    # Re-read the stored row so "before" is what the database held, not a form-mutated copy.
    stored = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    before = audit.snapshot(stored)
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    changes = audit.diff(before, audit.snapshot(instance))
    if not changes:
        return instance
    instance._history_user = actor  # type: ignore[attr-defined]
    instance.save()
    audit.record(
        actor=actor,
        partnership=_partnership_of(instance),
        action=_action(instance, "update"),
        obj=instance,
        changes=changes,
    )
    return instance


@transaction.atomic
def audited_archive(*, actor: Any, instance: M) -> M:
    if getattr(instance, "archived_at", None) is None:
        instance.archived_at = clock.now()  # type: ignore[attr-defined]
        instance._history_user = actor  # type: ignore[attr-defined]
        instance.save()
        audit.record(
            actor=actor,
            partnership=_partnership_of(instance),
            action=_action(instance, "archive"),
            obj=instance,
            changes={"archived_at": [None, instance.archived_at.isoformat()]},  # type: ignore[attr-defined]
        )
    return instance
