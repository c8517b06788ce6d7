"""Petitions: the sign path's rate limits, the sharded counts and their caches, the intake's drain,
double opt-in and bot checks."""

from django.core.exceptions import ImproperlyConfigured

from .api import THROTTLE_RATES
from .base import env
from .celery import CELERY_TASK_ROUTES

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
# Signatures never confirmed are deleted this many days after signing, with their contact when it has
# nothing else (daily job, docs/privacy.md); 0 keeps them. Longer than a confirmation link lives, so no
# valid link ever finds its signature gone.
RETENTION_PENDING_SIGNATURE_DAYS = env.int("RETENTION_PENDING_SIGNATURE_DAYS", default=30)
if RETENTION_PENDING_SIGNATURE_DAYS < 0 or 0 < RETENTION_PENDING_SIGNATURE_DAYS * 86400 < PETITION_CONFIRM_MAX_AGE:
    raise ImproperlyConfigured(
        "RETENTION_PENDING_SIGNATURE_DAYS must be 0 (keep) or at least PETITION_CONFIRM_MAX_AGE in days"
    )
# Forms submitted faster than this after the page was served are taken for bots.
PETITION_MIN_FILL_SECONDS = env.float("PETITION_MIN_FILL_SECONDS", default=3.0)
CELERY_TASK_ROUTES["petitions.tasks.reconcile_signature_counts"] = {"queue": "bulk"}
CELERY_TASK_ROUTES["petitions.tasks.drain_signature_intake"] = {"queue": "signatures"}
CELERY_TASK_ROUTES["petitions.tasks.purge_signature_data"] = {"queue": "bulk"}
