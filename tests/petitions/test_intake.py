"""The signature intake: a signer writes one row, the drain makes the signature from it later.

Most tests run with eager Celery, where a signer's request drains at once. These hold the drain back
(tasks are published to the broker, not run) and run it themselves, to see the moments in between.
"""

import threading

import pytest
from django.core.cache import cache
from django.db import connection

from campaign.celery import app
from contacts.models import ConsentRecord, Contact
from contacts.services import contact_erase, contact_export
from petitions.counts import signature_counts_reconcile
from petitions.drain import signature_intake_drain
from petitions.intake import intake_email_key
from petitions.models import Petition, Signature, SignatureIntake
from petitions.selectors import signature_counts
from tests.petitions.helpers import sign_url, signer


@pytest.fixture
def drain_later():
    """Signers' kicks publish a drain to the broker instead of running it; the test drains itself."""
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True
        app.control.purge()


def _sign(api_client, petition, **kw):
    return api_client.post(sign_url(petition.slug), signer(**kw), format="json", REMOTE_ADDR="203.0.113.9")


def test_a_signer_writes_only_an_intake_row_and_is_counted_at_once(api_client, petition, drain_later):
    response = _sign(api_client, petition, email_opt_in=True)
    assert response.status_code == 201
    assert response.json()["signature_count"] == 1
    row = SignatureIntake.objects.get()
    assert row.drained_at is None and row.signature_id is None
    assert str(row.public_id) == response.json()["id"]
    assert row.email_key == intake_email_key(" ADA@example.org ")  # normalized, and no address in clear
    assert "ada@example.org" not in row.email_key
    assert not Signature.objects.exists() and not Contact.objects.exists()
    assert signature_counts(petition_id=petition.pk).confirmed == 1


def test_the_drain_makes_the_signature_the_answer_promised(api_client, petition, drain_later):
    body = _sign(api_client, petition, email_opt_in=True, comment="Stop it.", public_display=True).json()
    row = SignatureIntake.objects.get()
    assert signature_intake_drain() == 1
    signature = Signature.objects.select_related("contact").get()
    assert str(signature.public_id) == body["id"]
    assert body["share_url"].endswith(f"?ref={signature.ref_code}")
    assert signature.created_at == row.created_at  # when the person signed, not when the drain ran
    assert signature.status == "confirmed" and signature.confirmed_at == row.created_at
    assert (signature.comment, signature.public_display) == ("Stop it.", True)
    assert signature.ip_hash and signature.ua_hash == ""
    assert (signature.district_state, signature.district, signature.district_accuracy) == ("VT", 0, "zip")
    assert (signature.contact.email, signature.contact.given_name, signature.contact.family_name) == (
        "ada@example.org",
        "Ada",
        "Lovelace",
    )
    assert signature.contact.source == f"petition:{petition.slug}"
    consent = ConsentRecord.objects.get()
    assert consent.contact_id == signature.contact_id and consent.granted and consent.channel == "email"
    assert consent.consent_text.key == "petition-email-opt-in" and consent.ip_hash
    row.refresh_from_db()
    assert row.drained_at is not None and row.signature_id == signature.pk
    assert row.payload is None  # what the person sent is no longer kept twice
    # The count did not move: the row left the undrained part as the shard took it.
    assert signature_counts(petition_id=petition.pk).confirmed == 1
    assert signature_counts_reconcile(petition_id=petition.pk) == {}
    assert signature_intake_drain() == 0


def test_pending_signatures_are_counted_apart_before_and_after_the_drain(api_client, make_petition, drain_later):
    petition = make_petition(slug="confirm-me", confirmation_required=True)
    assert _sign(api_client, petition).json()["status"] == "pending"
    counts = signature_counts(petition_id=petition.pk)
    assert (counts.confirmed, counts.pending) == (0, 1)
    signature_intake_drain()
    counts = signature_counts(petition_id=petition.pk)
    assert (counts.confirmed, counts.pending) == (0, 1)
    assert Signature.objects.get().confirmation_sends == 1


def test_a_repeat_before_the_drain_is_200_and_merges_into_the_one_signature(api_client, petition, drain_later):
    assert _sign(api_client, petition, family_name="").status_code == 201
    again = _sign(api_client, petition, email="Ada@Example.org", given_name="", family_name="King", email_opt_in=True)
    assert again.status_code == 200
    assert Signature.objects.count() == 1  # the repeat made the earlier signature first
    contact = Contact.objects.get()
    assert (contact.given_name, contact.family_name) == ("Ada", "King")  # newer non-blank wins, blank never
    assert ConsentRecord.objects.filter(contact=contact).count() == 1
    assert signature_counts(petition_id=petition.pk).confirmed == 1
    assert SignatureIntake.objects.get().drained_at is not None


