"""The one settings module. Every knob is an environment variable; defaults run a
development instance on SQLite in ./data, and `CHIBO_ENV=production` refuses to start
without the secrets it needs."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def envsecret(name: str) -> str:
    """Read NAME, or the file named by NAME_FILE."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, "")


PRODUCTION = env("CHIBO_ENV", "development") == "production"
DEBUG = envbool("DEBUG", not PRODUCTION)
DATA_DIR = Path(env("CHIBO_DATA_DIR", str(Path.cwd() / "data")))
if not PRODUCTION:
    (DATA_DIR / "static").mkdir(parents=True, exist_ok=True)

SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set in production.")
    SECRET_KEY = "development-only-key-not-for-production-use-0123456789abcdefghijklmnop"

ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "" if PRODUCTION else "*").split(",") if h]
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name this server's host names in production.")
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "chibo.core",
    "chibo.audit",
    "chibo.accounts",
    "chibo.organisations",
    "chibo.members",
    "chibo.indicators",
    "chibo.quality",
    "chibo.plans",
    "chibo.tasks",
    "chibo.notifications",
    "chibo.documents",
    "chibo.meetings",
    "chibo.lifecycle",
    "chibo.recruitment",
    "chibo.channel",
    "chibo.exchange",
    "chibo.web",
    "chibo.api",
    "chibo.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "chibo.web.errors.BusyMiddleware",  # a write that timed out on the database's lock: 503, not 500
]

ROOT_URLCONF = "chibo.urls"
WSGI_APPLICATION = "chibo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "chibo.notifications.context.unread",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------
# SQLite by default (tuned per docs/decisions.md); PostgreSQL when DATABASE_URL names one.
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("CONN_MAX_AGE", 60))}
    DATABASES["default"].setdefault("TEST", {})
    if env("TEST_DATABASE_NAME"):
        DATABASES["default"]["TEST"]["NAME"] = env("TEST_DATABASE_NAME")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(DATA_DIR / "chibo.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA temp_store=MEMORY;"
                    "PRAGMA cache_size=-65536;"
                    "PRAGMA mmap_size=0;"
                    "PRAGMA journal_size_limit=67108864;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts and security --------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "chibo.accounts.backends.PersonModelBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = envbool("AXES_ENABLED", True)

SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
CSRF_FAILURE_VIEW = "chibo.web.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Language: Vietnamese first ---------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", "Asia/Ho_Chi_Minh")
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["chibo.formats"]

# --- Static files: everything served by the app, nothing from a CDN ---------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(DATA_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# --- Background work: a task queue in the app's own database ------------------------
# `chibo serve` starts the worker (`chibo db_worker`). CHIBO_TASKS=immediate runs tasks in the
# request instead (tests, and a quick look without a worker).
TASKS = {"default": {"BACKEND": (
    "django_tasks.backends.immediate.ImmediateBackend" if env("CHIBO_TASKS") == "immediate"
    else "django_tasks_db.DatabaseBackend")}}

# --- chibo ------------------------------------------------------------------------
CHIBO_PAGE_SIZE = 25
CHIBO_API_TOKEN_TTL_DAYS = envint("CHIBO_API_TOKEN_TTL_DAYS", 365)
# Imports: refuse larger files before reading them (docs/import.md).
CHIBO_IMPORT_MAX_BYTES = envint("CHIBO_IMPORT_MAX_MB", 20) * 1024 * 1024
CHIBO_IMPORT_MAX_UNPACKED_BYTES = envint("CHIBO_IMPORT_MAX_UNPACKED_MB", 400) * 1024 * 1024
CHIBO_IMPORT_MAX_ROWS = envint("CHIBO_IMPORT_MAX_ROWS", 300_000)
# Attached files (resolution texts, evidence): checked by content, at most this size.
CHIBO_UPLOAD_MAX_BYTES = envint("CHIBO_UPLOAD_MAX_MB", 20) * 1024 * 1024
# Member lists longer than this are written in the background; shorter ones download at once.
CHIBO_EXPORT_SYNC_ROWS = envint("CHIBO_EXPORT_SYNC_ROWS", 5000)
# A background job that has not reported progress for this long has stopped (its worker was
# killed or the server restarted); its page then says so and offers to start it again.
CHIBO_JOB_STALE_MINUTES = envint("CHIBO_JOB_STALE_MINUTES", 15)
# A job not picked up after this long means no worker is running: its page tells the user.
CHIBO_JOB_WAIT_MINUTES = envint("CHIBO_JOB_WAIT_MINUTES", 2)
# Tasks count as due soon this many days before their deadline (each person may choose their own).
CHIBO_DUE_SOON_DAYS = envint("CHIBO_DUE_SOON_DAYS", 3)
# The hour (local time) of the daily pass that sends reminders (`chibo remind --every-day`).
CHIBO_REMIND_HOUR = envint("CHIBO_REMIND_HOUR", 6)
