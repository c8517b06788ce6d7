import os

import pytest
from django.conf import settings
from django.db import connection

from congress.services import congress_data_sync

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


_ORIGINAL_DB_NAME = settings.DATABASES["default"]["NAME"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real Congress data once per session; every test then runs in a transaction on top of it.

    pytest-django creates the test database only when a selected test is marked for the database; a run
    of only the tests that commit from threads (which take this fixture directly) needs it too."""
    from django.test.utils import setup_databases, teardown_databases

    created = None
    with django_db_blocker.unblock():
        if connection.settings_dict["NAME"] == _ORIGINAL_DB_NAME:
            created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        congress_data_sync(source=str(settings.CONGRESS_SHARED_DIR))
    yield
    if created is not None:
        with django_db_blocker.unblock():
            teardown_databases(created, verbosity=0)


_blocker = {}


@pytest.fixture(scope="session", autouse=True)
def _keep_db_blocker(django_db_blocker):
    _blocker["it"] = django_db_blocker


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (or the live server) empties every table when it ends, Congress data included,
    and later tests (some of which read it from other threads' connections) expect it committed: load
    it again once the emptying is done."""
    yield
    marker = item.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )
    if transactional and "it" in _blocker:
        from congress.models import DataLoad

        with _blocker["it"].unblock():
            if not DataLoad.objects.exists():
                congress_data_sync(source=str(settings.CONGRESS_SHARED_DIR))


def _redis_reachable() -> str | None:
    url = settings.REDIS_URL
    if not url:
        return "REDIS_URL is not set"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        return f"Redis at REDIS_URL is unreachable ({type(exc).__name__})"
    return None


def _missing(item) -> str | None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if item.get_closest_marker("redis"):
        return _redis_reachable()
    return None


def pytest_runtest_setup(item):
    reason = _missing(item)
    if reason:
        # Outside CI a missing service skips with its reason; in CI it is a failure, never a silent skip.
        if IN_CI:
            pytest.fail(f"CI requires this service: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def forget_congress_snapshots():
    """For tests that load other Congress data: a rolled-back load may leave its id to the next load on
    SQLite, so this process forgets the snapshot and the ZIP answers it built."""
    yield
    from congress import api, selectors

    selectors._current["snapshot"] = None
    api._zip_answer.cache_clear()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def fake_census(settings):
    """A fake Census Geocoder on loopback; the real geocoder module reaches it through CENSUS_GEOCODER_URL."""
    from django.core.cache import cache

    from tests.fakes.census import FakeCensus

    with FakeCensus() as server:
        settings.CENSUS_GEOCODER_URL = server.url
        settings.CENSUS_GEOCODER_TIMEOUT = 1.0
        cache.clear()  # geocoder answers are cached by address
        yield server
    cache.clear()
