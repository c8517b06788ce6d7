"""The start, session and feedback endpoints, the call page, and the task that places the call."""

import pytest

from contacts.models import ConsentRecord, Contact
from outreach.models import CallFeedback, CallSession
from tests.fakes.twilio import Dial
from tests.outreach.calls.conftest import CAMPAIGN_NUMBER, SUPPORTER

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": "not a phone"}, "phone"),
        ({"phone": "+44 20 7946 0958"}, "phone"),  # international
        ({"phone": "+1 900 555 1234"}, "phone"),  # premium rate
        ({"phone": "+1 800 555 1234"}, "phone"),  # toll free
        ({"phone": "+1 202 555"}, "phone"),  # too short
        ({"postal_code": "1234"}, "postal_code"),
        ({"postal_code": "00000"}, "postal_code"),  # well-formed but no such ZIP
        ({"consent": False}, "consent"),
        ({"consent": None}, "consent"),
    ],
)
def test_bad_input_is_a_400_in_the_error_shape_and_places_no_call(
    twilio_settings, fake_twilio, action, start_call, body, field
):
    response = start_call(expect=400, **body)
    payload = response.json()
    assert payload["message"] == "Invalid input."
    assert field in payload["errors"]
    assert fake_twilio.calls == []
    assert not CallSession.objects.exists()


