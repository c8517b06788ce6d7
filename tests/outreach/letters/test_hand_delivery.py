"""Outbox letters marked delivered by hand: only letters in the outbox, once, with who and when."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from organizing.models import Campaign, CampaignMembership
from outreach.models import Letter, LetterEvent
from outreach.services.letter_errors import LetterInputError
from outreach.services.letter_outbox import letters_mark_hand_delivered
from tests.outreach.letters.conftest import letter_payload

pytestmark = pytest.mark.django_db
WRITE = "/api/v1/campaigns/face-recognition/letters/"


@pytest.fixture
def outbox_letters(api_client, action, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(WRITE, letter_payload(), format="json").status_code == 202
    letters = list(Letter.objects.order_by("bioguide_id"))
    assert {letter.status for letter in letters} == {"in_outbox"} and len(letters) == 3
    return letters


def organizer_of(campaign, username):
    user = User.objects.create_user(username, password="pw")
    CampaignMembership.objects.create(campaign=campaign, user=user, role=CampaignMembership.Role.ORGANIZER)
    return user


def mark(letter) -> str:
    return f"/api/v1/letters/{letter.pk}/hand-delivered/"


def test_the_service_moves_only_outbox_letters_once_and_records_who_and_when(outbox_letters):
    first, second, third = outbox_letters
    Letter.objects.filter(pk=third.pk).update(status=Letter.Status.FAILED)
    when = timezone.now() - dt.timedelta(hours=3)
    moved = letters_mark_hand_delivered(letter_ids=[first.pk, third.pk], by="by user 7", when=when)
    assert moved == [first.pk]
    first.refresh_from_db()
    assert first.status == "hand_delivered" and first.sent_at == when
    assert first.get_status_display() == "Delivered by hand"
    event = LetterEvent.objects.get(letter=first, status="hand_delivered")
    assert "by user 7" in event.detail and when.isoformat() in event.detail
    # Repeating changes nothing; other statuses are untouched.
    assert letters_mark_hand_delivered(letter_ids=[first.pk, second.pk], by="by user 8") == [second.pk]
    assert LetterEvent.objects.filter(letter=first, status="hand_delivered").count() == 1
    first.refresh_from_db()
    assert first.sent_at == when
    assert Letter.objects.get(pk=third.pk).status == "failed"


def test_a_time_to_come_is_refused(outbox_letters):
    with pytest.raises(LetterInputError):
        letters_mark_hand_delivered(
            letter_ids=[outbox_letters[0].pk], by="x", when=timezone.now() + dt.timedelta(days=1)
        )
    assert Letter.objects.get(pk=outbox_letters[0].pk).status == "in_outbox"


def test_the_api_marks_a_letter_for_its_campaigns_organizers(api_client, campaign, outbox_letters):
    letter = outbox_letters[0]
    assert api_client.post(mark(letter)).status_code in (401, 403)
    other = Campaign.objects.create(slug="other", name="Other", status=Campaign.Status.ACTIVE)
    api_client.force_authenticate(organizer_of(other, "outsider"))
    assert api_client.post(mark(letter)).status_code == 403
    assert Letter.objects.get(pk=letter.pk).status == "in_outbox"
    owner = organizer_of(campaign, "owner")
    api_client.force_authenticate(owner)
    response = api_client.post(mark(letter), {"delivered_at": "2026-01-05T15:00:00Z"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "hand_delivered"
    letter.refresh_from_db()
    assert letter.sent_at == dt.datetime(2026, 1, 5, 15, tzinfo=dt.UTC)
    assert f"by user {owner.pk}" in letter.events.get(status="hand_delivered").detail
    again = api_client.post(mark(letter), format="json")
    assert again.status_code == 200 and letter.events.filter(status="hand_delivered").count() == 1
    Letter.objects.filter(pk=outbox_letters[1].pk).update(status=Letter.Status.SENT)
    assert api_client.post(mark(outbox_letters[1])).status_code == 409
    bad = api_client.post(mark(outbox_letters[2]), {"delivered_at": "soon"}, format="json")
    assert bad.status_code == 400
    history = api_client.get(f"/api/v1/letters/{letter.pk}/").json()["history"]
    assert [h["status"] for h in history][-1] == "hand_delivered"


def test_the_site_wide_permission_and_the_admin_action(client, api_client, outbox_letters):
    staff = User.objects.create_user("deliverer", password="pw", is_staff=True, is_superuser=True)
    api_client.force_authenticate(staff)
    assert api_client.post(mark(outbox_letters[0])).status_code == 200
    client.force_login(staff)
    response = client.post(
        "/admin/outreach/letter/",
        {"action": "mark_hand_delivered", "_selected_action": [str(letter.pk) for letter in outbox_letters]},
    )
    assert response.status_code == 302
    assert set(Letter.objects.values_list("status", flat=True)) == {"hand_delivered"}
    assert LetterEvent.objects.filter(status="hand_delivered").count() == 3


def test_a_plain_user_with_the_permission_marks_any_campaigns_letters(api_client, outbox_letters):
    user = User.objects.create_user("perm", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="hand_deliver_letter"))
    api_client.force_authenticate(User.objects.get(pk=user.pk))
    assert api_client.post(mark(outbox_letters[0])).status_code == 200


def test_the_outbox_page_shows_letters_delivered_by_hand(client, outbox_letters):
    letters_mark_hand_delivered(letter_ids=[outbox_letters[0].pk], by="by user 1")
    admin = User.objects.create_user("outbox-admin", password="pw")
    admin.groups.add(Group.objects.get_or_create(name="admin")[0])
    client.force_login(admin)
    page = client.get("/letters/outbox/").content.decode()
    assert "Delivered by hand" in page and "All delivered by hand" in page


def test_a_petition_letter_is_marked_by_its_petitions_organizers(api_client, django_capture_on_commit_callbacks):
    from outreach.services.petition_delivery import petition_deliver
    from petitions.models import Petition
    from tests.outreach.letters.test_petition_delivery import sign

    campaign = Campaign.objects.create(slug="frm", name="FRM", status=Campaign.Status.ACTIVE)
    petition = Petition.objects.create(campaign=campaign, slug="p", title="P", petition_text="Text.")
    sign(petition, 0, given="Ann", city="San Francisco", state="CA", district=11)
    with django_capture_on_commit_callbacks(execute=True):
        petition_deliver(slug=petition.slug)
    letter = Letter.objects.get(bioguide_id="P000197")
    assert letter.status == "in_outbox" and letter.action is None
    other = Campaign.objects.create(slug="other", name="Other", status=Campaign.Status.ACTIVE)
    api_client.force_authenticate(organizer_of(other, "outsider"))
    assert api_client.post(mark(letter)).status_code == 403
    api_client.force_authenticate(organizer_of(campaign, "owner"))
    assert api_client.post(mark(letter)).status_code == 200
    assert Letter.objects.get(pk=letter.pk).status == "hand_delivered"
