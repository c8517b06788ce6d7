import pytest
from django.contrib.auth.models import Permission, User

from outreach.models import Letter
from tests.outreach.letters.conftest import letter_payload

URL = "/api/v1/campaigns/face-recognition/letters/"


@pytest.fixture
def organizer(db):
    user = User.objects.create_user("organizer", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="moderate_letter"))
    return User.objects.get(pk=user.pk)


def write(api_client, capture, **overrides):
    with capture(execute=True):
        response = api_client.post(URL, letter_payload(**overrides), format="json")
    assert response.status_code == 202, response.json()
    return response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("If you vote for this I will kill you.", "matches a moderation pattern"),
        ("Read https://a.example and https://b.example and www.c.example", "more than 1 links"),
        ("word " * 700, "longer than 3000 characters"),
    ],
)
def test_a_letter_breaking_a_rule_is_held_and_not_delivered(
    api_client, action, cwc, django_capture_on_commit_callbacks, message, reason
):
    house, senate = cwc
    body = write(api_client, django_capture_on_commit_callbacks, message=message)
    assert {i["status"] for i in body["letters"]} == {"held"}
    assert not house.received and not senate.received
    assert all(reason in letter.moderation_reason for letter in Letter.objects.all())


@pytest.mark.django_db
def test_patterns_are_configurable(api_client, action, cwc, settings, django_capture_on_commit_callbacks):
    settings.LETTERS_MODERATION_PATTERNS = [r"\bbanana\b"]
    body = write(api_client, django_capture_on_commit_callbacks, message="Banana republic!")
    assert {i["status"] for i in body["letters"]} == {"held"}
    body = write(api_client, django_capture_on_commit_callbacks, message="I will kill it", email="b@example.org")
    assert {i["status"] for i in body["letters"]} == {"queued"}
    assert set(Letter.objects.filter(contact__email="b@example.org").values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_only_the_writers_own_words_are_moderated(
    api_client, action, cwc, django_capture_on_commit_callbacks, settings
):
    action.body_template = "Stop the kill list of face recognition. {full_name}"
    action.save()
    body = write(api_client, django_capture_on_commit_callbacks, message="Please act.")
    assert {i["status"] for i in body["letters"]} == {"queued"}
    assert set(Letter.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_organizer_sees_the_queue_approves_and_rejects_with_a_reason(
    api_client, action, cwc, organizer, django_capture_on_commit_callbacks
):
    house, senate = cwc
    write(api_client, django_capture_on_commit_callbacks, message="You will pay for this, you bastards. I will shoot")
    assert api_client.get("/api/v1/letters/moderation/").status_code in (401, 403)
    api_client.force_authenticate(organizer)
    queue = api_client.get("/api/v1/letters/moderation/").json()["results"]
    assert len(queue) == 3 and all("moderation pattern" in item["moderation_reason"] for item in queue)
    house_letter = Letter.objects.get(chamber="house")
    with django_capture_on_commit_callbacks(execute=True):
        approved = api_client.post(f"/api/v1/letters/{house_letter.id}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "queued"
    house_letter.refresh_from_db()
    assert house_letter.status == "sent" and house.deliveries[house_letter.delivery_id] == 1
    # Approving twice changes nothing and says so.
    assert api_client.post(f"/api/v1/letters/{house_letter.id}/approve/").status_code == 409

    senator_letter = Letter.objects.filter(chamber="senate").first()
    assert api_client.post(f"/api/v1/letters/{senator_letter.id}/reject/", {}, format="json").status_code == 400
    rejected = api_client.post(f"/api/v1/letters/{senator_letter.id}/reject/", {"reason": "threatening"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    senator_letter.refresh_from_db()
    assert senator_letter.rejection_reason == "threatening"
    history = api_client.get(f"/api/v1/letters/{senator_letter.id}/").json()["history"]
    assert [h["status"] for h in history] == ["held", "rejected"] and "threatening" in history[-1]["detail"]
    assert not senate.received_for(senator_letter.delivery_id)
    assert len(api_client.get("/api/v1/letters/moderation/").json()["results"]) == 1


@pytest.mark.django_db
def test_admin_actions_approve_and_reject(client, api_client, action, cwc, django_capture_on_commit_callbacks):
    house, _ = cwc
    write(api_client, django_capture_on_commit_callbacks, message="I will murder the bill")
    admin = User.objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(admin)
    house_letter = Letter.objects.get(chamber="house")
    others = list(Letter.objects.filter(chamber="senate").values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/outreach/letter/", {"action": "approve_letters", "_selected_action": [str(house_letter.pk)]}
        )
    assert response.status_code == 302
    house_letter.refresh_from_db()
    assert house_letter.status == "sent" and house.deliveries[house_letter.delivery_id] == 1
    client.post("/admin/outreach/letter/", {"action": "reject_letters", "_selected_action": [str(p) for p in others]})
    rejected = Letter.objects.filter(pk__in=others)
    assert {letter.status for letter in rejected} == {"rejected"}
    assert all(letter.rejection_reason for letter in rejected)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["given_name", "family_name", "locality"])
def test_names_and_city_are_moderated_too_since_they_go_into_the_letter(
    api_client, action, cwc, django_capture_on_commit_callbacks, field
):
    house, senate = cwc
    body = write(api_client, django_capture_on_commit_callbacks, **{field: "Kill you www.a.example www.b.example"})
    assert {i["status"] for i in body["letters"]} == {"held"}
    assert not house.received and not senate.received


def _member_organizer(campaign):
    from organizing.models import CampaignMembership

    user = User.objects.create_user("member-organizer", password="pw")
    CampaignMembership.objects.create(campaign=campaign, user=user, role=CampaignMembership.Role.ORGANIZER)
    return user


@pytest.mark.django_db
def test_a_campaign_organizer_moderates_their_campaign_only(
    api_client, action, campaign, cwc, django_capture_on_commit_callbacks
):
    from organizing.models import Campaign
    from outreach.models import LetterAction

    write(api_client, django_capture_on_commit_callbacks, message="I will kill the bill")
    other_campaign = Campaign.objects.create(slug="other", name="Other", status=Campaign.Status.ACTIVE)
    other = LetterAction.objects.create(
        campaign=other_campaign, slug="other-letter", title="Other", subject_template="Other",
        body_template="Other {full_name}", message_editable=True, topics=["Immigration"],
    )  # fmt: skip
    api_client.post("/api/v1/campaigns/other/letters/", letter_payload(message="kill it"), format="json")
    theirs = Letter.objects.filter(action=other).first()
    assert theirs.status == "held"
    api_client.force_authenticate(_member_organizer(campaign))
    queue = api_client.get("/api/v1/letters/moderation/").json()["results"]
    assert len(queue) == 3 and {item["action"] for item in queue} == {action.slug}
    own = Letter.objects.filter(action=action, chamber="senate").first()
    assert api_client.post(f"/api/v1/letters/{own.id}/approve/").status_code == 200
    assert api_client.post(f"/api/v1/letters/{theirs.id}/approve/").status_code == 403
    assert api_client.post(f"/api/v1/letters/{theirs.id}/reject/", {"reason": "x"}, format="json").status_code == 403


@pytest.mark.django_db
def test_a_campaign_organizer_delivers_their_petitions_only(api_client, campaign):
    from organizing.models import Campaign
    from petitions.models import Petition

    other_campaign = Campaign.objects.create(slug="other", name="Other", status=Campaign.Status.ACTIVE)
    for slug, owner in (("ours", campaign), ("theirs", other_campaign)):
        Petition.objects.create(campaign=owner, slug=slug, title=slug, petition_text="Text.")
    api_client.force_authenticate(_member_organizer(campaign))
    assert api_client.post("/api/v1/petitions/ours/deliver/").status_code == 202
    assert api_client.post("/api/v1/petitions/theirs/deliver/").status_code == 403
