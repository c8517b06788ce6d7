"""Reporting: the metrics rollups and the metrics API's cache."""

from .base import env

# Metrics rollups: how often today's buckets are recomputed (the metrics' stated lag), and how many past
# days the nightly job recomputes.
ROLLUP_REFRESH_SECONDS = env.int("ROLLUP_REFRESH_SECONDS", default=30)
ROLLUP_RECHECK_DAYS = env.int("ROLLUP_RECHECK_DAYS", default=7)
# Organizers watching one campaign share a metrics answer for this long (0: compute every time).
METRICS_CACHE_SECONDS = env.int("METRICS_CACHE_SECONDS", default=15)
