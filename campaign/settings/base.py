"""Django core: paths, the environment, hosts, apps, middleware, templates, database, cache, static
files, i18n and logging."""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

# The repository root (manage.py's folder): this file is campaign/settings/base.py.
BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()
# A .env file next to manage.py is read when present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def _local_secret_key(path: Path) -> str:
    """The embedded default's own key: read from the local .env, else generated once and appended to it.

    Under an exclusive lock, so processes starting together (web, worker, beat) agree on one key."""
    import fcntl
    import os
    import secrets

    with os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600), "r+", encoding="utf-8") as dotenv:
        fcntl.flock(dotenv, fcntl.LOCK_EX)
        text = dotenv.read()
        for line in text.splitlines():
            name, _, value = line.strip().removeprefix("export ").partition("=")
            if name.strip() == "SECRET_KEY" and value.strip().strip("'\""):
                return value.strip().strip("'\"")
        key = secrets.token_urlsafe(50)
        lead = "\n" if text and not text.endswith("\n") else ""
        dotenv.write(f"{lead}# Generated for the embedded default (no DATABASE_URL, no REDIS_URL).\nSECRET_KEY={key}\n")
    return key


SECRET_KEY = env.str("SECRET_KEY", default="")
# The embedded default: SQLite and a filesystem broker, nothing configured. Production has DATABASE_URL.
_embedded = not env.str("DATABASE_URL", default="") and not env.str("REDIS_URL", default="")
if not SECRET_KEY:
    if DEBUG:
        # Only for local development: never used with DEBUG off.
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
    elif _embedded:
        # DEBUG stays off (a forgotten DATABASE_URL must not turn tracebacks on): management commands run on a
        # random key of this checkout's own, kept in .env so sessions and signed links survive restarts.
        SECRET_KEY = _local_secret_key(BASE_DIR / ".env")
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off and DATABASE_URL or REDIS_URL is set. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
_public = urlsplit(PUBLIC_BASE_URL)
if _public.scheme not in ("http", "https") or not _public.hostname:
    raise ImproperlyConfigured(f"PUBLIC_BASE_URL must be an absolute http(s) URL, not {PUBLIC_BASE_URL!r}")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
if _public.hostname not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_public.hostname)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[f"{_public.scheme}://{_public.netloc}"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Lowest first: the ground floor, the campaign domain, the domain apps, reporting, the wiring.
    "infra",
    "organizing",
    "congress",
    "contacts",
    "petitions",
    "outreach",
    "reporting",
    "campaign",
]

MIDDLEWARE = [
    "infra.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files from the app processes (admin, API docs, dashboard assets): no
    # separate file server is needed to run the project.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "campaign.urls"
WSGI_APPLICATION = "campaign.wsgi.application"

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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default runs web, worker and beat against one file: WAL lets readers and the single
    # writer proceed together, and IMMEDIATE transactions wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The rollups' covering index has INCLUDE columns, which only PostgreSQL uses; SQLite builds the plain
# index, which is what the embedded default needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Redis: cache (the broker and rate limits read REDIS_URL too) ---------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="campaign"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "campaign"}}

# --- Static, i18n ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
# `manage.py collectstatic` fills this for production; in development files come from the apps directly.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/dashboard/"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging: one line per request and per task, ids only -------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Our request log replaces these; Django's would print the query string, which can hold an address.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "gunicorn.access": {"level": "WARNING"},
    },
}
