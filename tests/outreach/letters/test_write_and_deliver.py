import pytest
from django.contrib.auth.models import User

from outreach.models import Letter, LetterSubmission
from tests.outreach.letters.conftest import letter_payload

URL = "/api/v1/campaigns/face-recognition/letters/"


def post_letter(api_client, capture, **overrides):
    with capture(execute=True):
        return api_client.post(URL, letter_payload(**overrides), format="json")


@pytest.mark.django_db
def test_letter_reaches_the_office_codes_of_the_writers_own_members(
    api_client, action, cwc, django_capture_on_commit_callbacks
):
    house, senate = cwc
    response = post_letter(api_client, django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.json()
    body = response.json()
    by_member = {item["bioguide_id"]: item for item in body["letters"]}
    assert set(by_member) == {"P000145", "S001150", "P000197"}
    assert {item["status"] for item in body["letters"]} == {"queued"}  # the answer is written before delivery
    assert {r.office for r in house.received} == {"HCA11"}
    assert {r.office for r in senate.received} == {"SCA01", "SCA03"}
    letters = {letter.bioguide_id: letter for letter in Letter.objects.all()}
    assert letters["P000197"].office_code == "HCA11" and letters["P000197"].channel == "cwc_house"
    assert letters["P000145"].office_code == "SCA03" and letters["P000145"].channel == "cwc_senate"
    assert {letter.status for letter in letters.values()} == {"sent"}
    # DeliveryId is the letter's id and the message carries the writer's words and the personalised text.
    xml = house.received[0].xml.decode()
    assert f"<DeliveryId>{letters['P000197'].id.hex}</DeliveryId>" in xml
    assert "<ConstituentMessage>Face recognition in my neighbourhood worries me.</ConstituentMessage>" in xml
    assert "Dear Representative Pelosi" in xml and "San Francisco (CA-11)" in xml
    assert "<MemberOffice>HCA11</MemberOffice>" in xml and "<Phone>415-555-0134</Phone>" in xml


@pytest.mark.django_db
def test_split_zip_is_resolved_from_the_street_address(api_client, action, cwc, django_capture_on_commit_callbacks):
    house, _ = cwc
    response = post_letter(
        api_client, django_capture_on_commit_callbacks,
        address_line="1 E 31st St", locality="Chicago", region="IL", postal_code="60616",
    )  # fmt: skip
    assert response.status_code == 202, response.json()
    assert {item["bioguide_id"] for item in response.json()["letters"]} == {"D000563", "D000622", "D000096"}
    assert [r.office for r in house.received] == ["HIL07"]


@pytest.mark.django_db
def test_resubmission_returns_the_same_letters_and_never_sends_again(
    api_client, action, cwc, django_capture_on_commit_callbacks
):
    house, senate = cwc
    first = post_letter(api_client, django_capture_on_commit_callbacks)
    second = post_letter(api_client, django_capture_on_commit_callbacks, email="ADA@example.org", message="Again!")
    assert second.status_code == 202
    assert second.json()["id"] == first.json()["id"]
    assert sorted(i["id"] for i in second.json()["letters"]) == sorted(i["id"] for i in first.json()["letters"])
    assert {i["status"] for i in second.json()["letters"]} == {"sent"}
    assert len(house.received) == 1 and len(senate.received) == 2
    assert Letter.objects.count() == 3 and LetterSubmission.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"locality": ""}, "locality"),
        ({"address_line": ""}, "address_line"),
        ({"postal_code": "9411"}, "postal_code"),
        ({"region": ""}, "region"),
        ({"prefix": "Lord"}, "prefix"),
        ({"message": "   "}, "message"),
        ({"message": "x" * 5001}, "message"),
        ({"consent": False}, "consent"),
        ({"phone": "12"}, "phone"),
        ({"region": "NY"}, "region"),  # the address is in CA
        # A split ZIP whose street the geocoder cannot place: the representative is unknown.
        (
            {"address_line": "999 Nowhere Rd", "locality": "Chicago", "region": "IL", "postal_code": "60616"},
            "address_line",
        ),
    ],
)
def test_bad_input_is_a_400_with_the_field_named(api_client, action, cwc, overrides, field):
    house, senate = cwc
    response = api_client.post(URL, letter_payload(**overrides), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert Letter.objects.count() == 0 and not house.received and not senate.received


@pytest.mark.django_db
def test_missing_fields_and_unknown_campaign(api_client, action):
    response = api_client.post(URL, {"consent": True}, format="json")
    assert response.status_code == 400
    assert {"prefix", "given_name", "family_name", "email", "address_line", "locality", "region",
            "postal_code"} <= set(response.json()["errors"])  # fmt: skip
    assert api_client.post("/api/v1/campaigns/nope/letters/", letter_payload(), format="json").status_code == 404


@pytest.mark.django_db
def test_closed_campaign_takes_no_letters(api_client, action, campaign):
    campaign.status = campaign.Status.CLOSED
    campaign.save()
    assert api_client.post(URL, letter_payload(), format="json").status_code == 409


@pytest.mark.django_db
def test_unchanged_subject_and_no_message_send_only_the_campaign_text(
    api_client, action, cwc, django_capture_on_commit_callbacks
):
    house, _ = cwc
    payload = letter_payload()
    payload.pop("message")
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(URL, payload, format="json").status_code == 202
    xml = house.received[0].xml.decode()
    assert "<ConstituentMessage>" not in xml and "<OrganizationStatement>" in xml


@pytest.mark.django_db
def test_a_503_storm_ends_in_exactly_one_delivery_per_letter(
    api_client, action, cwc, django_capture_on_commit_callbacks
):
    house, senate = cwc
    house.program(503, 503, 503, 503)
    # The Senate gateway records the message and then fails: the retry reuses the DeliveryId.
    senate.program(503, 503, 503, after_accept=True)
    response = post_letter(api_client, django_capture_on_commit_callbacks)
    assert response.status_code == 202
    letters = Letter.objects.all()
    assert {letter.status for letter in letters} == {"sent"}
    for letter in letters:
        fake = house if letter.chamber == "house" else senate
        assert fake.deliveries[letter.delivery_id] == 1
        # Every repeat of the DeliveryId was acknowledged as a duplicate: the office got it once.
        assert [r.duplicate for r in fake.received_for(letter.delivery_id)].count(False) == 1
    house_letter = letters.get(chamber="house")
    assert house_letter.attempts == 5
    assert list(house_letter.events.values_list("status", flat=True)) == ["queued"] + ["sending", "queued"] * 4 + [
        "sending",
        "sent",
    ]
    # Every senate attempt reached the office; it counts the message once.
    assert sum(len(senate.received_for(letter.delivery_id)) for letter in letters.filter(chamber="senate")) >= 3


@pytest.mark.django_db
def test_a_400_is_a_permanent_failure_with_the_apis_reason(api_client, action, cwc, django_capture_on_commit_callbacks):
    house, _ = cwc
    house.program(400)
    response = post_letter(api_client, django_capture_on_commit_callbacks)
    letter = Letter.objects.get(chamber="house")
    assert letter.status == "failed" and letter.attempts == 1
    assert "Constituent Zip is not valid for the member office" in letter.error
    assert not house.deliveries
    detail = api_client.get(f"/api/v1/letters/{letter.id}/").json()
    assert detail["status"] == "failed"
    assert [h["status"] for h in detail["history"]] == ["queued", "sending", "failed"]
    assert "Constituent Zip is not valid" in detail["history"][-1]["detail"]
    assert response.json()["letters"]  # the other letters went on
    assert set(Letter.objects.filter(chamber="senate").values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_transient_errors_stop_after_the_maximum_age(
    api_client, action, cwc, settings, django_capture_on_commit_callbacks
):
    house, _ = cwc
    settings.LETTERS_MAX_AGE_SECONDS = 0
    house.program(503)
    post_letter(api_client, django_capture_on_commit_callbacks)
    letter = Letter.objects.get(chamber="house")
    assert letter.status == "failed" and "gave up after 1 attempts" in letter.error
    assert not house.deliveries


@pytest.mark.django_db
def test_status_history_is_public_by_id_and_holds_no_personal_data(
    api_client, action, cwc, django_capture_on_commit_callbacks
):
    post_letter(api_client, django_capture_on_commit_callbacks)
    letter = Letter.objects.get(chamber="house")
    response = api_client.get(f"/api/v1/letters/{letter.id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "sent" and body["office_code"] == "HCA11" and body["sent_at"]
    assert [h["status"] for h in body["history"]] == ["queued", "sending", "sent"]
    text = response.content.decode()
    assert "Lovelace" not in text and "ada@example.org" not in text and "Mission" not in text
    assert api_client.get("/api/v1/letters/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.django_db
def test_without_any_channel_the_letter_needs_the_web_form_and_is_never_sent(
    api_client, action, settings, django_capture_on_commit_callbacks
):
    settings.LETTERS_OUTBOX_ENABLED = False
    response = post_letter(api_client, django_capture_on_commit_callbacks)
    assert response.status_code == 202
    letters = response.json()["letters"]
    assert {i["status"] for i in letters} == {"needs_web_form"}
    padilla = next(i for i in letters if i["bioguide_id"] == "P000145")
    assert padilla["web_form_url"] == "https://www.padilla.senate.gov/contact/"
    assert not Letter.objects.filter(status="sent").exists()


@pytest.mark.django_db
def test_the_embedded_default_keeps_letters_in_the_outbox(api_client, action, django_capture_on_commit_callbacks):
    post_letter(api_client, django_capture_on_commit_callbacks)
    assert set(Letter.objects.values_list("channel", "status")) == {("outbox", "in_outbox")}


@pytest.mark.django_db
def test_email_channel_sends_to_the_office_address_the_organizer_set(
    api_client, action, mailoutbox, django_capture_on_commit_callbacks
):
    action.email_offices = {"P000197": "letters@pelosi.example.gov"}
    action.save()
    post_letter(api_client, django_capture_on_commit_callbacks)
    letter = Letter.objects.get(bioguide_id="P000197")
    assert letter.channel == "email" and letter.status == "sent"
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["letters@pelosi.example.gov"] and mail.reply_to == ["ada@example.org"]
    assert "Dear Representative Pelosi" in mail.body and "worries me" in mail.body
    assert letter.delivery_id in mail.extra_headers["Message-ID"]


@pytest.mark.django_db
def test_specific_members_only_reach_those_who_represent_the_writer(
    api_client, action, cwc, django_capture_on_commit_callbacks
):
    action.target_rule = "specific"
    action.target_bioguide_ids = ["P000197", "S000033"]  # Pelosi (own) and Sanders (VT, not own)
    action.save()
    response = post_letter(api_client, django_capture_on_commit_callbacks)
    assert [i["bioguide_id"] for i in response.json()["letters"]] == ["P000197"]
    action.target_bioguide_ids = ["S000033"]
    action.save()
    response = api_client.post(URL, letter_payload(email="other@example.org"), format="json")
    assert response.status_code == 400 and "address_line" in response.json()["errors"]


@pytest.mark.django_db
def test_writer_cannot_edit_a_locked_subject(api_client, action, cwc):
    action.subject_editable = False
    action.save()
    response = api_client.post(URL, letter_payload(subject="My own"), format="json")
    assert response.status_code == 400 and "subject" in response.json()["errors"]


@pytest.mark.django_db
def test_outbox_batch_renders_printable_html_and_csv(client, api_client, action, django_capture_on_commit_callbacks):
    post_letter(api_client, django_capture_on_commit_callbacks)
    post_letter(api_client, django_capture_on_commit_callbacks, email="grace@example.org", given_name="Grace",
                family_name="Hopper", message="=HYPERLINK(\"http://x\")")  # fmt: skip
    assert client.get("/letters/outbox/P000197.html").status_code == 302  # the admin role only
    staff = User.objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(staff)
    assert client.get("/letters/outbox/").status_code == 403  # staff without the admin role
    from django.contrib.auth.models import Group

    staff.groups.add(Group.objects.get(name="admin"))
    index = client.get("/letters/outbox/")
    assert index.status_code == 200 and b"Pelosi" in index.content
    html = client.get("/letters/outbox/P000197.html")
    assert html.status_code == 200
    page = html.content.decode()
    assert page.count('<section class="letter">') == 2 and "page-break-after" in page
    assert "Ada Lovelace" in page and "Grace Hopper" in page and "Dear Representative Pelosi" in page
    csv = client.get("/letters/outbox/P000197.csv")
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("letter_id,office,recipient")
    assert len([line for line in lines[1:] if "Pelosi" in line]) == 2
    assert "'=HYPERLINK" in csv.content.decode()  # formulas neutralised


@pytest.mark.django_db
def test_a_rendered_subject_longer_than_the_column_is_cut_to_fit(api_client, action, cwc):
    action.subject_template = "S" * 180 + " {full_name} {city}"  # fits its own column; rendered, it does not
    action.save()
    response = api_client.post(URL, letter_payload(given_name="Augusta Ada"), format="json")
    assert response.status_code == 202, response.json()
    assert {len(s) for s in Letter.objects.values_list("subject", flat=True)} == {200}


@pytest.mark.django_db
def test_erasure_replaces_the_writers_own_subject_with_the_campaigns(api_client, action, cwc):
    from contacts.services import contact_erase

    action.subject_template = "Moratorium now, says {full_name} of {city}"
    action.save()
    response = api_client.post(URL, letter_payload(subject="Ada Lovelace of Mission St says stop"), format="json")
    assert response.status_code == 202, response.json()
    contact = Letter.objects.first().contact
    contact_erase(contact=contact)
    subjects = set(Letter.objects.filter(contact=contact).values_list("subject", flat=True))
    assert subjects == {"Moratorium now, says [erased] of [erased]"}


@pytest.mark.django_db
def test_address_validation_is_claimed_only_when_the_geocoder_placed_the_address(
    api_client, action, cwc, settings, django_capture_on_commit_callbacks
):
    house, _ = cwc
    post_letter(api_client, django_capture_on_commit_callbacks)
    assert "<AddressValidation>Y</AddressValidation>" in house.received[0].xml.decode()
    settings.CENSUS_GEOCODER_URL = "http://127.0.0.1:9"  # down: the ZIP alone gives CA-11
    response = post_letter(
        api_client, django_capture_on_commit_callbacks, email="grace@example.org", address_line="2470 Mission St"
    )
    assert response.status_code == 202, response.json()
    assert LetterSubmission.objects.get(email="grace@example.org").district_accuracy == "zip"
    assert "AddressValidation" not in house.received[1].xml.decode()


@pytest.mark.django_db
def test_a_submission_writes_the_contact_once_and_reads_the_cwc_offices_once(api_client, action, cwc):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = api_client.post(URL, letter_payload(), format="json")
    assert response.status_code == 202, response.json()
    sqls = [q["sql"] for q in queries.captured_queries]
    contact_writes = [s for s in sqls if s.startswith(("INSERT", "UPDATE")) and '"contacts_contact"' in s.split("(")[0]]
    assert len(contact_writes) == 1
    assert len([s for s in sqls if s.startswith("SELECT") and '"outreach_cwcoffice"' in s]) == 1
    contact = Letter.objects.first().contact
    assert (contact.district_state, contact.district, contact.district_accuracy) == ("CA", 11, "address")
