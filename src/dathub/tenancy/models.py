"""Partnerships, their organisations, people, roles and bodies, and who may sign in."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from dathub.core.models import PartnershipOwned

from .roles import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A sign-in account. Site administrators (is_superuser) see every partnership."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email


class Partnership(models.Model):
    name = models.CharField(max_length=150)
    code = models.CharField(max_length=8, unique=True, help_text="National code, e.g. N01A")
    area = models.CharField(max_length=150, blank=True)
    host_organisation = models.ForeignKey(
        "Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(PartnershipOwned):
    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        NHS = "nhs", "NHS commissioner"
        POLICE = "police", "Police"
        PROBATION = "probation", "Probation"
        PRISON = "prison", "Prison"
        VOLUNTARY_PROVIDER = "voluntary_provider", "Voluntary sector provider"
        NHS_PROVIDER = "nhs_provider", "NHS provider"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    agency_code = models.CharField(
        max_length=16, blank=True, help_text="Treatment agency code used in records (providers)"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="organisation_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Person(PartnershipOwned):
    """Someone who works in or with the partnership; may or may not sign in."""

    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    reminders_enabled = models.BooleanField(
        default=True, help_text="Send this person a digest of actions due and overdue"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "user"],
                condition=models.Q(user__isnull=False),
                name="person_one_per_user_per_partnership",
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class Membership(PartnershipOwned):
    """A person's roles in the partnership; roles decide what they may see and change."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="membership")
    roles = models.JSONField(default=list)  # list of Role values
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For provider users: the one organisation whose work they see",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["person__full_name"]

    def __str__(self) -> str:
        return f"{self.person}: {', '.join(self.role_labels)}"

    @property
    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [labels.get(r, r) for r in self.roles]


class RoleName(PartnershipOwned):
    """A partnership's own names for roles and bodies, as plan documents write them."""

    abbreviation = models.CharField(max_length=40)  # "DPM", "JCG Chair"
    name = models.CharField(max_length=150)  # "Data Performance Manager"
    holder = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="role_names"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["abbreviation"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "abbreviation"], name="role_name_unique_abbreviation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.abbreviation} ({self.name})" if self.name else self.abbreviation


class Body(PartnershipOwned):
    """The board, the JCG and the sub-groups, each with its members and meeting cycle."""

    class Kind(models.TextChoices):
        BOARD = "board", "Partnership board"
        JCG = "jcg", "Joint commissioning group"
        SERVICE_USER_GROUP = "service_user_group", "Service user group"
        CARER_GROUP = "carer_group", "Carer group"
        PROVIDER_FORUM = "provider_forum", "Provider forum"
        DIP_GROUP = "dip_group", "DIP delivery group"
        LOCALITY_GROUP = "locality_group", "Locality group"
        TASK_AND_FINISH = "task_and_finish", "Task-and-finish group"
        OTHER = "other", "Other sub-group"

    class Cycle(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        BIMONTHLY = "bimonthly", "Every two months"
        QUARTERLY = "quarterly", "Quarterly"
        AS_NEEDED = "as_needed", "As needed"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    reports_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="sub_groups"
    )
    meeting_cycle = models.CharField(max_length=16, choices=Cycle.choices, blank=True)
    terms_of_reference = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "bodies"

    def __str__(self) -> str:
        return self.name


class BodyMember(PartnershipOwned):
    class Position(models.TextChoices):
        CHAIR = "chair", "Chair"
        VICE_CHAIR = "vice_chair", "Vice-chair"
        MEMBER = "member", "Member"
        SECRETARY = "secretary", "Secretary"
        ADVISER = "adviser", "Adviser (non-voting)"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="body_seats")
    position = models.CharField(max_length=16, choices=Position.choices, default=Position.MEMBER)
    joined_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["body__name", "position", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "person"],
                condition=models.Q(archived_at__isnull=True),
                name="body_member_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_position_display()}, {self.body})"


class ApiToken(models.Model):
    """A personal API token; only its hash is stored, the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_key() -> str:
        return "dh_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class SignInAttempt(models.Model):
    """Kept to throttle guessing; the e-mail is stored hashed so it is not personal data."""

    email_hash = models.CharField(max_length=64, db_index=True)
    client = models.CharField(max_length=64, db_index=True)  # hashed client address
    succeeded = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{'success' if self.succeeded else 'failure'} at {self.at:%Y-%m-%d %H:%M}"
