import pytest
from django.core import mail

from contacts.models import ConsentRecord, Contact
from petitions.models import Petition, Signature
from petitions.selectors import signature_counts
from tests.petitions.helpers import sign_url, signer


def test_new_signature_is_201_with_id_status_count_and_share_url(
    api_client, petition, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(sign_url(petition.slug), signer(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "status", "signature_count", "share_url"}
    assert body["status"] == "confirmed"
    assert body["signature_count"] == 1
    sig = Signature.objects.get()
    assert body["id"] == str(sig.public_id)
    assert body["share_url"] == f"https://campaign.example.org/p/{petition.slug}/?ref={sig.ref_code}"
    # No personal data in the public answer.
    assert "lovelace" not in response.content.decode().lower()
    assert "ada@example.org" not in response.content.decode().lower()


def test_repeat_signature_is_200_same_shape_and_does_not_change_count(api_client, petition):
    first = api_client.post(sign_url(petition.slug), signer(), format="json")
    again = api_client.post(sign_url(petition.slug), signer(email="ADA@Example.org", given_name=""), format="json")
    assert first.status_code == 201
    assert again.status_code == 200
    assert set(again.json()) == set(first.json())
    assert again.json()["signature_count"] == first.json()["signature_count"] == 1
    assert again.json()["status"] == first.json()["status"]
    assert Signature.objects.count() == 1
    assert signature_counts(petition_id=petition.pk).confirmed == 1
    # The blank given_name did not wipe the known one.
    assert Contact.objects.get().given_name == "Ada"


def test_repeat_answer_reveals_neither_the_earlier_id_nor_its_referral_code(api_client, petition):
    first = api_client.post(sign_url(petition.slug), signer(), format="json").json()
    earlier = Signature.objects.get()
    answers = [api_client.post(sign_url(petition.slug), signer(), format="json") for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    ids = {a.json()["id"] for a in answers}
    assert str(earlier.public_id) not in ids and first["id"] not in ids
    assert len(ids) == 2  # a fresh id each time, so repeats cannot be linked to each other either
    assert not Signature.objects.filter(public_id__in=ids).exists()  # it names no signature
    for answer in answers:
        assert answer.json()["share_url"] == f"https://campaign.example.org/p/{petition.slug}/"
        assert earlier.ref_code not in answer.content.decode()


def test_repeat_answer_does_not_tell_whether_the_earlier_signature_was_confirmed(
    api_client, make_petition, django_capture_on_commit_callbacks
):
    petition = make_petition(slug="needs-confirmation", confirmation_required=True)
    with django_capture_on_commit_callbacks(execute=True):
        first = api_client.post(sign_url(petition.slug), signer(), format="json")
    assert first.json()["status"] == "pending"
    Signature.objects.update(status=Signature.Status.CONFIRMED)  # the owner clicked the link
    again = api_client.post(sign_url(petition.slug), signer(), format="json")
    assert again.status_code == 200
    assert again.json()["status"] == "pending"  # what any new signer of this petition is told


def test_form_encoded_body_is_accepted(api_client, petition):
    response = api_client.post(sign_url(petition.slug), signer(email_opt_in="true"))
    assert response.status_code == 201
    assert ConsentRecord.objects.get().granted is True


def test_unknown_petition_is_404(api_client, db):
    response = api_client.post(sign_url("no-such-petition"), signer(), format="json")
    assert response.status_code == 404
    assert response.json()["message"]


@pytest.mark.parametrize("state", [Petition.Status.DRAFT, Petition.Status.CLOSED])
def test_draft_or_closed_petition_is_409(api_client, make_petition, state):
    petition = make_petition(status=state)
    response = api_client.post(sign_url(petition.slug), signer(), format="json")
    assert response.status_code == 409
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", ""),
        ("postal_code", "1234"),
        ("postal_code", "00000"),
        ("postal_code", ""),
        ("phone", "555-0100-999999"),
        ("phone", "12"),
        ("given_name", "x" * 101),
        ("comment", "x" * 2001),
        ("region", "ZZ"),
    ],
)
def test_bad_input_is_400_with_the_field_named(api_client, petition, field, value):
    response = api_client.post(sign_url(petition.slug), signer(**{field: value}), format="json")
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"], body
    assert Signature.objects.count() == 0


def test_missing_required_fields_are_each_reported(api_client, petition):
    response = api_client.post(sign_url(petition.slug), {}, format="json")
    assert response.status_code == 400
    assert {"email", "postal_code"} <= set(response.json()["errors"])


def test_malformed_json_is_400(api_client, petition):
    response = api_client.post(sign_url(petition.slug), data='{"email": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"].startswith("Malformed")


def test_a_json_body_that_is_not_an_object_is_400(api_client, petition):
    response = api_client.post(sign_url(petition.slug), data="[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"]


def test_a_body_neither_json_nor_a_form_is_415_in_the_error_shape(api_client, petition):
    response = api_client.post(sign_url(petition.slug), data="email=a@b.org", content_type="text/plain")
    assert response.status_code == 415
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"message", "errors"} and "text/plain" in response.json()["message"]


def test_a_multipart_form_signs_too(api_client, petition):
    response = api_client.post(sign_url(petition.slug), signer(), format="multipart")
    assert response.status_code == 201


def test_the_schema_documents_signing_though_the_url_skips_drf(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/petitions/{slug}/signatures/"]["post"]
    assert set(operation["responses"]) == {"200", "201"}
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])


