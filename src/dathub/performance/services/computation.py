"""Recomputing the indicators from every current submission's accepted rows, and asking
for it (queued once: a waiting recomputation will read every change made before it runs).

A run is safe to repeat (each writes a new computation and replaces the figures of the
last one in one transaction). It reports progress between its steps (``progress_at``); a
run left ``running`` by a killed worker or command is failed by ``recover_computations``
and a new one queued.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import polars as pl
from django.db import connection, models, transaction

from dathub.core import audit, clock, recovery
from dathub.core.tracebacks import where_it_failed
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Partnership

from .. import store
from ..engine.indicators import compute_windows
from ..engine.journeys import build_journeys
from ..models import (
    Computation,
    IndicatorResult,
    PrevalenceEstimate,
    Submission,
    SubmissionData,
)
from ..periods import standard_periods

log = logging.getLogger("dathub.performance")


def current_records() -> pl.DataFrame | None:
    """Every current submission's accepted rows; see ``store`` for the episode rule."""
    pairs = []
    for month, blob in SubmissionData.objects.filter(
        submission__status=Submission.Status.CURRENT,
        submission__archived_at__isnull=True,
        accepted__isnull=False,
    ).values_list("submission__month", "accepted"):
        frame = store.accepted_frame(blob)
        if frame is not None:
            pairs.append((month, frame))
    return store.latest_episodes(pairs)


def prevalence_table() -> pl.DataFrame:
    rows = [
        (code.upper(), fy, est)
        for code, fy, est in PrevalenceEstimate.objects.current().values_list(
            "partnership__code", "financial_year", "ocu_estimate"
        )
    ]
    return pl.DataFrame(
        rows, schema={"dat": pl.String, "finyear": pl.String, "estimate": pl.Int64}, orient="row"
    )


def recompute(today: dt.date | None = None) -> Computation:
    """Run the engine on every current submission's accepted rows for the standard periods
    (see ``periods``) and keep the figures of each partnership.

    The engine runs over all partnerships' records at once because a person's journeys may
    cross partnerships: the spec counts each person once, in the partnership of their
    reference journey. Readers use the latest finished computation only, so a page never
    sees half of one run.
    """
    today = today or clock.today()
    comp = Computation.objects.create(as_of=today, progress_at=clock.now())

    def moved_on() -> None:
        Computation.objects.filter(pk=comp.pk).update(progress_at=clock.now())

    try:
        rows = current_records()
        moved_on()
        partnerships = {p.code.upper(): p for p in Partnership.objects.all()}
        periods = standard_periods(today)
        kinds = {p.window.label: p.kind for p in periods}
        rows_out: list[tuple[Any, ...]] = []
        used = 0
        if rows is not None and rows.height:
            used = int((rows["CONSENT"] == "Y").sum())
            journeys = build_journeys(rows)
            moved_on()
            if journeys.height:
                table = compute_windows(
                    journeys, [p.window for p in periods], prevalence_table()
                ).filter(pl.col("dat").is_in(list(partnerships)))
                rows_out = [
                    (
                        partnerships[dat].pk,
                        comp.pk,
                        ind,
                        brk,
                        per,
                        kinds[per],
                        start,
                        end,
                        num,
                        den,
                        value,
                    )
                    for per, start, end, dat, ind, brk, num, den, value in table.select(
                        "period",
                        "period_start",
                        "period_end",
                        "dat",
                        "indicator",
                        "breakdown",
                        "numerator",
                        "denominator",
                        "value",
                    ).iter_rows()
                ]
        moved_on()
        with transaction.atomic():
            _insert_results(rows_out)
            comp.status = Computation.Status.DONE
            comp.finished_at = clock.now()
            comp.rows_used = used
            comp.results = len(rows_out)
            comp.save()
            IndicatorResult.objects.filter(computation__lt=comp.pk).delete()
    except Exception as exc:
        Computation.objects.filter(pk=comp.pk).update(
            status=Computation.Status.FAILED,
            finished_at=clock.now(),
            failure=type(exc).__name__,
        )
        log.error("indicator computation %s failed: %s", comp.pk, where_it_failed(exc))
        raise
    log.info("indicator computation %s: %s rows used, %s figures", comp.pk, used, len(rows_out))
    return comp


_RESULT_COLUMNS = (
    "partnership_id",
    "computation_id",
    "indicator",
    "breakdown",
    "period",
    "kind",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "value",
)


def _insert_results(rows: list[tuple[Any, ...]]) -> None:
    """One prepared INSERT for every figure: tens of thousands of rows per computation,
    which ``bulk_create`` would send in batches of a few dozen on SQLite."""
    if not rows:
        return
    qn = connection.ops.quote_name
    # identifiers from the model's own metadata, values as parameters
    table = qn(IndicatorResult._meta.db_table)
    columns = ", ".join(qn(c) for c in _RESULT_COLUMNS)
    marks = ", ".join(["%s"] * len(_RESULT_COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def computation_request(*, actor: Any, partnership: Partnership) -> None:
    """A person asks for the figures to be recomputed now (the Recompute page)."""
    permissions.require(actor, partnership, r.MANAGE_PERFORMANCE)
    audit.record(actor=actor, partnership=partnership, action="computation.request")
    # queued once the request's transaction commits, so a worker never runs ahead of it
    transaction.on_commit(request_recompute)


def request_recompute() -> None:
    """Queue a recomputation, unless one is already waiting: that one has not started, so
    it will read this change too. A month's uploads from every provider then cost one
    recomputation instead of one each."""
    from ..tasks import recompute_indicators

    if not _recompute_waiting(recompute_indicators):
        recompute_indicators.enqueue()


def _recompute_waiting(task: Any) -> bool:
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task.get_backend(), DatabaseBackend):
        return False  # other backends (tests run tasks at once) keep nothing waiting
    return DBTaskResult.objects.ready().filter(task_path=task.module_path).exists()


LOST = "WorkerLost"


def recover_computations(now: dt.datetime) -> int:
    """The recoverer (``dathub.core.recovery``): a computation still ``running`` with no
    progress for ``recovery.stale_after()`` was left by a worker or command that stopped. It
    is marked failed (the figures stay those of the last finished run) and a recomputation
    is queued. While a recomputation task is running on a live worker its own computation
    cannot be told apart, so then nothing is touched (the next round sees to it). How many
    were recovered."""
    from ..tasks import recompute_indicators

    if _recompute_running(recompute_indicators):
        return 0
    stale = now - recovery.stale_after()
    lost = list(
        Computation.objects.filter(status=Computation.Status.RUNNING)
        .filter(
            models.Q(progress_at__lt=stale)
            | models.Q(progress_at__isnull=True, started_at__lt=stale)
        )
        .values_list("pk", flat=True)
    )
    if not lost:
        return 0
    failed = Computation.objects.filter(pk__in=lost, status=Computation.Status.RUNNING).update(
        status=Computation.Status.FAILED, finished_at=now, failure=LOST
    )
    if failed:
        log.warning("%s indicator computation(s) stopped before finishing; queued again", failed)
        transaction.on_commit(request_recompute)
    return failed


def _recompute_running(task: Any) -> bool:
    """A recomputation task is running (lost workers' tasks were failed before recoverers
    run, so a running one is on a live worker)."""
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(task_path=task.module_path, status="RUNNING").exists()
