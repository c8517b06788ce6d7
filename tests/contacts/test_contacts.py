import json

import pytest
from django.core import signing
from django.core.cache import cache

from contacts.models import ConsentRecord, Contact
from contacts.selectors import consent_state
from contacts.services import (
    District,
    consent_record,
    contact_district_resolve,
    contact_erase,
    contact_export,
    contact_upsert,
    unsubscribe_token,
    unsubscribe_url,
)
from tests.fakes.census import match_payload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.PETITION_COUNT_CACHE_SECONDS = 0
    settings.PETITION_CACHE_SECONDS = 0
    cache.clear()


def test_email_is_unique_regardless_of_case_and_typed_form_is_kept():
    first, created = contact_upsert(email="Ada.Lovelace@Example.org")
    again, created_again = contact_upsert(email="ada.lovelace@example.ORG ")
    assert created and not created_again
    assert first.pk == again.pk
    assert Contact.objects.get().email == "Ada.Lovelace@Example.org"


def test_blank_never_overwrites_and_newer_non_blank_wins():
    contact_upsert(email="a@example.org", given_name="Ada", phone="+12025550143", postal_code="05401")
    contact_upsert(email="a@example.org", given_name="", phone="", postal_code="94110", family_name="King")
    c = Contact.objects.get()
    assert (c.given_name, c.phone, c.postal_code, c.family_name) == ("Ada", "+12025550143", "94110", "King")


def test_zip_district_does_not_replace_an_address_district_of_the_same_congress():
    c, _ = contact_upsert(email="a@example.org", district=District("IL", 7, 119, "address"))
    contact_upsert(email="a@example.org", district=District("IL", 1, 119, "zip"))
    c.refresh_from_db()
    assert (c.district, c.district_accuracy) == (7, "address")
    contact_upsert(email="a@example.org", district=District("IL", 2, 120, "zip"))  # next Congress's lines
    c.refresh_from_db()
    assert (c.district, c.district_congress) == (2, 120)


def test_consent_is_a_history_and_the_latest_record_decides():
    c, _ = contact_upsert(email="a@example.org")
    assert consent_state(contact=c, channel="email") is False
    consent_record(contact=c, channel="email", granted=True, text_key="opt-in", text="Email me v1", ip="192.0.2.1")
    assert consent_state(contact=c, channel="email") is True
    consent_record(contact=c, channel="email", granted=False, text_key="opt-out", text="Stop")
    consent_record(contact=c, channel="sms", granted=True, text_key="sms", text="Text me")
    assert consent_state(contact=c, channel="email") is False
    assert consent_state(contact=c, channel="sms") is True
    first = ConsentRecord.objects.filter(contact=c).order_by("id").first()
    assert first.consent_text.text == "Email me v1" and first.ip_hash and "192.0.2.1" not in first.ip_hash
    # A changed wording gets a new version; records keep pointing at what the person saw.
    consent_record(contact=c, channel="email", granted=True, text_key="opt-in", text="Email me v2")
    assert ConsentRecord.objects.filter(contact=c).order_by("-id").first().consent_text.version == 2
    assert first.consent_text.version == 1


def test_unsubscribe_link_asks_then_withdraws_once_without_login(client):
    c, _ = contact_upsert(email="a@example.org")
    consent_record(contact=c, channel="email", granted=True, text_key="opt-in", text="Email me")
    url = unsubscribe_url(contact=c)
    assert url.startswith("https://campaign.example.org/unsubscribe/")
    path = url.removeprefix("https://campaign.example.org")
    assert client.get(path).status_code == 200
    assert consent_state(contact=c, channel="email") is True  # a link scanner's GET changes nothing
    assert client.post(path).status_code == 200
    assert client.post(path).status_code == 200
    assert consent_state(contact=c, channel="email") is False
    assert ConsentRecord.objects.filter(contact=c, granted=False).count() == 1
    assert "a@example.org" not in path


def test_tampered_unsubscribe_link_is_refused(client):
    c, _ = contact_upsert(email="a@example.org")
    token = unsubscribe_token(contact=c)
    forged = signing.dumps({"c": c.pk}, salt="contacts.unsubscribe", key="not-our-key", compress=True)
    for bad in (token[:-3] + "xyz", forged):
        assert client.post(f"/unsubscribe/{bad}/").status_code == 404
    assert not ConsentRecord.objects.filter(contact=c).exists()


def test_export_holds_everything_including_signatures(api_client):
    from organizing.models import Campaign
    from petitions.models import Petition

    campaign = Campaign.objects.create(slug="c", name="C")
    Petition.objects.create(campaign=campaign, slug="p", title="P", petition_text="t", status="open")
    api_client.post(
        "/api/v1/petitions/p/signatures/",
        {"email": "a@example.org", "postal_code": "05401", "given_name": "Ada", "comment": "Yes", "email_opt_in": True},
        format="json",
    )
    data = contact_export(contact=Contact.objects.get())
    json.dumps(data)  # JSON-ready
    assert data["contact"]["email"] == "a@example.org" and data["contact"]["given_name"] == "Ada"
    assert data["consents"][0]["granted"] is True and "email" in data["consents"][0]["text"]
    assert data["signatures"][0]["petition"] == "p" and data["signatures"][0]["comment"] == "Yes"


