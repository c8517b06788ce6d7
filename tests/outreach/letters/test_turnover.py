"""Queued letters at the turnover: a letter written for a member who then leaves office is re-targeted to
whoever holds the seat or represents the writer's address now, or held as "target left office"; none is
delivered to the departed office."""

import pytest
from django.contrib.auth.models import User

from congress.models import DataLoad
from congress.services import congress_data_sync
from outreach.models import Letter, LetterEvent, PetitionDeliveredSignature
from outreach.services.petition_delivery import petition_deliver
from outreach.tasks.letters import deliver_letter
from tests.congress import turnover
from tests.fakes.census import match_payload
from tests.outreach.letters.conftest import letter_payload, sign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("forget_congress_snapshots")]
URL = "/api/v1/campaigns/face-recognition/letters/"
CA_ADDRESS = "2460 Mission St, San Francisco, CA 94110"


def load_120(tmp_path, capture, *, lines="119"):
    with capture(execute=True):
        return congress_data_sync(source=str(turnover.build(tmp_path / f"r{lines}", roster="120", lines=lines)))


def deliver_all(capture):
    with capture(execute=True):
        for letter_id in Letter.objects.values_list("pk", flat=True):
            deliver_letter.delay(str(letter_id))


def test_letters_queued_before_the_turnover_reach_the_new_members_not_the_departed(
    api_client, action, cwc, fake_census, tmp_path, django_capture_on_commit_callbacks
):
    house, senate = cwc
    # Written on the 119th's last day; the worker has not reached them yet.
    with django_capture_on_commit_callbacks(execute=False):
        response = api_client.post(URL, letter_payload(), format="json")
    assert response.status_code == 202, response.json()
    assert set(Letter.objects.values_list("bioguide_id", flat=True)) == {"P000145", "S001150", "P000197"}
    # The Senate lists the new senator's office once the 120th sits; the refresh after the load finds it.
    senate.state.offices.append(("SCA04", "Robin Seatholder [bioguide_id: T000002]"))
    # The geocoder's current vintage answers with the 120th's layer: the address lies in CA-11.
    fake_census.add(
        CA_ADDRESS,
        match_payload(state="CA", state_fips="06", district="11", zip="94110", congress=120, address=CA_ADDRESS),
        vintage="Current_Current",
    )
    load = load_120(tmp_path, django_capture_on_commit_callbacks)
    deliver_all(django_capture_on_commit_callbacks)

    letters = {letter.bioguide_id: letter for letter in Letter.objects.all()}
    assert set(letters) == {"S001150", turnover.NEW_SENATOR, turnover.NEW_HOUSE}
    senator, member = letters[turnover.NEW_SENATOR], letters[turnover.NEW_HOUSE]
    assert "Dear Senator Seatholder" in senator.body and senator.recipient_name == "Robin Seatholder"
    assert "Dear Representative Newmember" in member.body
    assert member.status == "sent" and member.office_code == "HCA11"
    assert senator.status == "sent" and senator.office_code == "SCA04"  # the refreshed listing
    assert {r.office for r in senate.received} == {"SCA01", "SCA04"}  # Padilla's SCA03 got nothing
    history = list(LetterEvent.objects.filter(letter=member).values_list("status", flat=True))
    assert "target_left" in history  # held until the address named the new member
    left = {e["bioguide_id"]: e for e in load.report["left"]}
    assert left["P000145"]["queued_work"] == {"letters_held": 1}
    assert left["P000197"]["queued_work"] == {"letters_held": 1}


