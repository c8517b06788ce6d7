"""Test settings: the project's settings with eager Celery, fast hashing and quiet logs.

DATABASE_URL and REDIS_URL still decide whether the suite runs on PostgreSQL/Redis or on the embedded
default, so the same tests cover both.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("PUBLIC_BASE_URL", "https://campaign.example.org")

from campaign.settings import *  # noqa: E402,F403
from campaign.settings import LOGGING  # noqa: E402

# Tasks run in-process, through the real task code; tests that need a real worker start one.
CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Lookups re-check the data version on every request, so a test that reloads data sees it at once.
CONGRESS_SNAPSHOT_TTL = 0
LOGGING["root"]["level"] = "WARNING"
# Counts are read fresh unless a test turns the caches on: a per-process memo would outlive a test's data.
PETITION_COUNT_PROCESS_SECONDS = 0
# A batch run of the signing emails after every signature, so each test sees its own emails at once.
PETITION_MAIL_BATCH_SECONDS = 0
# A drain of the signature intake after every signer, so each test sees its signature at once.
PETITION_INTAKE_BATCH_SECONDS = 0
