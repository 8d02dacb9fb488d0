"""Finding and recovering background work whose worker is gone.

A worker (``dathub worker``) beats a heartbeat every ``BEAT_SECONDS``; a worker not seen for
``DATHUB_WORKER_LOST_SECONDS`` is gone. ``recover_abandoned_work`` runs when a worker starts
and then every minute: it marks the task rows claimed by lost workers as failed, then asks
every app's registered recoverer to put its own work right (queue it again, or mark it
failed with a reason the user sees and a way to try again). Apps register from ``ready()``.

A recoverer is ``fn(now) -> int`` (how many items it recovered). It must be safe to run at
any moment and more than once: it touches only work that is in progress with no live task
and no progress for ``stale_after()`` (so work a command is running in the foreground, which
reports progress as it goes, is left alone).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings

from . import clock

log = logging.getLogger("dathub.recovery")

BEAT_SECONDS = 5

Recoverer = Callable[[dt.datetime], int]
_recoverers: dict[str, Recoverer] = {}


def register(name: str, fn: Recoverer) -> None:
    """An app's way of putting its abandoned work right (see the module's docstring)."""
    _recoverers[name] = fn


def lost_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.DATHUB_WORKER_LOST_SECONDS)


def stale_after() -> dt.timedelta:
    """Work in progress with no progress for this long, and no live task, was abandoned."""
    return dt.timedelta(seconds=settings.DATHUB_WORK_STALE_SECONDS)


def max_attempts() -> int:
    """Times abandoned work is started before it is marked failed with a reason."""
    return int(settings.DATHUB_WORK_MAX_ATTEMPTS)


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def beat(worker_id: str, *, now: dt.datetime | None = None) -> None:
    """Say that ``worker_id`` is alive (called by the worker's heartbeat thread)."""
    from .models import WorkerHeartbeat

    now = now or clock.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id,
            pid=os.getpid(),
            host=socket.gethostname()[:120],
            started_at=now,
            seen_at=now,
        )


def forget(worker_id: str) -> None:
    """A worker leaving cleanly takes its heartbeat with it."""
    from .models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def live_worker_ids(now: dt.datetime | None = None) -> set[str]:
    from .models import WorkerHeartbeat

    now = now or clock.now()
    return set(
        WorkerHeartbeat.objects.filter(seen_at__gte=now - lost_after()).values_list(
            "worker_id", flat=True
        )
    )


def _uses_database_backend() -> bool:
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def _on_live_worker(
    workers: list[str], started: dt.datetime | None, live: set[str], now: dt.datetime
) -> bool:
    """A running task is live if its worker beats, or it was claimed too recently for the
    worker's first beat to be due."""
    return bool(workers and workers[-1] in live) or (
        started is not None and started >= now - lost_after()
    )


def live_task_args(
    task: Any, now: dt.datetime | None = None, *, excluding: Any = None
) -> list[list[Any]]:
    """The positional arguments of every run of ``task`` that is waiting, or running on a
    live worker: work that needs no recovery (``excluding``: the id of the run asking, which
    is not another run). Empty when tasks run at once (tests)."""
    if not _uses_database_backend():
        return []
    from django_tasks_db.models import DBTaskResult

    now = now or clock.now()
    live = live_worker_ids(now)
    rows = DBTaskResult.objects.filter(task_path=task.module_path, status__in=["READY", "RUNNING"])
    if excluding is not None:
        rows = rows.exclude(pk=excluding)
    args: list[list[Any]] = []
    for status, workers, started, args_kwargs in rows.values_list(
        "status", "worker_ids", "started_at", "args_kwargs"
    ):
        if status == "READY" or _on_live_worker(workers, started, live, now):
            args.append(list((args_kwargs or {}).get("args", [])))
    return args


def live_ids(task: Any, now: dt.datetime | None = None) -> set[Any]:
    """The objects (a task's first argument, an id) that a waiting or live run of ``task``
    is working on: a recoverer leaves them alone."""
    return {args[0] for args in live_task_args(task, now) if args}


def fail_lost_tasks(now: dt.datetime | None = None) -> int:
    """Mark as failed every task row still RUNNING on a worker that is gone."""
    if not _uses_database_backend():
        return 0
    from django_tasks_db.models import DBTaskResult

    now = now or clock.now()
    live = live_worker_ids(now)
    lost = [
        pk
        for pk, workers, started in DBTaskResult.objects.filter(status="RUNNING").values_list(
            "pk", "worker_ids", "started_at"
        )
        if not _on_live_worker(workers, started, live, now)
    ]
    if lost:
        DBTaskResult.objects.filter(pk__in=lost, status="RUNNING").update(
            status="FAILED",
            finished_at=now,
            exception_class_path="dathub.core.recovery.WorkerLost",
            traceback="The worker running this task stopped before it finished.",
        )
        log.warning("%s task(s) were running on a worker that stopped; marked failed", len(lost))
    return len(lost)


def recover_abandoned_work(now: dt.datetime | None = None) -> dict[str, int]:
    """Fail lost task rows, then let each app recover its own abandoned work. One app's
    failure does not stop the others'; it is logged (where, never personal data)."""
    from .tracebacks import where_it_failed

    now = now or clock.now()
    done = {"tasks": fail_lost_tasks(now)}
    for name, fn in sorted(_recoverers.items()):
        try:
            done[name] = fn(now)
        except Exception as exc:  # one app's fault must not stop the rest recovering
            log.error("recovering %s failed: %s", name, where_it_failed(exc))
            done[name] = 0
    recovered = {k: v for k, v in done.items() if v}
    if recovered:
        log.warning("recovered abandoned work: %s", recovered)
    return done
