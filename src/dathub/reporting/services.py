"""Writes to board packs: create, build (in the background), narrative, issue. All audited.

Once issued a pack never changes: its content, web page, PDF and Word document are the copy
the board saw.

A build is safe to run again (a pack no longer "building" is left alone; a second run
rebuilds the same content). ``board_pack_recover`` (registered with dathub.core.recovery)
queues again a build whose worker was lost, up to ``recovery.max_attempts()`` times, then stops it
with the reason and a "Try again" (``board_pack_retry``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from dathub.core import audit, clock, recovery
from dathub.core.services import audited_create
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Body, Partnership

from . import builder, selectors
from .models import BoardPack
from .registry import MANAGEMENT_REVIEW, REVIEW_HEADINGS, PackContext

log = logging.getLogger("dathub.reporting")
STUCK_AFTER = timedelta(minutes=10)  # a build not finished by then may be started again
CYCLE_MONTHS = {"monthly": 1, "bimonthly": 2, "quarterly": 3}
WAITING = "Waiting for the background worker to start"


def _require(actor: Any, partnership: Partnership) -> None:
    permissions.require(actor, partnership, r.BUILD_BOARD_PACKS)


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def last_meeting(body: Body, meeting_date: date) -> date:
    """'Since the last meeting': the body's previous pack, else one meeting cycle back,
    else the start of the financial year."""
    previous = selectors.previous_meeting(body=body, before=meeting_date)
    if previous is not None:
        return previous
    months = CYCLE_MONTHS.get(body.meeting_cycle)
    if months:
        return _months_before(meeting_date, months)
    year = meeting_date.year if meeting_date.month >= 4 else meeting_date.year - 1
    return date(year, 4, 1)


def default_title(kind: str, body: Body, meeting_date: date) -> str:
    if kind == MANAGEMENT_REVIEW:
        return f"Six-monthly management review, {meeting_date:%B %Y}"
    return f"{body.name}: board pack for {meeting_date.day} {meeting_date:%B %Y}"


def board_pack_create(
    *,
    actor: Any,
    partnership: Partnership,
    body: Body,
    meeting_date: date,
    kind: str = BoardPack.Kind.BOARD_PACK,
    title: str = "",
) -> BoardPack:
    _require(actor, partnership)
    if body.partnership_id != partnership.pk or body.archived_at is not None:
        raise ValidationError({"body": "Choose one of the partnership's bodies."})
    if kind not in BoardPack.Kind.values:
        raise ValidationError({"kind": "Choose a board pack or a management review."})
    return audited_create(
        actor=actor,
        instance=BoardPack(
            partnership=partnership,
            body=body,
            meeting_date=meeting_date,
            kind=kind,
            title=(title or default_title(kind, body, meeting_date))[:300],
        ),
    )


def board_pack_request_build(*, actor: Any, pack: BoardPack) -> BoardPack:
    """Mark the pack as building and queue the build; the page shows its progress."""
    _require(actor, pack.partnership)
    with transaction.atomic():
        pack = BoardPack.objects.select_for_update().get(pk=pack.pk)
        if pack.status == BoardPack.Status.ISSUED:
            raise ValidationError("This pack has been issued: it cannot be built again.")
        started = pack.build_started_at
        if (
            pack.status == BoardPack.Status.BUILDING
            and started
            and clock.now() - started < STUCK_AFTER
        ):
            raise ValidationError("This pack is already being built.")
        _start(pack, actor)
        pack.save()
        audit.record(actor=actor, partnership=pack.partnership, action="boardpack.build", obj=pack)
    _enqueue(pack)
    pack.refresh_from_db()
    return pack


def _start(pack: BoardPack, actor: Any) -> None:
    now = clock.now()
    pack.status = BoardPack.Status.BUILDING
    pack.build_progress = 0
    pack.build_step = WAITING
    pack.build_error = ""
    pack.build_requested_by = actor
    pack.build_started_at = now
    pack.build_progress_at = now
    pack.build_attempts = 0


def _enqueue(pack: BoardPack) -> None:
    from .tasks import build_board_pack

    try:
        build_board_pack.enqueue(pack.pk)
    except Exception:
        log.exception("could not queue the build of board pack %s", pack.pk)
        BoardPack.objects.filter(pk=pack.pk, status=BoardPack.Status.BUILDING).update(
            status=BoardPack.Status.DRAFT,
            build_error="The build could not be started. Try again in a moment.",
        )


def _set_progress(pack_id: int, percent: int, step: str) -> None:
    BoardPack.objects.filter(pk=pack_id, status=BoardPack.Status.BUILDING).update(
        build_progress=max(0, min(percent, 99)),
        build_step=step[:200],
        build_progress_at=clock.now(),
    )


def board_pack_is_stale(pack: BoardPack, now: dt.datetime | None = None) -> bool:
    """Building with no sign of life for recovery.stale_after(): the page stops polling,
    and (with no live task) the recoverer takes it on."""
    now = now or clock.now()
    seen = pack.build_progress_at or pack.build_started_at or pack.updated_at
    return pack.status == BoardPack.Status.BUILDING and seen < now - recovery.stale_after()


def board_pack_retry(*, actor: Any, pack: BoardPack) -> BoardPack:
    """Build again a pack whose build failed or stalled (the page's "Try again")."""
    _require(actor, pack.partnership)
    with transaction.atomic():
        pack = BoardPack.objects.select_for_update().get(pk=pack.pk)
        failed = pack.status != BoardPack.Status.BUILDING and bool(pack.build_error)
        if pack.status == BoardPack.Status.ISSUED or not (failed or board_pack_is_stale(pack)):
            raise ValidationError("There is no failed or stalled build to try again.")
        before = pack.status
        _start(pack, actor)
        pack.save()
        audit.record(
            actor=actor,
            partnership=pack.partnership,
            action="boardpack.retry",
            obj=pack,
            changes={"status": [before, pack.status]},
        )
    _enqueue(pack)
    pack.refresh_from_db()
    return pack


def board_pack_recover(now: dt.datetime) -> int:
    """The recoverer (dathub.core.recovery): every pack still "building", with no live task
    and no progress for stale_after(), is queued again, or stopped (back to draft with the
    reason and a "Try again") once its build was started recovery.max_attempts() times."""
    from .tasks import build_board_pack

    live = recovery.live_ids(build_board_pack, now)
    recovered = 0
    for pack in BoardPack.objects.filter(status=BoardPack.Status.BUILDING).select_related(
        "partnership", "build_requested_by"
    ):
        if pack.pk in live or not board_pack_is_stale(pack, now):
            continue
        building = BoardPack.objects.filter(
            pk=pack.pk, status=BoardPack.Status.BUILDING, build_progress_at=pack.build_progress_at
        )
        if pack.build_attempts >= recovery.max_attempts():
            stopped = building.update(
                status=BoardPack.Status.DRAFT,
                build_error=f"The build stopped before it finished, {pack.build_attempts} times "
                "(the background worker stopped). Try again; if it stops again, tell the "
                "support team.",
            )
            if stopped:
                audit.record(
                    actor=pack.build_requested_by,
                    partnership=pack.partnership,
                    action="boardpack.build_failed",
                    obj=pack,
                    changes={"attempts": [None, pack.build_attempts]},
                )
            recovered += stopped
            continue
        if building.update(build_step="Waiting to be built again", build_progress_at=now):
            _enqueue(pack)
            recovered += 1
    return recovered


def pack_context(pack: BoardPack, actor: Any, as_at: date | None = None) -> PackContext:
    """The figures are as at the meeting, or today if that is earlier; `as_at` asks for an
    earlier day still (the demo's papers, built as they were sent before the meeting)."""
    today = clock.today()
    return PackContext(
        actor=actor,
        body=pack.body,
        meeting_date=pack.meeting_date,
        as_at=min(today, pack.meeting_date, as_at or today),
        since=last_meeting(pack.body, pack.meeting_date),
        kind=pack.kind,
    )


def board_pack_run_build(*, pack_id: int, as_at: date | None = None) -> BoardPack:
    """The background build: content from the sections, then HTML, PDF and Word."""
    pack = BoardPack.objects.select_related("body", "partnership", "build_requested_by").get(
        pk=pack_id
    )
    if pack.status != BoardPack.Status.BUILDING:
        return pack  # issued, or a build that was superseded
    BoardPack.objects.filter(pk=pack.pk, status=BoardPack.Status.BUILDING).update(
        build_attempts=pack.build_attempts + 1, build_progress_at=clock.now()
    )
    actor = pack.build_requested_by
    try:
        _set_progress(pack.pk, 5, "Collecting the sections")
        content = builder.build_content(
            pack.partnership,
            pack_context(pack, actor, as_at),
            title=pack.title,
            narrative=pack.narrative,
            progress=lambda pct, step: _set_progress(pack.pk, pct, step),
        )
        _set_progress(pack.pk, 65, "Laying out the web page")
        html = builder.render_html(content)
        _set_progress(pack.pk, 75, "Making the PDF")
        pdf = builder.render_pdf(content, html)
        _set_progress(pack.pk, 90, "Making the Word document")
        docx = builder.render_docx(content)
    except Exception as exc:
        log.exception("board pack %s failed to build", pack.pk)
        BoardPack.objects.filter(pk=pack.pk, status=BoardPack.Status.BUILDING).update(
            status=BoardPack.Status.DRAFT,
            build_error=f"The pack could not be built ({type(exc).__name__}). Try again; if it "
            "fails again, tell the support team.",
        )
        pack.refresh_from_db()
        return pack
    with transaction.atomic():
        fresh = BoardPack.objects.select_for_update().get(pk=pack.pk)
        if fresh.status != BoardPack.Status.BUILDING:
            return fresh
        fresh.content = content
        fresh.html = html
        fresh.pdf = pdf
        fresh.docx = docx
        fresh.status = BoardPack.Status.READY
        fresh.build_progress = 100
        fresh.build_step = "Built"
        fresh.built_at = clock.now()
        fresh.save()
        audit.record(
            actor=actor,
            partnership=fresh.partnership,
            action="boardpack.built",
            obj=fresh,
            changes={"sections": [None, len(content["sections"])]},
        )
    return fresh


def board_pack_build_now(*, actor: Any, pack: BoardPack, as_at: date | None = None) -> BoardPack:
    """Build in this process (the demo and the command line), not in the background."""
    _require(actor, pack.partnership)
    BoardPack.objects.filter(pk=pack.pk).update(
        status=BoardPack.Status.BUILDING,
        build_requested_by=actor,
        build_started_at=clock.now(),
        build_progress_at=clock.now(),
        build_attempts=0,
        build_error="",
    )
    return board_pack_run_build(pack_id=pack.pk, as_at=as_at)


@transaction.atomic
def board_pack_narrative_save(
    *, actor: Any, pack: BoardPack, narrative: dict[str, str]
) -> BoardPack:
    """The management review's narrative, by heading; rebuild the pack to include it."""
    _require(actor, pack.partnership)
    pack = BoardPack.objects.select_for_update().get(pk=pack.pk)
    if pack.status == BoardPack.Status.ISSUED:
        raise ValidationError("This review has been issued: its narrative cannot change.")
    keys = {k for k, _, _ in REVIEW_HEADINGS}
    new = {k: (v or "").strip() for k, v in narrative.items() if k in keys}
    before = dict(pack.narrative or {})
    merged = {**before, **new}
    changes = {k: [before.get(k, ""), merged[k]] for k in merged if before.get(k, "") != merged[k]}
    if changes:
        pack.narrative = merged
        pack.narrative_updated_at = clock.now()
        pack.save(update_fields=["narrative", "narrative_updated_at", "updated_at"])
        audit.record(
            actor=actor,
            partnership=pack.partnership,
            action="boardpack.narrative",
            obj=pack,
            changes=changes,
        )
    return pack


@transaction.atomic
def board_pack_issue(*, actor: Any, pack: BoardPack) -> BoardPack:
    """Freeze the pack as the board saw it: nothing about it changes afterwards."""
    _require(actor, pack.partnership)
    pack = BoardPack.objects.select_for_update().get(pk=pack.pk)
    if pack.status == BoardPack.Status.ISSUED:
        return pack
    if pack.status != BoardPack.Status.READY or not pack.pdf or not pack.docx:
        raise ValidationError("Build the pack before issuing it.")
    if pack.is_stale:
        raise ValidationError("The narrative changed after the pack was built: build it again.")
    pack.status = BoardPack.Status.ISSUED
    pack.issued_at = clock.now()
    pack.issued_by = actor
    pack.save(update_fields=["status", "issued_at", "issued_by", "updated_at"])
    audit.record(
        actor=actor,
        partnership=pack.partnership,
        action="boardpack.issue",
        obj=pack,
        changes={"status": ["ready", "issued"]},
    )
    return pack
