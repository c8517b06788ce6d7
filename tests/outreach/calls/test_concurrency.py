import threading

import pytest
from django.db import connection

from outreach.models import CallSession
from outreach.services.call_limits import CallLimited
from outreach.services.calls import call_action_create, call_session_start

PHONE = "+18025550143"


@pytest.fixture
def committed_action(django_db_setup, django_db_blocker, settings):
    """A call action committed for other connections (threads) to see; removes its own rows afterwards."""
    from organizing.models import Campaign

    settings.CALL_OFFICE_HOURS = False
    settings.CALL_PHONE_DAILY_LIMIT = 3
    with django_db_blocker.unblock():
        campaign = Campaign.objects.create(slug="call-race", name="Call race", status="active")
        action = call_action_create(campaign=campaign, name="Race", script="Please call.", target_rule="senators")
        try:
            yield action
        finally:
            CallSession.objects.filter(action=action).delete()
            action.delete()
            campaign.delete()


@pytest.mark.postgres
def test_simultaneous_starts_for_one_phone_never_exceed_its_daily_limit(committed_action, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the call itself is not placed here; only the starts race
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def start(i):
        try:
            barrier.wait()
            call_session_start(
                action=committed_action, phone=PHONE, postal_code="05401", consent=True, ip=f"192.0.2.{i}"
            )
            outcomes.append("started")
        except CallLimited:
            outcomes.append("limited")
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["limited"] * 7 + ["started"] * 3
    assert CallSession.objects.filter(action=committed_action).count() == 3
