"""Submissions and computations whose worker (or command) was killed: found and run again,
or failed with a reason and a "try again" button; processing is claimed once; a page stops
polling when the work has stalled. Issue 9, item 2."""

from __future__ import annotations

import datetime as dt
import html
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.test import override_settings

from dathub.core import clock, recovery
from dathub.core.models import AuditEvent
from dathub.performance import services
from dathub.performance.models import Computation, Submission, SubmissionData
from dathub.performance.services import submissions as submission_services

from .site_helpers import csv_bytes, last_month, records

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LONG_AGO = dt.timedelta(minutes=10)


def _received(demo, *, people: int = 15, seed: int = 21, background: bool = False) -> Submission:
    return services.submission_create(
        actor=demo.analyst,
        partnership=demo.northshire,
        agency="NRT01",
        month=last_month(),
        filename="nrt.csv",
        data=csv_bytes(records(people=people, seed=seed)),
        background=background,
    )


def _left_processing(sub: Submission, *, attempts: int = 1, ago: dt.timedelta = LONG_AGO):
    """As a worker killed while checking it leaves it: claimed, 25%, no progress since."""
    Submission.objects.filter(pk=sub.pk).update(
        status="processing",
        attempts=attempts,
        progress=25,
        stage="Checking 30 rows",
        progress_at=clock.now() - ago,
    )


def _task_rows(pk: int):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path__endswith="process_submission").filter(
        args_kwargs__args=[pk]
    )


def test_the_app_registers_its_recoverers():
    assert recovery._recoverers["performance.submissions"] is services.recover_submissions
    assert recovery._recoverers["performance.computations"] is services.recover_computations


def test_a_submission_left_processing_by_a_killed_worker_is_queued_again_and_finishes(
    demo, django_capture_on_commit_callbacks
):
    """kill -9 of the worker at 25%: its task row stays RUNNING on a worker that no longer
    beats, the submission stays "processing". Recovery fails the task and queues the
    submission again; the next run finishes it."""
    from dathub.performance.tasks import process_submission

    with override_settings(TASKS=DB_TASKS):
        sub = _received(demo, background=True)
        task = _task_rows(sub.pk).get()
        task_started = clock.now() - LONG_AGO
        _task_rows(sub.pk).update(
            status="RUNNING", worker_ids=["w-killed"], started_at=task_started
        )
        _left_processing(sub)
        with django_capture_on_commit_callbacks(execute=True):
            done = recovery.recover_abandoned_work()
        assert done["tasks"] == 1 and done["performance.submissions"] == 1
        task.refresh_from_db()
        assert task.status == "FAILED"
        sub.refresh_from_db()
        assert (sub.status, sub.progress, sub.attempts) == ("received", 0, 1)
        assert "again" in sub.stage
        waiting = _task_rows(sub.pk).filter(status="READY")
        assert waiting.count() == 1  # queued once
        # a second round finds nothing to do: the new task is waiting
        with django_capture_on_commit_callbacks(execute=True):
            assert recovery.recover_abandoned_work()["performance.submissions"] == 0
        assert _task_rows(sub.pk).filter(status="READY").count() == 1
    process_submission.call(sub.pk)  # the worker runs it
    sub.refresh_from_db()
    assert sub.status == "current" and sub.attempts == 2 and sub.rows and sub.rejected == 0


def test_work_that_is_alive_is_left_alone(demo, django_capture_on_commit_callbacks):
    with override_settings(TASKS=DB_TASKS):
        moving = _received(demo, background=False)
        _left_processing(moving, ago=dt.timedelta(seconds=5))  # reported progress just now
        queued = _received(demo, seed=22, background=True)  # its task is waiting
        Submission.objects.filter(pk=queued.pk).update(progress_at=clock.now() - LONG_AGO)
        on_live_worker = _received(demo, seed=23, background=True)
        recovery.beat("w-live")
        _task_rows(on_live_worker.pk).update(
            status="RUNNING", worker_ids=["w-live"], started_at=clock.now() - LONG_AGO
        )
        _left_processing(on_live_worker)  # a long step: no progress for a while, but alive
        with django_capture_on_commit_callbacks(execute=True):
            assert recovery.recover_abandoned_work()["performance.submissions"] == 0
    for sub in (moving, queued, on_live_worker):
        before = sub.status if sub is queued else "processing"
        sub.refresh_from_db()
        assert sub.status == before