def test_missing_fields_are_400(twilio_settings, action, api_client):
    response = api_client.post("/api/v1/campaigns/moratorium/calls/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"phone", "postal_code", "consent"}


def test_starting_a_call_accepts_post_only(twilio_settings, action, api_client):
    assert api_client.get("/api/v1/campaigns/moratorium/calls/").status_code == 405


def test_unknown_or_inactive_campaign_is_404(twilio_settings, action, start_call):
    start_call(slug="no-such-campaign", expect=404)
    action.is_active = False
    action.save()
    start_call(expect=404)


def test_start_answers_202_with_the_targets_and_no_supporter_phone(twilio_settings, action, start_call):
    response = start_call()
    body = response.json()
    assert set(body) == {"id", "status", "targets"}
    assert body["targets"][0] == {
        "bioguide_id": "S000033",
        "name": "Bernard Sanders",
        "title": "Senator",
        "phone": "+12022245141",
    }
    assert "5550123" not in response.content.decode()


def test_session_record_never_holds_the_supporters_phone(twilio_settings, fake_twilio, action, start_call, simulator):
    session_id = start_call().json()["id"]
    simulator.run_outbound(fake_twilio.calls[0], digits=["1"], dials=[Dial(), Dial(), Dial()])
    response = simulator.client.get(f"/api/v1/calls/{session_id}/")
    assert response.status_code == 200
    text = response.content.decode()
    for form in (SUPPORTER, "8025550123", "555-0123", "5550123"):
        assert form not in text
    body = response.json()
    assert body["status"] == "completed"
    assert [t["result"] for t in body["targets"]] == ["completed", "completed", "completed"]


def test_unknown_session_is_404(api_client):
    response = api_client.get("/api/v1/calls/6d3c1c57-0000-4000-8000-000000000000/")
    assert response.status_code == 404
    assert response.json()["message"]


def test_feedback_is_joined_to_the_measured_legs(
    twilio_settings, fake_twilio, action, start_call, simulator, api_client
):
    session_id = start_call().json()["id"]
    simulator.run_outbound(fake_twilio.calls[0], digits=["1"], dials=[Dial("completed", 80), Dial("busy"), Dial()])
    url = f"/api/v1/calls/{session_id}/feedback/"
    assert api_client.post(url, {"bioguide_id": "S000033", "outcome": "contact"}, format="json").status_code == 201
    response = api_client.post(url, {"bioguide_id": "W000800", "outcome": "voicemail", "notes": "full"}, format="json")
    assert response.status_code == 201
    assert response.json() == {"bioguide_id": "W000800", "outcome": "voicemail"}
    # A second report for the same office replaces the first.
    api_client.post(url, {"bioguide_id": "W000800", "outcome": "unavailable"}, format="json")

    record = api_client.get(f"/api/v1/calls/{session_id}/").json()
    by_id = {t["bioguide_id"]: t for t in record["targets"]}
    assert by_id["S000033"]["reported"] == "contact"
    assert by_id["S000033"]["legs"][0]["duration"] == 80
    assert by_id["W000800"]["reported"] == "unavailable"
    assert by_id["W000800"]["legs"][0]["status"] == "busy"
    assert by_id["B001318"]["reported"] is None
    assert CallFeedback.objects.get(target_key="W000800").notes == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"bioguide_id": "P000197", "outcome": "contact"}, "bioguide_id"),  # not a target of this call
        ({"bioguide_id": "S000033", "outcome": "great"}, "outcome"),
        ({"outcome": "contact"}, "bioguide_id"),
    ],
)
def test_bad_feedback_is_400(twilio_settings, action, start_call, api_client, body, field):
    session_id = start_call().json()["id"]
    response = api_client.post(f"/api/v1/calls/{session_id}/feedback/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_email_with_the_call_keeps_neither_the_phone_nor_a_standing_phone_consent(twilio_settings, action, start_call):
    from contacts.selectors import consent_state

    session = CallSession.objects.get(pk=start_call(email="Vol@Example.org").json()["id"])
    contact = Contact.objects.get(email__iexact="vol@example.org")
    assert session.contact == contact
    # The number is for this call: it lives on the session (forgotten after the retention days), not the contact.
    assert contact.phone == ""
    assert not ConsentRecord.objects.filter(contact=contact).exists()
    assert consent_state(contact=contact, channel="phone") is False
    assert "phone call" in session.consent_text.text


def test_session_keeps_e164_and_a_keyed_hash_of_the_phone(twilio_settings, action, start_call):
    from infra.privacy import keyed_hash

    session = CallSession.objects.get(pk=start_call(phone="(802) 555-0123").json()["id"])
    assert session.phone == SUPPORTER
    assert session.phone_hash == keyed_hash(SUPPORTER, purpose="call-phone")
    assert session.consent_text is not None


def test_custom_targets_are_called_in_order_with_their_own_numbers(
    twilio_settings, fake_twilio, campaign, start_call, simulator
):
    from outreach.services.calls import call_action_create

    call_action_create(
        campaign=campaign,
        name="Agencies",
        script="Ask about face recognition.",
        target_rule="custom",
        target_order="as_listed",
        custom_targets=[
            {"name": "DHS switchboard", "phone": "202-282-8000", "title": "Department"},
            {"name": "ICE tip line", "phone": "1-866-347-2423"},
        ],
    )
    body = start_call().json()
    assert [t["name"] for t in body["targets"]] == ["DHS switchboard", "ICE tip line"]
    transcript = simulator.run_outbound(fake_twilio.calls[0], digits=["1"])
    assert transcript.numbers == ["+12022828000", "+18663472423"]


def test_custom_targets_with_premium_numbers_are_refused(campaign):
    from django.core.exceptions import ValidationError

    from outreach.services.calls import call_action_create

    with pytest.raises(ValidationError):
        call_action_create(
            campaign=campaign,
            name="Bad",
            script="x",
            target_rule="custom",
            custom_targets=[{"name": "Premium", "phone": "+19005551234"}],
        )


@pytest.mark.parametrize(
    "target",
    [
        {"name": "N" * 121, "phone": "+12022828000"},
        {"name": "DHS", "title": "T" * 41, "phone": "+12022828000"},
        {"name": 12, "phone": "+12022828000"},
        {"name": "DHS", "title": ["Switchboard"], "phone": "+12022828000"},
    ],
)
def test_custom_targets_that_do_not_fit_a_call_leg_are_refused(campaign, target):
    from django.core.exceptions import ValidationError

    from outreach.services.calls import call_action_create

    with pytest.raises(ValidationError) as caught:
        call_action_create(campaign=campaign, name="Bad", script="x", target_rule="custom", custom_targets=[target])
    assert "custom_targets" in caught.value.message_dict


def test_custom_target_without_a_title_gets_an_empty_one(twilio_settings, campaign, start_call):
    from outreach.services.calls import call_action_create

    action = call_action_create(
        campaign=campaign,
        name="Custom",
        script="x",
        target_rule="custom",
        custom_targets=[{"name": "N" * 120, "title": None, "phone": "+12022828000"}],
    )
    assert action.custom_targets[0]["title"] == ""
    body = start_call().json()
    assert body["targets"] == [{"bioguide_id": None, "name": "N" * 120, "title": "", "phone": "+12022828000"}]


def test_caller_id_prefers_a_campaign_number_in_the_supporters_area_code(
    twilio_settings, fake_twilio, action, start_call
):
    action.caller_ids = ["+12025550143", "+18025550188"]
    action.save()
    start_call()
    assert fake_twilio.calls[0]["From"] == "+18025550188"


def test_twilio_rejecting_the_credentials_fails_the_session(twilio_settings, fake_twilio, action, start_call):
    twilio_settings.TWILIO_AUTH_TOKEN = "wrong-token"
    session = CallSession.objects.get(pk=start_call().json()["id"])
    assert session.status == "failed"
    assert "401" in session.error
    assert fake_twilio.calls == []
    assert set(session.legs.values_list("status", flat=True)) == {"not-reached"}


@pytest.fixture
def eager_retries():
    """Eager Celery re-raises a task's Retry when it propagates errors; let it run the retries instead,
    as a worker would (without the countdown)."""
    from campaign.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


def test_twilio_outage_is_retried_then_the_call_is_placed_once(
    twilio_settings, fake_twilio, action, start_call, eager_retries
):
    fake_twilio.fail_next = [(503, {"code": 20500, "message": "down", "status": 503})] * 2
    session = CallSession.objects.get(pk=start_call().json()["id"])
    assert len(fake_twilio.calls) == 1
    assert session.twilio_sid == fake_twilio.calls[0]["_sid"]
    assert [status for _, _, status in fake_twilio.requests] == [503, 503, 201]


def test_twilio_down_for_good_marks_the_session_failed(twilio_settings, fake_twilio, action, start_call, eager_retries):
    fake_twilio.fail_next = [(500, {"code": 20500, "message": "down", "status": 500})] * 10
    session = CallSession.objects.get(pk=start_call().json()["id"])
    assert session.status == "failed"
    assert len(fake_twilio.requests) == 6  # the first try and five retries


def test_a_second_run_of_the_task_places_nothing(twilio_settings, fake_twilio, action, start_call):
    from outreach.tasks.calls import call_place

    session_id = start_call().json()["id"]
    call_place.delay(session_id)
    assert len(fake_twilio.calls) == 1


def test_stuck_sessions_are_failed_not_replaced(twilio_settings, fake_twilio, action, api_client, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from outreach.services.call_progress import call_sessions_sweep

    # Enqueued but never run (the on_commit callback is not executed here).
    response = api_client.post(
        "/api/v1/campaigns/moratorium/calls/",
        {"phone": SUPPORTER, "postal_code": "05401", "consent": True},
        format="json",
    )
    assert response.status_code == 202
    assert call_sessions_sweep() == 0
    later = timezone.now() + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert call_sessions_sweep() == 1
    assert CallSession.objects.get().status == "failed"
    assert fake_twilio.calls == []


def test_console_backend_plays_a_whole_session_without_network(settings, action, start_call):
    settings.TELEPHONY_BACKEND = "console"
    settings.CALL_OFFICE_HOURS = False
    session = CallSession.objects.get(pk=start_call().json()["id"])
    assert session.status == "completed"
    assert session.outcome == "connected"
    assert session.twilio_sid.startswith("CA")
    legs = [(leg.target_key, leg.office_kind, leg.status) for leg in session.legs.order_by("position", "attempt")]
    # The console's third office is always busy, so the district fallback shows in the demo too.
    assert legs == [
        ("S000033", "dc", "completed"),
        ("W000800", "dc", "completed"),
        ("B001318", "dc", "busy"),
        ("B001318", "district", "completed"),
    ]


def test_console_webhooks_still_refuse_unsigned_requests(settings, action, start_call, client):
    settings.TELEPHONY_BACKEND = "console"
    session_id = start_call().json()["id"]
    assert client.post(f"/twilio/calls/{session_id}/status/", {"CallStatus": "failed"}).status_code == 403


# --- the call page ---------------------------------------------------------------------------------
def test_call_page_shows_the_form_consent_and_script(twilio_settings, action, client):
    response = client.get("/c/moratorium/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "csrfmiddlewaretoken" in html
    assert "face recognition" in html
    assert "I agree to receive a phone call" in html
    assert "your two senators and your representative" in html


def test_call_page_refuses_a_post_without_csrf_token(twilio_settings, action):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/c/moratorium/", {"phone": SUPPORTER, "postal_code": "05401", "consent": "on"})
    assert response.status_code == 403
    assert not CallSession.objects.exists()


def test_call_page_starts_a_call_and_takes_a_report(
    twilio_settings, fake_twilio, action, django_capture_on_commit_callbacks
):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/c/moratorium/")
    token = page.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            "/c/moratorium/",
            {"phone": "802 555 0123", "postal_code": "05401", "consent": "on", "csrfmiddlewaretoken": token},
        )
    assert response.status_code == 302
    session = CallSession.objects.get()
    assert response["Location"] == f"/c/moratorium/s/{session.id}/"
    assert len(fake_twilio.calls) == 1
    status_page = browser.get(response["Location"])
    assert "Bernard Sanders" in status_page.content.decode()
    assert SUPPORTER not in status_page.content.decode()
    response = browser.post(
        f"/c/moratorium/s/{session.id}/feedback/",
        {"target": "B001318", "outcome": "voicemail", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert CallFeedback.objects.get(session=session).outcome == "voicemail"


def test_call_page_asks_for_an_address_for_a_split_zip(twilio_settings, action, client):
    response = client.post("/c/moratorium/", {"phone": "+13125550111", "postal_code": "60616", "consent": "on"})
    assert response.status_code == 400
    assert "add your street address" in response.content.decode()


def test_call_page_for_a_campaign_without_calls_is_404(client, campaign):
    assert client.get("/c/moratorium/").status_code == 404


def test_demo_seed_adds_a_call_action_for_senators_and_representative(db):
    from campaign.seed import demo_campaign_seed
    from outreach.models import CallAction

    demo_campaign_seed()
    demo_campaign_seed()
    action = CallAction.objects.get(campaign__slug="face-recognition-moratorium")
    assert action.target_rule == "both"
    assert action.target_order == "senate_first"
    assert "moratorium" in action.script


def test_recorded_script_is_played_instead_of_read(twilio_settings, fake_twilio, action, start_call, simulator):
    action.script_audio_url = "https://media.example.org/script.mp3"
    action.save()
    start_call()
    transcript = simulator.run_outbound(fake_twilio.calls[0], digits=[None, None])
    assert transcript.played == ["https://media.example.org/script.mp3"]
    assert "Please support a moratorium" not in transcript.text


def test_action_outside_its_dates_takes_no_calls(twilio_settings, action, start_call):
    from datetime import timedelta

    from django.utils import timezone

    action.starts_at = timezone.now() - timedelta(days=10)
    action.ends_at = timezone.now() - timedelta(days=1)
    action.save()
    start_call(expect=404)


def test_live_call_actions_apply_dates_and_statuses_in_one_query(
    twilio_settings, campaign, action, django_assert_num_queries
):
    from datetime import timedelta

    from django.utils import timezone

    from organizing.models import Campaign
    from outreach.selectors.calls import live_call_actions
    from outreach.services.call_inbound import inbound_action
    from outreach.services.calls import call_action_is_live

    now = timezone.now()
    action.starts_at, action.ends_at = now, now + timedelta(hours=1)
    action.save()
    with django_assert_num_queries(1):
        assert list(live_call_actions(now)) == [action]
    assert not live_call_actions(now - timedelta(seconds=1)).exists()  # not started yet
    assert not call_action_is_live(action, now + timedelta(hours=1))  # ends_at is exclusive
    assert inbound_action(CAMPAIGN_NUMBER, now) == action
    assert inbound_action(CAMPAIGN_NUMBER, now - timedelta(seconds=1)) is None
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.PAUSED)
    assert not call_action_is_live(action, now)


def test_specific_members_are_called_whatever_the_callers_zip(twilio_settings, campaign, start_call):
    from outreach.services.calls import call_action_create

    call_action_create(
        campaign=campaign, name="Leaders", script="x", target_rule="specific", bioguide_ids=["P000197", "S000033"]
    )
    body = start_call(postal_code="94110", phone="+14155550123").json()
    assert [t["bioguide_id"] for t in body["targets"]] == ["S000033", "P000197"]  # senate first


def test_committee_rule_calls_the_callers_own_members_on_the_committee(twilio_settings, campaign, start_call):
    from outreach.services.calls import call_action_create

    call_action_create(campaign=campaign, name="Judiciary", script="x", target_rule="committee", committee_id="SSJU")
    assert [t["bioguide_id"] for t in start_call().json()["targets"]] == ["W000800"]
    # DC has no senators and its delegate is not on it: the chair and the ranking member instead.
    body = start_call(postal_code="20001", phone="+12025550111").json()
    assert {t["bioguide_id"] for t in body["targets"]} == {"G000386", "D000563"}


def test_admin_lists_sessions_without_phones_and_blocks_by_hash(twilio_settings, action, start_call, admin_client):
    from outreach.models import CallBlock
    from outreach.phones import phone_hash

    session_id = start_call().json()["id"]
    for url in ("/admin/outreach/callsession/", f"/admin/outreach/callsession/{session_id}/change/"):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert "5550123" not in response.content.decode()
    response = admin_client.post(
        "/admin/outreach/callblock/add/", {"kind": "phone", "value": "(802) 555-0123", "reason": "abuse"}
    )
    assert response.status_code == 302
    block = CallBlock.objects.get()
    assert block.value_hash == phone_hash(SUPPORTER)
    assert block.label == "…0123"
    assert admin_client.get("/admin/outreach/callaction/").status_code == 200


@pytest.mark.parametrize(
    ("typed", "seen"), [("0:0:0:0:0:0:0:1", "::1"), ("::1", "0:0:0:0:0:0:0:1"), (" 127.0.0.1 ", "127.0.0.1")]
)
def test_an_ip_blocked_in_the_admin_matches_however_it_is_written(admin_client, typed, seen):
    from outreach.models import CallBlock
    from outreach.phones import ip_hash
    from outreach.services.call_limits import blocked

    response = admin_client.post("/admin/outreach/callblock/add/", {"kind": "ip", "value": typed, "reason": "abuse"})
    assert response.status_code == 302
    assert CallBlock.objects.get().value_hash == ip_hash(seen)
    assert blocked(ip_digest=ip_hash(seen))


def test_the_admin_refuses_a_block_value_that_is_no_ip(admin_client):
    from outreach.models import CallBlock

    response = admin_client.post("/admin/outreach/callblock/add/", {"kind": "ip", "value": "not-an-ip"})
    assert response.status_code == 200
    assert "IPv4 or IPv6" in response.content.decode()
    assert not CallBlock.objects.exists()


def test_old_sessions_forget_the_phone_but_keep_the_limit(twilio_settings, action, start_call, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from outreach.services.call_progress import call_phones_forget

    session_id = start_call().json()["id"]
    assert call_phones_forget() == 0
    later = timezone.now() + timedelta(days=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert call_phones_forget() == 1
    session = CallSession.objects.get(pk=session_id)
    assert session.phone == ""
    assert session.phone_hash
