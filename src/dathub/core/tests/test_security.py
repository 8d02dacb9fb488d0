"""Signing in, passwords, CSRF, headers, production settings, templates and error pages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from dathub.core import clock
from dathub.core.models import AuditEvent
from dathub.tenancy.models import SignInAttempt, User

SRC = Path(__file__).resolve().parents[2]


def _sign_in(client: Client, email: str, password: str, next_url: str = "") -> object:
    path = "/sign-in/" + (f"?next={next_url}" if next_url else "")
    return client.post(path, {"email": email, "password": password, "next": next_url})


# Signing in
def test_sign_in_with_the_right_password(demo, client):
    response = _sign_in(client, "Coordinator@Northshire.example ", demo.password)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/p/N01A/").status_code == 200


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(demo, client):
    response = _sign_in(client, "coordinator@northshire.example", "not-the-password")
    assert response.status_code == 400
    assert "Enter a correct e-mail address and password" in response.content.decode()
    unknown = _sign_in(client, "nobody@northshire.example", "not-the-password")
    assert "Enter a correct e-mail address and password" in unknown.content.decode()
    assert client.get("/p/N01A/").status_code == 302  # still signed out


def test_five_failures_lock_the_account_even_with_the_right_password(demo, client):
    email = "analyst@northshire.example"
    for _ in range(settings.DATHUB_SIGNIN_MAX_FAILURES):
        assert _sign_in(client, email, "wrong-password-guess").status_code == 400
    locked = AuditEvent.objects.get(action="user.locked_out")
    assert locked.object_id == str(demo.analyst.pk)  # the account, not the typed text
    response = _sign_in(client, email, demo.password)
    assert response.status_code == 400
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Other accounts are not locked by it.
    assert _sign_in(Client(), "board@northshire.example", demo.password).status_code == 302
    # Attempts store no e-mail address in the clear.
    assert not SignInAttempt.objects.filter(email_hash__icontains="analyst").exists()


def test_four_failures_do_not_lock(demo, client):
    for _ in range(settings.DATHUB_SIGNIN_MAX_FAILURES - 1):
        _sign_in(client, "analyst@northshire.example", "wrong-password-guess")
    assert _sign_in(client, "analyst@northshire.example", demo.password).status_code == 302
    assert not AuditEvent.objects.filter(action="user.locked_out").exists()


def test_a_successful_sign_in_starts_the_count_again(demo):
    email = "analyst@northshire.example"
    for _ in range(settings.DATHUB_SIGNIN_MAX_FAILURES - 1):
        _sign_in(Client(), email, "wrong-password-guess")
    assert _sign_in(Client(), email, demo.password).status_code == 302
    _sign_in(Client(), email, "wrong-password-guess")
    assert _sign_in(Client(), email, demo.password).status_code == 302
    for _ in range(settings.DATHUB_SIGNIN_MAX_FAILURES):
        _sign_in(Client(), email, "wrong-password-guess")
    assert _sign_in(Client(), email, demo.password).status_code == 400


def test_lockout_ends_after_the_window(demo, client):
    from datetime import timedelta

    for _ in range(settings.DATHUB_SIGNIN_MAX_FAILURES):
        _sign_in(client, "analyst@northshire.example", "wrong-password-guess")
    SignInAttempt.objects.update(
        at=clock.now() - timedelta(seconds=settings.DATHUB_SIGNIN_WINDOW_SECONDS + 1)
    )
    assert _sign_in(client, "analyst@northshire.example", demo.password).status_code == 302


def test_one_client_guessing_many_accounts_is_locked_out(demo, client):
    limit = settings.DATHUB_SIGNIN_MAX_FAILURES * 4
    for i in range(limit):
        _sign_in(client, f"guess{i}@northshire.example", "wrong-password-guess")
    response = _sign_in(client, "coordinator@northshire.example", demo.password)
    assert "Too many failed attempts" in response.content.decode()
    # Someone at another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert _sign_in(other, "coordinator@northshire.example", demo.password).status_code == 302


def test_inactive_user_cannot_sign_in(demo, client):
    User.objects.filter(pk=demo.analyst.pk).update(is_active=False)
    assert _sign_in(client, "analyst@northshire.example", demo.password).status_code == 400


def test_sign_in_wall_keeps_next_and_returns_there(demo, client):
    response = client.get("/p/N01A/bodies/?q=board")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Fp%2FN01A%2Fbodies%2F%3Fq%3Dboard"
    page = client.get(response["Location"])
    assert 'name="next" value="/p/N01A/bodies/?q=board"' in page.content.decode()
    signed_in = _sign_in(
        client, "coordinator@northshire.example", demo.password, "/p/N01A/bodies/?q=board"
    )
    assert signed_in["Location"] == "/p/N01A/bodies/?q=board"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "http://evil.example/p/N01A/",
        "javascript:alert(1)",
        "/\\evil.example",
    ],
)
def test_open_redirect_is_refused(demo, client, target):
    response = _sign_in(client, "coordinator@northshire.example", demo.password, target)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_signed_in_user_visiting_sign_in_goes_home(demo, client_for):
    assert client_for(demo.coordinator).get("/sign-in/")["Location"] == "/"


def test_sign_out_needs_post_and_ends_the_session(demo, client_for):
    client = client_for(demo.coordinator)
    assert client.get("/sign-out/").status_code == 405
    assert client.post("/sign-out/")["Location"] == "/sign-in/"
    assert client.get("/p/N01A/").status_code == 302


# Passwords
@pytest.mark.parametrize(
    "password",
    ["short-1", "password1234", "123456789012345", "analyst@northshire"],
)
def test_weak_passwords_are_refused(demo, password):
    with pytest.raises(ValidationError):
        validate_password(password, demo.analyst)


def test_password_change_through_the_site(demo, client_for):
    client = client_for(demo.analyst)
    weak = client.post(
        "/account/password/", {"old_password": demo.password, "new_password": "password1234"}
    )
    assert weak.status_code == 200 and "This password is too common" in weak.content.decode()
    wrong = client.post(
        "/account/password/",
        {"old_password": "nope-nope-nope", "new_password": "a-much-better-passphrase"},
    )
    assert "Your current password is not correct" in wrong.content.decode()
    ok = client.post(
        "/account/password/",
        {"old_password": demo.password, "new_password": "a-much-better-passphrase"},
    )
    assert ok.status_code == 302 and ok["Location"] == "/account/"
    assert client.get("/account/").status_code == 200  # still signed in
    user = User.objects.get(pk=demo.analyst.pk)
    assert user.check_password("a-much-better-passphrase")
    assert AuditEvent.objects.filter(action="user.password_change", actor=user).count() == 1


def test_passwords_are_hashed(demo):
    user = User.objects.get(pk=demo.coordinator.pk)
    assert demo.password not in user.password
    assert "$" in user.password


# CSRF
def test_csrf_is_enforced_on_sign_in_and_on_forms(demo):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/sign-in/", {"email": "coordinator@northshire.example", "password": demo.password}
    )
    assert response.status_code == 403
    assert "Your session has expired" in response.content.decode()
    client.force_login(demo.coordinator, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/p/N01A/organisations/new/", {"name": "Forged", "kind": "other"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="organisation.create").exists()


def test_csrf_token_in_the_form_is_accepted(demo):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/sign-in/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        "/sign-in/",
        {
            "email": "coordinator@northshire.example",
            "password": demo.password,
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302


def test_session_and_csrf_cookie_settings():
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60


# Headers
@pytest.mark.parametrize("path", ["/sign-in/", "/p/N01A/", "/api/v1/partnerships", "/nope/"])
def test_security_headers(demo, client_for, path):
    response = client_for(demo.coordinator).get(path)
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"


def test_static_files_get_the_headers_too(client, db):
    response = client.get("/static/dathub.js")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"


# Production settings
# What production also requires (its own tests: test_production_settings.py).
SITE_AND_EMAIL = {
    "DATHUB_SITE_URL": "https://dathub.example.org",
    "DATHUB_EMAIL_HOST": "smtp.example.org",
    "DATHUB_EMAIL_FROM": "dathub@example.org",
}


def _import_production(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATHUB_", "DJANGO_"))}
    clean.update(SITE_AND_EMAIL)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import dathub.config.settings.production as p; print(p.DEBUG)"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


STRONG = "k3J9-vQ2x-Lm8r-Zt5w-Pb7n-Hc4s-Yd6f-Ge1a"


def test_production_refuses_no_secret_key():
    result = _import_production()
    assert result.returncode != 0 and "DATHUB_SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _import_production(DATHUB_SECRET_KEY="short-secret")
    assert result.returncode != 0 and "DATHUB_SECRET_KEY" in result.stderr


def test_production_refuses_the_demo_key():
    """The demo's key is in the source: anyone could forge sessions and tokens with it."""
    from dathub.config.settings.base import DEMO_SECRET_KEY

    result = _import_production(DATHUB_SECRET_KEY=DEMO_SECRET_KEY)
    assert result.returncode != 0 and "DATHUB_SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = _import_production(DATHUB_SECRET_KEY=STRONG, DATHUB_DEBUG="1")
    assert result.returncode != 0 and "DEBUG" in result.stderr


