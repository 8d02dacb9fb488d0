"""Abandoned background work: a worker that stops beating loses its running tasks, and
every app's recoverer runs (one failing does not stop the rest)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from dathub.core import clock, recovery
from dathub.core.models import WorkerHeartbeat

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def db_tasks(db):
    with override_settings(TASKS=DB_TASKS):
        yield


def _running(worker: str, started: dt.datetime):
    from django_tasks_db.models import DBTaskResult

    from dathub.performance.tasks import recompute_indicators

    result = recompute_indicators.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=[worker], started_at=started
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_a_beating_worker_is_live_and_a_silent_one_is_not(db):
    now = clock.now()
    recovery.beat("w-live", now=now)
    recovery.beat("w-gone", now=now - dt.timedelta(minutes=5))
    assert recovery.live_worker_ids(now) == {"w-live"}
    recovery.beat("w-gone", now=now)  # beats again: updated, not duplicated
    assert WorkerHeartbeat.objects.filter(worker_id="w-gone").count() == 1
    assert recovery.live_worker_ids(now) == {"w-live", "w-gone"}
    recovery.forget("w-gone")
    assert recovery.live_worker_ids(now) == {"w-live"}


def test_tasks_of_a_lost_worker_are_failed_and_a_live_workers_left_running(db_tasks):
    from dathub.performance.tasks import recompute_indicators

    now = clock.now()
    recovery.beat("w-live", now=now)
    kept = _running("w-live", now - dt.timedelta(minutes=10))
    lost = _running("w-killed", now - dt.timedelta(minutes=10))
    just_claimed = _running("w-new", now)  # claimed a moment ago: its first beat may be due

    assert recovery.fail_lost_tasks(now) == 1
    for row in (kept, lost, just_claimed):
        row.refresh_from_db()
    assert (kept.status, lost.status, just_claimed.status) == ("RUNNING", "FAILED", "RUNNING")
    assert "stopped" in lost.traceback
    # the live task's arguments are reported live; the lost one's are not
    assert recovery.live_task_args(recompute_indicators, now) == [[], []]  # kept, just_claimed
    assert recovery.fail_lost_tasks(now) == 0  # safe to run again


def test_every_recoverer_runs_and_one_failing_does_not_stop_the_rest(db, monkeypatch, caplog):
    calls: list[str] = []
    secret = "client " + str(12345 * 7)

    def broken(now):
        calls.append("broken")
        raise RuntimeError(secret)  # never logged: only where it failed

    def working(now):
        calls.append("working")
        return 2

    monkeypatch.setattr(recovery, "_recoverers", {})
    recovery.register("a-broken", broken)
    recovery.register("b-working", working)
    done = recovery.recover_abandoned_work()
    assert calls == ["broken", "working"]
    assert done["a-broken"] == 0 and done["b-working"] == 2
    assert secret not in caplog.text


def test_with_tasks_run_at_once_nothing_is_waiting(db):
    from dathub.performance.tasks import recompute_indicators

    assert recovery.live_task_args(recompute_indicators) == []
    assert recovery.fail_lost_tasks() == 0
