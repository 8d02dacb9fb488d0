"""A provider's monthly records: upload, checking in the background, storage, and the
replacement of the agency's month as a whole. No client-level value is ever written to the
audit trail or a log (only counts, codes and line numbers).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dathub.core import audit, clock
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
    sub = Submission.objects.create(
        partnership=partnership,
        agency=code,
        organisation=agency_codes(partnership)[code],
        month=first,
        filename=(filename or "records.csv")[-200:],
        as_of=as_of,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        stage="Waiting to be processed",
    )
    SubmissionData.objects.create(submission=sub, upload=data, upload_format=file_format(filename))
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
        from ..tasks import process_submission

        # the task row is written in this transaction: a worker sees it only once the
        # submission is committed (the test backend runs it at once)
        process_submission.enqueue(sub.pk)
    return sub


def _progress(pk: int, percent: int, stage: str) -> None:
    Submission.objects.filter(pk=pk).update(progress=percent, stage=stage)


def _fail(sub: Submission, message: str) -> Submission:
    Submission.objects.filter(pk=sub.pk).update(
        status=Submission.Status.FAILED,
        failure=message[:300],
        stage="Could not be read",
        progress=100,
        processed_at=clock.now(),
    )
    SubmissionData.objects.filter(submission=sub).update(upload=None)
    audit.record(
        actor=sub.submitted_by,
        partnership=sub.partnership,
        action="submission.fail",
        obj=sub,
        changes={"failure": [None, message[:300]]},
    )
    log.info("submission %s could not be read", sub.pk)
    sub.refresh_from_db()
    return sub


def submission_process(submission_id: int, *, recompute: bool = True) -> Submission:
    """Check a received submission with the engine and make it the current one for its
    agency and month, replacing the previous one as a whole in one transaction."""
    sub = Submission.objects.select_related("partnership", "submitted_by").get(pk=submission_id)
    if sub.status != Submission.Status.RECEIVED:
        return sub
    Submission.objects.filter(pk=sub.pk).update(status=Submission.Status.PROCESSING)
    _progress(sub.pk, 5, "Reading the file")
    data = SubmissionData.objects.get(submission=sub)
    try:
        raw = store.read_upload(bytes(data.upload or b""), data.upload_format)
    except RecordsFileError as exc:
        return _fail(sub, store.safe_file_error(exc))
    if "AGNCY" not in raw.columns:  # not a records file: it must not replace one that is
        return _fail(
            sub,
            "The file has no AGNCY column, so it does not look like a treatment records "
            "file. Check that its first row holds the column names (AGNCY, CLIENTID, "
            "EPISODID and so on). Nothing was stored.",
        )
    others = sorted(store.agencies_in(raw) - {sub.agency})
    if others:
        return _fail(
            sub,
            f"The file holds rows of agency {', '.join(others[:5])}; a submission holds the "
            f"rows of one agency ({sub.agency}). Nothing was stored.",
        )
    _progress(sub.pk, 25, f"Checking {raw.frame.height} rows")
    try:
        result = check_records(raw, as_of=sub.as_of)
        _progress(sub.pk, 70, "Storing the rows")
        accepted, rejected = store.accepted_bytes(result), store.rejected_bytes(result)
        sub = _make_current(sub, result, accepted, rejected)
    except Exception as exc:  # a programming error: where it failed, never the message
        log.error("submission %s failed: %s", sub.pk, where_it_failed(exc))
        return _fail(sub, "The file could not be processed. Nothing was stored.")
    log.info(
        "submission %s processed: %s rows, %s accepted, %s rejected",
        sub.pk,
        sub.rows,
        sub.accepted,
        sub.rejected,
    )
    if recompute:
        request_recompute()
    return sub


@transaction.atomic
def _make_current(
    sub: Submission, result: CheckResult, accepted: bytes, rejected: bytes, audited: bool = True
) -> Submission:
    sub = Submission.objects.select_for_update().get(pk=sub.pk)
    current = list(
        Submission.objects.select_for_update()
        .filter(
            partnership=sub.partnership,
            agency=sub.agency,
            month=sub.month,
            status=Submission.Status.CURRENT,
        )
        .exclude(pk=sub.pk)
    )
    newer = [c for c in current if c.pk > sub.pk]
    report = result.report()
    if newer:  # a later upload was processed first: this one goes straight to the history
        sub.status = Submission.Status.REPLACED
        sub.replaced_by = newer[0]
    else:
        for old in current:
            old.status = Submission.Status.REPLACED
            old.replaced_by = sub
            old.save(update_fields=["status", "replaced_by", "updated_at"])
        sub.status = Submission.Status.CURRENT
    sub.rows, sub.accepted, sub.rejected = report["rows"], report["accepted"], report["rejected"]
    sub.no_consent = report["no_consent"]
    sub.report = report
    sub.progress, sub.stage = 100, "Done"
    sub.processed_at = clock.now()
    sub.save()
    SubmissionData.objects.filter(submission=sub).update(
        upload=None, accepted=accepted, rejected=rejected
    )
    if not audited:
        return sub
    audit.record(
        actor=sub.submitted_by,
        partnership=sub.partnership,
        action="submission.accept",
        obj=sub,
        changes={
            "rows": [None, sub.rows],
            "accepted": [None, sub.accepted],
            "rejected": [None, sub.rejected],
            "no_consent": [None, sub.no_consent],
            "replaced": [None, [o.pk for o in current if not newer]],
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
    )
    SubmissionData.objects.create(submission=sub)
    return _make_current(
        sub, result, store.accepted_bytes(result), store.rejected_bytes(result), audited=False
    )
