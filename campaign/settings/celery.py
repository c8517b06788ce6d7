"""Celery: the broker (a folder under var/ or Redis), task behaviour, queues and routes, the beat schedule.

Later modules add their routes to CELERY_TASK_ROUTES.
"""

from typing import Any

from kombu import Queue

from campaign.schedule import beat_schedule

from .base import REDIS_URL, VAR_DIR, env
from .congress import CONGRESS_DATA
from .reporting import ROLLUP_REFRESH_SECONDS

BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any]
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
# Redis broker: an unacknowledged task of a dead worker comes back after CELERY_VISIBILITY_TIMEOUT, but only
# when a worker sweeps for it; kombu's default sweeps about every 100 s. A letter should not wait that long.
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_interval"] = env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10)
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_throttle"] = 1
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
# Celery's Django fixup closes the database connection around every task unless this is set (it ignores
# CONN_MAX_AGE): reconnecting cost more than the rest of a letter delivery. Connections are recycled after
# 2 x this many tasks.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=200)

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
    "reporting.tasks.*": {"queue": "bulk"},
    "outreach.tasks.calls.*": {"queue": "calls"},
    "outreach.tasks.letters.*": {"queue": "letters"},
    "outreach.tasks.petition_delivery.*": {"queue": "bulk"},
}

# The beat schedule lives in one place: campaign/schedule.py.
CELERY_BEAT_SCHEDULE = beat_schedule(congress_source=CONGRESS_DATA, rollup_refresh_seconds=ROLLUP_REFRESH_SECONDS)
