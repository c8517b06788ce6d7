"""Settings for `make bench-sign`: the benchmark settings plus the sign baseline view."""

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.sign_urls"
