"""Every metrics figure is compared with counts taken straight from the action tables."""

import datetime as dt
from collections import Counter

import pytest
from django.contrib.auth.models import Group, User
from django.db.models import Exists, OuterRef, Sum
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from campaign.loadgen import load_generate
from congress.selectors import current_snapshot
from contacts.models import Contact
from organizing.models import Campaign, CampaignMembership
from outreach.models import CallFeedback, CallLeg, CallSession, Letter
from petitions.models import Signature
from petitions.selectors import signature_counts
from reporting.models import MetricRollup
from reporting.rollups import rollups_rebuild_all, rollups_refresh

pytestmark = pytest.mark.django_db
DAYS = 20


@pytest.fixture
def campaign():
    return Campaign.objects.create(slug="metrics-demo", name="Metrics demo", status=Campaign.Status.ACTIVE)


@pytest.fixture
def loaded(campaign, settings):
    settings.PETITION_COUNT_CACHE_SECONDS = 0
    load_generate(campaign=campaign, signatures=400, calls=80, letters=150, days=DAYS, seed=7)
    rollups_rebuild_all()
    return campaign


def client_for(campaign, role):
    user = User.objects.create_user(f"{role}-{campaign.slug}-{User.objects.count()}", password="pw")
    if role == "admin":
        user.groups.add(Group.objects.get(name="admin"))
    elif role:
        CampaignMembership.objects.create(campaign=campaign, user=user, role=role)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def metrics(campaign, **params):
    response = client_for(campaign, "viewer").get(f"/api/v1/campaigns/{campaign.slug}/metrics/", params)
    assert response.status_code == 200, response.content
    return response.json()


def window():
    today = dt.datetime.now(dt.UTC).date()
    since = today - dt.timedelta(days=DAYS // 2)
    return since, today + dt.timedelta(days=1)


def in_period(qs, field, since, until):
    def aware(value):
        return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time.min, tzinfo=dt.UTC)

    return qs.filter(**{f"{field}__gte": aware(since), f"{field}__lt": aware(until)})


def test_totals_agree_with_the_tables(loaded):
    since, until = window()
    body = metrics(loaded, since=since.isoformat(), until=until.isoformat())
    sigs = in_period(Signature.objects.filter(petition__campaign=loaded), "created_at", since, until)
    assert body["totals"]["signatures"] == {
        "total": sigs.count(),
        "confirmed": sigs.filter(status="confirmed").count(),
        "pending": sigs.filter(status="pending").count(),
    }
    assert body["totals"]["signatures"]["total"] > 0

    acted = Exists(Signature.objects.filter(contact=OuterRef("pk"), petition__campaign=loaded)) | Exists(
        Letter.objects.filter(contact=OuterRef("pk"), action__campaign=loaded)
    )
    new_contacts = in_period(Contact.objects.filter(acted), "created_at", since, until).count()
    assert body["totals"]["contacts"]["new"] == new_contacts

    sessions = in_period(CallSession.objects.filter(campaign=loaded), "created_at", since, until)
    legs = CallLeg.objects.filter(session__in=sessions)
    calls = body["totals"]["calls"]
    assert calls["sessions"] == sessions.count() > 0
    assert calls["connected_legs"] == legs.filter(status="completed").count()
    assert calls["legs_by_outcome"]["measured"] == dict(Counter(legs.values_list("status", flat=True)))
    reported = Counter(CallFeedback.objects.filter(session__in=sessions).values_list("outcome", flat=True))
    assert calls["legs_by_outcome"]["reported"] == {
        k: reported.get(k, 0) for k in ("contact", "voicemail", "unavailable", "skip")
    }
    talk = legs.filter(status="completed").aggregate(s=Sum("duration"))["s"] or 0
    assert calls["talk_minutes"] == round(talk / 60, 1)

    letters = in_period(Letter.objects.filter(action__campaign=loaded), "created_at", since, until)
    by_status = Counter(letters.values_list("status", flat=True))
    assert body["totals"]["letters"] == {
        "total": letters.count(),
        "queued": by_status["queued"] + by_status["sending"],
        "sent": by_status["sent"],
        "in_outbox": by_status["in_outbox"],
        "failed": by_status["failed"],
        "needs_review": by_status["held"],
        "rejected": by_status["rejected"],
        "needs_web_form": by_status["needs_web_form"],
    }


