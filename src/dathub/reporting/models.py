"""Board packs and six-monthly management reviews.

A pack is built (in the background) from the sections the apps register (registry.py) into
`content`, a JSON document, and rendered from it to `html`, `pdf` and `docx`. Issuing a pack
freezes all four: what the board saw can always be shown again, whatever changes later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dathub.core.models import PartnershipOwned

from .registry import BOARD_PACK, MANAGEMENT_REVIEW


class BoardPack(PartnershipOwned):
    class Kind(models.TextChoices):
        BOARD_PACK = BOARD_PACK, "Board pack"
        MANAGEMENT_REVIEW = MANAGEMENT_REVIEW, "Six-monthly management review"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        BUILDING = "building", "Building"
        READY = "ready", "Ready to issue"
        ISSUED = "issued", "Issued"

    body = models.ForeignKey("tenancy.Body", on_delete=models.PROTECT, related_name="+")
    meeting_date = models.DateField()
    kind = models.CharField(max_length=24, choices=Kind.choices, default=Kind.BOARD_PACK)
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # the management review's narrative, by heading key, written in the site
    narrative = models.JSONField(default=dict, blank=True)
    narrative_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # what was built: the frozen copy once issued
    content = models.JSONField(default=dict, blank=True, editable=False)
    html = models.TextField(blank=True, editable=False)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    docx = models.BinaryField(null=True, blank=True, editable=False)
    # the background build
    build_progress = models.PositiveSmallIntegerField(default=0, editable=False)
    build_step = models.CharField(max_length=200, blank=True, editable=False)
    build_error = models.TextField(blank=True, editable=False)
    build_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    build_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    build_progress_at = models.DateTimeField(null=True, blank=True, editable=False)  # last sign
    build_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    built_at = models.DateTimeField(null=True, blank=True, editable=False)
    issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-meeting_date", "-created_at"]
        indexes = [models.Index(fields=["partnership", "body", "-meeting_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def is_stale(self) -> bool:
        """The narrative changed after the pack was last built."""
        return bool(
            self.built_at
            and self.narrative_updated_at
            and self.narrative_updated_at > self.built_at
        )
