"""Submissions of client-level treatment records, the indicator results computed from them,
prevalence estimates, the partnership's own indicators, and targets.

Client-level rows are kept per submission as the engine produced them (``SubmissionData``):
the accepted rows as a Parquet table (typed exactly like ``CheckResult.accepted``, so the
engine reads them back without re-parsing) and the rejected rows as the correction CSV
(the rows as written, the file's header, and a ``reasons`` column). They live in their own
table so lists of submissions never load them, and they are read only through
``selectors.submission_rows`` / ``selectors.submission_rejected_csv``, which audit the read.

The report's per-row reasons (line, field, code, message: no cell value) are kept beside
them as a compressed Parquet table (``SubmissionData.errors``) and read a page at a time
(``selectors.submission_errors``); the submission itself holds only the counts, so lists and
pages of submissions stay small whatever a file held.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from dathub.core.models import PartnershipOwned


class Submission(PartnershipOwned):
    """One agency's records file for one reporting month.

    A newer submission for the same agency and month replaces the current one as a whole
    (``status`` ``replaced``, ``replaced_by`` set); replaced submissions stay as history. One
    that accepts far fewer rows than the current one waits for a person to confirm the
    replacement (``awaiting``; the rule is ``services.submissions.needs_confirmation``), or
    to keep the current one (``declined``).

    Processing is claimed atomically (``received`` to ``processing``, ``attempts`` + 1) and
    reports progress (``progress_at``); work that stops (a killed worker or command) is
    found by the recoverer and run again, up to ``recovery.max_attempts()`` times, then
    failed with a reason and a way to try again (``failure_code``).
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Waiting to be processed"
        PROCESSING = "processing", "Being processed"
        AWAITING = "awaiting", "Waiting for confirmation"
        CURRENT = "current", "Current"
        REPLACED = "replaced", "Replaced"
        DECLINED = "declined", "Not used"
        FAILED = "failed", "Could not be read"

    agency = models.CharField(max_length=16)
    organisation = models.ForeignKey(
        "tenancy.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(help_text="First day of the reporting month")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    filename = models.CharField(max_length=200, blank=True)
    as_of = models.DateField(help_text="The submission date: no date in the file may be later")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )
    rows = models.PositiveIntegerField(null=True, blank=True)
    accepted = models.PositiveIntegerField(null=True, blank=True)
    rejected = models.PositiveIntegerField(null=True, blank=True)
    no_consent = models.PositiveIntegerField(null=True, blank=True)
    error_count = models.PositiveIntegerField(null=True, blank=True)  # reasons in the report
    # the spec's report without its list of reasons (``SubmissionData.errors``): the counts
    report = models.JSONField(default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    progress_at = models.DateTimeField(null=True, blank=True)  # when the work last moved on
    attempts = models.PositiveSmallIntegerField(default=0)  # times processing was started
    stage = models.CharField(max_length=80, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    failure_code = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-month", "agency", "-submitted_at", "-id"]
        indexes = [models.Index(fields=["partnership", "agency", "month"])]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "agency", "month"],
                condition=Q(status="current"),
                name="submission_one_current_per_agency_month",
            ),
            models.CheckConstraint(
                condition=Q(rows__isnull=True)
                | Q(rows=models.F("accepted") + models.F("rejected")),
                name="submission_rows_are_accepted_plus_rejected",
            ),
        ]

    def __str__(self) -> str:  # no personal data: it is written into audit events
        return f"{self.agency} {self.month:%B %Y} (submission {self.pk})"

    @property
    def month_label(self) -> str:
        return f"{self.month:%B %Y}"

    @property
    def in_progress(self) -> bool:
        return self.status in {self.Status.RECEIVED, self.Status.PROCESSING}

    @property
    def awaiting(self) -> bool:
        return self.status == self.Status.AWAITING


class SubmissionData(models.Model):
    """The client-level content of a submission; see the module docstring."""

    submission = models.OneToOneField(
        Submission, primary_key=True, on_delete=models.CASCADE, related_name="data"
    )
    # the file until it is processed (kept while a failed one may be tried again)
    upload = models.BinaryField(null=True, blank=True)
    upload_format = models.CharField(max_length=8, default="csv")  # csv | xlsx
    accepted = models.BinaryField(null=True, blank=True)  # Parquet
    rejected = models.BinaryField(null=True, blank=True)  # correction CSV
    errors = models.BinaryField(null=True, blank=True)  # the report's reasons, Parquet (zstd)

    def __str__(self) -> str:
        return f"Rows of submission {self.submission_id}"


