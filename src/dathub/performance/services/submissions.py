"""A provider's monthly records: upload, checking in the background, storage, and the
replacement of the agency's month as a whole. No client-level value is ever written to the
audit trail or a log (only counts, codes and line numbers).

Processing is safe to run again: it claims the submission atomically (``received`` to
``processing`` with ``attempts`` + 1, one UPDATE), and every later write of that run is
made only while the claim is still its own, so two runs never store one submission twice.
Work that stops half-way (a killed worker or ``dathub records import``) is found by
``recover_submissions`` and queued again, or failed with a reason and a "try again" button.

What is kept of a failed submission's upload: a file that failed because of what it holds
(unreadable, not a records file, another agency's rows, over a limit) fails the same way
every time, so its upload is dropped at once and the person sends a corrected file. One
that failed for a reason outside the file (the work stopped ``recovery.max_attempts()`` times, or a
fault in our own code) keeps its upload so that it can be tried again, until it is
processed, the person removes it, or a later file for the same agency and month is stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from dathub.core import audit, clock
from dathub.core.archives import unzipped_size
from dathub.core.tracebacks import where_it_failed
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Organisation, Partnership

from .. import store
from ..engine.check_result import CheckResult
from ..engine.reading import RawRecords, RecordsFileError
from ..engine.records import check_records
from ..models import (
    Submission,
    SubmissionData,
)
from .computation import request_recompute

log = logging.getLogger("dathub.performance")

MAX_UPLOAD_BYTES = 200 * 1024 * 1024

# failure codes: the file's own (its upload is dropped) and the ones a retry may mend
FILE_FAILURES = ("unreadable", "not_records", "other_agency")
RETRYABLE_FAILURES = ("work_stopped", "internal")

CONFIRMATION_RULE = (
    "A new file replaces the current one for its agency and month at once, unless it "
    "accepts fewer than half as many rows as the current one (so also when it accepts "
    "none): then it waits until someone compares the two and confirms the replacement."
)


def needs_confirmation(new_accepted: int, current_accepted: int | None) -> bool:
    """Whether a file accepting ``new_accepted`` rows may replace, without a person
    confirming it, the current submission accepting ``current_accepted`` (None: no current
    one). The rule (``CONFIRMATION_RULE``, shown on the page): confirmation is needed when
    the new file accepts fewer than half the current one's accepted rows, which includes
    accepting none. Nothing is lost when the current one accepted nothing or there is none,
    so the first file of a month becomes current even with no row accepted: it replaces
    nothing, the figures do not change, and its rejected rows are there to correct and send
    again; a later file then replaces it without asking."""
    return bool(current_accepted) and 2 * new_accepted < (current_accepted or 0)


# --- submissions ----------------------------------------------------------------------------


def agency_codes(partnership: Partnership) -> dict[str, Organisation]:
    """The partnership's provider agencies by code."""
    return {
        o.agency_code.strip().upper(): o
        for o in Organisation.objects.current().filter(partnership=partnership)
        if o.agency_code.strip()
    }


def agencies_for(actor: Any, partnership: Partnership) -> list[str]:
    """The agency codes ``actor`` may submit records for (providers: their own only)."""
    if not permissions.can(actor, partnership, r.SUBMIT_RECORDS):
        return []
    codes = agency_codes(partnership)
    scope = permissions.organisation_scope(actor, partnership)
    if scope is False:
        return sorted(codes)
    own = (scope.agency_code.strip().upper() if isinstance(scope, Organisation) else "") or None
    return [own] if own in codes else []


def clean_month(value: dt.date | str) -> dt.date:
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})(?:-\d{1,2})?\s*", value)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValidationError({"month": "Enter the reporting month as YYYY-MM, e.g. 2026-10."})
        return dt.date(int(m.group(1)), int(m.group(2)), 1)
    return value.replace(day=1)


def file_format(filename: str) -> str:
    return "xlsx" if filename.lower().endswith((".xlsx", ".xlsm")) else "csv"


