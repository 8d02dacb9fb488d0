"""The daily reminder chain: each run queues the next, and a worker killed mid-run does not
end it (issue 9, item 2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from dathub.core import clock, recovery
from dathub.planning import reminders

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TASK = "dathub.planning.tasks.send_reminders_task"


@pytest.fixture
def db_tasks(db):
    with override_settings(TASKS=DB_TASKS):
        yield


def _rows(status):
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.filter(task_path=TASK, status=status))


def _run_one_task(worker_id: str) -> None:
    """What django-tasks' own database worker does with the next task due: claim it (its
    row is RUNNING on this worker) and run it. (Its loop closes the connection between
    tasks, which a test's transaction cannot survive.)"""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    recovery.beat(worker_id)
    row = DBTaskResult.objects.ready().get_locked()
    assert row is not None
    row.claim(worker_id)
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run_task(row)


def test_a_run_queues_the_next_one_although_it_is_itself_still_running(demo, db_tasks):
    assert reminders.schedule(at=clock.now()) is not None
    (row,) = _rows("READY")
    # the worker claims and runs it: the row is RUNNING while the task asks for the next
    _run_one_task("w-live")
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL", row.traceback
    (following,) = _rows("READY")
    assert following.pk != row.pk and following.run_after == reminders.next_run()
    # and asking again does not queue a second one
    assert reminders.schedule() is None and len(_rows("READY")) == 1


def test_a_worker_killed_mid_run_does_not_end_the_chain(demo, db_tasks):
    from django_tasks_db.models import DBTaskResult

    reminders.schedule(at=clock.now())
    (row,) = _rows("READY")
    then = clock.now() - dt.timedelta(minutes=10)
    DBTaskResult.objects.filter(pk=row.pk).update(
        status="RUNNING", worker_ids=["w-killed"], started_at=then
    )
    # a run left "running" by a lost worker is not a run waiting: one is queued
    assert reminders.recover_schedule(clock.now()) == 1
    (queued,) = _rows("READY")
    assert queued.pk != row.pk
    assert reminders.recover_schedule(clock.now()) == 0  # one is waiting now
    assert recovery._recoverers["planning.reminders"] is reminders.recover_schedule


def test_with_tasks_run_at_once_the_recoverer_queues_nothing(demo):
    assert reminders.recover_schedule(clock.now()) == 0
