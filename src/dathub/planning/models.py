"""The partnership's treatment plan: plan -> planning grids -> objectives -> actions.

Every value read from a document keeps the cell it came from (`*_text`), so nothing the
document said is lost even where the product could not interpret it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from dathub.core.models import PartnershipOwned


class Recurrence(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class DueFields(models.Model):
    """A 'by when' cell as written and as read (see the plan interchange spec)."""

    due_text = models.CharField("by when (as written)", max_length=200, blank=True)
    due_start = models.DateField(null=True, blank=True)
    due_end = models.DateField("deadline", null=True, blank=True)
    due_recurrence = models.CharField(max_length=16, choices=Recurrence.choices, blank=True)
    due_ongoing = models.BooleanField(default=False)

    class Meta:
        abstract = True


class Plan(PartnershipOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AGREED = "agreed", "Agreed"
        PUBLISHED = "published", "Published"

    financial_year = models.CharField(max_length=7, help_text="For example 2009/10")
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    partnership_name_text = models.CharField("partnership (as written)", max_length=200, blank=True)
    published_on = models.DateField("date published", null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    rolled_over_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="rolled_over_to"
    )
    source_name = models.CharField("imported from", max_length=255, blank=True)
    # A co-ordinator's choice to track a plan that the rule (the agreed or published plan of
    # the current year) would leave out: a draft already being delivered, last year's plan
    # whose actions are still being finished. See selectors.live_plans.
    marked_live = models.BooleanField("live work whatever its year or status", default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-financial_year", "title"]

    def __str__(self) -> str:
        return self.title


class PlanImport(PartnershipOwned):
    """An uploaded plan document: read in the background, then waiting for its preview to
    be confirmed.

    The request that receives the file only stores it ("reading"); a background task reads
    it, reporting progress, and leaves it "pending" (the preview) or "failed" (with the
    reason the user sees). The original file is kept with the plan it became, so the import
    can always be traced; an upload never confirmed expires and its document is removed.
    """

    class Status(models.TextChoices):
        READING = "reading", "Being read"
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Imported"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Could not be read"
        EXPIRED = "expired", "Expired"

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    document = models.BinaryField()
    # the document's SHA-256, to see that the same file was imported before
    digest = models.CharField(max_length=64, blank=True, db_index=True)
    parsed = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="imports"
    )
    # what the upload asked for: the year when the document does not say, and (the API)
    # whether to save the plan as soon as it has been read, with no preview
    financial_year = models.CharField(max_length=9, blank=True)
    confirm_when_read = models.BooleanField(default=False)
    # the background reading
    progress = models.PositiveSmallIntegerField(default=0)
    progress_step = models.CharField(max_length=200, blank=True)
    progress_at = models.DateTimeField(null=True, blank=True)  # last sign of life
    attempts = models.PositiveSmallIntegerField(default=0)  # times the reading was started
    error_code = models.CharField(max_length=32, blank=True)
    error = models.TextField(blank=True)  # the reason the user sees when it failed

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def issues(self) -> list[dict]:
        return list(self.parsed.get("issues", []))


class Grid(PartnershipOwned):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="grids")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    rating = models.CharField(
        "self-assessment rating",
        max_length=40,
        blank=True,
        help_text="red, amber, green, or mixed such as amber/green; n/a",
    )
    assessment = models.TextField("baseline assessment", blank=True)
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "position", "number"]

    def __str__(self) -> str:
        return f"Planning grid {self.number}: {self.title}"


class Priority(PartnershipOwned):
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="priorities")
    text = models.TextField()
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grid", "position"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return self.text[:80]


class SpendLine(PartnershipOwned):
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="spend_lines")
    label = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grid", "position"]

    def __str__(self) -> str:
        return f"{self.label}: £{self.amount:,.0f}"


class Objective(PartnershipOwned, DueFields):
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="objectives")
    number = models.PositiveIntegerField(null=True, blank=True)
    title = models.TextField()
    owners_text = models.CharField("by whom (as written)", max_length=300, blank=True)
    notes = models.JSONField(default=list, blank=True)  # rows that are not actions
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grid", "position"]

    def __str__(self) -> str:
        prefix = f"Objective {self.number}: " if self.number is not None else ""
        return f"{prefix}{self.title}"


class Action(PartnershipOwned, DueFields):
    """Something to be done by someone by some time.

    Most actions belong to a plan objective; actions from meetings, reviews or
    recommendations have no objective and say where they came from instead.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        COMPLETE = "complete", "Complete"
        DROPPED = "dropped", "Dropped"

    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    source = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where an action outside the plan came from, e.g. 'Board meeting 12 May 2009'",
    )
    text = models.TextField()
    owners_text = models.CharField("by whom (as written)", max_length=300, blank=True)
    cost_text = models.CharField("cost (as written)", max_length=200, blank=True)
    cost_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    percent_complete = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["objective", "position", "id"]

    def __str__(self) -> str:
        return self.text[:100]

    @property
    def is_open(self) -> bool:
        return self.status not in {self.Status.COMPLETE, self.Status.DROPPED}


class ActionOwner(PartnershipOwned):
    """One party of an action's 'by whom': a person, a named role, or text not yet matched."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="owners")
    text = models.CharField(max_length=200)  # the party as the document wrote it
    person = models.ForeignKey(
        "tenancy.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role_name = models.ForeignKey(
        "tenancy.RoleName", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["action", "position"]

    def __str__(self) -> str:
        return str(self.person or self.role_name or self.text)


# --- delivery tracking -------------------------------------------------------------------


def _evidence_path(instance: ProgressUpdate, filename: str) -> str:
    return f"evidence/{instance.partnership_id}/{instance.action_id}/{filename}"


class ProgressUpdate(PartnershipOwned):
    """One dated report of progress on an action. Append-only: an update is never changed
    or removed; the action's current status and percentage are those of its latest update
    (kept in step by `services.progress_update_create`)."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=150, blank=True)  # as it was when written
    date = models.DateField("date of the update")
    status = models.CharField(max_length=16, choices=Action.Status.choices)
    percent_complete = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    decision_needed = models.TextField(
        "decision or help needed",
        blank=True,
        help_text="What the board or JCG is asked to decide or resolve, if anything",
    )
    evidence_file = models.FileField(upload_to=_evidence_path, blank=True, max_length=300)
    evidence_name = models.CharField(max_length=255, blank=True)
    evidence_link = models.URLField(max_length=500, blank=True)
    source = models.CharField(
        max_length=20, blank=True, help_text="How it was made: page, my-actions, spreadsheet"
    )

    class Meta:
        ordering = ["action", "-date", "-created_at", "-id"]
        indexes = [models.Index(fields=["action", "-date", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y}: {self.get_status_display()} ({self.percent_complete}%)"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Progress updates are append-only: add a new update instead.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ProgressUpload(PartnershipOwned):
    """A spreadsheet of progress uploaded by someone, with the row-by-row report."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    report = models.JSONField(default=dict)  # {"rows": [...], "applied": n, "rejected": n}

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class ReminderSent(PartnershipOwned):
    """One digest e-mail sent to one person on one day, so a day is never sent twice."""

    person = models.ForeignKey("tenancy.Person", on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    overdue = models.PositiveIntegerField(default=0)
    due_soon = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_on"]
        constraints = [
            models.UniqueConstraint(fields=["person", "sent_on"], name="reminder_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.sent_on}"