@transaction.atomic
def submission_create(
    *,
    actor: Any,
    partnership: Partnership,
    agency: str,
    month: dt.date | str,
    filename: str,
    data: bytes,
    as_of: dt.date | None = None,
    background: bool = True,
) -> Submission:
    """Receive a records file for one agency and reporting month; it is checked in the
    background (``background=False`` checks it now, for the command line and the demo)."""
    permissions.require(actor, partnership, r.SUBMIT_RECORDS)
    code = (agency or "").strip().upper()
    allowed = agencies_for(actor, partnership)
    if code not in allowed:
        if code in agency_codes(partnership):
            raise PermissionDenied("You may submit records only for your own agency.")
        raise ValidationError({"agency": "Choose one of the partnership's agencies."})
    as_of = as_of or clock.today()
    first = clean_month(month)
    if first > as_of.replace(day=1):
        raise ValidationError({"month": "The reporting month cannot be after the submission date."})
    if not data:
        raise ValidationError({"file": "The file is empty."})
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": "The file must be smaller than 200 MB."})
    fmt = file_format(filename)
    if fmt == "xlsx" and unzipped_size(data) > store.max_unzipped_bytes():
        raise ValidationError(
            {
                "file": f"The workbook unpacks to more than "
                f"{store.max_unzipped_bytes() // (1024 * 1024)} MB, the most a records "
                "workbook may. Send it as CSV, or split it."
            }
        )
    now = clock.now()
    sub = Submission.objects.create(
        partnership=partnership,
        agency=code,
        organisation=agency_codes(partnership)[code],
        month=first,
        filename=(filename or "records.csv")[-200:],
        as_of=as_of,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        stage="Waiting to be processed",
        progress_at=now,
    )
    SubmissionData.objects.create(submission=sub, upload=data, upload_format=fmt)
    audit.record(
        actor=actor,
        partnership=partnership,
        action="submission.create",
        obj=sub,
        changes={
            "agency": [None, code],
            "month": [None, first.isoformat()],
            "bytes": [None, len(data)],
        },
    )
    if background:
        _enqueue(sub.pk)
    return sub


def _enqueue(pk: int) -> None:
    from ..tasks import process_submission

    # the task row is written in this transaction: a worker sees it only once the
    # submission is committed (the test backend runs it at once)
    process_submission.enqueue(pk)


# --- processing -----------------------------------------------------------------------------


def _claimed(pk: int, attempt: int) -> Any:
    """The submission while run ``attempt`` still holds it (a run that was taken over after
    it stopped reporting progress writes nothing more)."""
    return Submission.objects.filter(pk=pk, status=Submission.Status.PROCESSING, attempts=attempt)


def _claim(sub: Submission) -> int | None:
    """Take a received submission for processing, atomically: the run number, or None when
    another run has it (or it is no longer waiting)."""
    attempt = sub.attempts + 1
    taken = Submission.objects.filter(
        pk=sub.pk, status=Submission.Status.RECEIVED, attempts=sub.attempts
    ).update(
        status=Submission.Status.PROCESSING,
        attempts=attempt,
        progress=5,
        stage="Reading the file",
        progress_at=clock.now(),
        failure="",
        failure_code="",
    )
    return attempt if taken == 1 else None


def _progress(pk: int, attempt: int, percent: int, stage: str) -> None:
    _claimed(pk, attempt).update(progress=percent, stage=stage, progress_at=clock.now())


def _fail(
    sub: Submission,
    attempt: int,
    message: str,
    code: str,
    only: QuerySet[Submission] | None = None,
) -> Submission:
    """Mark the submission failed with a reason the person sees, while run ``attempt``
    holds it (or ``only`` matches it); see the module's docstring for what is kept of its
    upload."""
    qs = only if only is not None else _claimed(sub.pk, attempt)
    failed = qs.update(
        status=Submission.Status.FAILED,
        failure=message[:300],
        failure_code=code,
        stage="Could not be read" if code in FILE_FAILURES else "Stopped",
        progress=100,
        progress_at=clock.now(),
        processed_at=clock.now(),
    )
    sub.refresh_from_db()
    if not failed:  # another run holds it now
        return sub
    if code not in RETRYABLE_FAILURES:
        SubmissionData.objects.filter(submission=sub).update(upload=None)
    audit.record(
        actor=sub.submitted_by,
        partnership=sub.partnership,
        action="submission.fail",
        obj=sub,
        changes={"failure": [None, message[:300]], "code": [None, code]},
    )
    log.info("submission %s failed (%s)", sub.pk, code)
    return sub