def test_a_received_submission_whose_task_was_lost_is_queued_again(
    demo, django_capture_on_commit_callbacks
):
    """The worker died with "database is locked" before it claimed the submission: no task
    row is left for it, so it would wait at 0% for ever."""
    sub = _received(demo, background=False)
    with time_machine.travel(clock.now() + LONG_AGO, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.recover_submissions(clock.now()) == 1
    sub.refresh_from_db()
    assert sub.status == "current"  # the tests' immediate backend ran it at once


def test_stopping_every_time_fails_with_a_reason_and_it_can_be_tried_again(
    demo, client_for, django_capture_on_commit_callbacks
):
    sub = _received(demo)
    _left_processing(sub, attempts=recovery.max_attempts())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recover_submissions(clock.now()) == 1
    sub.refresh_from_db()
    assert (sub.status, sub.failure_code) == ("failed", "work_stopped")
    assert "stopped before it finished" in sub.failure and "try again" in sub.failure
    assert SubmissionData.objects.get(submission=sub).upload  # the file is kept
    client = client_for(demo.analyst)
    url = f"/p/N01A/performance/submissions/{sub.pk}/"
    page = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Try again" in page and "hx-trigger" not in page and html.escape(sub.failure) in page
    # a board member may read the page, not try again
    board = client_for(demo.board)
    assert (
        "Try again" not in board.get(f"/p/N01A/performance/submissions/{sub.pk}/").content.decode()
    )
    assert board.post(f"/p/N01A/performance/submissions/{sub.pk}/retry/").status_code == 403
    assert client.get(f"/p/N01A/performance/submissions/{sub.pk}/retry/").status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/p/N01A/performance/submissions/{sub.pk}/retry/")
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.status == "current" and sub.failure == "" and sub.attempts == 1
    assert AuditEvent.objects.filter(action="submission.retry", actor=demo.analyst).count() == 1
    assert SubmissionData.objects.get(submission=sub).upload is None  # processed: dropped


def test_giving_up_removes_the_held_file(demo, client_for):
    sub = _received(demo)
    _left_processing(sub, attempts=recovery.max_attempts())
    services.recover_submissions(clock.now())
    client = client_for(demo.analyst)
    assert client.post(f"/p/N01A/performance/submissions/{sub.pk}/discard/").status_code == 302
    assert SubmissionData.objects.get(submission=sub).upload is None
    assert AuditEvent.objects.filter(action="submission.discard_upload").count() == 1
    page = client.get(f"/p/N01A/performance/submissions/{sub.pk}/").content.decode()
    assert "Try again" not in page and "was removed" in page
    client.post(f"/p/N01A/performance/submissions/{sub.pk}/retry/")  # nothing left to retry
    sub.refresh_from_db()
    assert sub.status == "failed"


def test_a_file_that_cannot_be_read_drops_its_upload_and_offers_no_retry(demo, client_for):
    sub = services.submission_create(
        actor=demo.analyst,
        partnership=demo.northshire,
        agency="NRT01",
        month=last_month(),
        filename="budget.csv",
        data=b"name,amount\nRent,120\n",
    )
    sub.refresh_from_db()
    assert (sub.status, sub.failure_code) == ("failed", "not_records")
    assert SubmissionData.objects.get(submission=sub).upload is None
    page = client_for(demo.analyst).get(f"/p/N01A/performance/submissions/{sub.pk}/")
    assert "Try again" not in page.content.decode()


def test_processing_is_claimed_once_and_a_run_taken_over_stores_nothing(
    demo, django_capture_on_commit_callbacks
):
    sub = _received(demo)
    first = submission_services._claim(sub)
    assert first == 1
    assert submission_services._claim(sub) is None  # a second run finds it taken
    again = services.submission_process(sub.pk)  # and does nothing
    assert again.status == "processing" and again.attempts == 1
    # run 1 stops reporting progress; the recoverer hands it to run 2, which finishes
    Submission.objects.filter(pk=sub.pk).update(progress_at=clock.now() - LONG_AGO)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recover_submissions(clock.now()) == 1  # (tests run the task at once)
    sub.refresh_from_db()
    assert sub.status == "current" and sub.attempts == 2
    # run 1 wakes up and tries to store its result: nothing happens
    from dathub.performance.engine.records import check_records

    result = check_records(_raw(), as_of=clock.today())
    kept = submission_services._store_result(sub, result, b"", b"", b"", attempt=first)
    assert kept.status == "current" and kept.rows == sub.rows
    assert SubmissionData.objects.get(submission=sub).accepted  # run 2's rows are intact


def _raw():
    from dathub.performance.engine.reading import read_csv_bytes

    return read_csv_bytes(csv_bytes(records(people=3, seed=99)))


def test_the_page_stops_polling_when_the_work_has_stalled(demo, client_for):
    sub = _received(demo)
    _left_processing(sub, ago=dt.timedelta(seconds=1))
    client = client_for(demo.analyst)
    url = f"/p/N01A/performance/submissions/{sub.pk}/"
    live = client.get(url)
    assert 'hx-trigger="every 2s"' in live.content.decode() and live["Refresh"] == "3"
    with time_machine.travel(clock.now() + LONG_AGO, tick=False):
        for response in (client.get(url), client.get(url, HTTP_HX_REQUEST="true")):
            text = response.content.decode()
            assert '<div id="submission-status">' in text and "Refresh" not in response
            assert "has stopped at 25%" in text and "stopped updating" in text
    Submission.objects.filter(pk=sub.pk).update(status="received", progress=0)
    with time_machine.travel(clock.now() + LONG_AGO, tick=False):
        text = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in text and "has not started" in text


def test_a_computation_left_running_is_failed_and_a_new_one_queued(
    demo, django_capture_on_commit_callbacks
):
    stuck = Computation.objects.create(as_of=clock.today(), progress_at=clock.now() - LONG_AGO)
    fresh = Computation.objects.create(as_of=clock.today(), progress_at=clock.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recover_computations(clock.now()) == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == "failed" and stuck.failure == "WorkerLost" and stuck.finished_at
    assert fresh.status == "running"  # still moving: left alone
    assert Computation.objects.filter(status="done", pk__gt=fresh.pk).count() == 1  # queued, ran
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recover_computations(clock.now()) == 0


def test_a_computation_is_left_alone_while_a_recomputation_runs_on_a_live_worker(db):
    from dathub.performance.tasks import recompute_indicators

    stuck = Computation.objects.create(as_of=clock.today(), progress_at=clock.now() - LONG_AGO)
    with override_settings(TASKS=DB_TASKS):
        result = recompute_indicators.enqueue()
        from django_tasks_db.models import DBTaskResult

        recovery.beat("w-live")
        DBTaskResult.objects.filter(pk=result.id).update(
            status="RUNNING", worker_ids=["w-live"], started_at=clock.now()
        )
        assert services.recover_computations(clock.now()) == 0
    stuck.refresh_from_db()
    assert stuck.status == "running"


# --- the command line, killed for real -------------------------------------------------------

SETUP = """
from dathub.tenancy.models import Organisation, Partnership, User
p = Partnership.objects.create(name="Northshire DAAT", code="N01A")
Organisation.objects.create(partnership=p, name="Northshire Recovery Trust",
                            kind="voluntary_provider", agency_code="NRT01")
User.objects.create_superuser(email="admin@example.org", password="x-long-password-1")
"""

RECOVER = """
import datetime as dt
from dathub.core import clock, recovery
print(recovery.recover_abandoned_work(clock.now() + dt.timedelta(minutes=10)))
"""


def _dathub(env: dict[str, str], *args: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "dathub"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kw,
    )


def _status(db: Path) -> tuple[str, int] | None:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            row = conn.execute("SELECT status, attempts FROM performance_submission").fetchone()
    except sqlite3.OperationalError:
        return None
    return (row[0], row[1]) if row else None


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_records_import_killed_mid_run_is_finished_by_the_recoverer(tmp_path):
    """`dathub records import` killed with SIGKILL while it checks the file leaves the
    submission "processing"; the recoverer (run as the worker runs it, some minutes later)
    queues it again and it finishes. Runs on its own SQLite database in a folder of its own."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATHUB_TEST_NOW"}}
    env |= {
        "DATHUB_VAR_DIR": str(tmp_path / "var"),
        # the tests' settings (fast hashing; a queued task runs at once) on a file of its own
        "DJANGO_SETTINGS_MODULE": "dathub.config.settings.test",
    }
    (tmp_path / "var").mkdir()
    migrated = _dathub(env, "migrate")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    made = _dathub(env, "manage", "shell", "-c", SETUP)
    assert made.returncode == 0, made.stderr
    frame = records(people=20_000, seed=31)
    path = tmp_path / "nrt.csv"
    path.write_bytes(csv_bytes(frame))
    db = tmp_path / "var" / "dathub.sqlite3"
    command = [
        str(Path(sys.executable).parent / "dathub"),
        *("records", "import", str(path), "--partnership", "N01A", "--agency", "NRT01"),
        "--no-recompute",
    ]
    run = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and run.poll() is None:
            if (_status(db) or ("",))[0] == "processing":
                break
            time.sleep(0.02)
        assert run.poll() is None, "the import finished before it could be killed"
        os.kill(run.pid, signal.SIGKILL)
    finally:
        run.wait(timeout=30)
        if run.stderr:
            run.stderr.close()
    assert _status(db) == ("processing", 1)  # stuck: nothing would ever move it on
    # the worker's recovery, some minutes on (the tests' settings run the queued task at once)
    recovered = _dathub(env, "manage", "shell", "-c", RECOVER)
    assert recovered.returncode == 0, recovered.stderr
    assert "'performance.submissions': 1" in recovered.stdout
    assert _status(db) == ("current", 2)
    with sqlite3.connect(db) as conn:
        rows, accepted = conn.execute(
            "SELECT rows, accepted FROM performance_submission"
        ).fetchone()
    assert rows == frame.height and accepted == frame.height
