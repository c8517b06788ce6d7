"""Settings for the campaign backend.

Every value comes from the environment (see .env.example and docs/configuration.md). With nothing set,
the project runs on the embedded default: SQLite and a filesystem broker under var/, a local-memory
cache, console telephony and email. The same code moves to PostgreSQL and Redis by setting
DATABASE_URL and REDIS_URL.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file next to manage.py is read when present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # Only for local development: never used with DEBUG off.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

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

# Behind a TLS-terminating proxy the scheme comes from X-Forwarded-Proto. Twilio signatures are checked
# against PUBLIC_BASE_URL, never against the Host header.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if _public.scheme == "https" and not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

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
    "congress",
    "contacts",
    "petitions",
    "outreach",
    "campaign",
]

MIDDLEWARE = [
    "campaign.middleware.RequestLogMiddleware",
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

# --- Redis: cache, broker, rate limits ------------------------------------------------------------
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

# --- Celery ---------------------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # The exchange tables; left unset, the transport writes them to ./control in the working directory.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # visibility_timeout must exceed the longest task (including countdown retries) or Redis redelivers
    # a task that is still running.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only after it ran, and a worker that dies mid-task hands it back to the broker:
# every task is written to be idempotent through database state, so a second run changes nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_PREFETCH", default=1)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"

# Queues: a worker started without -Q consumes all of them. Deployments that split work start workers
# with -Q calls (latency-sensitive), -Q letters (rate-limited), -Q signatures (the petition intake's
# drain, which must not wait behind a spike's emails) and -Q default,bulk.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_DEFAULT_EXCHANGE = "default"
CELERY_TASK_DEFAULT_ROUTING_KEY = "default"
# Each queue has its own routing key: with one shared key, a direct exchange would copy every task into
# every queue.
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in ("default", "calls", "letters", "bulk", "signatures")]
CELERY_TASK_ROUTES = {
    "congress.tasks.*": {"queue": "bulk"},
    "campaign.tasks.*": {"queue": "bulk"},
    "outreach.tasks.calls.*": {"queue": "calls"},
    "outreach.tasks.letters.*": {"queue": "letters"},
}

# The beat schedule lives in one place: campaign/schedule.py.
from campaign.schedule import beat_schedule  # noqa: E402

CONGRESS_DATA = env.str("CONGRESS_DATA", default="")
# Metrics rollups: how often today's buckets are recomputed (the metrics' stated lag), and how many past
# days the nightly job recomputes.
ROLLUP_REFRESH_SECONDS = env.int("ROLLUP_REFRESH_SECONDS", default=30)
ROLLUP_RECHECK_DAYS = env.int("ROLLUP_RECHECK_DAYS", default=7)
# Organizers watching one campaign share a metrics answer for this long (0: compute every time).
METRICS_CACHE_SECONDS = env.int("METRICS_CACHE_SECONDS", default=15)
CELERY_BEAT_SCHEDULE = beat_schedule(congress_source=CONGRESS_DATA, rollup_refresh_seconds=ROLLUP_REFRESH_SECONDS)

# Keyed hashes of IPs, user agents and phones (contacts/privacy.py). Rotating it breaks rate-limit
# history and duplicate detection, nothing else.
PII_HASH_KEY = env.str("PII_HASH_KEY", default="")

# --- Congress data and lookup ---------------------------------------------------------------------
CONGRESS_SHARED_DIR = BASE_DIR.parent / "shared" / "data" / "congress"
CENSUS_GEOCODER_URL = env.str("CENSUS_GEOCODER_URL", default="https://geocoding.geo.census.gov/geocoder").rstrip("/")
CENSUS_GEOCODER_BENCHMARK = env.str("CENSUS_GEOCODER_BENCHMARK", default="Public_AR_Current")
# The geocoder's vintage decides which Congress's district layer it answers with: Current_Current has
# carried the 120th's lines since late 2026, ACS2025_Current the 119th's. The vintage follows the loaded
# roster's Congress through this map, so the turnover needs no setting; CENSUS_GEOCODER_VINTAGE, when
# set, pins one vintage for every Congress.
CENSUS_GEOCODER_VINTAGE = env.str("CENSUS_GEOCODER_VINTAGE", default="")


def _congress_keyed(name: str, raw: str) -> dict[str, str]:
    """ "119=ACS2025_Current,120=Current_Current" -> {"119": "ACS2025_Current", ...}; fails loudly."""
    out = {}
    for item in filter(None, (p.strip() for p in raw.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip().isdigit() or not value.strip():
            raise ImproperlyConfigured(f"{name}: expected CONGRESS=VALUE items, got {item!r}")
        out[key.strip()] = value.strip()
    return out


CENSUS_GEOCODER_VINTAGES = {
    int(k): v
    for k, v in _congress_keyed(
        "CENSUS_GEOCODER_VINTAGES",
        env.str("CENSUS_GEOCODER_VINTAGES", default="119=ACS2025_Current,120=Current_Current"),
    ).items()
}
# The Congress whose lines the ZIP crosswalk describes, when the operator states it for every load
# (`sync_congress --crosswalk-congress N` states it for one). Unset: see docs/operations.md.
CONGRESS_CROSSWALK_CONGRESS = env.int("CONGRESS_CROSSWALK_CONGRESS", default=None)


# States whose district lines did not change between two Congresses, so a crosswalk on the older lines
# still names their House members with certainty: "119-120=AK,AL,AR;120-121=..." (none by default).
def _lines_unchanged(raw: str) -> dict[tuple[int, int], frozenset[str]]:
    out = {}
    for item in filter(None, (p.strip() for p in raw.split(";"))):
        pair, sep, states = item.partition("=")
        old, dash, new = pair.strip().partition("-")
        codes = frozenset(c.strip().upper() for c in states.split(",") if c.strip())
        if not (sep and dash and old.isdigit() and new.isdigit() and codes) or any(
            len(c) != 2 or not c.isalpha() for c in codes
        ):
            raise ImproperlyConfigured(f"CONGRESS_LINES_UNCHANGED: expected FROM-TO=ST,ST items, got {item!r}")
        out[(int(old), int(new))] = codes
    return out


CONGRESS_LINES_UNCHANGED = _lines_unchanged(env.str("CONGRESS_LINES_UNCHANGED", default=""))
CENSUS_GEOCODER_TIMEOUT = env.float("CENSUS_GEOCODER_TIMEOUT", default=5.0)
GEOCODER_CACHE_SECONDS = env.int("GEOCODER_CACHE_SECONDS", default=7 * 24 * 3600)
# How often each process checks for a newer data load (seconds).
CONGRESS_SNAPSHOT_TTL = env.float("CONGRESS_SNAPSHOT_TTL", default=5.0)

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    # Permissions are on by default: public endpoints opt out explicitly.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "campaign.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Campaign backend API",
    "DESCRIPTION": "Petitions, calls and letters to Congress.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # The docs page's assets are served by us, so it works offline and loads nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Rate limits (campaign/throttles.py). Each scope's rate is "N/second|minute|hour|day", or empty for none.
THROTTLES_ENABLED = env.bool("THROTTLES_ENABLED", default=True)
THROTTLE_RATES: dict[str, str | None] = {}
# Each address lookup may cost a Census Geocoder request; ZIP-only lookups are not limited.
THROTTLE_RATES["lookup_address_ip"] = env.str("THROTTLE_LOOKUP_ADDRESS_IP", default="30/minute")

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

# --- Calls (outreach/telephony, outreach/services/calls.py) ----------------------------------------
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_CALLER_ID = env.str("TWILIO_CALLER_ID", default="")
TWILIO_API_URL = env.str("TWILIO_API_URL", default="https://api.twilio.com").rstrip("/")
TWILIO_TIMEOUT = env.float("TWILIO_TIMEOUT", default=10.0)
# console: no network; logs what it would do and plays the call through our own webhooks in-process.
TELEPHONY_BACKEND = env.str("TELEPHONY_BACKEND", default="twilio" if TWILIO_ACCOUNT_SID else "console")
if TELEPHONY_BACKEND not in ("twilio", "console"):
    raise ImproperlyConfigured(f"TELEPHONY_BACKEND must be twilio or console, not {TELEPHONY_BACKEND!r}")
if TELEPHONY_BACKEND == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and TWILIO_CALLER_ID):
    raise ImproperlyConfigured(
        "TELEPHONY_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_CALLER_ID"
    )
if not TWILIO_CALLER_ID:
    TWILIO_CALLER_ID = "+12025550100"  # console only: never dialed
# off: dial offices at any hour (campaigns that want voicemails left, tests).
CALL_OFFICE_HOURS = env.bool("CALL_OFFICE_HOURS", default=True)
CALL_PHONE_DAILY_LIMIT = env.int("CALL_PHONE_DAILY_LIMIT", default=3)
# Sessions started from one IP address per hour; 0 turns the limit off. THROTTLES_ENABLED=false also does.
CALL_IP_HOURLY_LIMIT = env.int("CALL_IP_HOURLY_LIMIT", default=20)
CALL_DIAL_TIMEOUT = env.int("CALL_DIAL_TIMEOUT", default=30)
CALL_VOICE = env.str("CALL_VOICE", default="Polly.Joanna")
# Sessions still queued or placing after this many minutes are marked failed by the sweep job.
CALL_STUCK_MINUTES = env.int("CALL_STUCK_MINUTES", default=15)
# Supporters' phone numbers are blanked on sessions older than this (the keyed hash stays); 0 keeps them.
CALL_PHONE_RETENTION_DAYS = env.int("CALL_PHONE_RETENTION_DAYS", default=30)
THROTTLE_RATES["call_start_ip"] = env.str("THROTTLE_CALL_START_IP", default="10/minute")
THROTTLE_RATES["call_feedback_ip"] = env.str("THROTTLE_CALL_FEEDBACK_IP", default="30/minute")
# --- Petitions, contacts and email ----------------------------------------------------------------
# EMAIL_URL: consolemail:// (embedded default), smtp://user:pass@host:587 , smtp+tls://..., smtp+ssl://...
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="campaign@localhost")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
ORGANIZATION_NAME = env.str("ORGANIZATION_NAME", default="The campaign")
THROTTLE_RATES["sign_ip"] = env.str("THROTTLE_SIGN_IP", default="60/minute")
THROTTLE_RATES["sign_email"] = env.str("THROTTLE_SIGN_EMAIL", default="5/minute")
# Rows each petition's count is spread over: more shards, less waiting between concurrent signers.
PETITION_COUNT_SHARDS = env.int("PETITION_COUNT_SHARDS", default=32)
# How long a read of a count may be cached; the shown count is at most this stale (must be <= 2).
PETITION_COUNT_CACHE_SECONDS = env.float("PETITION_COUNT_CACHE_SECONDS", default=1.0)
# And then remembered in each process for this long (0: off). The two together bound the staleness.
PETITION_COUNT_PROCESS_SECONDS = env.float("PETITION_COUNT_PROCESS_SECONDS", default=0.5)
if min(PETITION_COUNT_CACHE_SECONDS, PETITION_COUNT_PROCESS_SECONDS) < 0 or (
    PETITION_COUNT_CACHE_SECONDS + PETITION_COUNT_PROCESS_SECONDS > 2
):
    raise ImproperlyConfigured("PETITION_COUNT_CACHE_SECONDS + PETITION_COUNT_PROCESS_SECONDS must be between 0 and 2")
# How long each process remembers a petition on the sign path: a status change (closing) reaches every
# process within this time (must be <= 2).
PETITION_CACHE_SECONDS = env.float("PETITION_CACHE_SECONDS", default=1.0)
if not 0 <= PETITION_CACHE_SECONDS <= 2:
    raise ImproperlyConfigured("PETITION_CACHE_SECONDS must be between 0 and 2")
# New signatures' first emails are queued in batches: a commit publishes a batch run unless this process
# published one within this many seconds, and then one runs at the end of that interval. It is the most
# an email waits before it is queued; 0 publishes a run after every signature.
PETITION_MAIL_BATCH_SECONDS = env.float("PETITION_MAIL_BATCH_SECONDS", default=1.0)
# Signers write only an intake row; a drain turns those rows into signatures. Each process publishes a
# drain for the end of an interval lasting between half and all of this many seconds: at most what a new
# signature waits (it is counted meanwhile). 0: a drain per signer.
PETITION_INTAKE_BATCH_SECONDS = env.float("PETITION_INTAKE_BATCH_SECONDS", default=1.0)
PETITION_CONFIRM_MAX_AGE = env.int("PETITION_CONFIRM_MAX_AGE", default=7 * 24 * 3600)
PETITION_CONFIRM_MAX_SENDS = env.int("PETITION_CONFIRM_MAX_SENDS", default=3)
# Forms submitted faster than this after the page was served are taken for bots.
PETITION_MIN_FILL_SECONDS = env.float("PETITION_MIN_FILL_SECONDS", default=3.0)
CELERY_TASK_ROUTES["petitions.tasks.reconcile_signature_counts"] = {"queue": "bulk"}
CELERY_TASK_ROUTES["petitions.tasks.drain_signature_intake"] = {"queue": "signatures"}
# --- Letters --------------------------------------------------------------------------------------
# CWC (Communicating with Congress): a chamber is used only when both its URL and its key are set.
HOUSE_CWC_URL = env.str("HOUSE_CWC_URL", default="").rstrip("/")
HOUSE_CWC_API_KEY = env.str("HOUSE_CWC_API_KEY", default="")
SENATE_CWC_URL = env.str("SENATE_CWC_URL", default="").rstrip("/")
SENATE_CWC_API_KEY = env.str("SENATE_CWC_API_KEY", default="")
CWC_DELIVERY_AGENT = env.str("CWC_DELIVERY_AGENT", default="")
CWC_ACK_EMAIL = env.str("CWC_ACK_EMAIL", default="")
CWC_CONTACT_NAME = env.str("CWC_CONTACT_NAME", default="")
CWC_CONTACT_EMAIL = env.str("CWC_CONTACT_EMAIL", default="")
CWC_CONTACT_PHONE = env.str("CWC_CONTACT_PHONE", default="")
CWC_ORGANIZATION = env.str("CWC_ORGANIZATION", default="")
CWC_ORGANIZATION_ABOUT = env.str("CWC_ORGANIZATION_ABOUT", default="")
CWC_CONNECT_TIMEOUT = env.float("CWC_CONNECT_TIMEOUT", default=5.0)
CWC_TIMEOUT = env.float("CWC_TIMEOUT", default=30.0)
if (HOUSE_CWC_URL and HOUSE_CWC_API_KEY) or (SENATE_CWC_URL and SENATE_CWC_API_KEY):
    _missing_cwc = [
        name
        for name in (
            "CWC_DELIVERY_AGENT",
            "CWC_ACK_EMAIL",
            "CWC_CONTACT_NAME",
            "CWC_CONTACT_EMAIL",
            "CWC_CONTACT_PHONE",
        )
        if not globals()[name]
    ]
    if _missing_cwc:
        raise ImproperlyConfigured(f"CWC delivery is configured but these are not set: {', '.join(_missing_cwc)}")
# Offices on no other channel keep letters for a printable batch. Off: they get "needs web form".
LETTERS_OUTBOX_ENABLED = env.bool("LETTERS_OUTBOX_ENABLED", default=True)
LETTERS_EMAIL_FROM = env.str("LETTERS_EMAIL_FROM", default="letters@localhost")
LETTERS_EMAIL_MESSAGE_ID_DOMAIN = env.str("LETTERS_EMAIL_MESSAGE_ID_DOMAIN", default=_public.hostname)
LETTERS_PREFIXES = env.list(
    "LETTERS_PREFIXES", default=["Mr.", "Ms.", "Mrs.", "Mx.", "Miss", "Dr.", "Rev.", "Prof.", "Hon."]
)
LETTERS_MESSAGE_MAX_LENGTH = env.int("LETTERS_MESSAGE_MAX_LENGTH", default=5000)
# Moderation of the writer's own words: regular expressions (case-insensitive), a soft length and links.
LETTERS_MODERATION_PATTERNS = env.json(
    "LETTERS_MODERATION_PATTERNS",
    default=[
        r"\b(kill|shoot|stab|murder|behead|lynch|hang)(ed|ing|s)?\b",
        r"\b(bomb|explosive|gun ?down|assassinat\w*)\b",
        r"\b(you|your family) (will|gonna|are going to) (die|pay|suffer|regret)\b",
        r"\bf+u+c+k+\w*|\bsh[i1]t+\w*|\bc+u+n+t+\w*",
    ],
)
LETTERS_MODERATION_MAX_LENGTH = env.int("LETTERS_MODERATION_MAX_LENGTH", default=3000)
LETTERS_MODERATION_MAX_LINKS = env.int("LETTERS_MODERATION_MAX_LINKS", default=1)
# Delivery: rates are "N/second|minute|hour" or empty for none; shared by all workers through the cache.
LETTERS_RATE_GLOBAL = env.str("LETTERS_RATE_GLOBAL", default="50/second")
LETTERS_RATE_PER_OFFICE = env.str("LETTERS_RATE_PER_OFFICE", default="60/minute")
LETTERS_RETRY_BASE_SECONDS = env.float("LETTERS_RETRY_BASE_SECONDS", default=30.0)
LETTERS_RETRY_MAX_SECONDS = env.float("LETTERS_RETRY_MAX_SECONDS", default=1800.0)
LETTERS_MAX_AGE_SECONDS = env.int("LETTERS_MAX_AGE_SECONDS", default=3 * 24 * 3600)
# A "sending" claim older than this is taken over; it must exceed CWC_CONNECT_TIMEOUT + CWC_TIMEOUT.
LETTERS_SENDING_STALE_SECONDS = env.int("LETTERS_SENDING_STALE_SECONDS", default=120)
LETTERS_SWEEP_GRACE_SECONDS = env.int("LETTERS_SWEEP_GRACE_SECONDS", default=300)
if LETTERS_SENDING_STALE_SECONDS <= CWC_CONNECT_TIMEOUT + CWC_TIMEOUT:
    raise ImproperlyConfigured("LETTERS_SENDING_STALE_SECONDS must exceed CWC_CONNECT_TIMEOUT + CWC_TIMEOUT")
THROTTLE_RATES["letter_ip"] = env.str("THROTTLE_LETTER_IP", default="30/minute")
THROTTLE_RATES["letter_email"] = env.str("THROTTLE_LETTER_EMAIL", default="10/hour")
# Redis broker: an unacknowledged task of a dead worker comes back after CELERY_VISIBILITY_TIMEOUT, but only
# when a worker sweeps for it; kombu's default sweeps about every 100 s. A letter should not wait that long.
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_interval"] = env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10)
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_throttle"] = 1
# Celery's Django fixup closes the database connection around every task unless this is set (it ignores
# CONN_MAX_AGE): reconnecting cost more than the rest of a letter delivery. Connections are recycled after
# 2 x this many tasks.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=200)