def submission_process(submission_id: int, *, recompute: bool = True) -> Submission:
    """Check a received submission with the engine and make it the current one for its
    agency and month, replacing the previous one as a whole in one transaction (or leave it
    waiting for confirmation: ``needs_confirmation``). Safe to run again and at the same
    time: only the run that claims the submission processes it."""
    sub = Submission.objects.select_related("partnership", "submitted_by").get(pk=submission_id)
    if sub.status != Submission.Status.RECEIVED:
        return sub
    attempt = _claim(sub)
    if attempt is None:
        sub.refresh_from_db()
        return sub
    upload, fmt = SubmissionData.objects.values_list("upload", "upload_format").get(submission=sub)
    try:
        raw = store.read_upload(bytes(upload or b""), fmt)
    except RecordsFileError as exc:
        return _fail(
            sub, attempt, store.safe_file_error(exc) + " Nothing was stored.", "unreadable"
        )
    if "AGNCY" not in raw.columns:  # not a records file: it must not replace one that is
        return _fail(
            sub,
            attempt,
            "The file has no AGNCY column, so it does not look like a treatment records "
            "file. Check that its first row holds the column names (AGNCY, CLIENTID, "
            "EPISODID and so on). Nothing was stored.",
            "not_records",
        )
    others = sorted(store.agencies_in(raw) - {sub.agency})
    if others:
        return _fail(
            sub,
            attempt,
            f"The file holds rows of agency {', '.join(others[:5])}; a submission holds the "
            f"rows of one agency ({sub.agency}). Nothing was stored.",
            "other_agency",
        )
    _progress(sub.pk, attempt, 25, f"Checking {raw.frame.height} rows")
    try:
        result = check_records(raw, as_of=sub.as_of)
        del raw
        _progress(sub.pk, attempt, 70, "Storing the rows")
        blobs = store.accepted_bytes(result), store.rejected_bytes(result)
        errors = store.errors_bytes(result)
        sub = _store_result(sub, result, *blobs, errors, attempt=attempt)
    except Exception as exc:  # a programming error: where it failed, never the message
        log.error("submission %s failed: %s", sub.pk, where_it_failed(exc))
        return _fail(
            sub,
            attempt,
            "The file could not be processed because of a fault on our side. Nothing was "
            "stored; you can try again.",
            "internal",
        )
    log.info(
        "submission %s processed: %s rows, %s accepted, %s rejected, %s",
        sub.pk,
        sub.rows,
        sub.accepted,
        sub.rejected,
        sub.status,
    )
    if recompute and sub.status == Submission.Status.CURRENT:
        request_recompute()
    return sub


def _current_for(sub: Submission, lock: bool = False) -> list[Submission]:
    qs = Submission.objects.filter(
        partnership=sub.partnership,
        agency=sub.agency,
        month=sub.month,
        status=Submission.Status.CURRENT,
    ).exclude(pk=sub.pk)
    return list(qs.select_for_update() if lock else qs)


def current_for(sub: Submission) -> Submission | None:
    """The current submission of ``sub``'s agency and month, other than ``sub``."""
    found = _current_for(sub)
    return found[0] if found else None


