"""Production: refuses to start when it would be unsafe, naming the variable to set."""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

# `dathub demo` (a superuser with the published password) refuses to run with this set.
DATHUB_PRODUCTION = True


def _required(name: str, why: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set {name}: {why}.")
    return value


if os.environ.get("DATHUB_DEBUG", "").strip().lower() not in {"", "0", "false", "no", "off"}:
    raise ImproperlyConfigured("DEBUG must be off in production: unset DATHUB_DEBUG.")
if not SECRET_KEY or len(SECRET_KEY) < 32 or SECRET_KEY == DEMO_SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("Set DATHUB_SECRET_KEY to a random value of 32 characters or more.")
DEBUG = False

# Links in e-mails are built from the site's public address; the default (127.0.0.1) would
# send people links to their own machine.
DATHUB_SITE_URL = _required(
    "DATHUB_SITE_URL", "the site's public address, such as https://dathub.example.org"
).rstrip("/")
_site = urlsplit(DATHUB_SITE_URL)
if _site.scheme != "https" or not _site.hostname or _site.hostname in {"127.0.0.1", "localhost"}:
    raise ImproperlyConfigured(
        "Set DATHUB_SITE_URL to the site's public https:// address, such as "
        "https://dathub.example.org."
    )
if not os.environ.get("DATHUB_ALLOWED_HOSTS", "").strip():
    ALLOWED_HOSTS = [_site.hostname]

# Reminders must reach people, not the log: a real SMTP server and a real sender address.
EMAIL_HOST = _required("DATHUB_EMAIL_HOST", "the SMTP server that sends the site's e-mail")
DEFAULT_FROM_EMAIL = SERVER_EMAIL = _required(
    "DATHUB_EMAIL_FROM", "the address the site's e-mail comes from, such as dathub@council.gov.uk"
)
if bool(EMAIL_HOST_USER) != bool(EMAIL_HOST_PASSWORD):  # noqa: F405
    raise ImproperlyConfigured(
        "Set both DATHUB_EMAIL_USER and DATHUB_EMAIL_PASSWORD, or neither (a relay that "
        "needs no sign-in)."
    )
if os.environ.get("DATHUB_EMAIL_TLS", "starttls").strip().lower() not in {
    "starttls",
    "ssl",
    "none",
}:
    raise ImproperlyConfigured("Set DATHUB_EMAIL_TLS to starttls (the default), ssl or none.")
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = os.environ.get("DATHUB_SSL_REDIRECT", "1") == "1"
# A load balancer's probes come over plain HTTP from inside: they are answered, not redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"  # noqa: F405
