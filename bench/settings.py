"""Benchmark settings: the production settings plus a bare JSON view to compare against."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("THROTTLES_ENABLED", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from campaign.settings import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls"