def test_daily_series_agrees_with_the_tables_day_by_day(loaded):
    since, until = window()
    body = metrics(loaded, since=since.isoformat(), until=until.isoformat(), interval="day")
    assert len(body["series"]) == (until - since).days
    for point in body["series"]:
        start = dt.datetime.fromisoformat(point["start"].replace("Z", "+00:00"))
        end = start + dt.timedelta(days=1)
        assert (
            point["signatures"]
            == in_period(Signature.objects.filter(petition__campaign=loaded), "created_at", start, end).count()
        )
        assert (
            point["calls"] == in_period(CallSession.objects.filter(campaign=loaded), "created_at", start, end).count()
        )
        assert (
            point["letters"]
            == in_period(Letter.objects.filter(action__campaign=loaded), "created_at", start, end).count()
        )


def test_hourly_series_sums_to_the_totals(loaded):
    today = dt.datetime.now(dt.UTC).date()
    since = today - dt.timedelta(days=3)
    body = metrics(loaded, since=since.isoformat(), until=today.isoformat(), interval="hour")
    assert len(body["series"]) == 72
    assert sum(p["signatures"] for p in body["series"]) == body["totals"]["signatures"]["total"]
    assert sum(p["calls"] for p in body["series"]) == body["totals"]["calls"]["sessions"]


def test_breakdowns_by_state_district_legislator_and_source_agree_with_the_tables(loaded):
    body = metrics(loaded)  # the whole campaign
    sigs = Signature.objects.filter(petition__campaign=loaded)
    sessions = CallSession.objects.filter(campaign=loaded)
    letters = Letter.objects.filter(action__campaign=loaded)
    sig_state = Counter(sigs.values_list("district_state", flat=True))
    call_state = Counter(sessions.values_list("district_state", flat=True))
    letter_state = Counter(letters.values_list("submission__district_state", flat=True))
    assert {r["state"]: (r["signatures"], r["calls"], r["letters"]) for r in body["by_state"]} == {
        s: (sig_state[s], call_state[s], letter_state[s]) for s in set(sig_state) | set(call_state) | set(letter_state)
    }
    sig_district = Counter(sigs.exclude(district=None).values_list("district_state", "district"))
    assert {(r["state"], r["district"]): r["signatures"] for r in body["by_district"] if r["signatures"]} == dict(
        sig_district
    )

    snap = current_snapshot()
    people = {p["bioguide_id"]: p for p in body["by_legislator"]}
    state = sig_state.most_common(1)[0][0]
    for senator in snap.senators[state]:
        assert people[senator.bioguide_id]["signatures"] == sig_state[state]
    (seat_state, seat), count = sig_district.most_common(1)[0]
    member = snap.house.get((seat_state, seat))
    if member is not None:
        assert people[member.bioguide_id]["signatures"] == count
    connected = Counter(
        CallLeg.objects.filter(session__campaign=loaded, status="completed").values_list("legislator_id", flat=True)
    )
    sent = Counter(letters.filter(status="sent").values_list("bioguide_id", flat=True))
    for bioguide, person in people.items():
        assert person["calls_connected"] == connected.get(bioguide, 0)
        assert person["letters_sent"] == sent.get(bioguide, 0)

    sources = {r["source"]: r for r in body["sources"]}
    for code, n in Counter(sigs.values_list("source_code", flat=True)).items():
        assert sources[code or "(none)"]["signatures"] == n
    for code, n in Counter(sessions.values_list("source", flat=True)).items():
        assert sources[code or "(none)"]["calls"] == n
    assert body["referrals"] == sigs.exclude(referrer=None).count()


