"""Settings shared by every environment. Environment files only override what differs."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

SRC_DIR = Path(__file__).resolve().parents[2]
# Runtime files (SQLite database, uploads, collected static) live in ./var of the working dir.
VAR_DIR = Path(os.environ.get("DATHUB_VAR_DIR", Path.cwd() / "var")).resolve()

SECRET_KEY = os.environ.get("DATHUB_SECRET_KEY", "")
# The local demo's key (settings.dev): published in the source, so production refuses it.
DEMO_SECRET_KEY = "dathub-demo-only-not-secret-0b5f1c"
DEBUG = False
# settings.production sets this; `dathub demo` refuses to run where it is set.
DATHUB_PRODUCTION = False
ALLOWED_HOSTS: list[str] = [
    h for h in os.environ.get("DATHUB_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "dathub.core",
    "dathub.tenancy",
    "dathub.planning",
    "dathub.reporting",
    "dathub.performance",
    "dathub.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dathub.core.middleware.SecurityHeadersMiddleware",
    "dathub.api.errors.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "dathub.core.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "dathub.config.urls"
WSGI_APPLICATION = "dathub.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dathub.core.context_processors.site",
            ],
        },
    }
]

# DATABASE_URL picks the database (PostgreSQL in production); unset or empty means SQLite.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{VAR_DIR / 'dathub.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The site and its worker write to one SQLite file: write-ahead logging lets readers go
    # on while one writes, writers queue for up to 20 s instead of failing with "database is
    # locked", and a transaction takes its write lock when it starts, not half-way through.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "tenancy.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "core:sign-in"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:sign-in"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Sign-in throttling: after this many failures for one e-mail address (or one client address)
# within the window, sign-in is refused until the window has passed.
DATHUB_SIGNIN_MAX_FAILURES = 5
DATHUB_SIGNIN_WINDOW_SECONDS = 15 * 60
# The reverse proxies (addresses or networks) in front of the site whose X-Forwarded-For is
# believed: behind one, every person arrives from the proxy's address, so the client limit
# above would lock out the whole office. None by default: the connecting address is the client.
DATHUB_TRUSTED_PROXIES: list[str] = [
    p.strip() for p in os.environ.get("DATHUB_TRUSTED_PROXIES", "").split(",") if p.strip()
]
for _proxy in DATHUB_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"DATHUB_TRUSTED_PROXIES: {_proxy!r} is not an address or network (such as "
            "10.0.0.5 or 10.0.0.0/24)."
        ) from _exc

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "dathub.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


# Background work (core.recovery): a worker not heard from for this long is gone; work in
# progress with no progress for this long and no live task was abandoned, and is started
# again up to this many times, then marked failed with a reason and a "Try again" button.
DATHUB_WORKER_LOST_SECONDS = _env_int("DATHUB_WORKER_LOST_SECONDS", 30)
DATHUB_WORK_STALE_SECONDS = _env_int("DATHUB_WORK_STALE_SECONDS", 120)
DATHUB_WORK_MAX_ATTEMPTS = _env_int("DATHUB_WORK_MAX_ATTEMPTS", 3)

# Upload limits. A .docx or .xlsx is a zip whose parts are read whole, so its unpacked size
# is capped as well as its rows; real plans unpack to under 1 MB, a month of one provider's
# records to a few MB.
DATHUB_PLAN_MAX_UNZIPPED_BYTES = _env_int("DATHUB_PLAN_MAX_UNZIPPED_BYTES", 10 * 1024 * 1024)
DATHUB_PLAN_IMPORT_EXPIRE_HOURS = _env_int("DATHUB_PLAN_IMPORT_EXPIRE_HOURS", 24)
DATHUB_PROGRESS_MAX_ROWS = _env_int("DATHUB_PROGRESS_MAX_ROWS", 1000)
DATHUB_RECORDS_MAX_UNZIPPED_BYTES = _env_int("DATHUB_RECORDS_MAX_UNZIPPED_BYTES", 100 * 1024 * 1024)
DATHUB_RECORDS_MAX_ROWS = _env_int("DATHUB_RECORDS_MAX_ROWS", 500_000)

# Free text (core.text) and API lists (api.pagination).
DATHUB_LINE_MAX_LENGTH = 1000
DATHUB_TEXT_MAX_LENGTH = 10_000
DATHUB_API_MAX_LIMIT = 200
DATHUB_API_MAX_OFFSET = 1_000_000

# E-mail goes out through an SMTP server (settings.production requires one). Only the local
# demo (settings.dev) prints messages to the console: they carry names and action text.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("DATHUB_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DATHUB_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("DATHUB_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DATHUB_EMAIL_PASSWORD", "")
_email_tls = os.environ.get("DATHUB_EMAIL_TLS", "starttls").strip().lower()
EMAIL_USE_TLS = _email_tls == "starttls"
EMAIL_USE_SSL = _email_tls == "ssl"
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("DATHUB_EMAIL_FROM", "dathub <no-reply@dathub.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's public address, for the links in e-mails (which have no request to go by).
DATHUB_SITE_URL = os.environ.get("DATHUB_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Never log request bodies or personal data: only the logger names we own, at INFO, to stderr.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "dathub": {"handlers": ["console"], "level": "INFO"},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
NINJA_PAGINATION_PER_PAGE = 50
