"""Production needs real e-mail and the site's public address, or it refuses to start:
reminder e-mails (names, addresses, action text) went to the log, with links to 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import override_settings

STRONG = "k3J9-vQ2x-Lm8r-Zt5w-Pb7n-Hc4s-Yd6f-Ge1a"
READY = {
    "DATHUB_SECRET_KEY": STRONG,
    "DATHUB_SITE_URL": "https://dathub.example.org/",
    "DATHUB_EMAIL_HOST": "smtp.example.org",
    "DATHUB_EMAIL_FROM": "dathub@example.org",
}
SHOW = (
    "import json, dathub.config.settings.{module} as s; print(json.dumps({{"
    "'backend': s.EMAIL_BACKEND, 'host': s.EMAIL_HOST, 'port': s.EMAIL_PORT, "
    "'tls': s.EMAIL_USE_TLS, 'ssl': s.EMAIL_USE_SSL, 'user': s.EMAIL_HOST_USER, "
    "'from': s.DEFAULT_FROM_EMAIL, 'site': s.DATHUB_SITE_URL, 'hosts': s.ALLOWED_HOSTS}}))"
)


def _settings(module: str = "production", **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATHUB_", "DJANGO_"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", SHOW.format(module=module)],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_with_site_address_and_smtp_sends_real_mail():
    done = _settings(**READY)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "backend": "django.core.mail.backends.smtp.EmailBackend",
        "host": "smtp.example.org",
        "port": 587,
        "tls": True,
        "ssl": False,
        "user": "",
        "from": "dathub@example.org",
        "site": "https://dathub.example.org",
        "hosts": ["dathub.example.org"],  # from the site address when not set
    }


@pytest.mark.parametrize("missing", ["DATHUB_SITE_URL", "DATHUB_EMAIL_HOST", "DATHUB_EMAIL_FROM"])
def test_production_refuses_to_start_without_each_variable_naming_it(missing):
    env = {k: v for k, v in READY.items() if k != missing}
    done = _settings(**env)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and f"Set {missing}" in done.stderr


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "https://localhost", "http://dathub.example.org", "dathub"]
)
def test_production_refuses_a_site_address_people_cannot_follow(url):
    done = _settings(**{**READY, "DATHUB_SITE_URL": url})
    assert done.returncode != 0 and "DATHUB_SITE_URL" in done.stderr


def test_production_needs_the_smtp_user_and_password_together():
    done = _settings(**READY, DATHUB_EMAIL_USER="dathub")
    assert done.returncode != 0 and "DATHUB_EMAIL_PASSWORD" in done.stderr
    done = _settings(
        **READY,
        DATHUB_EMAIL_USER="dathub",
        DATHUB_EMAIL_PASSWORD="relay-pass",
        DATHUB_EMAIL_PORT="465",
        DATHUB_EMAIL_TLS="ssl",
    )
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    shown = (shown["user"], shown["port"], shown["tls"], shown["ssl"])
    assert shown == ("dathub", 465, False, True)
    assert "relay-pass" not in done.stdout + done.stderr


def test_production_refuses_an_unknown_tls_mode():
    done = _settings(**READY, DATHUB_EMAIL_TLS="yes")
    assert done.returncode != 0 and "DATHUB_EMAIL_TLS" in done.stderr


def test_only_the_demo_prints_e_mail_to_the_console():
    from dathub.config.settings import base

    assert base.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    dev = _settings("dev")
    assert dev.returncode == 0, dev.stderr
    shown = json.loads(dev.stdout)
    assert shown["backend"] == "django.core.mail.backends.console.EmailBackend"
    assert shown["site"] == "http://127.0.0.1:8000"


def test_production_accepts_trusted_proxies_and_refuses_a_bad_one():
    good = _settings(**READY, DATHUB_TRUSTED_PROXIES="10.0.0.5, 10.1.0.0/16,::1")
    assert good.returncode == 0, good.stderr
    bad = _settings(**READY, DATHUB_TRUSTED_PROXIES="10.0.0.5,proxy.internal")
    assert bad.returncode != 0 and "DATHUB_TRUSTED_PROXIES" in bad.stderr


@override_settings(DATHUB_SITE_URL="https://dathub.example.org")
def test_reminder_links_point_at_the_site_address(demo):
    from dathub.core import clock
    from dathub.planning.reminders import Digest, render_digest

    person = demo.person("coordinator@northshire.example")
    _, text, html = render_digest(Digest(person=person, today=clock.today()))
    for body in (text, html):
        assert "https://dathub.example.org/p/N01A/" in body
        assert "127.0.0.1" not in body
