"""Liveness (/healthz) and readiness (/readyz): public, uncached, and saying only which
check failed; a fresh production install prepares its static files before serving."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test import Client, override_settings

from dathub import cli
from dathub.core import health, recovery

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
MANIFEST = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


@pytest.fixture
def migrations_checked_again(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)


def test_healthz_answers_without_signing_in_and_is_never_cached(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert client.post("/healthz").status_code == 405  # a probe only reads


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path):
    """A database that cannot be opened (here a folder that does not exist) is not alive."""
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code, r.content.decode())"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATHUB_", "DJANGO_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path}/no-such-folder/dathub.sqlite3",
        DJANGO_SETTINGS_MODULE="dathub.config.settings.dev",
        DATHUB_VAR_DIR=str(tmp_path),
        DATHUB_ALLOWED_HOSTS="testserver",
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    status, body = done.stdout.strip().split(" ", 1)
    assert status == "503", done.stderr
    assert json.loads(body) == {"status": "error", "checks": {"database": "not answering"}}


def test_readyz_is_ready_when_every_check_passes(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "static": "ok", "worker": "ok"},
    }
    assert response["Cache-Control"] == "no-store"


def test_readyz_waits_for_a_beating_background_worker(client, db):
    with override_settings(TASKS=DB_TASKS):
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["worker"].startswith("no background worker seen")
        recovery.beat("w-ready")
        assert client.get("/readyz").status_code == 200


def test_readyz_is_503_while_migrations_are_not_applied(client, db, migrations_checked_again):
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'tenancy' AND name = "
            "(SELECT MAX(name) FROM django_migrations WHERE app = 'tenancy')"
        )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "not applied: run dathub migrate"


def test_production_storage_without_collected_static_is_not_ready_and_serve_prepares_it(
    db, tmp_path
):
    """Under production settings every page was a 500 ("Missing staticfiles manifest
    entry") until collectstatic was run by hand: `dathub serve` now runs it first."""
    with override_settings(STORAGES=MANIFEST, STATIC_ROOT=tmp_path / "static"):
        # the page, and the error page after it, cannot name their static files
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            Client().get("/sign-in/")
        client = Client()
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["static"].startswith("missing")

        cli._prepare_static()  # what `dathub serve` does before it starts the server
        assert (tmp_path / "static" / "staticfiles.json").exists()

    # the server's processes start after it, reading the manifest afresh
    with override_settings(STORAGES=MANIFEST, STATIC_ROOT=tmp_path / "static"):
        assert client.get("/sign-in/").status_code == 200
        assert client.get("/readyz").status_code == 200


def test_probes_say_nothing_about_anyone(demo):
    """No names, e-mail addresses, worker ids or host names: only which check failed."""
    with override_settings(TASKS=DB_TASKS):
        recovery.beat("vm-secret-host-1234-abcdef")
        bodies = [Client().get(path).content.decode() for path in ("/healthz", "/readyz")]
    for body in bodies:
        for word in ("@", "secret-host", "Northshire", "Alex"):
            assert word not in body