def test_erasure_anonymizes_the_person_and_keeps_counts_and_districts(api_client):
    from organizing.models import Campaign
    from petitions.counts import signature_counts_reconcile
    from petitions.models import Petition, Signature
    from petitions.selectors import signature_counts

    campaign = Campaign.objects.create(slug="c", name="C")
    petition = Petition.objects.create(campaign=campaign, slug="p", title="P", petition_text="t", status="open")
    for email in ("a@example.org", "b@example.org"):
        api_client.post(
            "/api/v1/petitions/p/signatures/",
            {"email": email, "postal_code": "94110", "given_name": "Ada", "phone": "2025550143", "comment": "hi"},
            format="json",
        )
    ada = Contact.objects.get(email="a@example.org")
    consent_record(contact=ada, channel="email", granted=True, text_key="k", text="t", ip="192.0.2.1")
    contact_erase(contact=ada)
    contact_erase(contact=ada)  # twice is harmless

    ada.refresh_from_db()
    assert ada.erased_at is not None
    assert "a@example.org" not in json.dumps(contact_export(contact=ada))
    assert (ada.given_name, ada.phone, ada.postal_code) == ("", "", "")
    assert (ada.district_state, ada.district) == ("CA", 11)
    sig = Signature.objects.get(contact=ada)
    assert (sig.comment, sig.ip_hash, sig.ua_hash) == ("", "", "")
    assert ConsentRecord.objects.get(contact=ada).ip_hash == ""
    assert signature_counts(petition_id=petition.pk).confirmed == 2
    assert Signature.objects.filter(petition=petition, district_state="CA", district=11).count() == 2
    assert signature_counts_reconcile(petition_id=petition.pk) == {}


def test_district_resolution_uses_the_address_when_given(fake_census):
    c, _ = contact_upsert(
        email="a@example.org", address_line="2300 S Michigan Ave", locality="Chicago", region="IL", postal_code="60616"
    )
    fake_census.add(
        "2300 S Michigan Ave, Chicago, IL, 60616",
        match_payload(state="IL", state_fips="17", district="07", zip="60616"),
    )
    assert contact_district_resolve(contact=c) == District("IL", 7, 119, "address")
    assert [path for path, _ in fake_census.requests] == ["/geographies/onelineaddress"]
    c.refresh_from_db()
    assert (c.district_state, c.district, c.district_congress, c.district_accuracy) == ("IL", 7, 119, "address")


def test_district_resolution_falls_back_to_a_certain_zip_without_an_address():
    c, _ = contact_upsert(email="a@example.org", postal_code="94110")
    found = contact_district_resolve(contact=c)
    assert found == District("CA", 11, 119, "zip")
    c.refresh_from_db()
    assert (c.district_state, c.district, c.district_accuracy) == ("CA", 11, "zip")


def test_split_zip_without_address_keeps_the_state_and_leaves_the_district_open():
    c, _ = contact_upsert(email="a@example.org", postal_code="60616")
    assert contact_district_resolve(contact=c) == District("IL", None, 119, "zip")
    c.refresh_from_db()
    assert (c.district_state, c.district) == ("IL", None)


def test_a_state_alone_never_erases_a_known_district():
    c, _ = contact_upsert(email="a@example.org", postal_code="94110")
    contact_district_resolve(contact=c)
    contact_upsert(email="a@example.org", district=District("CA", None, 119, "zip"))
    c.refresh_from_db()
    assert (c.district_state, c.district) == ("CA", 11)


def test_a_zip_across_a_state_line_stores_no_state():
    c, _ = contact_upsert(email="a@example.org", postal_code="02861")
    assert contact_district_resolve(contact=c) is None
    c.refresh_from_db()
    assert c.district_state == "" and c.district is None


def test_unsubscribing_resolves_the_link_once(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c, _ = contact_upsert(email="a@example.org")
    path = unsubscribe_url(contact=c).removeprefix("https://campaign.example.org")
    with CaptureQueriesContext(connection) as queries:
        assert client.post(path).status_code == 200
    lookups = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and '"contacts_contact"."email"' in q["sql"]  # the lock reads the id only
    ]
    assert len(lookups) == 1
    assert consent_state(contact=c, channel="email") is False


@pytest.fixture
def _forget_consent_texts():
    from contacts.services import consent_texts_forget

    consent_texts_forget()
    yield
    consent_texts_forget()  # the rows are gone after a transaction=True test


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_forget_consent_texts")
def test_consent_text_is_read_once_per_process_and_a_new_wording_is_a_new_version(django_assert_num_queries):
    from contacts.services import consent_text_current

    first = consent_text_current(key="opt-in", text="Email me")
    with django_assert_num_queries(0):
        assert consent_text_current(key="opt-in", text="Email me").pk == first.pk
    changed = consent_text_current(key="opt-in", text="Email me, please")
    assert (changed.version, first.version) == (2, 1)


@pytest.mark.usefixtures("_forget_consent_texts")
def test_consent_text_created_inside_a_transaction_is_not_remembered(django_assert_num_queries):
    from contacts.services import consent_text_current

    consent_text_current(key="opt-in", text="Email me")  # the test runs inside a transaction
    with django_assert_num_queries(1):
        consent_text_current(key="opt-in", text="Email me")
