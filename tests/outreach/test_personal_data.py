import json

import pytest

from campaign.loadgen import load_generate
from contacts.services import contact_erase, contact_export
from organizing.models import Campaign
from outreach.models import CallFeedback, CallSession, Letter, LetterSubmission

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer():
    campaign = Campaign.objects.create(slug="pd", name="Personal data")
    load_generate(campaign=campaign, signatures=0, calls=3, letters=3, days=2, seed=5)
    letter = Letter.objects.select_related("contact").first()
    contact = letter.contact
    session = CallSession.objects.first()
    CallSession.objects.filter(pk=session.pk).update(contact=contact, phone="+18025550143", postal_code="05401")
    CallFeedback.objects.filter(session=session, target_key="S000033").delete()
    CallFeedback.objects.create(session=session, target_key="S000033", outcome="contact", notes="Staffer Ann, kind")
    LetterSubmission.objects.filter(contact=contact).update(message="My own words", email=contact.email)
    Letter.objects.filter(contact=contact).update(constituent_message="My own words")
    return contact


def test_export_includes_the_persons_calls_and_letters(writer):
    data = contact_export(contact=writer)
    json.dumps(data)
    assert data["outreach"]["calls"][0]["phone"] == "+18025550143"
    assert {"target": "S000033", "outcome": "contact", "notes": "Staffer Ann, kind"} in data["outreach"]["calls"][0][
        "feedback"
    ]
    assert data["outreach"]["letters"][0]["message"] == "My own words"


def test_erasure_blanks_phones_addresses_and_letter_text_but_keeps_the_counts(writer):
    letters_before = Letter.objects.filter(contact=writer).values_list("status", "bioguide_id")
    expected = sorted(letters_before)
    contact_erase(contact=writer)
    session = CallSession.objects.get(contact=writer)
    assert (session.phone, session.postal_code) == ("", "")
    assert session.feedback.get(target_key="S000033").outcome == "contact"
    assert set(session.feedback.values_list("notes", flat=True)) == {""}
    submission = LetterSubmission.objects.get(contact=writer)
    assert (submission.given_name, submission.email, submission.address_line, submission.message) == ("", "", "", "")
    assert all(
        letter.constituent_message == "" and letter.body == "[erased]"
        for letter in Letter.objects.filter(contact=writer)
    )
    assert sorted(Letter.objects.filter(contact=writer).values_list("status", "bioguide_id")) == expected
    exported = json.dumps(contact_export(contact=writer))
    assert "+18025550143" not in exported and "Staffer Ann" not in exported
