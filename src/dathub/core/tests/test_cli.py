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
        [sys.executable, "-m", "dathub.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
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
        deadline = time.monotonic() + 20
        while len(workers()) != 1:
            assert time.monotonic() < deadline, f"no worker beside the server:\n{log.read_text()}"
            time.sleep(0.2)
        worker_pid = int(workers()[0].split()[0])
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        deadline = time.monotonic() + 20
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