def test_listing_signatures_still_needs_an_organizer(api_client, petition):
    assert api_client.get(sign_url(petition.slug)).status_code in (401, 403)


def test_phone_is_stored_in_e164(api_client, petition):
    api_client.post(sign_url(petition.slug), signer(phone="(202) 555-0143"), format="json")
    # 555-01xx numbers are fictional but valid in libphonenumber's US metadata ranges
    contact = Contact.objects.get()
    assert contact.phone == "+12025550143"


def test_ip_throttle_answers_429_with_retry_after(api_client, petition, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "sign_ip": "3/minute", "sign_email": None}
    codes = [
        api_client.post(sign_url(petition.slug), signer(email=f"p{i}@example.org"), format="json").status_code
        for i in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    last = api_client.post(sign_url(petition.slug), signer(email="late@example.org"), format="json")
    assert last.status_code == 429
    assert int(last["Retry-After"]) > 0
    assert Signature.objects.count() == 3


def test_email_throttle_limits_one_address_from_many_ips(api_client, petition, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "sign_ip": None, "sign_email": "2/minute"}
    codes = [
        api_client.post(
            sign_url(petition.slug), signer(email="Same@example.org"), format="json", REMOTE_ADDR=f"10.0.0.{i}"
        ).status_code
        for i in range(3)
    ]
    assert codes == [201, 200, 429]
    other = api_client.post(sign_url(petition.slug), signer(email="other@example.org"), format="json")
    assert other.status_code == 201


def test_throttles_disabled_lets_everything_through(api_client, petition, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "sign_ip": "1/minute", "sign_email": "1/minute"}
    settings.THROTTLES_ENABLED = False
    codes = {api_client.post(sign_url(petition.slug), signer(), format="json").status_code for _ in range(3)}
    assert codes == {201, 200}


def test_idempotency_key_replays_the_first_answer(api_client, petition):
    first = api_client.post(sign_url(petition.slug), signer(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    retry = api_client.post(sign_url(petition.slug), signer(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert Signature.objects.count() == 1
    assert signature_counts(petition_id=petition.pk).confirmed == 1


def test_idempotency_key_reused_for_another_signer_is_409_and_leaves_nothing_behind(api_client, petition):
    api_client.post(sign_url(petition.slug), signer(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = api_client.post(
        sign_url(petition.slug),
        signer(email="bob@example.org", email_opt_in=True),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    assert other.status_code == 409
    assert Signature.objects.count() == 1
    assert list(Contact.objects.values_list("email", flat=True)) == ["ada@example.org"]
    assert ConsentRecord.objects.count() == 0


def test_honeypot_gets_a_normal_answer_and_is_not_counted(api_client, petition):
    response = api_client.post(sign_url(petition.slug), signer(website="http://spam.example"), format="json")
    assert response.status_code == 201
    assert set(response.json()) == {"id", "status", "signature_count", "share_url"}
    assert Signature.objects.count() == 0
    assert Contact.objects.count() == 0
    assert signature_counts(petition_id=petition.pk).confirmed == 0


def test_forged_form_token_is_treated_as_a_bot(api_client, petition):
    response = api_client.post(sign_url(petition.slug), signer(form_token="1700000000:forged"), format="json")
    assert response.status_code == 201
    assert Signature.objects.count() == 0


def test_district_at_signing_comes_from_a_certain_zip(api_client, petition):
    api_client.post(sign_url(petition.slug), signer(postal_code="05401"), format="json")
    sig = Signature.objects.get()
    assert (sig.district_state, sig.district, sig.district_accuracy) == ("VT", 0, "zip")
    assert sig.district_congress == 119
    assert Contact.objects.get().district_state == "VT"


def test_split_zip_leaves_district_open_without_calling_the_geocoder(api_client, petition, fake_census):
    # With an address the geocoder could answer; it must still wait for the task, after the request.
    response = api_client.post(
        sign_url(petition.slug),
        signer(postal_code="60616", address_line="2300 S Michigan Ave", locality="Chicago", region="IL"),
        format="json",
    )
    assert response.status_code == 201
    assert fake_census.requests == []
    sig = Signature.objects.get()
    assert sig.district is None


def test_referral_code_links_the_new_signature_to_the_referrer(api_client, petition):
    first = api_client.post(sign_url(petition.slug), signer(), format="json").json()
    ref = first["share_url"].split("ref=")[1]
    api_client.post(sign_url(petition.slug), signer(email="bob@example.org", ref=ref, source="tw"), format="json")
    bob = Signature.objects.get(contact__email="bob@example.org")
    assert bob.referrer.public_id == Signature.objects.get(contact__email="ada@example.org").public_id
    assert bob.source_code == "tw"


def test_thank_you_email_is_sent_after_commit(api_client, petition, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api_client.post(sign_url(petition.slug), signer(), format="json")
    assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"]
    assert "Thank you" in message.subject
    assert "?ref=" in message.body
    assert "/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_new_person_with_consent_phone_and_pending_status_is_stored_whole(api_client, make_petition):
    petition = make_petition(slug="whole", confirmation_required=True)
    response = api_client.post(sign_url(petition.slug), signer(email_opt_in=True, phone="202-555-0143"), format="json")
    assert response.status_code == 201
    sig = Signature.objects.select_related("contact").get()
    assert (sig.status, sig.confirmed_at, sig.district_state, sig.district) == ("pending", None, "VT", 0)
    assert sig.contact.phone == "+12025550143" and sig.mail_queued_at is None
    assert ConsentRecord.objects.get().contact_id == sig.contact_id
    assert signature_counts(petition_id=petition.pk).pending == 1


def test_a_repeat_signer_who_now_opts_in_gets_a_consent_record(api_client, petition):
    from contacts.selectors import consent_state

    assert api_client.post(sign_url(petition.slug), signer(), format="json").status_code == 201
    repeat = api_client.post(sign_url(petition.slug), signer(email_opt_in=True), format="json")
    assert repeat.status_code == 200
    contact = Contact.objects.get(email="ada@example.org")
    assert consent_state(contact=contact, channel="email")
    api_client.post(sign_url(petition.slug), signer(email_opt_in=True), format="json")
    assert ConsentRecord.objects.filter(contact=contact, channel="email").count() == 1  # no duplicate


def test_district_from_zip_gives_only_what_the_zip_alone_makes_certain(db):
    from petitions.districts import district_from_zip

    split = district_from_zip("60616")
    assert (split.state, split.district) == ("IL", None)  # the state is certain, the district is not
    assert district_from_zip("02861") is None  # across a state line: not even the state
    assert district_from_zip("00000") is None
    assert (district_from_zip("94110").state, district_from_zip("94110").district) == ("CA", 11)
