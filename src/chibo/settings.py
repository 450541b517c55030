"""The one settings module. Every knob is an environment variable; defaults run a
development instance on SQLite in ./data, and `CHIBO_ENV=production` refuses to start
without the secrets it needs."""

from __future__ import annotations

import datetime as dt
import ipaddress
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
# Off unless asked for: Django's debug pages show settings and source to whoever causes an error.
DEBUG = envbool("CHIBO_DEBUG", False)
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
    "chibo.operations",
    # After chibo.exchange, whose `db_worker` (the same worker, cleaning up first) wins.
    "django_tasks",
    "django_tasks_db",
]
# `chibo demo`, `synth` and `bench` write invented people: development only, never installed in
# production (cli.py says so when they are asked for there).
if not PRODUCTION:
    INSTALLED_APPS.append("chibo.devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static assets keep their caching; everything the app writes gets the
    # Content-Security-Policy, Permissions-Policy and `Cache-Control: private, no-store`.
    "chibo.web.security.SecurityHeadersMiddleware",
    # /healthz for monitors: answered here, before sessions, host names and sign-in (web/health.py).
    "chibo.web.health.HealthMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Vietnamese unless the person chose otherwise; the API follows Accept-Language (web/language.py).
    "chibo.web.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After authentication: the signed-in person's own language, and two-step sign-in set up
    # before anything else by those who must have it (not the API: it signs in with tokens).
    "chibo.accounts.middleware.AccountMiddleware",
    # After CSRF and sign-in: a form's one-time token; the same form sent twice is written once (web/submit.py).
    "chibo.web.submit.SubmitOnceMiddleware",
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
            # `{% submit_token %}` in every form that writes, without a `{% load %}` (web/submit.py).
            # `{% help_panel %}` after a page's heading, likewise (web/templatetags/guide.py).
            "builtins": ["chibo.web.submit", "chibo.web.templatetags.guide"],
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
    {"NAME": "chibo.accounts.validators.VietnameseCommonPasswordValidator"},  # "matkhau@2026", birth dates
]
AUTHENTICATION_BACKENDS = ["chibo.accounts.backends.PersonModelBackend"]
# Sign-in throttling (chibo/accounts/throttle.py, docs/decisions.md). The client address is
# REMOTE_ADDR unless that is one of these proxies (comma-separated addresses or networks):
# then the right-most untrusted address of X-Forwarded-For.
CHIBO_TRUSTED_PROXIES = env("CHIBO_TRUSTED_PROXIES")
for _proxy in CHIBO_TRUSTED_PROXIES.split(","):
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False) if _proxy.strip() else None
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"CHIBO_TRUSTED_PROXIES must list IP addresses or networks, not {_proxy.strip()!r}") from exc
CHIBO_SIGNIN_FREE_TRIES = envint("CHIBO_SIGNIN_FREE_TRIES", 5)  # wrong passwords before any wait
CHIBO_SIGNIN_BACKOFF_MAX_MINUTES = envint("CHIBO_SIGNIN_BACKOFF_MAX_MINUTES", 15)  # the longest wait
CHIBO_SIGNIN_IP_LIMIT = envint("CHIBO_SIGNIN_IP_LIMIT", 30)  # failures from one address, any usernames ...
CHIBO_SIGNIN_IP_WINDOW_MINUTES = envint("CHIBO_SIGNIN_IP_WINDOW_MINUTES", 15)  # ... within this window
SIGNIN_BACKOFF_FIRST_SECONDS = 30  # the first wait; each further failure doubles it
SIGNIN_MEMORY = dt.timedelta(hours=24)  # failures older than this are forgotten
SIGNIN_PLACE_DAYS = 90  # a place signed in from within this many days is a usual place

# Who must sign in in two steps (a code from an authenticator app after the password): a
# comma-separated list of commune_staff, province_staff, admin, cell_committee, member
# (member: every account). Empty: nobody must; anyone may still turn it on.
TWO_STEP_ROLES = ("commune_staff", "province_staff", "admin", "cell_committee", "member")
CHIBO_REQUIRE_2FA_FOR = env("CHIBO_REQUIRE_2FA_FOR", "commune_staff,province_staff,admin")
for _role in CHIBO_REQUIRE_2FA_FOR.split(","):
    if _role.strip() and _role.strip() not in TWO_STEP_ROLES:
        raise ImproperlyConfigured(
            f"CHIBO_REQUIRE_2FA_FOR lists {_role.strip()!r}; it may list only: {', '.join(TWO_STEP_ROLES)}.")

SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
CSRF_FAILURE_VIEW = "chibo.web.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A monitor on the server asks http://127.0.0.1:8000/healthz: answered there, not redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]


def secret_key_weakness(key: str) -> str:
    """Why KEY is too weak to sign sessions in production, or "" (the checks of Django's
    security.W009, made refusals, plus the development key and repeated patterns)."""
    if key.startswith(("development-only-key", "django-insecure-")):
        return "it is the development key"
    if len(key) < 50:
        return f"{len(key)} characters; at least 50 are needed"
    if len(set(key)) < 10:
        return f"only {len(set(key))} different characters; at least 10 are needed"
    if len({key[i:i + 3] for i in range(len(key) - 2)}) < (len(key) - 2) * 3 // 4:
        return "it repeats itself"
    return ""


if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preloading is a promise to browsers that is slow to take back: only when asked for.
    SECURE_HSTS_PRELOAD = envbool("CHIBO_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]  # "SECURE_HSTS_PRELOAD is not True": by choice
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if any(host.strip() == "*" for host in ALLOWED_HOSTS):
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must not be '*' in production: name this server's host names, e.g. "
            "ALLOWED_HOSTS=chibo.example.org,www.chibo.example.org.")
    _weak_key = secret_key_weakness(SECRET_KEY)
    if _weak_key:
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak for production ({_weak_key}). Generate one with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'")

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
# API tokens expire this many days after they are issued (0: never).
CHIBO_API_TOKEN_TTL_DAYS = envint("CHIBO_API_TOKEN_TTL_DAYS", 365)
# How long a one-time activation code (a new account's slip, a password reset) works.
CHIBO_ACTIVATION_DAYS = envint("CHIBO_ACTIVATION_DAYS", 14)
# Imports: refuse larger files before reading them (docs/import.md).
CHIBO_IMPORT_MAX_BYTES = envint("CHIBO_IMPORT_MAX_MB", 20) * 1024 * 1024
CHIBO_IMPORT_MAX_UNPACKED_BYTES = envint("CHIBO_IMPORT_MAX_UNPACKED_MB", 400) * 1024 * 1024
CHIBO_IMPORT_MAX_ROWS = envint("CHIBO_IMPORT_MAX_ROWS", 300_000)
# A sheet whose declared extent or any cell lies to the right of this column is refused
# before it is read (the widest template sheet has 21 columns; Excel's own limit is 16,384).
CHIBO_IMPORT_MAX_COLUMNS = envint("CHIBO_IMPORT_MAX_COLUMNS", 256)
# python-calamine reads a workbook in a child process with at most this much memory (address
# space) and this many seconds; a file that needs more is refused with a message.
CHIBO_IMPORT_READ_MAX_MB = envint("CHIBO_IMPORT_READ_MAX_MB", 1536)
CHIBO_IMPORT_READ_SECONDS = envint("CHIBO_IMPORT_READ_SECONDS", 180)
# Attached files (resolution texts, evidence): checked by content, at most this size.
CHIBO_UPLOAD_MAX_BYTES = envint("CHIBO_UPLOAD_MAX_MB", 20) * 1024 * 1024
# Uploads, imports and exports are refused while writing them would leave less than this free
# on the disk (the database, its journal and the logs need room too).
CHIBO_MIN_FREE_BYTES = envint("CHIBO_MIN_FREE_MB", 500) * 1024 * 1024
# Member lists longer than this are written in the background; shorter ones download at once.
CHIBO_EXPORT_SYNC_ROWS = envint("CHIBO_EXPORT_SYNC_ROWS", 5000)
# A background job that has not reported progress for this long has stopped (its worker was
# killed or the server restarted); its page then says so and offers to start it again.
CHIBO_JOB_STALE_MINUTES = envint("CHIBO_JOB_STALE_MINUTES", 15)
# A job not picked up after this long means no worker is running: its page tells the user.
CHIBO_JOB_WAIT_MINUTES = envint("CHIBO_JOB_WAIT_MINUTES", 2)
# The background worker touches DATA_DIR/worker.heartbeat every few seconds; silent this long,
# /healthz and `chibo status` say it has stopped (operations/health.py).
CHIBO_WORKER_STALE_SECONDS = envint("CHIBO_WORKER_STALE_SECONDS", 60)
# Tasks count as due soon this many days before their deadline (each person may choose their own).
CHIBO_DUE_SOON_DAYS = envint("CHIBO_DUE_SOON_DAYS", 3)
# The hour (local time) of the daily pass that sends reminders (`chibo remind --every-day`).
CHIBO_REMIND_HOUR = envint("CHIBO_REMIND_HOUR", 6)
