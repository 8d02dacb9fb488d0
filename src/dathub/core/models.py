"""Pieces every domain app shares: the partnership-owned base model and the audit event."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PartnershipOwnedQuerySet(models.QuerySet):
    def current(self) -> PartnershipOwnedQuerySet:
        return self.filter(archived_at__isnull=True)


class PartnershipOwned(models.Model):
    """Every row a partnership owns carries it; rows are archived, never deleted."""

    partnership = models.ForeignKey(
        "tenancy.Partnership", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = PartnershipOwnedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class AuditEvent(models.Model):
    """Who changed what, when, in which partnership: written by every service."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    partnership = models.ForeignKey(
        "tenancy.Partnership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=80)  # e.g. "organisation.create"
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)  # {"field": [before, after]}

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["partnership", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class WorkerHeartbeat(models.Model):
    """A background worker says it is alive every few seconds. Work claimed by a worker that
    has stopped beating was abandoned (killed, crashed, machine lost) and is recovered."""

    worker_id = models.CharField(max_length=64, unique=True)
    pid = models.IntegerField()
    host = models.CharField(max_length=120, blank=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} (seen {self.seen_at:%H:%M:%S})"
