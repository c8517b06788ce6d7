"""A call under way at the turnover: offices of members who left are never dialed."""

import pytest

from congress.services import congress_data_sync
from outreach.models import CallLeg, CallSession
from tests.congress import turnover
from tests.fakes.twilio import Dial

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("forget_congress_snapshots")]
SCHIFF_DC = "+12022243841"


def test_legs_to_departed_members_are_closed_and_the_caller_reaches_only_sitting_members(
    twilio_settings, fake_twilio, action, start_call, simulator, tmp_path, django_capture_on_commit_callbacks
):
    response = start_call(postal_code="94110")
    assert [t["bioguide_id"] for t in response.json()["targets"]] == ["P000145", "S001150", "P000197"]
    with django_capture_on_commit_callbacks(execute=True):
        load = congress_data_sync(source=str(turnover.build(tmp_path / "r", roster="120", lines="119")))
    session = CallSession.objects.get(pk=response.json()["id"])
    statuses = dict(CallLeg.objects.filter(session=session).values_list("target_key", "status"))
    assert statuses == {"P000145": "left-office", "S001150": "pending", "P000197": "left-office"}
    left = {e["bioguide_id"]: e.get("queued_work") for e in load.report["left"]}
    assert left["P000145"] == {"call_legs_closed": 1} and left["P000197"] == {"call_legs_closed": 1}

    transcript = simulator.run_outbound(fake_twilio.calls[0], digits=["1"], dials=[Dial("completed", 30)])
    assert transcript.numbers == [SCHIFF_DC]


def test_a_leg_whose_member_leaves_mid_call_is_skipped_when_its_turn_comes(
    twilio_settings, fake_twilio, action, start_call, simulator
):
    from congress.models import Legislator

    response = start_call(postal_code="94110")
    # The roster changed without the handler's sweep (a load committed between two webhooks).
    Legislator.objects.filter(pk="P000197").update(in_office=False)
    transcript = simulator.run_outbound(
        fake_twilio.calls[0], digits=["1"], dials=[Dial("completed", 30), Dial("completed", 30)]
    )
    assert len(transcript.numbers) == 2 and "+12022254965" not in transcript.numbers
    session = CallSession.objects.get(pk=response.json()["id"])
    assert CallLeg.objects.get(session=session, target_key="P000197").status == "left-office"


def test_a_zip_across_a_state_line_on_the_call_in_line_dials_no_one(twilio_settings, action, simulator):
    from tests.outreach.calls.conftest import CAMPAIGN_NUMBER

    transcript = simulator.run_inbound(
        voice_url="https://campaign.example.org/twilio/calls/inbound/",
        status_url=None,
        from_="+14015550111",
        to=CAMPAIGN_NUMBER,
        digits=["02861"],  # USPS Rhode Island; the crosswalk puts part of it in Massachusetts
    )
    assert transcript.dialed == [] and transcript.hung_up
    assert "couldn't find offices to call" in transcript.text
    assert CallSession.objects.get(direction="inbound").outcome == "no_targets"
