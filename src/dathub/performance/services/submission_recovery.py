"""Recovery of submissions whose worker or command stopped half-way (dathub.core.recovery
calls ``recover_submissions``; registered from the app's ready())."""

from __future__ import annotations

import datetime as dt
import functools
import logging

from django.db import transaction
from django.db.models import Q

from dathub.core import recovery

from ..models import Submission
from .submissions import (
    _enqueue,
    _fail,
)

log = logging.getLogger("dathub.performance")


def recover_submissions(now: dt.datetime) -> int:
    """The recoverer (``dathub.core.recovery``): a submission received or being processed,
    with no live task and no progress for ``recovery.stale_after()``, was abandoned. It is
    put back in the queue, unless processing has started ``recovery.max_attempts()`` times already:
    then it fails with a reason and can be tried again. Safe at any moment: each step is one
    conditional UPDATE, so a run that is alive after all (or a second recoverer) is never
    processed twice. How many were recovered."""
    from ..tasks import process_submission

    live = recovery.live_ids(process_submission, now)
    stale = now - recovery.stale_after()
    abandoned = (
        Submission.objects.filter(
            status__in=[Submission.Status.RECEIVED, Submission.Status.PROCESSING],
            archived_at__isnull=True,
        )
        .filter(Q(progress_at__lt=stale) | Q(progress_at__isnull=True, submitted_at__lt=stale))
        .exclude(pk__in=live)
        .select_related("partnership", "submitted_by")
    )
    recovered = 0
    for sub in abandoned:
        same = Submission.objects.filter(pk=sub.pk, status=sub.status, attempts=sub.attempts)
        same = same.filter(Q(progress_at__lt=stale) | Q(progress_at__isnull=True))
        if sub.status == Submission.Status.PROCESSING and sub.attempts >= recovery.max_attempts():
            failed = _fail(
                sub,
                sub.attempts,
                f"The checking stopped before it finished, {sub.attempts} times (the "
                "server's background work was interrupted). Nothing was stored; the file "
                "is kept, so you can try again.",
                "work_stopped",
                only=same,
            )
            recovered += int(failed.status == Submission.Status.FAILED)
            continue
        stage = (
            "Waiting to be processed (again: the checking stopped before it finished)"
            if sub.status == Submission.Status.PROCESSING
            else "Waiting to be processed"
        )
        if same.update(status=Submission.Status.RECEIVED, progress=0, stage=stage, progress_at=now):
            log.warning("submission %s was abandoned (%s); queued again", sub.pk, sub.status)
            transaction.on_commit(functools.partial(_enqueue, sub.pk))
            recovered += 1
    return recovered