def test_a_held_letter_stays_held_when_the_address_names_no_one_on_the_new_lines(
    api_client, action, cwc, fake_census, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        api_client.post(URL, letter_payload(), format="json")
    # Only the 119th's layer anywhere: the address cannot name a 120th member, and the ZIP alone is uncertain.
    load_120(tmp_path, django_capture_on_commit_callbacks)
    deliver_all(django_capture_on_commit_callbacks)
    held = Letter.objects.get(bioguide_id="P000197")
    assert held.status == "target_left"
    house, _ = cwc
    assert house.received == []


def test_a_letter_still_queued_for_a_departed_member_is_never_sent(
    api_client, action, cwc, tmp_path, django_capture_on_commit_callbacks
):
    load_120(tmp_path, django_capture_on_commit_callbacks)
    # A letter that reaches a worker after the load, e.g. one requeued from the failed list.
    letter = Letter.objects.create(
        action=action, bioguide_id="P000197", recipient_name="Nancy Pelosi", chamber="house", channel="cwc_house",
        office_code="HCA11", subject="s", body="b", status="queued",
    )  # fmt: skip
    deliver_all(django_capture_on_commit_callbacks)
    letter.refresh_from_db()
    house, _ = cwc
    assert letter.status == "target_left" and house.received == []


def test_petition_letters_go_to_the_successor_or_back_to_the_next_run(
    petition,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    for n in range(2):
        sign(petition, n, given="Ana", city="San Francisco", state="CA", district=11)
    with django_capture_on_commit_callbacks(execute=False):
        petition_deliver(slug=petition.slug)
    assert {"P000145", "S001150", "P000197"} <= set(Letter.objects.values_list("bioguide_id", flat=True))
    load_120(tmp_path, django_capture_on_commit_callbacks)
    letters = {letter.bioguide_id: letter for letter in Letter.objects.all()}
    assert "P000145" not in letters
    senator = letters[turnover.NEW_SENATOR]
    assert "Dear Senator Seatholder" in senator.body and "Ana Signer0" in senator.body
    held = letters["P000197"]
    assert held.status == "target_left"
    assert not PetitionDeliveredSignature.objects.filter(batch=held.petition_batch).exists()


def test_the_change_report_names_who_joined_left_moved_and_changed_phone(tmp_path, django_capture_on_commit_callbacks):
    load = load_120(tmp_path, django_capture_on_commit_callbacks)
    report = load.report
    assert {e["bioguide_id"] for e in report["joined"]} == {turnover.NEW_HOUSE, turnover.NEW_SENATOR}
    assert {e["bioguide_id"] for e in report["left"]} == {"P000197", "P000145", "D000096"}
    assert {(e["bioguide_id"], e["from"], e["seat"]) for e in report["moved"]} == {
        ("F000468", "TX-07", "TX-09"), ("G000553", "TX-09", "TX-07"),
    }  # fmt: skip
    assert [(e["bioguide_id"], e["to"]) for e in report["phone_changed"]] == [turnover.NEW_PHONE]
    assert report["congress"] == {"before": 119, "after": 120}
    assert report["crosswalk"]["congress"] == 119 and report["crosswalk"]["lines_unchanged_states"] == []


def test_sync_congress_prints_the_report_and_the_admin_shows_it(tmp_path, client, capsys):
    from django.core.management import call_command

    call_command("sync_congress", source=str(turnover.build(tmp_path / "p", roster="120", lines="119")))
    out = capsys.readouterr().out
    assert "left office: 3" in out and "Nancy Pelosi [P000197] CA-11" in out
    assert "moved seat: 2" in out and "ZIP lines of the 119th" in out
    admin = User.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    load = DataLoad.objects.latest()
    page = client.get(f"/admin/congress/dataload/{load.pk}/change/")
    assert page.status_code == 200 and b"Nancy Pelosi [P000197] CA-11" in page.content


def _campaign_organizer(campaign):
    from django.contrib.auth.models import Group

    from organizing.models import CampaignMembership

    user = User.objects.create_user("org", "org@example.org", "pw")
    user.groups.add(Group.objects.get(name="organizer"))
    CampaignMembership.objects.create(campaign=campaign, user=user, role=CampaignMembership.Role.ORGANIZER)
    return user


def test_an_organizer_lists_the_held_letters_and_has_one_looked_up_again(
    api_client, client, action, campaign, cwc, fake_census, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        api_client.post(URL, letter_payload(), format="json")
    load_120(tmp_path, django_capture_on_commit_callbacks)  # the address names no 120th member yet: held
    organizer = _campaign_organizer(campaign)
    api_client.force_authenticate(organizer)
    listed = api_client.get("/api/v1/letters/moderation/", {"status": "target_left"}).json()["results"]
    assert [(item["bioguide_id"], item["status"]) for item in listed] == [("P000197", "target_left")]
    assert api_client.get("/api/v1/letters/moderation/", {"status": "sent"}).status_code == 400
    # The dashboard tells the organizer too, without the admin.
    client.force_login(organizer)
    page = client.get("/dashboard/").content.decode()
    assert "Nancy Pelosi (CA-11)" in page and "1 letter</strong>" in page and "district lines" in page

    # An hour on, the geocoder answers with the 120th's layer (answers without it are cached an hour at
    # most): looked up again, the letter goes to the new member.
    from django.core.cache import cache

    cache.clear()
    fake_census.add(
        CA_ADDRESS,
        match_payload(state="CA", state_fips="06", district="11", zip="94110", congress=120, address=CA_ADDRESS),
        vintage="Current_Current",
    )
    letter_id = listed[0]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/v1/letters/{letter_id}/retarget/")
    assert response.status_code == 202
    letter = Letter.objects.get(pk=letter_id)
    assert letter.bioguide_id == turnover.NEW_HOUSE and letter.status in ("queued", "sent")
    again = api_client.post(f"/api/v1/letters/{letter_id}/retarget/")
    assert again.status_code == 409 and set(again.json()) == {"message", "errors"}