def test_goal_progress_uses_the_petitions_exact_counts(loaded):
    body = metrics(loaded)
    petition = loaded.petitions.get()
    assert body["goal"]["goal"] == petition.goal
    assert body["goal"]["count"] == signature_counts(petition_id=petition.pk).public
    assert body["goal"]["count"] == Signature.objects.filter(petition=petition, status="confirmed").count()


def test_a_refresh_replaces_todays_buckets_without_doubling(loaded):
    before = metrics(loaded)["totals"]
    rollups_refresh()
    rollups_refresh()
    assert metrics(loaded)["totals"] == before


def test_a_new_signature_appears_after_the_next_refresh(loaded):
    petition = loaded.petitions.get()
    before = metrics(loaded)["totals"]["signatures"]["total"]
    contact = Contact.objects.create(email="new-signer@example.org", region="VT")
    Signature.objects.create(petition=petition, contact=contact, status="confirmed", district_state="VT", district=0)
    rollups_refresh()
    assert metrics(loaded)["totals"]["signatures"]["total"] == before + 1


def test_an_older_status_change_is_caught_up_by_the_recheck(loaded):
    letter = Letter.objects.filter(action__campaign=loaded, status="queued").order_by("created_at").first()
    assert letter is not None
    sent_before = metrics(loaded)["totals"]["letters"]["sent"]
    Letter.objects.filter(pk=letter.pk).update(status="sent")
    rollups_refresh(since=letter.created_at)
    assert metrics(loaded)["totals"]["letters"]["sent"] == sent_before + 1


@pytest.mark.parametrize(
    "params",
    [{"since": "yesterday"}, {"interval": "week"}, {"since": "2026-02-01", "until": "2026-01-01"},
     {"since": "2025-01-01", "until": "2026-01-01", "interval": "hour"}],
)  # fmt: skip
def test_bad_metrics_queries_are_400_in_the_error_shape(campaign, params):
    response = client_for(campaign, "viewer").get(f"/api/v1/campaigns/{campaign.slug}/metrics/", params)
    assert response.status_code == 400
    assert set(response.json()) == {"message", "errors"} and response.json()["errors"]


def test_metrics_need_membership_of_the_campaign(campaign):
    url = f"/api/v1/campaigns/{campaign.slug}/metrics/"
    assert APIClient().get(url).status_code in (401, 403)
    other = Campaign.objects.create(slug="other", name="Other")
    assert client_for(other, "organizer").get(url).status_code == 403
    for role in ("viewer", "organizer", "admin"):
        assert client_for(campaign, role).get(url).status_code == 200
    assert client_for(campaign, "viewer").get("/api/v1/campaigns/nope/metrics/").status_code == 404


def test_generated_signers_are_never_emailed(loaded):
    assert not Signature.objects.filter(petition__campaign=loaded, mail_queued_at__isnull=True).exists()


def test_metrics_answer_before_any_congress_data_is_loaded(loaded):
    from congress import selectors
    from congress.models import DataLoad

    DataLoad.objects.all().delete()
    selectors._current.update(snapshot=None, checked=0.0)
    body = metrics(loaded)
    assert body["totals"]["signatures"]["total"] > 0
    assert all(p["signatures"] == 0 for p in body["by_legislator"])


def test_the_first_refresh_after_midnight_still_counts_yesterdays_last_minutes(campaign):
    from unittest import mock

    petition = load_generate(campaign=campaign, signatures=0, calls=0, letters=0, days=1)["petition"]
    midnight = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    contact = Contact.objects.create(email="late@example.org", region="VT")
    signature = Signature.objects.create(
        petition=campaign.petitions.get(slug=petition), contact=contact, status="confirmed"
    )
    Signature.objects.filter(pk=signature.pk).update(created_at=midnight - dt.timedelta(seconds=10))
    with mock.patch("django.utils.timezone.now", return_value=midnight + dt.timedelta(seconds=5)):
        rollups_refresh()
    day_before = MetricRollup.objects.filter(campaign=campaign, kind="signatures", grain="hour")
    assert day_before.filter(bucket__lt=midnight).aggregate(n=Sum("value"))["n"] == 1