class Computation(models.Model):
    """One run of the engine over every current submission; results replace the last run's."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    progress_at = models.DateTimeField(null=True, blank=True)  # when the run last moved on
    as_of = models.DateField()
    rows_used = models.PositiveIntegerField(default=0)
    results = models.PositiveIntegerField(default=0)
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Computation {self.pk} ({self.status})"


class IndicatorResult(models.Model):
    """One figure: partnership, indicator, breakdown, period. Written only by recomputation."""

    class Kind(models.TextChoices):
        YEAR = "year", "Financial year"
        YEAR_TO_DATE = "ytd", "Financial year to date"
        QUARTER = "quarter", "Financial quarter"
        ROLLING = "rolling", "Rolling 12 months"

    partnership = models.ForeignKey(
        "tenancy.Partnership", on_delete=models.CASCADE, related_name="+"
    )
    computation = models.ForeignKey(Computation, on_delete=models.CASCADE, related_name="+")
    indicator = models.CharField(max_length=60)
    breakdown = models.CharField(max_length=60)
    period = models.CharField(max_length=40)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    numerator = models.BigIntegerField()
    denominator = models.BigIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["partnership", "period_start", "indicator", "id"]
        indexes = [
            models.Index(fields=["partnership", "indicator", "breakdown", "kind"]),
            models.Index(fields=["partnership", "period"]),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.breakdown} {self.period}"


class PrevalenceEstimate(PartnershipOwned):
    """Estimated opiate and/or crack users (OCU) in the partnership's area for a year."""

    financial_year = models.CharField(max_length=7, help_text="e.g. 2026/27")
    ocu_estimate = models.PositiveIntegerField()
    source = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "financial_year"],
                condition=Q(archived_at__isnull=True),
                name="prevalence_one_per_year",
            )
        ]

    def __str__(self) -> str:
        return f"OCU prevalence {self.financial_year}: {self.ocu_estimate}"


class LocalIndicator(PartnershipOwned):
    """An indicator the partnership defines and enters by period (not from records)."""

    class Unit(models.TextChoices):
        PERCENT = "percent", "Percentage (numerator of denominator)"
        COUNT = "count", "Count"

    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=8, choices=Unit.choices, default=Unit.PERCENT)
    higher_is_better = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "code"], name="local_indicator_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        return f"local:{self.code}"


class LocalFigure(PartnershipOwned):
    """A local indicator's figure for a financial quarter or year."""

    indicator = models.ForeignKey(LocalIndicator, on_delete=models.PROTECT, related_name="figures")
    period = models.CharField(max_length=40)  # "2026/27 Q1" or "2026/27"
    kind = models.CharField(max_length=8, choices=IndicatorResult.Kind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=1, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                condition=Q(archived_at__isnull=True),
                name="local_figure_one_per_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period}"


class Target(PartnershipOwned):
    """A target for an indicator in a financial year, with the trajectory through the year.

    ``value`` is the target for the year's own figure (the financial-year window): the
    year-end forecast is rated against it. ``q1``-``q4`` are the targets for each quarter's
    figure (blank: ``value``, which suits rates; counts of people in a quarter are smaller
    than in a year, so count targets should give them). ``tolerance`` is in the indicator's
    own units (percentage points for rates, people or journeys for counts): a figure that
    misses the target by no more than this is "within tolerance".
    """

    indicator = models.CharField(max_length=60)  # engine name, or "local:<code>"
    financial_year = models.CharField(max_length=7)
    value = models.DecimalField(max_digits=14, decimal_places=1)
    q1 = models.DecimalField(max_digits=14, decimal_places=1, null=True, blank=True)
    q2 = models.DecimalField(max_digits=14, decimal_places=1, null=True, blank=True)
    q3 = models.DecimalField(max_digits=14, decimal_places=1, null=True, blank=True)
    q4 = models.DecimalField(max_digits=14, decimal_places=1, null=True, blank=True)
    tolerance = models.DecimalField(max_digits=14, decimal_places=1, default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["financial_year", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "indicator", "financial_year"],
                condition=Q(archived_at__isnull=True),
                name="target_one_per_indicator_year",
            )
        ]

    def __str__(self) -> str:
        return f"Target {self.indicator} {self.financial_year}"

    def for_quarter(self, quarter: int) -> Decimal:
        """The trajectory's target for quarter 1-4's figure."""
        level = getattr(self, f"q{quarter}")
        return self.value if level is None else level
