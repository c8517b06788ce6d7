"""The letter page's preview says how its recipients were found: from the street address, or from the ZIP
alone when the geocoder could not place the street, with the offer to check it; nothing is sent before."""

import re

import pytest

from outreach.models import Letter, LetterSubmission
from tests.outreach.letters.conftest import letter_payload

PAGE = "/l/write-congress/"
ZIP_ONLY_NOTE = "We could not match your street address, so we found your representative from your ZIP code."


def _address_input(html: str) -> str:
    return re.search(r'<input[^>]*name="address_line"[^>]*>', html).group(0)


def _recipients(html: str) -> str:
    return re.search(r'<input type="hidden" name="recipients" value="([^"]*)">', html).group(1)


@pytest.mark.django_db
def test_a_representative_from_the_zip_alone_is_previewed_with_the_offer_to_check_the_street(client, action, cwc):
    form = letter_payload(address_line="1 Nowhere Lane", consent="on")
    preview = client.post(PAGE, {**form, "step": "preview"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert ZIP_ONLY_NOTE in html and 'href="#id_address_line">Check your street address</a>' in html
    assert 'aria-describedby="address-note"' in _address_input(html)
    assert "To: Representative Nancy Pelosi" in html and "To: Senator Alex Padilla" in html
    assert "Send my letters" in html
    assert Letter.objects.count() == 0

    sent = client.post(PAGE, {**form, "recipients": _recipients(html), "step": "send"})
    assert sent.status_code == 200 and "Your letters" in sent.content.decode()
    assert Letter.objects.count() == 3
    assert LetterSubmission.objects.get().district_accuracy == "zip"


@pytest.mark.django_db
def test_an_address_the_geocoder_places_is_said_to_have_found_the_members(client, action, cwc):
    preview = client.post(PAGE, {**letter_payload(consent="on"), "step": "preview"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "We found your members of Congress from your street address." in html
    assert ZIP_ONLY_NOTE not in html


@pytest.mark.django_db
def test_a_split_zip_whose_street_cannot_be_placed_asks_for_the_address_and_sends_nothing(client, action, cwc):
    form = letter_payload(
        address_line="999 Nowhere Rd", locality="Chicago", region="IL", postal_code="60616", consent="on"
    )
    for step in ("preview", "send"):
        response = client.post(PAGE, {**form, "step": step})
        assert response.status_code == 400
        html = response.content.decode()
        assert "congressional district" in html and "<title>Error:" in html and 'role="alert"' in html
        assert 'aria-invalid="true"' in _address_input(html)
    assert Letter.objects.count() == 0


@pytest.mark.django_db
def test_recipients_changed_after_the_preview_are_shown_before_anything_is_sent(client, action, cwc):
    preview = client.post(PAGE, {**letter_payload(consent="on"), "step": "preview"})
    shown = _recipients(preview.content.decode())
    moved = letter_payload(
        address_line="1 E 31st St", locality="Chicago", region="IL", postal_code="60616", consent="on"
    )
    again = client.post(PAGE, {**moved, "recipients": shown, "step": "send"})
    assert again.status_code == 200
    html = again.content.decode()
    assert "Your letters now go to other members of Congress than the preview showed." in html
    assert "To: Senator Richard J. Durbin" in html
    assert Letter.objects.count() == 0
    sent = client.post(PAGE, {**moved, "recipients": _recipients(html), "step": "send"})
    assert sent.status_code == 200 and Letter.objects.count() == 3


def test_the_letter_page_has_one_main_landmark(client, action):
    assert client.get(PAGE).content.decode().count("<main>") == 1
