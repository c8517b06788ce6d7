"""End-to-end call flows: the API starts a call, the Celery task asks the fake Twilio REST API to place
it, and the simulator plays the phone network against our signed webhooks."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from congress.models import Legislator
from outreach.models import CallAction, CallLeg, CallSession
from outreach.phones import phone_normalize
from outreach.services.call_limits import call_block_add
from tests.fakes.twilio import Dial
from tests.outreach.calls.conftest import CAMPAIGN_NUMBER, SUPPORTER

pytestmark = pytest.mark.django_db

SANDERS, WELCH, BALINT = "+12022245141", "+12022244242", "+12022254115"
BALINT_BURLINGTON = "+18026522450"


def _session(response) -> CallSession:
    return CallSession.objects.get(pk=response.json()["id"])


def _legs(session) -> list[tuple[str, int, str, str]]:
    return [
        (leg.target_key, leg.attempt, leg.office_kind, leg.status)
        for leg in CallLeg.objects.filter(session=session).order_by("position", "attempt")
    ]


def test_two_senators_and_representative_are_patched_through(
    twilio_settings, fake_twilio, action, start_call, simulator
):
    response = start_call()
    body = response.json()
    assert [t["bioguide_id"] for t in body["targets"]] == ["S000033", "W000800", "B001318"]

    assert len(fake_twilio.calls) == 1
    created = fake_twilio.calls[0]
    session = _session(response)
    assert created["To"] == SUPPORTER
    assert created["From"] == CAMPAIGN_NUMBER
    assert created["Url"] == f"https://campaign.example.org/twilio/calls/{session.id}/answer/"
    assert created["StatusCallback"] == f"https://campaign.example.org/twilio/calls/{session.id}/status/"
    assert session.twilio_sid == created["_sid"]
    assert session.status == "initiated"

    transcript = simulator.run_outbound(
        created, digits=["1"], dials=[Dial("completed", 95), Dial("completed", 40), Dial("completed", 61)]
    )

    assert transcript.gathers[0]["numDigits"] == "1"
    assert "face recognition" in transcript.text
    assert transcript.numbers == [SANDERS, WELCH, BALINT]
    assert {d["callerId"] for d in transcript.dialed} == {CAMPAIGN_NUMBER}
    assert all(d["hangupOnStar"] == "true" for d in transcript.dialed)
    assert "Bernard Sanders" in transcript.text and "Becca Balint" in transcript.text
    assert "tell us how your calls went" in transcript.text
    assert transcript.hung_up
    session.refresh_from_db()
    assert session.status == "completed"
    assert session.outcome == "connected"
    assert session.connected_at is not None and session.ended_at is not None
    legs = list(session.legs.order_by("position"))
    assert [(leg.status, leg.duration, leg.office_kind) for leg in legs] == [
        ("completed", 95, "dc"),
        ("completed", 40, "dc"),
        ("completed", 61, "dc"),
    ]
    # No webhook URL carried a phone number or any call state: only the opaque ids.
    for path, _ in transcript.responses:
        assert "+1" not in path and "?" not in path
        assert SUPPORTER[2:] not in path  # ten digits: a random id can't hold them by chance


def test_busy_dc_office_is_retried_once_at_a_district_office(
    twilio_settings, fake_twilio, action, start_call, simulator
):
    session = _session(start_call())
    transcript = simulator.run_outbound(
        fake_twilio.calls[0],
        digits=["1"],
        dials=[Dial("completed", 30), Dial("completed", 30), Dial("busy"), Dial("no-answer")],
    )
    # Balint's DC line is busy: the Burlington office (nearest to 05401) is tried once, then the call ends.
    assert transcript.numbers == [SANDERS, WELCH, BALINT, BALINT_BURLINGTON]
    assert "Burlington office" in transcript.text
    assert _legs(session) == [
        ("S000033", 1, "dc", "completed"),
        ("W000800", 1, "dc", "completed"),
        ("B001318", 1, "dc", "busy"),
        ("B001318", 2, "district", "no-answer"),
    ]
    record = simulator.client.get(f"/api/v1/calls/{session.id}/").json()
    balint = record["targets"][2]
    assert balint["result"] == "no-answer"
    assert [leg["office"]["label"] for leg in balint["legs"]] == ["Washington, DC", "Burlington"]


def test_no_key_prompts_once_more_then_says_goodbye_without_dialing(
    twilio_settings, fake_twilio, action, start_call, simulator
):
    session = _session(start_call())
    transcript = simulator.run_outbound(fake_twilio.calls[0], digits=[None, None])
    assert len(transcript.gathers) == 2
    assert transcript.dialed == []
    assert "won't connect this call" in transcript.text
    assert transcript.hung_up
    session.refresh_from_db()
    assert session.outcome == "no_key"
    assert session.connected_at is None
    assert set(session.legs.values_list("status", flat=True)) == {"not-reached"}


def test_a_wrong_key_prompts_once_more_then_says_goodbye(twilio_settings, fake_twilio, action, start_call, simulator):
    session = _session(start_call())
    transcript = simulator.run_outbound(fake_twilio.calls[0], digits=["2", "7", "1"])
    # The script's gather, then one more prompt; the second wrong key ends the call.
    assert len(transcript.gathers) == 2
    assert transcript.dialed == []
    assert "won't connect this call" in transcript.text
    assert transcript.hung_up
    session.refresh_from_db()
    assert session.outcome == "no_key"
    assert session.connected_at is None


def test_next_office_is_never_dialed_before_a_key_is_pressed(
    twilio_settings, fake_twilio, action, start_call, simulator
):
    session = _session(start_call())
    response = simulator.post(f"https://campaign.example.org/twilio/calls/{session.id}/next/", {"CallSid": "CAx"})
    assert response.status_code == 200
    assert b"<Dial" not in response.content
    assert not session.legs.exclude(status="pending").exists()


def test_star_skips_the_current_office_and_moves_to_the_next(
    twilio_settings, fake_twilio, action, start_call, simulator
):
    session = _session(start_call())
    transcript = simulator.run_outbound(
        fake_twilio.calls[0], digits=["1"], dials=[Dial("completed", 4, star=True), Dial("completed", 50), Dial()]
    )
    assert transcript.numbers == [SANDERS, WELCH, BALINT]
    assert transcript.dialed[0]["hangupOnStar"] == "true"
    assert transcript.dialed[0].get("starred") and not transcript.dialed[1].get("starred")
    assert "Press star" in transcript.text
    assert [leg[3] for leg in _legs(session)] == ["completed", "completed", "completed"]
    assert session.legs.get(position=0).duration == 4


def test_withheld_callers_on_the_call_in_line_share_an_hourly_limit(twilio_settings, action, simulator):
    twilio_settings.THROTTLES_ENABLED = True
    twilio_settings.CALL_IP_HOURLY_LIMIT = 2

    def ring(from_):
        return simulator.run_inbound(
            voice_url="https://campaign.example.org/twilio/calls/inbound/",
            status_url=None,
            from_=from_,
            to=CAMPAIGN_NUMBER,
            digits=[],
        )

    assert "ZIP code" in ring("anonymous").text
    assert "ZIP code" in ring("anonymous").text
    refused = ring("anonymous")
    assert "call again later" in refused.text and refused.gathers == []
    assert CallSession.objects.count() == 2
    # A caller with a US number is limited per phone, by the day, not by this pool.
    assert "ZIP code" in ring("+18025550177").text


def test_call_in_line_asks_for_a_zip_and_connects(twilio_settings, action, simulator):
    transcript = simulator.run_inbound(
        voice_url="https://campaign.example.org/twilio/calls/inbound/",
        status_url="https://campaign.example.org/twilio/calls/inbound/status/",
        from_="+18025550177",
        to=CAMPAIGN_NUMBER,
        digits=["05401", "1"],
        dials=[Dial(), Dial(), Dial()],
    )
    assert transcript.gathers[0]["numDigits"] == "5"
    assert "ZIP code" in transcript.gathers[0]["said"][-1]
    assert transcript.numbers == [SANDERS, WELCH, BALINT]
    assert "You'll be connected to Senator Bernard Sanders, Senator Peter Welch and Representative Becca Balint" in (
        transcript.text
    )
    session = CallSession.objects.get(direction="inbound")
    assert session.postal_code == "05401"
    assert session.status == "completed"
    assert session.caller_id == CAMPAIGN_NUMBER


def test_call_in_line_asks_again_after_an_unknown_zip_then_gives_up(twilio_settings, action, simulator):
    transcript = simulator.run_inbound(
        voice_url="https://campaign.example.org/twilio/calls/inbound/",
        status_url=None,
        from_="+18025550177",
        to=CAMPAIGN_NUMBER,
        digits=["00000", None],
    )
    assert "didn't recognize that ZIP" in transcript.text
    assert transcript.dialed == []
    assert transcript.hung_up
    assert CallSession.objects.get(direction="inbound").outcome == "no_zip"


def test_split_zip_on_the_call_in_line_calls_the_senators_and_says_why(twilio_settings, action, simulator):
    transcript = simulator.run_inbound(
        voice_url="https://campaign.example.org/twilio/calls/inbound/",
        status_url=None,
        from_="+13125550111",
        to=CAMPAIGN_NUMBER,
        digits=["60616", "1"],
    )
    assert "split between congressional districts" in transcript.text
    assert transcript.numbers == ["+12022242854", "+12022242152"]  # Duckworth, Durbin
    session = CallSession.objects.get(direction="inbound")
    assert session.split_zip is True
    assert session.district is None


def test_split_zip_on_the_api_asks_for_an_address(twilio_settings, fake_twilio, action, start_call):
    response = start_call(postal_code="60616", phone="+13125550111", expect=400)
    body = response.json()
    assert "address" in body["errors"]
    assert fake_twilio.calls == []
    assert not CallSession.objects.exists()


def test_split_zip_with_a_street_reaches_the_district_representative(
    twilio_settings, fake_twilio, fake_census, action, start_call, simulator
):
    from tests.fakes.census import match_payload

    # The geocoder gets the ZIP with the street: a bare street could match one in another city.
    fake_census.add(
        "2301 S Michigan Ave, 60616", match_payload(state="IL", state_fips="17", district="07", zip="60616")
    )
    response = start_call(postal_code="60616", address="2301 S Michigan Ave", phone="+13125550111")
    davis = Legislator.objects.get(state="IL", district=7, in_office=True)
    assert [t["bioguide_id"] for t in response.json()["targets"]][-1] == davis.bioguide_id
    session = _session(response)
    assert (session.district_state, session.district) == ("IL", 7)
    transcript = simulator.run_outbound(fake_twilio.calls[0], digits=["1"], dials=[Dial(), Dial(), Dial()])
    assert transcript.numbers[-1] == phone_normalize(davis.phone, office=True)
    assert session.legs.get(position=2).legislator_id == davis.bioguide_id


def _at(monkeypatch, when: datetime):
    monkeypatch.setattr(timezone, "now", lambda: when)


# Wednesday 2026-11-18, 18:30 Eastern = 15:30 Pacific: DC closed, California offices open.
AFTER_DC_HOURS = datetime(2026, 11, 18, 23, 30, tzinfo=UTC)
# Wednesday 2026-11-18, 23:30 Eastern: everything closed.
NIGHT = datetime(2026, 11, 19, 4, 30, tzinfo=UTC)


def test_after_dc_hours_an_open_district_office_is_called_instead(
    twilio_settings, fake_twilio, action, start_call, simulator, monkeypatch
):
    twilio_settings.CALL_OFFICE_HOURS = True
    _at(monkeypatch, AFTER_DC_HOURS)
    session = _session(start_call(postal_code="94110", phone="+14155550123"))
    transcript = simulator.run_outbound(fake_twilio.calls[0], digits=["1"])
    # Padilla's and Schiff's San Francisco-nearest offices, Pelosi's San Francisco office.
    assert [leg[2] for leg in _legs(session)] == ["district", "district", "district"]
    assert transcript.numbers[2] == "+14155564862"
    assert "closed" not in transcript.text


def test_at_night_the_caller_hears_the_offices_are_closed_and_leaves_voicemails(
    twilio_settings, fake_twilio, action, start_call, simulator, monkeypatch
):
    twilio_settings.CALL_OFFICE_HOURS = True
    _at(monkeypatch, NIGHT)
    session = _session(start_call())
    transcript = simulator.run_outbound(fake_twilio.calls[0], digits=["1"])
    assert transcript.numbers == [SANDERS, WELCH, BALINT]
    assert transcript.text.count("closed right now. Stay on the line to leave a voicemail") == 3
    assert all(session.legs.values_list("after_hours", flat=True))


def test_at_night_a_skip_campaign_refuses_to_start(twilio_settings, fake_twilio, action, start_call, monkeypatch):
    twilio_settings.CALL_OFFICE_HOURS = True
    action.after_hours = CallAction.AfterHours.SKIP
    action.save()
    _at(monkeypatch, NIGHT)
    response = start_call(expect=409)
    assert "closed" in response.json()["message"]
    assert "weekdays 9:00 to 17:00" in response.json()["message"]
    assert fake_twilio.calls == []


def test_the_closed_message_states_the_hours_office_hours_uses(
    twilio_settings, fake_twilio, action, start_call, monkeypatch
):
    from datetime import time

    from outreach import office_hours

    twilio_settings.CALL_OFFICE_HOURS = True
    monkeypatch.setattr(office_hours, "CLOSE_AT", time(16, 30))
    action.after_hours = CallAction.AfterHours.SKIP
    action.save()
    _at(monkeypatch, NIGHT)
    assert "weekdays 9:00 to 16:30" in start_call(expect=409).json()["message"]


def test_offices_closing_mid_call_are_skipped_when_the_campaign_says_so(
    twilio_settings, fake_twilio, action, start_call, simulator, monkeypatch
):
    action.after_hours = CallAction.AfterHours.SKIP
    action.save()
    session = _session(start_call())  # started with hours off
    twilio_settings.CALL_OFFICE_HOURS = True
    _at(monkeypatch, NIGHT)
    transcript = simulator.run_outbound(fake_twilio.calls[0], digits=["1"])
    assert transcript.dialed == []
    assert "closed right now, so we'll skip them" in transcript.text
    assert [leg[3] for leg in _legs(session)] == ["closed", "closed", "closed"]


def test_office_hours_off_dials_dc_at_night(twilio_settings, fake_twilio, action, start_call, simulator, monkeypatch):
    _at(monkeypatch, NIGHT)  # CALL_OFFICE_HOURS is off in these settings
    session = _session(start_call())
    transcript = simulator.run_outbound(fake_twilio.calls[0], digits=["1"])
    assert transcript.numbers == [SANDERS, WELCH, BALINT]
    assert "closed" not in transcript.text
    assert not any(session.legs.values_list("after_hours", flat=True))


@pytest.mark.parametrize("signature", ["", "forged-signature", "SIGNED-FOR-ANOTHER-URL"])
def test_forged_or_missing_signature_is_refused_and_changes_nothing(
    twilio_settings, fake_twilio, action, start_call, simulator, signature
):
    session = _session(start_call())
    if signature == "SIGNED-FOR-ANOTHER-URL":
        signature = simulator.sign("https://campaign.example.org/twilio/calls/other/", {"CallStatus": "completed"})
    hooks = {
        "answer": {"CallSid": "CAx", "CallStatus": "in-progress"},
        "gather": {"Digits": "1"},
        "next": {},
        "status": {"CallStatus": "completed", "CallDuration": "99"},
        "no-key": {},
        "zip": {"Digits": "05401"},
    }
    for hook, params in hooks.items():
        url = f"https://campaign.example.org/twilio/calls/{session.id}/{hook}/"
        assert simulator.post(url, params, signature=signature).status_code == 403
    leg = session.legs.first()
    url = f"https://campaign.example.org/twilio/calls/legs/{leg.id}/dialed/"
    assert simulator.post(url, {"DialCallStatus": "busy"}, signature=signature).status_code == 403
    inbound = {"From": "+18025550177", "To": CAMPAIGN_NUMBER, "CallSid": "CA1"}
    url = "https://campaign.example.org/twilio/calls/inbound/"
    assert simulator.post(url, inbound, signature=signature).status_code == 403

    before = CallSession.objects.get(pk=session.pk)
    assert (before.status, before.outcome, before.connected_at, before.answered_at) == ("initiated", "", None, None)
    assert set(session.legs.values_list("status", flat=True)) == {"pending"}
    assert CallSession.objects.count() == 1


def test_signature_is_checked_against_the_public_url_behind_a_proxy(
    twilio_settings, fake_twilio, action, start_call, client
):
    from tests.fakes.twilio import AUTH_TOKEN, CallSimulator

    session = _session(start_call())
    # The proxy forwards to an internal host over plain HTTP; Twilio signed the public https URL.
    behind = CallSimulator(
        client, auth_token=AUTH_TOKEN, public_base="https://campaign.example.org", host="127.0.0.1:8000"
    )
    url = f"https://campaign.example.org/twilio/calls/{session.id}/status/"
    assert behind.post(url, {"CallStatus": "ringing"}).status_code == 204
    session.refresh_from_db()
    assert session.status == "ringing"


def test_webhooks_accept_post_only(twilio_settings, action, start_call, client):
    session = _session(start_call())
    assert client.get(f"/twilio/calls/{session.id}/answer/").status_code == 405


def test_repeated_and_out_of_order_callbacks_change_nothing_twice(
    twilio_settings, fake_twilio, action, start_call, simulator
):
    session = _session(start_call())
    created = fake_twilio.calls[0]
    simulator.run_outbound(created, digits=["1"], dials=[Dial("completed", 30), Dial("busy"), Dial("completed", 20)])
    session.refresh_from_db()
    snapshot = (session.status, session.ended_at, session.duration, session.updated_at)
    legs_before = list(CallLeg.objects.filter(session=session).order_by("position", "attempt").values())

    status_url = created["StatusCallback"]
    base = {"CallSid": created["_sid"], "From": created["From"], "To": created["To"]}
    for status in ("completed", "ringing", "in-progress", "initiated", "completed"):
        assert simulator.post(status_url, {**base, "CallStatus": status, "CallDuration": "500"}).status_code == 204
    # Twilio retries a Dial action: the office's result and the fallback stay as first recorded.
    for leg in CallLeg.objects.filter(session=session):
        url = f"https://campaign.example.org/twilio/calls/legs/{leg.id}/dialed/"
        response = simulator.post(url, {**base, "DialCallStatus": "busy", "DialCallDuration": "7"})
        assert response.status_code == 200
    simulator.post(f"https://campaign.example.org/twilio/calls/{session.id}/gather/", {**base, "Digits": "1"})
    simulator.post(f"https://campaign.example.org/twilio/calls/{session.id}/no-key/", base)

    session.refresh_from_db()
    assert (session.status, session.ended_at, session.duration, session.updated_at) == snapshot
    assert session.outcome == "connected"
    assert list(CallLeg.objects.filter(session=session).order_by("position", "attempt").values()) == legs_before
    assert CallLeg.objects.filter(session=session, attempt=2).count() == 1


def test_a_status_callback_is_one_select_and_one_update(
    twilio_settings, fake_twilio, action, start_call, simulator, django_assert_num_queries
):
    session = _session(start_call())
    CallSession.objects.filter(pk=session.pk).update(twilio_sid=None)
    created = fake_twilio.calls[0]
    with django_assert_num_queries(2):
        response = simulator.post(created["StatusCallback"], {"CallSid": "CAfirst", "CallStatus": "in-progress"})
    assert response.status_code == 204
    session.refresh_from_db()
    assert (session.status, session.twilio_sid) == ("in-progress", "CAfirst")
    answered = session.answered_at
    assert answered is not None
    simulator.post(created["StatusCallback"], {"CallSid": "CAother", "CallStatus": "completed", "CallDuration": "9"})
    session.refresh_from_db()
    # The first sid and answer time stay.
    assert (session.status, session.twilio_sid, session.answered_at) == ("completed", "CAfirst", answered)


def test_repeated_next_request_dials_the_same_office_again(twilio_settings, fake_twilio, action, start_call, simulator):
    session = _session(start_call())
    base = {"CallSid": fake_twilio.calls[0]["_sid"]}
    simulator.post(f"https://campaign.example.org/twilio/calls/{session.id}/gather/", {**base, "Digits": "1"})
    url = f"https://campaign.example.org/twilio/calls/{session.id}/next/"
    first, second = simulator.post(url, base), simulator.post(url, base)
    assert first.content == second.content
    assert SANDERS.encode() in first.content
    assert list(session.legs.values_list("status", flat=True).order_by("position")) == ["dialing", "pending", "pending"]


def test_a_late_dial_result_after_hangup_is_still_recorded_once(
    twilio_settings, fake_twilio, action, start_call, simulator
):
    session = _session(start_call())
    created = fake_twilio.calls[0]
    base = {"CallSid": created["_sid"]}
    simulator.post(f"https://campaign.example.org/twilio/calls/{session.id}/gather/", {**base, "Digits": "1"})
    simulator.post(f"https://campaign.example.org/twilio/calls/{session.id}/next/", base)
    simulator.post(created["StatusCallback"], {**base, "CallStatus": "completed", "CallDuration": "80"})
    assert [leg[3] for leg in _legs(session)] == ["abandoned", "not-reached", "not-reached"]
    leg = session.legs.get(position=0)
    url = f"https://campaign.example.org/twilio/calls/legs/{leg.id}/dialed/"
    response = simulator.post(url, {**base, "DialCallStatus": "completed", "DialCallDuration": "70"})
    assert b"<Hangup" in response.content
    simulator.post(url, {**base, "DialCallStatus": "failed", "DialCallDuration": "0"})
    leg.refresh_from_db()
    assert (leg.status, leg.duration) == ("completed", 70)


@pytest.mark.parametrize(("reported", "recorded"), [("answered", "completed"), ("", "failed"), ("weird", "failed")])
def test_an_unexpected_dial_status_is_recorded_and_the_call_goes_on(
    twilio_settings, fake_twilio, action, start_call, simulator, reported, recorded
):
    session = _session(start_call())
    base = {"CallSid": fake_twilio.calls[0]["_sid"]}
    simulator.post(f"https://campaign.example.org/twilio/calls/{session.id}/answer/", base)
    simulator.post(f"https://campaign.example.org/twilio/calls/{session.id}/gather/", {**base, "Digits": "1"})
    simulator.post(f"https://campaign.example.org/twilio/calls/{session.id}/next/", base)
    leg = session.legs.get(position=0)
    url = f"https://campaign.example.org/twilio/calls/legs/{leg.id}/dialed/"
    response = simulator.post(url, {**base, "DialCallStatus": reported, "DialCallDuration": "5"})
    # A 4xx here would make Twilio drop the caller in the middle of the call.
    assert response.status_code == 200
    assert b"<Hangup" not in response.content
    assert b"/next/" in response.content
    leg.refresh_from_db()
    assert leg.status == recorded


def test_a_phone_is_limited_to_three_sessions_a_day(twilio_settings, fake_twilio, action, start_call):
    for _ in range(3):
        start_call()
    # The same phone written another way is the same phone.
    response = start_call(phone="(802) 555-0123", expect=429)
    assert int(response["Retry-After"]) > 23 * 3600
    assert len(fake_twilio.calls) == 3
    assert CallSession.objects.count() == 3


def test_the_phone_limit_frees_up_after_a_day(twilio_settings, action, start_call, monkeypatch):
    for _ in range(3):
        start_call()
    _at(monkeypatch, timezone.now() + timedelta(hours=24, minutes=1))
    start_call()


def test_an_ip_is_limited_per_hour(twilio_settings, action, start_call):
    twilio_settings.CALL_IP_HOURLY_LIMIT = 2
    start_call(phone="+18025550001")
    start_call(phone="+18025550002")
    response = start_call(phone="+18025550003", expect=429)
    assert response.json()["message"].startswith("Too many calls")


def test_the_start_endpoint_is_throttled_per_ip_in_bursts(twilio_settings, action, start_call):
    twilio_settings.THROTTLE_RATES = {**twilio_settings.THROTTLE_RATES, "call_start_ip": "2/minute"}
    start_call(phone="+18025550001")
    start_call(phone="+18025550002")
    assert "Retry-After" in start_call(phone="+18025550003", expect=429)


def test_blocked_phone_and_ip_cannot_start_calls_until_the_block_expires(
    twilio_settings, fake_twilio, action, start_call, monkeypatch
):
    call_block_add(kind="phone", value="802-555-0123", reason="abuse", expires_at=timezone.now() + timedelta(days=1))
    assert start_call(expect=403).json()["message"].startswith("Calls from this phone")
    call_block_add(kind="ip", value="127.0.0.1", reason="abuse")
    assert start_call(phone="+18025550999", expect=403).status_code == 403
    assert fake_twilio.calls == []
    assert not CallSession.objects.exists()

    _at(monkeypatch, timezone.now() + timedelta(days=2))
    from outreach.models import CallBlock

    CallBlock.objects.filter(kind="ip").delete()
    start_call()  # the phone's block has expired


def test_blocked_caller_on_the_call_in_line_hears_goodbye_and_nothing_is_recorded(twilio_settings, action, simulator):
    call_block_add(kind="phone", value="+18025550177")
    transcript = simulator.run_inbound(
        voice_url="https://campaign.example.org/twilio/calls/inbound/",
        status_url="https://campaign.example.org/twilio/calls/inbound/status/",
        from_="+18025550177",
        to=CAMPAIGN_NUMBER,
        digits=["05401", "1"],
    )
    assert transcript.hung_up and transcript.dialed == []
    assert not CallSession.objects.exists()


def test_supporter_who_does_not_answer_leaves_the_legs_not_reached(
    twilio_settings, fake_twilio, action, start_call, simulator
):
    session = _session(start_call())
    simulator.run_outbound(fake_twilio.calls[0], answer=False)
    session.refresh_from_db()
    assert session.status == "no-answer"
    assert set(session.legs.values_list("status", flat=True)) == {"not-reached"}
