"""The `dathub` console script."""

from __future__ import annotations

import pytest

from dathub import cli
from dathub.tenancy.models import (
    Body,
    BodyMember,
    Membership,
    Organisation,
    Partnership,
    Person,
    RoleName,
    User,
)


def test_help(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("demo", "serve", "createadmin", "migrate", "manage"):
        assert f"  {command}" in out


def test_no_command_prints_usage_and_fails(capsys):
    assert cli.main([]) == 2
    assert "usage: dathub COMMAND" in capsys.readouterr().out


def test_unknown_command(capsys):
    assert cli.main(["frobnicate"]) == 2
    err = capsys.readouterr().err
    assert "unknown command 'frobnicate'" in err and "usage:" in err


def test_group_without_subcommand(capsys):
    assert cli.main(["records"]) == 2
    assert "usage: dathub records" in capsys.readouterr().err


def test_createadmin(db, capsys, monkeypatch):
    monkeypatch.setenv("DATHUB_ADMIN_PASSWORD", "a-strong-admin-passphrase")
    assert cli.main(["createadmin", "--email", "Root@Example.test", "--name", "Root"]) == 0
    assert "Site administrator Root@Example.test created" in capsys.readouterr().out
    user = User.objects.get(email="root@example.test")
    assert user.is_superuser and user.is_staff and user.full_name == "Root"
    assert user.check_password("a-strong-admin-passphrase")
    # A second time for the same address is refused.
    assert cli.main(["createadmin", "--email", "root@example.test"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert User.objects.filter(email="root@example.test").count() == 1


def test_createadmin_refuses_a_weak_password(db, capsys, monkeypatch):
    monkeypatch.setenv("DATHUB_ADMIN_PASSWORD", "password")
    assert cli.main(["createadmin", "--email", "weak@example.test"]) == 2
    assert "Password not accepted" in capsys.readouterr().err
    assert not User.objects.filter(email="weak@example.test").exists()


def test_createadmin_needs_an_email(db, capsys):
    with pytest.raises(SystemExit):
        cli.main(["createadmin"])


def _counts() -> dict[str, int]:
    models = [Partnership, Organisation, Person, Membership, Body, BodyMember, RoleName, User]
    return {m.__name__: m.objects.count() for m in models}


def test_demo_no_serve_is_idempotent(db, capsys):
    assert cli.main(["demo", "--no-serve"]) == 0
    out = capsys.readouterr().out
    for email in (
        "coordinator@northshire.example",
        "analyst@northshire.example",
        "provider@northshire.example",
        "board@northshire.example",
        "coordinator@eastvale.example",
        "admin@dathub.example",
    ):
        assert email in out
    assert "demo-password-1" in out
    first = _counts()
    assert first["Partnership"] == 2 and first["Organisation"] == 12 and first["User"] == 6
    assert cli.main(["demo", "--no-serve"]) == 0
    assert _counts() == first
    assert {p.code for p in Partnership.objects.all()} == {"N01A", "E02B"}
    assert User.objects.get(email="provider@northshire.example").check_password("demo-password-1")


def test_demo_accounts_have_the_roles_the_readme_promises(demo):
    from dathub.tenancy import permissions
    from dathub.tenancy import roles as r

    n = demo.northshire
    assert permissions.roles_in(demo.coordinator, n) == {r.Role.COORDINATOR}
    assert permissions.roles_in(demo.analyst, n) == {r.Role.PERFORMANCE_ANALYST}
    assert permissions.roles_in(demo.board, n) == {r.Role.BOARD_MEMBER}
    assert permissions.organisation_scope(demo.provider, n) == demo.organisation(
        "Northshire Recovery Trust"
    )
    assert permissions.roles_in(demo.eastvale, demo.eastvale_partnership) == {r.Role.COORDINATOR}
    assert permissions.partnership_ids(demo.eastvale) == {demo.eastvale_partnership.pk}
    assert permissions.is_site_admin(demo.admin)


def test_killing_the_server_also_ends_its_background_worker(tmp_path):
    """A worker left behind would keep the database open after the site stops."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # its own SQLite
    env.update(DATHUB_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="dathub.config.settings.dev")
    log = tmp_path / "serve.log"  # the server's and its worker's output, for a failure
    server = subprocess.Popen(
        [sys.executable, "-m", "dathub.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.5)

        def workers() -> list[str]:
            out = subprocess.run(
                ["ps", "-o", "pid=,ppid=,args=", "-e"], capture_output=True, text=True
            ).stdout
            return [
                line
                for line in out.splitlines()
                if "dathub.cli worker" in line and f" {server.pid} " in f" {line} "
            ]

        # the worker was started before the server answered: wait for it to be seen, and
        # say so if it had died instead
        deadline = time.monotonic() + 60
        while len(workers()) != 1:
            assert time.monotonic() < deadline, f"no worker beside the server:\n{log.read_text()}"
            time.sleep(0.2)
        worker_pid = int(workers()[0].split()[0])
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=90)
        deadline = time.monotonic() + 60
        while True:
            try:
                os.kill(worker_pid, 0)
            except ProcessLookupError:
                break
            assert time.monotonic() < deadline, "the worker outlived the server"
            time.sleep(0.5)
    finally:
        if server.poll() is None:
            server.kill()


def test_an_empty_database_url_means_sqlite_and_a_set_one_is_used(tmp_path):
    import os
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'])"
    )

    def engine(url: str) -> str:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DATHUB_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "dathub.config.settings.dev",
        }
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    assert engine("") == "django.db.backends.sqlite3"
    assert engine("postgres://someone@db.example:5432/dathub") == ("django.db.backends.postgresql")


def test_the_worker_waits_for_a_busy_database_instead_of_dying(tmp_path):
    """A worker that starts while the site holds the SQLite file's write lock (a migration,
    a large import) waits its turn: it used to die at once on "database is locked"."""
    import os
    import sqlite3
    import subprocess
    import sys
    import time

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DATHUB_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="dathub.config.settings.dev")
    subprocess.run(
        [sys.executable, "-m", "dathub.cli", "migrate"], env=env, check=True, capture_output=True
    )
    holder = sqlite3.connect(tmp_path / "dathub.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "dathub.cli", "worker"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(9)  # well past SQLite's default wait of 5 s, even after start-up
        assert worker.poll() is None, log.read_text()
        holder.execute("COMMIT")
        # once the lock is released it does its start-up work: the daily digest is queued
        deadline = time.monotonic() + 30
        while "reminders for" not in log.read_text():
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        holder.close()


# `dathub demo` writes accounts with a published password: never into a real site.
def _demo_env(tmp_path, **extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATHUB_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(DATHUB_VAR_DIR=str(tmp_path), **extra)
    return env


def test_demo_refuses_production_settings_and_writes_nothing(tmp_path):
    import subprocess
    import sys

    env = _demo_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="dathub.config.settings.production",
        DATHUB_SECRET_KEY="k3J9-vQ2x-Lm8r-Zt5w-Pb7n-Hc4s-Yd6f-Ge1a",
        DATHUB_SITE_URL="https://dathub.example.org",
        DATHUB_EMAIL_HOST="smtp.example.org",
        DATHUB_EMAIL_FROM="dathub@example.org",
    )
    done = subprocess.run(
        [sys.executable, "-m", "dathub.cli", "demo", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "cannot run under production settings" in done.stderr
    assert "demo-password-1" not in done.stdout
    assert list(tmp_path.iterdir()) == []  # not even an empty database


def test_load_demo_itself_refuses_production_settings(db):
    from django.test import override_settings

    from dathub.demo import DemoRefused, load_demo

    with override_settings(DATHUB_PRODUCTION=True), pytest.raises(DemoRefused):
        load_demo()
    assert not User.objects.exists()


def test_demo_refuses_a_database_with_a_real_partnership(db, capsys):
    Partnership.objects.create(code="X99Z", name="Westshire DAAT", area="Westshire")
    before = _counts()
    assert cli.main(["demo", "--no-serve"]) == 2
    captured = capsys.readouterr()
    assert "partnerships that are not the demo's" in captured.err
    assert "demo-password-1" not in captured.out
    assert _counts() == before
    assert not User.objects.filter(email="admin@dathub.example").exists()


def test_demo_refuses_a_real_partnership_that_took_a_demo_code(db, capsys):
    Partnership.objects.create(code="N01A", name="Northshire County DAAT", area="Northshire")
    assert cli.main(["demo", "--no-serve"]) == 2
    assert "not the demo's" in capsys.readouterr().err


def test_demo_refuses_a_database_with_a_real_account(db, capsys):
    """A fresh site with only its administrator (dathub createadmin) is a real site."""
    User.objects.create_superuser("it@council.example", "a-strong-admin-passphrase")
    assert cli.main(["demo", "--no-serve"]) == 2
    assert "accounts that are not the demo's" in capsys.readouterr().err
    assert User.objects.count() == 1 and not Partnership.objects.exists()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(what: str, ready, log, seconds: float = 120):
    """Poll until ready() is true; generous, as the machine may be busy."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        value = ready()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what}:\n{log.read_text()}"
        time.sleep(0.3)


def _rows(database, sql: str) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(database, timeout=20) as conn:
        return conn.execute(sql).fetchall()


def test_the_worker_beats_recovers_lost_work_at_start_and_forgets_itself_on_leaving(tmp_path):
    """A task left RUNNING by a worker that was killed is failed (recovered) as soon as a
    worker starts; the new worker's heartbeat row appears, and goes when it stops cleanly."""
    import os
    import signal
    import subprocess
    import sys

    env = _demo_env(tmp_path, DJANGO_SETTINGS_MODULE="dathub.config.settings.dev")
    subprocess.run(
        [sys.executable, "-m", "dathub.cli", "migrate"], env=env, check=True, capture_output=True
    )
    # a task claimed ten minutes ago by a worker that has no heartbeat: it was killed
    lost = (
        "import django, datetime; django.setup(); "
        "from django_tasks_db.models import DBTaskResult; from dathub.core import clock; "
        "from dathub.performance.tasks import recompute_indicators; "
        "r = recompute_indicators.enqueue(); "
        "DBTaskResult.objects.filter(pk=r.id).update(status='RUNNING', worker_ids=['killed'], "
        "started_at=clock.now() - datetime.timedelta(minutes=10)); print(r.id)"
    )
    task_id = subprocess.run(
        [sys.executable, "-c", lost], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    database = tmp_path / "dathub.sqlite3"
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "dathub.cli", "worker"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        beats = _wait(
            "no heartbeat",
            lambda: _rows(database, "SELECT worker_id, pid FROM core_workerheartbeat"),
            log,
        )
        assert [pid for _, pid in beats] == [worker.pid]
        worker_id = beats[0][0]
        _wait(
            "the lost task was not recovered",
            lambda: _rows(
                database,
                "SELECT status FROM django_tasks_database_dbtaskresult "
                f"WHERE id = '{task_id.replace('-', '')}' AND status = 'FAILED'",
            ),
            log,
        )
        assert "were running on a worker that stopped" in log.read_text()
        _wait("db_worker did not start", lambda: f"worker_id={worker_id}" in log.read_text(), log)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=90) == 0
        assert _rows(database, "SELECT worker_id FROM core_workerheartbeat") == []
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()


def test_serve_runs_gunicorn_prepares_static_and_restarts_a_killed_worker(tmp_path):
    """Under production settings: a production server (several processes), static files
    prepared by the start itself, /readyz once the worker beats; a worker killed with -9 is
    started again and the log says so."""
    import os
    import signal
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    port = _free_port()
    env = _demo_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="dathub.config.settings.production",
        DATHUB_SECRET_KEY="k3J9-vQ2x-Lm8r-Zt5w-Pb7n-Hc4s-Yd6f-Ge1a",
        DATHUB_SITE_URL="https://dathub.example.org",
        DATHUB_ALLOWED_HOSTS="127.0.0.1",
        DATHUB_EMAIL_HOST="smtp.example.org",
        DATHUB_EMAIL_FROM="dathub@example.org",
        DATHUB_SSL_REDIRECT="0",
    )
    log = tmp_path / "serve.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "dathub.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )

    def get(path: str) -> tuple[int, dict[str, str], str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                return r.status, dict(r.headers), r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode()
        except OSError:
            return 0, {}, ""

    def children(marker: str) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=,ppid=,args=", "-e"], capture_output=True, text=True
        ).stdout
        found = []
        for line in out.splitlines():
            pid, ppid, args = line.split(None, 2)
            if int(ppid) == server.pid and marker in args:
                found.append(int(pid))
        return found

    try:
        _wait("the server did not start", lambda: get("/healthz")[0] == 200, log, 180)
        status, headers, page = get("/sign-in/")
        assert status == 200 and headers["Server"] == "gunicorn", page[:500]
        assert "/static/dathub." in page  # hashed names, from the manifest
        assert (tmp_path / "static" / "staticfiles.json").exists()
        _wait("never ready", lambda: get("/readyz")[0] == 200, log)

        first = _wait("no worker", lambda: children("dathub.cli worker"), log)[0]
        os.kill(first, signal.SIGKILL)
        again = _wait(
            "the worker was not started again",
            lambda: [pid for pid in children("dathub.cli worker") if pid != first],
            log,
        )
        text = _wait(
            "the restart was not logged",
            lambda: "background worker started" in log.read_text().split("signal 9")[-1]
            and log.read_text(),
            log,
        )
        assert (
            f"background worker (pid {first}) stopped unexpectedly (killed by signal 9); "
            "starting it again in 1 s"
        ) in text
        assert f"background worker started (pid {again[0]})" in text
        assert len(children("gunicorn")) == 1  # the web server was left alone

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=90) == 0
        assert get("/healthz")[0] == 0  # stopped, port released
        _wait("the worker outlived the server", lambda: not any(map(_alive, again)), log, 60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_worker_supervisor_backs_off_and_starts_again_after_a_good_run(monkeypatch):
    """1 s, 2 s, 4 s ... 60 s while it keeps dying; a worker that ran a while resets it.
    A real child process is started each time (a command that exits at once)."""
    import subprocess
    import sys
    import time

    started: list[int] = []

    class Quick(cli.WorkerSupervisor):
        def start(self) -> None:
            self.process = subprocess.Popen([sys.executable, "-c", "pass"])
            self.started_at = time.monotonic()
            self.restart_at = None
            started.append(self.process.pid)

    supervisor = Quick({})
    supervisor.start()
    delays = []
    for _ in range(8):
        supervisor.process.wait()
        supervisor.check()
        assert supervisor.process is None  # not before its delay
        delays.append(supervisor.restart_at - time.monotonic())
        supervisor.restart_at = time.monotonic()  # as if the delay had passed
        supervisor.check()
    assert [round(d) for d in delays] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert len(started) == 9
    supervisor.process.wait()
    supervisor.started_at -= cli.WorkerSupervisor.RESET_AFTER  # it had run a while
    supervisor.check()
    assert round(supervisor.restart_at - time.monotonic()) == 1
    supervisor.stop(timeout=5)