def _make_current(sub: Submission, current: list[Submission]) -> list[int]:
    """``sub`` becomes the current one (saved by the caller): the current one, and older
    ones waiting for confirmation, are replaced by it; older failed ones' uploads go (the
    person sent a new file instead of trying them again). The replaced ids."""
    replaced = [old.pk for old in current]
    for old in current:
        old.status = Submission.Status.REPLACED
        old.replaced_by = sub
        old.save(update_fields=["status", "replaced_by", "updated_at"])
    same_month = Submission.objects.filter(
        partnership=sub.partnership, agency=sub.agency, month=sub.month, pk__lt=sub.pk
    )
    waiting = list(
        same_month.filter(status=Submission.Status.AWAITING).values_list("pk", flat=True)
    )
    same_month.filter(pk__in=waiting).update(
        status=Submission.Status.REPLACED, replaced_by=sub, stage="Replaced"
    )
    SubmissionData.objects.filter(
        submission__in=same_month.filter(status=Submission.Status.FAILED)
    ).exclude(upload=None).update(upload=None)
    sub.status = Submission.Status.CURRENT
    return replaced + waiting


@transaction.atomic
def _store_result(
    sub: Submission,
    result: CheckResult,
    accepted: bytes,
    rejected: bytes,
    errors: bytes,
    *,
    attempt: int | None,
    audited: bool = True,
) -> Submission:
    sub = Submission.objects.select_for_update().get(pk=sub.pk)
    if attempt is not None and (
        sub.status != Submission.Status.PROCESSING or sub.attempts != attempt
    ):
        return sub  # another run took it over after this one stopped reporting progress
    current = _current_for(sub, lock=True)
    newer = [c for c in current if c.pk > sub.pk]
    counts = store.report_counts(result)
    replaced: list[int] = []
    if newer:  # a later upload was processed first: this one goes straight to the history
        sub.status = Submission.Status.REPLACED
        sub.replaced_by = newer[0]
    elif current and needs_confirmation(counts["accepted"], current[0].accepted):
        sub.status = Submission.Status.AWAITING
    else:
        replaced = _make_current(sub, current)
    sub.rows, sub.accepted, sub.rejected = counts["rows"], counts["accepted"], counts["rejected"]
    sub.no_consent = counts["no_consent"]
    sub.error_count = result.errors.height
    sub.report = counts
    sub.progress = 100
    sub.stage = "Waiting for confirmation" if sub.awaiting else "Done"
    sub.processed_at = sub.progress_at = clock.now()
    sub.failure = sub.failure_code = ""
    sub.save()
    SubmissionData.objects.filter(submission=sub).update(
        upload=None, accepted=accepted, rejected=rejected, errors=errors
    )
    if not audited:
        return sub
    audit.record(
        actor=sub.submitted_by,
        partnership=sub.partnership,
        action="submission.hold" if sub.awaiting else "submission.accept",
        obj=sub,
        changes={
            "rows": [None, sub.rows],
            "accepted": [None, sub.accepted],
            "rejected": [None, sub.rejected],
            "no_consent": [None, sub.no_consent],
            "replaced": [None, replaced],
            **({"current_accepted": [None, current[0].accepted]} if sub.awaiting else {}),
        },
    )
    return sub


def submission_store_checked(
    *,
    partnership: Partnership,
    agency: str,
    month: dt.date,
    as_of: dt.date,
    raw: RawRecords | pl.DataFrame,
    submitted_by: Any = None,
    filename: str = "",
) -> Submission:
    """Check rows and store them as the current submission, without the upload step.

    For the demo loader and test fixtures, which make many submissions at once and
    recompute once at the end; it applies the same checks and the same replacement, and
    writes no audit event (there is no person acting).
    """
    result = check_records(raw, as_of=as_of)
    sub = Submission.objects.create(
        partnership=partnership,
        agency=agency,
        organisation=agency_codes(partnership).get(agency),
        month=month.replace(day=1),
        as_of=as_of,
        filename=filename,
        submitted_by=submitted_by,
        status=Submission.Status.PROCESSING,
        progress_at=clock.now(),
    )
    SubmissionData.objects.create(submission=sub)
    return _store_result(
        sub,
        result,
        store.accepted_bytes(result),
        store.rejected_bytes(result),
        store.errors_bytes(result),
        attempt=None,
        audited=False,
    )
