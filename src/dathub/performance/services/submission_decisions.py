"""What a person decides about a submission that waits or failed: confirm or refuse the
replacement of the current one, try again from the held upload, or give up on it."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dathub.core import audit, clock
from dathub.tenancy import permissions
from dathub.tenancy import roles as r

from ..models import Submission, SubmissionData
from .computation import request_recompute
from .submissions import (
    RETRYABLE_FAILURES,
    _current_for,
    _enqueue,
    _make_current,
    agencies_for,
)

log = logging.getLogger("dathub.performance")


def _require_submitter(actor: Any, sub: Submission) -> None:
    permissions.require(actor, sub.partnership, r.SUBMIT_RECORDS)
    if sub.agency not in agencies_for(actor, sub.partnership):
        raise PermissionDenied("You may act only on your own agency's submissions.")


def _locked(sub: Submission) -> Submission:
    return Submission.objects.select_for_update().select_related("partnership").get(pk=sub.pk)


@transaction.atomic
def submission_replace_confirm(
    *, actor: Any, submission: Submission, current_id: int | None = None
) -> Submission:
    """A person has compared a submission waiting for confirmation with the current one and
    confirms that it replaces it. ``current_id`` is the current submission they saw: when it
    has changed since, nothing is done and they are asked to look again."""
    _require_submitter(actor, submission)
    sub = _locked(submission)
    if sub.status != Submission.Status.AWAITING:
        raise ValidationError(
            {"submission": "This submission is not waiting for confirmation."}, code="not_awaiting"
        )
    current = _current_for(sub, lock=True)
    if current and current[0].pk > sub.pk:
        raise ValidationError(
            {"submission": "A newer file is the current one now; this one cannot replace it."},
            code="newer_current",
        )
    if current_id is not None and [c.pk for c in current] != [current_id]:
        raise ValidationError(
            {"submission": "The current submission has changed since you looked: compare again."},
            code="current_changed",
        )
    replaced = _make_current(sub, current)
    sub.stage = "Done"
    sub.save()
    audit.record(
        actor=actor,
        partnership=sub.partnership,
        action="submission.replace_confirm",
        obj=sub,
        changes={"status": ["awaiting", "current"], "replaced": [None, replaced]},
    )
    transaction.on_commit(request_recompute)
    return sub


@transaction.atomic
def submission_keep_current(*, actor: Any, submission: Submission) -> Submission:
    """A person keeps the current submission: the one waiting for confirmation is not used
    (it stays in the history with its report)."""
    _require_submitter(actor, submission)
    sub = _locked(submission)
    if sub.status != Submission.Status.AWAITING:
        raise ValidationError(
            {"submission": "This submission is not waiting for confirmation."}, code="not_awaiting"
        )
    sub.status = Submission.Status.DECLINED
    sub.stage = "Not used: the current submission was kept"
    sub.save()
    audit.record(
        actor=actor,
        partnership=sub.partnership,
        action="submission.keep_current",
        obj=sub,
        changes={"status": ["awaiting", "declined"]},
    )
    return sub


def can_retry(sub: Submission) -> bool:
    """Failed for a reason outside the file, with the upload still held."""
    return (
        sub.status == Submission.Status.FAILED
        and sub.failure_code in RETRYABLE_FAILURES
        and SubmissionData.objects.filter(submission=sub).exclude(upload=None).exists()
    )


@transaction.atomic
def submission_retry(*, actor: Any, submission: Submission) -> Submission:
    """Try a failed submission again from its held upload (queued like a new one)."""
    _require_submitter(actor, submission)
    sub = _locked(submission)
    if not can_retry(sub):
        raise ValidationError(
            {"submission": "This submission cannot be tried again: send the file again."},
            code="not_retryable",
        )
    Submission.objects.filter(pk=sub.pk).update(
        status=Submission.Status.RECEIVED,
        attempts=0,
        progress=0,
        progress_at=clock.now(),
        stage="Waiting to be processed (tried again)",
        failure="",
        failure_code="",
        processed_at=None,
    )
    audit.record(
        actor=actor,
        partnership=sub.partnership,
        action="submission.retry",
        obj=sub,
        changes={"status": ["failed", "received"]},
    )
    pk = sub.pk
    transaction.on_commit(lambda: _enqueue(pk))
    sub.refresh_from_db()
    return sub


@transaction.atomic
def submission_discard_upload(*, actor: Any, submission: Submission) -> Submission:
    """A person gives up on a failed submission: its held upload is removed."""
    _require_submitter(actor, submission)
    sub = _locked(submission)
    if not can_retry(sub):
        raise ValidationError(
            {"submission": "This submission holds no file to remove."}, code="nothing_held"
        )
    SubmissionData.objects.filter(submission=sub).update(upload=None)
    Submission.objects.filter(pk=sub.pk).update(failure_code="given_up", stage="File removed")
    audit.record(
        actor=actor,
        partnership=sub.partnership,
        action="submission.discard_upload",
        obj=sub,
        changes={"upload": ["held", None]},
    )
    sub.refresh_from_db()
    return sub