def test_production_accepts_debug_explicitly_off():
    result = _import_production(DATHUB_SECRET_KEY=STRONG, DATHUB_DEBUG="0")
    assert result.returncode == 0, result.stderr


def test_production_starts_with_a_strong_key():
    result = _import_production(DATHUB_SECRET_KEY=STRONG)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_production_is_secure_by_default():
    code = (
        "import json, dathub.config.settings.production as p; print(json.dumps([p.DEBUG, "
        "p.SESSION_COOKIE_SECURE, p.CSRF_COOKIE_SECURE, p.SECURE_HSTS_SECONDS, "
        f"p.SECURE_SSL_REDIRECT, p.SECRET_KEY == {STRONG!r}]))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATHUB_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**clean, **SITE_AND_EMAIL, "DATHUB_SECRET_KEY": STRONG},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [False, True, True, 31536000, True, True]


# Templates
# Templates never sent to a browser, so outside the CSP: e-mail bodies (any `email/` folder)
# and these, with where they are used. They may style inline but never hold a script.
NOT_SERVED = {
    "reporting/templates/reporting/print.html": "rendered to PDF by WeasyPrint in "
    "reporting/builder.py render_pdf()",
}
TEMPLATES = sorted(SRC.glob("*/templates/**/*.html"))


def _served(template: Path) -> bool:
    relative = template.relative_to(SRC).as_posix()
    return relative not in NOT_SERVED and "/email/" not in relative


def test_there_are_templates_to_check():
    assert len([t for t in TEMPLATES if _served(t)]) >= 15


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_templates_have_no_inline_script_or_style(template):
    text = template.read_text()
    for tag in re.findall(r"<script\b[^>]*>", text, flags=re.I):
        assert "src=" in tag and _served(template), f"inline script in {template}: {tag}"
    assert not re.search(r"\son[a-z]+\s*=", text, flags=re.I), f"event handler in {template}"
    assert "javascript:" not in text.lower()
    if _served(template):
        assert not re.search(r"<style\b", text, flags=re.I), f"<style> in {template}"
        assert not re.search(r"\sstyle\s*=", text, flags=re.I), f"style attribute in {template}"


# Error pages
def test_friendly_404_and_403_pages(demo, client_for):
    client = client_for(demo.board)
    missing = client.get("/p/N01A/organisations/999999/")
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode()
    assert "govuk-header" in missing.content.decode()  # the site's own layout
    refused = client.get("/p/N01A/organisations/new/")
    assert refused.status_code == 403
    assert "You do not have access to this page" in refused.content.decode()
    assert "ask your partnership" in refused.content.decode()


def test_bad_ids_are_404_not_500(demo, client_for):
    client = client_for(demo.coordinator)
    assert client.get("/p/N01A/organisations/0/").status_code == 404
    assert client.get("/p/n01a/").status_code == 200  # codes are not case-sensitive
    assert client.get("/p/ZZZZ/").status_code == 404


@override_settings(ROOT_URLCONF="dathub.core.tests.crash_urls")
def test_friendly_500_page(demo):
    client = Client(raise_request_exception=False)
    client.force_login(demo.coordinator, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/crash/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Sorry, there is a problem with the service" in text
    assert "Traceback" not in text and "RuntimeError" not in text
    assert response["Content-Security-Policy"]


@override_settings(ROOT_URLCONF="dathub.core.tests.crash_urls")
def test_500_under_the_api_is_json(demo):
    client = Client(raise_request_exception=False)
    client.force_login(demo.coordinator, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/api/crash/")
    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "status": 500,
            "code": "server_error",
            "message": "Sorry, there is a problem with the service",
        }
    }


def test_download_names_cannot_break_out_of_the_content_disposition_quotes():
    """File names built from data (an organisation's agency code) are escaped."""
    from dathub.core.web import attachment

    response = attachment(b"x", 'rejected-A.html"; x="-2026-01.csv', "text/csv")
    header = response["Content-Disposition"]
    assert header == 'attachment; filename="rejected-A.html\\"; x=\\"-2026-01.csv"'