def test_an_idempotency_key_replays_before_the_drain_and_refuses_another_email(api_client, petition, drain_later):
    first = api_client.post(sign_url(petition.slug), signer(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    replay = api_client.post(sign_url(petition.slug), signer(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json()["id"] == first.json()["id"] and replay.json()["share_url"] == first.json()["share_url"]
    other = api_client.post(
        sign_url(petition.slug), signer(email="grace@example.org"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 409
    assert SignatureIntake.objects.count() == 1
    signature_intake_drain()
    assert Signature.objects.get().idempotency_key == SignatureIntake.objects.get().idempotency_key != ""


def test_one_batch_with_a_known_email_twice_makes_one_contact_and_the_newest_details_win(
    api_client, make_petition, drain_later
):
    first, second = make_petition(slug="first"), make_petition(slug="second")
    _sign(api_client, first, given_name="Ada", phone="")
    _sign(api_client, second, given_name="Augusta", phone="802-555-0142")
    assert signature_intake_drain() == 2
    contact = Contact.objects.get()
    assert (contact.given_name, contact.phone) == ("Augusta", "+18025550142")
    assert set(Signature.objects.values_list("petition__slug", flat=True)) == {"first", "second"}


def test_a_person_who_signed_outside_the_intake_is_not_counted_twice(api_client, petition, drain_later):
    # A signature without an intake row (as a bulk import could leave): the drain must not add another.
    _sign(api_client, petition)
    signature_intake_drain()
    SignatureIntake.objects.all().delete()
    assert _sign(api_client, petition).status_code == 201  # the intake cannot tell
    assert signature_intake_drain() == 1
    assert Signature.objects.count() == 1
    assert SignatureIntake.objects.filter(signature__isnull=True, drained_at__isnull=False).count() == 1
    assert signature_counts(petition_id=petition.pk).confirmed == 1


def test_a_referral_links_to_the_referrer_even_in_the_same_batch(api_client, petition, drain_later):
    ref = _sign(api_client, petition).json()["share_url"].rsplit("ref=", 1)[1]
    _sign(api_client, petition, email="grace@example.org", ref=ref)
    assert signature_intake_drain() == 2
    referred = Signature.objects.get(contact__email="grace@example.org")
    assert referred.referrer.ref_code == ref


def test_export_and_erasure_take_in_a_signature_still_in_the_intake(api_client, make_petition, drain_later):
    first, second = make_petition(slug="first"), make_petition(slug="second")
    _sign(api_client, first)
    signature_intake_drain()
    _sign(api_client, second)  # not drained yet
    contact = Contact.objects.get()
    exported = contact_export(contact=contact)
    assert {s["petition"] for s in exported["signatures"]} == {"first", "second"}
    contact_erase(contact=Contact.objects.get())
    assert not SignatureIntake.objects.exists()  # nothing keyed by the email is left
    assert Signature.objects.count() == 2  # the signatures stay, anonymous, and still count
    assert signature_counts(petition_id=second.pk).confirmed == 1
    # The address can sign again, as anyone new.
    assert _sign(api_client, second).status_code == 201


def test_deleting_a_signature_lets_the_person_sign_again(api_client, petition):
    _sign(api_client, petition)
    Signature.objects.get().delete()
    assert not SignatureIntake.objects.exists()
    assert _sign(api_client, petition).status_code == 201


def test_a_lost_kick_is_caught_by_the_periodic_drain(api_client, petition, drain_later):
    from campaign.schedule import beat_schedule
    from petitions.tasks import drain_signature_intake

    entry = beat_schedule(congress_source="")["petitions-drain-intake"]
    assert entry["task"] == "petitions.tasks.drain_signature_intake" and entry["schedule"] <= 30
    _sign(api_client, petition)
    drain_signature_intake()  # what the beat runs
    assert Signature.objects.count() == 1


def test_migration_fills_the_intake_for_signatures_made_before_it(api_client, petition):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("petitions.migrations.0005_signature_intake").backfill
    _sign(api_client, petition, email="Older@Example.org")
    signature = Signature.objects.get()
    SignatureIntake.objects.all().delete()
    backfill(apps, None)
    row = SignatureIntake.objects.get()
    assert row.email_key == intake_email_key("older@example.org")
    assert (row.public_id, row.ref_code, row.signature_id) == (signature.public_id, signature.ref_code, signature.pk)
    assert row.drained_at is not None
    assert _sign(api_client, petition, email="older@example.org").status_code == 200


@pytest.mark.postgres
def test_drains_side_by_side_take_each_row_once(committed):
    from petitions.intake import signature_submit

    petition = Petition.objects.create(campaign=committed, slug="drains", title="D", petition_text="t", status="open")
    app.conf.task_always_eager = False
    try:
        for i in range(300):
            signature_submit(petition=petition, email=f"d{i}@example.org", postal_code="05401")
    finally:
        app.conf.task_always_eager = True
        app.control.purge()
    drained, errors = [], []

    def drain():
        try:
            drained.append(signature_intake_drain(batch=25))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(drained) == 300
    assert Signature.objects.filter(petition=petition).count() == 300
    cache.clear()
    assert signature_counts(petition_id=petition.pk).confirmed == 300
    assert signature_counts_reconcile(petition_id=petition.pk) == {}


def test_a_referral_code_drawn_twice_does_not_lose_the_signature(api_client, petition, drain_later):
    _sign(api_client, petition)
    signature_intake_drain()
    taken = Signature.objects.get().ref_code
    _sign(api_client, petition, email="grace@example.org")
    SignatureIntake.objects.filter(drained_at__isnull=True).update(ref_code=taken)  # as if drawn again
    assert signature_intake_drain() == 1
    grace = Signature.objects.get(contact__email="grace@example.org")
    assert grace.ref_code != taken and len(grace.ref_code) == 12
    assert SignatureIntake.objects.get(signature=grace).drained_at is not None
    assert signature_counts(petition_id=petition.pk).confirmed == 2
    assert signature_counts_reconcile(petition_id=petition.pk) == {}
