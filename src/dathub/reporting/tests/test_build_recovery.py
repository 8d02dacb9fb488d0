"""A board pack build whose worker was lost is built again, or stopped with a reason and a
"Try again"; its page never polls for ever (issue 9, item 2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from dathub.core import clock, recovery
from dathub.core.models import AuditEvent
from dathub.reporting import services
from dathub.reporting.models import BoardPack

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TASK = "dathub.reporting.tasks.build_board_pack"


@pytest.fixture
def db_tasks(db):
    with override_settings(TASKS=DB_TASKS):
        yield


def _rows(pack, status=None):
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(task_path=TASK)
    if status:
        rows = rows.filter(status=status)
    return [r for r in rows if r.args_kwargs["args"] == [pack.pk]]


def _requested(demo, board, delivery):
    pack = services.board_pack_create(
        actor=demo.coordinator, partnership=demo.northshire, body=board, meeting_date=delivery.today
    )
    return services.board_pack_request_build(actor=demo.coordinator, pack=pack)


def _killed_mid_build(pack, minutes=10):
    """The worker building `pack` was killed at 40%: its task row is RUNNING on a worker
    that no longer beats, and the pack has shown no progress since."""
    from django_tasks_db.models import DBTaskResult

    then = clock.now() - dt.timedelta(minutes=minutes)
    (row,) = _rows(pack)
    DBTaskResult.objects.filter(pk=row.pk).update(
        status="RUNNING", worker_ids=["w-killed"], started_at=then
    )
    BoardPack.objects.filter(pk=pack.pk).update(
        build_progress=40, build_step="Making the PDF", build_progress_at=then, build_attempts=1
    )


def test_a_build_whose_worker_was_lost_is_queued_again_and_then_built(
    demo, client_for, delivery, board, db_tasks
):
    from dathub.reporting.tasks import build_board_pack

    client = client_for(demo.coordinator)
    pack = _requested(demo, board, delivery)
    assert pack.status == "building" and len(_rows(pack, "READY")) == 1
    # waiting for the worker, or on a live one: left alone
    assert services.board_pack_recover(clock.now() + dt.timedelta(minutes=10)) == 0

    _killed_mid_build(pack)
    page = client.get(f"/p/N01A/board-packs/{pack.pk}/").content.decode()
    assert "stopped making progress" in page and "hx-trigger" not in page  # polling stops
    assert recovery.fail_lost_tasks() == 1
    assert services.board_pack_recover(clock.now()) == 1
    assert services.board_pack_recover(clock.now()) == 0  # its new task is waiting
    (queued,) = _rows(pack, "READY")
    pack.refresh_from_db()
    assert pack.status == "building" and pack.build_step == "Waiting to be built again"
    # the second run builds the pack (the task is safe to run again)
    assert build_board_pack.call(*queued.args_kwargs["args"]) == "ready"
    assert build_board_pack.call(pack.pk) == "ready"  # and once more changes nothing
    pack.refresh_from_db()
    assert pack.status == "ready" and pack.build_attempts == 2
    assert AuditEvent.objects.filter(action="boardpack.built", object_id=str(pack.pk)).count() == 1


def test_a_build_lost_too_often_is_stopped_with_the_reason_and_a_try_again(
    demo, client_for, delivery, board, db_tasks
):
    client = client_for(demo.coordinator)
    pack = _requested(demo, board, delivery)
    _killed_mid_build(pack)
    BoardPack.objects.filter(pk=pack.pk).update(build_attempts=recovery.max_attempts())
    assert services.board_pack_recover(clock.now()) == 1
    pack.refresh_from_db()
    assert pack.status == "draft" and "stopped before it finished, 3 times" in pack.build_error
    assert AuditEvent.objects.filter(action="boardpack.build_failed").count() == 1
    page = client.get(f"/p/N01A/board-packs/{pack.pk}/").content.decode()
    assert "The pack was not built" in page and "Try again" in page

    retry = f"/p/N01A/board-packs/{pack.pk}/retry/"
    assert client.get(retry).status_code == 405
    assert client_for(demo.board).post(retry).status_code in (403, 404)
    assert client_for(demo.eastvale).post(retry).status_code == 404
    assert client.post(retry).status_code == 302
    pack.refresh_from_db()
    assert (pack.status, pack.build_attempts, pack.build_error) == ("building", 0, "")
    assert AuditEvent.objects.filter(action="boardpack.retry", object_id=str(pack.pk)).exists()
    assert len(_rows(pack, "READY")) == 1
    # nothing to try again now: refused with the reason, not a second build
    with pytest.raises(Exception, match="no failed or stalled build"):
        services.board_pack_retry(actor=demo.coordinator, pack=pack)


def test_the_reporting_recoverer_is_registered(demo):
    assert recovery._recoverers["reporting.builds"] is services.board_pack_recover
