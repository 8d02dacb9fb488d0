"""Production: refuses to start when it would be unsafe."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

if os.environ.get("DATHUB_DEBUG", "").strip().lower() not in {"", "0", "false", "no", "off"}:
    raise ImproperlyConfigured("DEBUG must be off in production: unset DATHUB_DEBUG.")
if not SECRET_KEY or len(SECRET_KEY) < 32 or SECRET_KEY == DEMO_SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("Set DATHUB_SECRET_KEY to a random value of 32 characters or more.")
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = os.environ.get("DATHUB_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"  # noqa: F405
