"""Local demo: DEBUG off so users see the real error pages, a fixed non-secret key."""

from .base import *  # noqa: F403

SECRET_KEY = SECRET_KEY or DEMO_SECRET_KEY  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedStaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
# The demo's e-mails (to fictional people) are printed, not sent.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
