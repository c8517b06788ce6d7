import pytest
from django.core.cache import cache

from organizing.models import Campaign
from outreach.services.calls import call_action_create
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, CallSimulator, FakeTwilioRest

CAMPAIGN_NUMBER = "+12025550143"
SUPPORTER = "+18025550123"  # a Burlington, VT number
SCRIPT = "Please support a moratorium on face recognition."


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Rate-limit counters live in the cache, which outlives a test's rolled-back transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fake_twilio():
    with FakeTwilioRest() as fake:
        yield fake


@pytest.fixture
def twilio_settings(settings, fake_twilio):
    settings.TELEPHONY_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_CALLER_ID = CAMPAIGN_NUMBER
    settings.TWILIO_API_URL = fake_twilio.url
    settings.CALL_OFFICE_HOURS = False
    return settings


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(slug="moratorium", name="Moratorium", status=Campaign.Status.ACTIVE)


@pytest.fixture
def action(campaign):
    return call_action_create(campaign=campaign, name="Call Congress", script=SCRIPT, target_rule="both")


@pytest.fixture
def simulator(client, settings):
    return CallSimulator(client, auth_token=AUTH_TOKEN, public_base=settings.PUBLIC_BASE_URL)


@pytest.fixture
def start_call(api_client, django_capture_on_commit_callbacks):
    """POST the start endpoint and run the enqueued task (Celery is eager in tests)."""

    def start(slug="moratorium", *, expect=202, **body):
        payload = {"phone": SUPPORTER, "postal_code": "05401", "consent": True, **body}
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.post(f"/api/v1/campaigns/{slug}/calls/", payload, format="json")
        assert response.status_code == expect, response.content
        return response

    return start
