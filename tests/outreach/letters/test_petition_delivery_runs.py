"""Petition delivery as background work: the organizer's request queues a run, a worker delivers."""

import pytest
from django.contrib.auth.models import Permission, User

from organizing.models import Campaign, CampaignMembership
from outreach.models import Letter, PetitionDeliveryRun
from outreach.services import petition_delivery_runs
from outreach.services.petition_delivery import petition_deliver
from petitions.models import Petition
from tests.outreach.letters.conftest import sign

pytestmark = pytest.mark.django_db


def organizer_of(campaign, username="organizer"):
    user = User.objects.create_user(username, password="pw")
    CampaignMembership.objects.create(campaign=campaign, user=user, role=CampaignMembership.Role.ORGANIZER)
    return user


def url(petition):
    return f"/api/v1/petitions/{petition.slug}/deliver/"


def test_the_api_queues_a_run_that_ends_done_with_the_delivery_result(
    petition, api_client, django_capture_on_commit_callbacks
):
    for n in range(3):
        sign(petition, n, given="Ann", city="San Francisco", state="CA", district=11)
    sign(petition, 0, given="Cy", city="Burlington", state="VT", district=0)
    user = organizer_of(petition.campaign)
    api_client.force_authenticate(user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_client.post(url(petition))
    assert response.status_code == 202
    body = response.json()
    # Nothing is delivered inside the request: the run is queued until the worker takes it.
    assert body["status"] == "queued" and body["result"] is None and not Letter.objects.exists()
    run = PetitionDeliveryRun.objects.get(pk=body["id"])
    assert run.requested_by == user and run.petition == petition
    assert body["url"] == f"/api/v1/petitions/{petition.slug}/deliveries/{run.pk}/" == response["Location"]
    for callback in callbacks:
        callback()
    detail = api_client.get(body["url"])
    assert detail.status_code == 200
    done = detail.json()
    assert done["status"] == "done" and done["error"] == "" and done["finished_at"]
    assert done["run"] == 1 and done["letters"] == 6 and done["signatures"] == 4 and done["skipped"] == 0
    assert set(done["result"]) == {"petition", "run", "letters", "signatures", "skipped", "offices"}
    assert {o["bioguide_id"] for o in done["result"]["offices"]} == set(
        Letter.objects.values_list("bioguide_id", flat=True)
    )
    # The same answer petition_deliver gives: a second run, delivering nothing new, compares equal in shape.
    again = petition_deliver(slug=petition.slug).as_dict()
    assert again["run"] == 2 and again["letters"] == 0 and set(again) == set(done["result"])


def test_a_run_is_executed_once(petition):
    sign(petition, 0, given="Ann", city="San Francisco", state="CA", district=11)
    run = PetitionDeliveryRun.objects.create(petition=petition)
    assert petition_delivery_runs.petition_delivery_execute(run_id=run.pk) == "done"
    assert petition_delivery_runs.petition_delivery_execute(run_id=run.pk) == "done"
    assert Letter.objects.count() == 3
    run.refresh_from_db()
    assert run.run == 1


def test_two_runs_at_once_deliver_each_signature_once(petition):
    sign(petition, 0, given="Ann", city="San Francisco", state="CA", district=11)
    first = PetitionDeliveryRun.objects.create(petition=petition)
    second = PetitionDeliveryRun.objects.create(petition=petition)
    for run in (second, first):
        petition_delivery_runs.petition_delivery_execute(run_id=run.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert {first.status, second.status} == {"done"}
    assert (second.letters, first.letters) == (3, 0) and Letter.objects.count() == 3


def test_a_failing_run_records_failed_with_its_error_type_only(petition, monkeypatch):
    sign(petition, 0, given="Ann", city="San Francisco", state="CA", district=11)

    def broken(**kwargs):
        raise ValueError("Ann Signer0 of San Francisco")  # a message may quote a supporter

    monkeypatch.setattr(petition_delivery_runs, "petition_deliver_for", broken)
    run = PetitionDeliveryRun.objects.create(petition=petition)
    assert petition_delivery_runs.petition_delivery_execute(run_id=run.pk) == "failed"
    run.refresh_from_db()
    assert run.status == "failed" and run.error == "ValueError" and run.finished_at and run.result is None


def test_a_stale_running_run_is_taken_over_but_a_fresh_one_is_not(petition):
    import datetime as dt

    from django.utils import timezone

    sign(petition, 0, given="Ann", city="San Francisco", state="CA", district=11)
    run = PetitionDeliveryRun.objects.create(petition=petition, status="running", started_at=timezone.now())
    assert petition_delivery_runs.petition_delivery_execute(run_id=run.pk) == "running"
    assert not Letter.objects.exists()
    PetitionDeliveryRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - dt.timedelta(hours=2))
    assert petition_delivery_runs.petition_delivery_execute(run_id=run.pk) == "done"


def test_permissions_on_asking_and_following(petition, api_client, django_capture_on_commit_callbacks):
    other_campaign = Campaign.objects.create(slug="other", name="Other", status=Campaign.Status.ACTIVE)
    outsider = organizer_of(other_campaign, "outsider")
    owner = organizer_of(petition.campaign, "owner")
    assert api_client.post(url(petition)).status_code in (401, 403)
    api_client.force_authenticate(outsider)
    assert api_client.post(url(petition)).status_code == 403
    assert not PetitionDeliveryRun.objects.exists()
    api_client.force_authenticate(owner)
    with django_capture_on_commit_callbacks(execute=True):
        run_url = api_client.post(url(petition)).json()["url"]
    assert api_client.get(run_url).status_code == 200
    api_client.force_authenticate(outsider)
    assert api_client.get(run_url).status_code in (403, 404)
    api_client.force_authenticate(None)
    assert api_client.get(run_url).status_code in (401, 403)
    # Site-wide permission: every campaign's petitions.
    staff = User.objects.create_user("deliverer", password="pw")
    staff.user_permissions.add(Permission.objects.get(codename="deliver_petition"))
    api_client.force_authenticate(User.objects.get(pk=staff.pk))
    assert api_client.get(run_url).status_code == 200
    # A run is found only under its own petition.
    other = Petition.objects.create(campaign=other_campaign, slug="other-petition", title="Other")
    run_id = run_url.rstrip("/").rsplit("/", 1)[1]
    assert api_client.get(f"/api/v1/petitions/{other.slug}/deliveries/{run_id}/").status_code == 404
    assert api_client.get("/api/v1/petitions/nope/deliveries/1/").status_code == 404
