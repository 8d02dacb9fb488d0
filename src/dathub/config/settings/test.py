"""Tests: fast hashing, immediate tasks, in-memory e-mail; DATABASE_URL picks PostgreSQL."""

from .base import *  # noqa: F403

SECRET_KEY = "dathub-tests-only"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
