"""A plan import: the upload, background reading, preview, confirmation, cancellation,
retry and expiry (storing the read document as a draft: plan_documents).

An upload is only stored by the request that receives it ("reading"); the task
``tasks.read_plan_import`` reads it (``plan_import_read``), reporting progress, and leaves it
"pending" for its preview, or "failed" with the reason the user sees. Reading is safe to
run again: only an import still "reading" is read, and only one still "reading" is moved on.
``plan_import_recover`` (registered with dathub.core.recovery) queues again an import whose
worker was lost, up to ``recovery.max_attempts()`` times, then marks it failed with a "Try again";
``plan_import_expire`` removes the document of an upload never confirmed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dathub.core import audit, clock, recovery
from dathub.core.services import audited_archive
from dathub.tenancy.models import Partnership

from .. import document
from ..models import Plan, PlanImport
from .cells import (
    known_roles,
    require_manage,
)
from .plan_documents import plan_from_json

log = logging.getLogger("dathub.planning.imports")

# error codes of a failed import (PlanImport.error_code)
NOT_A_PLAN = "not_a_plan"  # the document cannot be read as a plan: trying again will not help
WORKER_LOST = "worker_lost"  # the reading stopped (its worker was lost) too many times
READ_FAILED = "read_failed"  # the reader failed unexpectedly
NOT_SAVED = "not_saved"  # read, but could not be saved as a plan (API imports)
RETRYABLE = {WORKER_LOST, READ_FAILED}


def max_unzipped_bytes() -> int:
    """What a .docx or .xlsx upload may unpack to (DATHUB_PLAN_MAX_UNZIPPED_BYTES)."""
    return int(settings.DATHUB_PLAN_MAX_UNZIPPED_BYTES)


def staged_lifetime() -> dt.timedelta:
    """How long an upload not yet confirmed keeps its document (DATHUB_PLAN_IMPORT_EXPIRE_HOURS)."""
    return dt.timedelta(hours=float(settings.DATHUB_PLAN_IMPORT_EXPIRE_HOURS))


def plan_import_stage(
    *, actor: Any, partnership: Partnership, filename: str, data: bytes, financial_year: str = ""
) -> PlanImport:
    """Read an uploaded document here and now and keep it, with what was understood, for a
    preview (the command line; the site and the API read in the background: see
    plan_import_upload)."""
    require_manage(actor, partnership)
    try:
        parsed = _parse(partnership, filename, data, financial_year)
    except document.PlanDocumentError as exc:
        raise ValidationError({"document": str(exc)}, code=NOT_A_PLAN) from exc
    staged = PlanImport(
        partnership=partnership,
        uploaded_by=actor,
        filename=filename[:255],
        document=data,
        digest=hashlib.sha256(data).hexdigest(),
        parsed=parsed,
        financial_year=financial_year,
        progress=100,
        progress_at=clock.now(),
    )
    staged.save()
    audit.record(
        actor=actor,
        partnership=partnership,
        action="planimport.upload",
        obj=staged,
        changes={"issues": [None, len(parsed.get("issues", []))]},
    )
    return staged


def _parse(
    partnership: Partnership,
    filename: str,
    data: bytes,
    financial_year: str,
    progress: document.Progress | None = None,
) -> dict[str, Any]:
    parsed = document.parse_document(
        data,
        filename,
        known_roles=known_roles(partnership),
        financial_year=financial_year or None,
        max_unzipped_bytes=max_unzipped_bytes(),
        progress=progress,
    )
    if financial_year:
        parsed["financial_year"] = financial_year
    return parsed


def plan_import_upload(
    *,
    actor: Any,
    partnership: Partnership,
    filename: str,
    data: bytes,
    financial_year: str = "",
    confirm_when_read: bool = False,
) -> PlanImport:
    """Store an uploaded document to be read in the background; the request does only what
    needs no reading (its type, that it is not empty, its zip's size and XML). With
    ``confirm_when_read`` (the API) the plan is saved as soon as it has been read."""
    require_manage(actor, partnership)
    try:
        document.check_upload(data, filename, max_unzipped_bytes=max_unzipped_bytes())
    except document.PlanDocumentError as exc:
        raise ValidationError({"document": str(exc)}, code=NOT_A_PLAN) from exc
    with transaction.atomic():
        staged = PlanImport.objects.create(
            partnership=partnership,
            uploaded_by=actor,
            filename=filename[:255],
            document=data,
            digest=hashlib.sha256(data).hexdigest(),
            status=PlanImport.Status.READING,
            financial_year=financial_year,
            confirm_when_read=confirm_when_read,
            progress_step="Waiting for the background worker to start",
            progress_at=clock.now(),
        )
        audit.record(
            actor=actor,
            partnership=partnership,
            action="planimport.upload",
            obj=staged,
            changes={"bytes": [None, len(data)]},
        )
    _enqueue(staged)
    staged.refresh_from_db()
    return staged


def _enqueue(staged: PlanImport) -> None:
    """Queue the reading (after the row is committed, so the worker finds it). A queue that
    cannot be reached leaves the import failed with a Try again, never stuck."""
    from ..tasks import read_plan_import

    try:
        read_plan_import.enqueue(staged.pk)
    except Exception as exc:  # the queue itself failed: say so, never leave it "reading"
        log.error("could not queue the reading of plan import %s: %s", staged.pk, type(exc))
        PlanImport.objects.filter(pk=staged.pk, status=PlanImport.Status.READING).update(
            status=PlanImport.Status.FAILED,
            error_code=READ_FAILED,
            error="The document could not be queued for reading. Try again in a moment.",
        )


def _report(import_id: int, percent: int, step: str) -> None:
    PlanImport.objects.filter(pk=import_id, status=PlanImport.Status.READING).update(
        progress=max(0, min(percent, 99)), progress_step=step[:200], progress_at=clock.now()
    )


def _fail(staged: PlanImport, code: str, reason: str) -> bool:
    """Mark a reading import failed (only if it still is reading); True if it was."""
    done = PlanImport.objects.filter(pk=staged.pk, status=PlanImport.Status.READING).update(
        status=PlanImport.Status.FAILED, error_code=code, error=reason, progress_at=clock.now()
    )
    if done:
        audit.record(
            actor=staged.uploaded_by,
            partnership=staged.partnership,
            action="planimport.fail",
            obj=staged,
            changes={"error": [None, code]},
        )
    return bool(done)


def plan_import_read(*, import_id: int) -> PlanImport:
    """The background reading of an uploaded document (tasks.read_plan_import). Safe to run
    again: an import no longer "reading" is left as it is."""
    with transaction.atomic():
        staged = (
            PlanImport.objects.select_for_update(of=("self",))
            .select_related("partnership", "uploaded_by")
            .get(pk=import_id)
        )
        if staged.status != PlanImport.Status.READING:
            return staged
        staged.attempts += 1
        staged.progress_step = "Opening the document"
        staged.progress_at = clock.now()
        staged.save(update_fields=["attempts", "progress_step", "progress_at", "updated_at"])
    try:
        parsed = _parse(
            staged.partnership,
            staged.filename,
            bytes(staged.document),
            staged.financial_year,
            progress=lambda pct, step: _report(staged.pk, pct, step),
        )
    except document.PlanDocumentError as exc:
        _fail(staged, NOT_A_PLAN, str(exc))
    except Exception as exc:  # any fault of the reader: the import says so, never stuck
        log.error("reading plan import %s failed: %s", staged.pk, type(exc).__name__)
        _fail(
            staged,
            READ_FAILED,
            f"The document could not be read ({type(exc).__name__}). Try again; if it fails "
            "again, tell the support team.",
        )
    else:
        with transaction.atomic():
            read = PlanImport.objects.filter(pk=staged.pk, status=PlanImport.Status.READING).update(
                parsed=parsed,
                status=PlanImport.Status.PENDING,
                progress=100,
                progress_step="Read",
                progress_at=clock.now(),
                error_code="",
                error="",
            )
            if read:
                audit.record(
                    actor=staged.uploaded_by,
                    partnership=staged.partnership,
                    action="planimport.read",
                    obj=staged,
                    changes={"issues": [None, len(parsed.get("issues", []))]},
                )
        staged.refresh_from_db()
        if read and staged.confirm_when_read:
            _confirm_when_read(staged)
    staged.refresh_from_db()
    return staged


def _confirm_when_read(staged: PlanImport) -> None:
    """An API upload: save the plan now, as its uploader (whose rights are checked again)."""
    try:
        plan_import_confirm(actor=staged.uploaded_by, plan_import=staged)
    except (ValidationError, PermissionDenied) as exc:
        reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        PlanImport.objects.filter(pk=staged.pk, status=PlanImport.Status.PENDING).update(
            status=PlanImport.Status.FAILED,
            error_code=NOT_SAVED,
            error=f"The document was read but not saved as a plan: {reason}",
        )


def plan_import_is_stale(staged: PlanImport, now: dt.datetime | None = None) -> bool:
    """Still "reading" with no sign of life for recovery.stale_after(): its page stops
    polling, and (with no live task) the recoverer takes it on."""
    now = now or clock.now()
    seen = staged.progress_at or staged.created_at
    return staged.status == PlanImport.Status.READING and seen < now - recovery.stale_after()


def plan_import_can_retry(staged: PlanImport) -> bool:
    """A reading that failed for a reason trying again may cure, or that stalled, and whose
    document is still kept."""
    failed = staged.status == PlanImport.Status.FAILED and staged.error_code in RETRYABLE
    return bool(staged.document) and (failed or plan_import_is_stale(staged))


def plan_import_retry(*, actor: Any, plan_import: PlanImport) -> PlanImport:
    """Read a failed (or stalled) upload again, from the stored document."""
    require_manage(actor, plan_import.partnership)
    with transaction.atomic():
        staged = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
        if not plan_import_can_retry(staged):
            raise ValidationError(
                "This upload cannot be read again: upload the document again.", code="not_retryable"
            )
        before = staged.status
        staged.status = PlanImport.Status.READING
        staged.attempts = 0
        staged.progress = 0
        staged.progress_step = "Waiting for the background worker to start"
        staged.progress_at = clock.now()
        staged.error_code = ""
        staged.error = ""
        staged.save()
        audit.record(
            actor=actor,
            partnership=staged.partnership,
            action="planimport.retry",
            obj=staged,
            changes={"status": [before, staged.status]},
        )
    _enqueue(staged)
    staged.refresh_from_db()
    return staged


def plan_import_recover(now: dt.datetime) -> int:
    """The recoverer (dathub.core.recovery): every import still "reading", with no live
    task and no progress for stale_after(), is queued again, or marked failed once it has
    been started recovery.max_attempts() times."""
    from ..tasks import read_plan_import

    live = recovery.live_ids(read_plan_import, now)
    stale = PlanImport.objects.filter(
        status=PlanImport.Status.READING, progress_at__lt=now - recovery.stale_after()
    ).select_related("partnership", "uploaded_by")
    recovered = 0
    for staged in stale:
        if staged.pk in live:
            continue
        if staged.attempts >= recovery.max_attempts():
            recovered += _fail(
                staged,
                WORKER_LOST,
                f"Reading the document stopped before it finished, {staged.attempts} times "
                "(the background worker stopped). Try again; if it stops again, tell the "
                "support team.",
            )
            continue
        moved = PlanImport.objects.filter(
            pk=staged.pk, status=PlanImport.Status.READING, progress_at=staged.progress_at
        ).update(progress_step="Waiting to be read again", progress_at=now)
        if moved:
            _enqueue(staged)
            recovered += 1
    return recovered


def plan_import_expire(now: dt.datetime) -> int:
    """Uploads never confirmed (waiting for confirmation, or failed) lose their document
    staged_lifetime() after they were uploaded, and are marked expired (their preview says
    so). Run by the recoverer every minute; safe at any moment."""
    due = PlanImport.objects.filter(
        status__in=[PlanImport.Status.PENDING, PlanImport.Status.FAILED],
        created_at__lt=now - staged_lifetime(),
    ).select_related("partnership")
    expired = 0
    for staged in due:
        with transaction.atomic():
            done = PlanImport.objects.filter(pk=staged.pk, status=staged.status).update(
                status=PlanImport.Status.EXPIRED,
                document=b"",
                parsed={},
                progress_step="",
                error="",
                error_code="",
            )
            if done:
                audit.record(
                    actor=None,
                    partnership=staged.partnership,
                    action="planimport.expire",
                    obj=staged,
                    changes={"status": [staged.status, PlanImport.Status.EXPIRED]},
                )
                expired += 1
    return expired


@transaction.atomic
def plan_import_confirm(
    *, actor: Any, plan_import: PlanImport, replace: Plan | None = None
) -> Plan:
    """Save the previewed import as a new draft plan; with `replace`, that draft (the same
    document or year imported before) is archived in the same transaction."""
    require_manage(actor, plan_import.partnership)
    if plan_import.status == PlanImport.Status.EXPIRED:
        raise ValidationError(
            "This upload has expired and its document was removed: upload it again.",
            code="expired",
        )
    if plan_import.status != PlanImport.Status.PENDING:
        raise ValidationError(
            "This import has already been confirmed or cancelled, or is not read yet.",
            code="not_pending",
        )
    if replace is not None:
        if (
            replace.partnership_id != plan_import.partnership_id
            or replace.status != Plan.Status.DRAFT
            or replace.archived_at is not None
        ):
            raise ValidationError({"replace": "Only a draft plan can be replaced by an import."})
        audited_archive(actor=actor, instance=replace)
    plan = plan_from_json(
        actor=actor,
        partnership=plan_import.partnership,
        data=plan_import.parsed,
        source_name=plan_import.filename,
    )
    plan_import.status = PlanImport.Status.CONFIRMED
    plan_import.plan = plan
    plan_import.save(update_fields=["status", "plan", "updated_at"])
    return plan


def plan_import_cancel(*, actor: Any, plan_import: PlanImport) -> PlanImport:
    """Give up an upload not yet imported (being read, waiting, or failed): its document is
    removed at once."""
    require_manage(actor, plan_import.partnership)
    open_statuses = [PlanImport.Status.READING, PlanImport.Status.PENDING, PlanImport.Status.FAILED]
    with transaction.atomic():
        before = plan_import.status
        done = PlanImport.objects.filter(pk=plan_import.pk, status__in=open_statuses).update(
            status=PlanImport.Status.CANCELLED, document=b"", parsed={}
        )
        if done:
            audit.record(
                actor=actor,
                partnership=plan_import.partnership,
                action="planimport.cancel",
                obj=plan_import,
                changes={"status": [before, PlanImport.Status.CANCELLED]},
            )
    plan_import.refresh_from_db()
    return plan_import
