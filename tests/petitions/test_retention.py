"""Retention: unconfirmed signatures and old IP hashes are purged on schedule; nothing else moves."""

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from contacts.models import ConsentRecord, Contact, Tag
from outreach.models import CallAction, CallSession
from petitions.counts import signature_counts_reconcile
from petitions.models import Signature, SignatureCountShard, SignatureIntake
from petitions.tasks import purge_signature_data
from tests.petitions.helpers import sign_url, signer


@pytest.fixture
def gated(make_petition):
    return make_petition(slug="gated", confirmation_required=True)


def _sign(api_client, petition, email, **kw):
    response = api_client.post(sign_url(petition.slug), signer(email=email, **kw), format="json")
    assert response.status_code == 201, response.content
    return Signature.objects.get(petition=petition, contact__email=email)


def _age(signature, days):
    Signature.objects.filter(pk=signature.pk).update(created_at=timezone.now() - timedelta(days=days))


def _shard_sum(petition, status):
    return SignatureCountShard.objects.filter(petition=petition, status=status).aggregate(n=Sum("count"))["n"] or 0


def test_old_unconfirmed_signature_is_purged_with_its_intake_row_and_lone_contact(api_client, gated):
    old = _sign(api_client, gated, "old@example.org", email_opt_in=True)
    _age(old, 31)
    assert SignatureIntake.objects.filter(signature_id=old.pk).exists()

    result = purge_signature_data.delay().get()

    assert result["pending_signatures"] == 1 and result["contacts"] == 1
    assert not Signature.objects.filter(pk=old.pk).exists()
    assert not SignatureIntake.objects.filter(signature_id=old.pk).exists()
    assert not Contact.objects.filter(email="old@example.org").exists()
    assert not ConsentRecord.objects.filter(contact_id=old.contact_id).exists()


def test_recent_unconfirmed_and_old_confirmed_signatures_are_kept(api_client, gated, petition):
    recent = _sign(api_client, gated, "recent@example.org")
    _age(recent, 29)
    confirmed = _sign(api_client, petition, "confirmed@example.org")  # no confirmation asked: confirmed
    _age(confirmed, 400)
    clicked = _sign(api_client, gated, "clicked@example.org")
    Signature.objects.filter(pk=clicked.pk).update(status=Signature.Status.CONFIRMED)
    _age(clicked, 400)

    assert purge_signature_data.delay().get()["pending_signatures"] == 0
    assert Signature.objects.filter(pk__in=[recent.pk, confirmed.pk, clicked.pk]).count() == 3


def test_purge_keeps_the_sharded_counts_equal_to_the_rows(api_client, gated, settings):
    settings.PETITION_COUNT_SHARDS = 4
    for i in range(5):
        _age(_sign(api_client, gated, f"old{i}@example.org"), 40)
    _sign(api_client, gated, "new@example.org")
    assert _shard_sum(gated, Signature.Status.PENDING) == 6

    assert purge_signature_data.delay().get()["pending_signatures"] == 5

    assert _shard_sum(gated, Signature.Status.PENDING) == 1
    assert signature_counts_reconcile(petition_id=gated.pk) == {}  # no drift to repair


def test_a_contact_with_other_data_is_kept(api_client, gated, petition, campaign):
    with_signature = _sign(api_client, gated, "signed-twice@example.org")
    _sign(api_client, petition, "signed-twice@example.org")
    with_tag = _sign(api_client, gated, "tagged@example.org")
    with_tag.contact.tags.add(Tag.objects.create(name="volunteer"))
    with_call = _sign(api_client, gated, "caller@example.org")
    action = CallAction.objects.create(campaign=campaign, name="Call", script="Hello")
    CallSession.objects.create(action=action, campaign=campaign, contact=with_call.contact)
    for signature in (with_signature, with_tag, with_call):
        _age(signature, 60)

    result = purge_signature_data.delay().get()

    assert (result["pending_signatures"], result["contacts"]) == (3, 0)
    assert (
        Contact.objects.filter(
            email__in=["signed-twice@example.org", "tagged@example.org", "caller@example.org"]
        ).count()
        == 3
    )
    assert Signature.objects.filter(contact__email="signed-twice@example.org", petition=petition).exists()


def test_zero_days_keeps_unconfirmed_signatures(api_client, gated, settings):
    settings.RETENTION_PENDING_SIGNATURE_DAYS = 0
    _age(_sign(api_client, gated, "old@example.org"), 365)
    assert purge_signature_data.delay().get()["pending_signatures"] == 0
    assert Signature.objects.filter(contact__email="old@example.org").exists()


def test_old_ip_hashes_are_blanked_and_recent_ones_kept(api_client, petition, campaign):
    from contacts.tasks import forget_consent_ip_hashes
    from outreach.tasks.calls import call_ip_hashes_forget

    old = _sign(api_client, petition, "old@example.org", email_opt_in=True)
    new = _sign(api_client, petition, "new@example.org", email_opt_in=True)
    Signature.objects.filter(pk__in=[old.pk, new.pk]).update(ip_hash="a" * 64, ua_hash="b" * 64)
    _age(old, 91)
    ConsentRecord.objects.update(ip_hash="c" * 64)
    ConsentRecord.objects.filter(contact=old.contact).update(created_at=timezone.now() - timedelta(days=91))
    action = CallAction.objects.create(campaign=campaign, name="Call", script="Hello")
    old_call = CallSession.objects.create(action=action, campaign=campaign, ip_hash="d" * 64)
    new_call = CallSession.objects.create(action=action, campaign=campaign, ip_hash="d" * 64)
    CallSession.objects.filter(pk=old_call.pk).update(created_at=timezone.now() - timedelta(days=91))

    assert purge_signature_data.delay().get()["ip_hashes"] == 1
    assert forget_consent_ip_hashes.delay().get() == 1
    assert call_ip_hashes_forget.delay().get() == 1

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.ip_hash, old.ua_hash) == ("", "") and new.ip_hash and new.ua_hash
    assert ConsentRecord.objects.get(contact=old.contact).ip_hash == ""
    assert ConsentRecord.objects.get(contact=new.contact).ip_hash
    assert CallSession.objects.get(pk=old_call.pk).ip_hash == ""
    assert CallSession.objects.get(pk=new_call.pk).ip_hash
    assert old.status == Signature.Status.CONFIRMED  # the signature itself stays


def test_the_beat_schedule_runs_the_retention_jobs_daily():
    from campaign.schedule import beat_schedule

    tasks = {entry["task"] for entry in beat_schedule(congress_source="").values()}
    assert {
        "petitions.tasks.purge_signature_data",
        "contacts.tasks.forget_consent_ip_hashes",
        "outreach.tasks.calls.call_ip_hashes_forget",
        "outreach.tasks.calls.call_phones_forget",
    } <= tasks
