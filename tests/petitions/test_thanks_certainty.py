"""The thank-you page names the signer's members from the ZIP they signed with, says how sure that is, and
offers the campaign's call and letter pages, where a street address makes sure. The ZIP never goes into a
URL: it comes back in a cookie scoped to the signer's own thank-you page."""

import re

import pytest

from outreach.models import LetterAction
from outreach.services.calls import call_action_create
from petitions.models import Signature
from petitions.views import THANKS_ZIP_COOKIE
from tests.petitions.helpers import signer


def _hidden(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


def _sign(client, petition, *, embed=False, **fields):
    page = f"/p/{petition.slug}/{'embed/' if embed else ''}"
    hidden = _hidden(client.get(page).content.decode())
    response = client.post(page, {**hidden, **signer(**fields)})
    assert response.status_code == 303
    return response


def _members(html: str) -> str:
    found = re.search(r'<section aria-labelledby="members-heading">.*?</section>', html, re.S)
    return found.group(0) if found else ""


@pytest.fixture
def actions(campaign):
    call_action_create(campaign=campaign, name="Call Congress", script="Please.", target_rule="both")
    LetterAction.objects.create(
        campaign=campaign, slug="write-congress", title="Write to Congress", subject_template="Moratorium",
        body_template="Dear {legislator_title} {legislator_last_name},\n\n{full_name}",
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _fill_fast(settings):
    settings.PETITION_MIN_FILL_SECONDS = 0


def test_a_representative_from_the_zip_alone_is_named_with_the_offer_to_make_sure(client, petition, actions):
    response = _sign(client, petition, postal_code="94110")
    sig = Signature.objects.get()
    assert response["Location"] == f"/p/{petition.slug}/thanks/?ref={sig.ref_code}"
    cookie = response.cookies[THANKS_ZIP_COOKIE]
    assert cookie.value == "94110" and cookie["path"] == f"/p/{petition.slug}/thanks/" and cookie["max-age"]

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "no-store" in thanks["Cache-Control"] and "private" in thanks["Cache-Control"]
    members = _members(thanks.content.decode())
    assert "Senator Alex Padilla (CA)" in members and "Senator Adam B. Schiff (CA)" in members
    assert "Representative Nancy Pelosi (CA, district 11): found from your ZIP code" in members
    assert "Add your street address on the call or letter page to be sure." in members
    assert '<a href="/c/demo-campaign/">Call your members of Congress</a>' in members
    assert '<a href="/l/write-congress/">Write to your members of Congress: Write to Congress</a>' in members
    assert "94110" not in thanks.content.decode()


def test_a_split_zip_names_the_possible_representatives_and_asks_for_the_address(client, petition, actions):
    response = _sign(client, petition, postal_code="60616")
    assert "60616" not in response["Location"]
    members = _members(client.get(response["Location"]).content.decode())
    assert "Senator Richard J. Durbin (IL)" in members
    assert "Your ZIP code may span several districts, so we can't tell your representative from it alone." in members
    for district in (1, 4, 7):
        assert f"(IL, district {district})" in members
    assert "Add your street address on the call or letter page to find out." in members
    assert "found from your ZIP code" not in members


def test_in_a_one_seat_state_the_representative_is_certain_and_no_address_is_asked(client, petition):
    members = _members(client.get(_sign(client, petition, postal_code="05401")["Location"]).content.decode())
    assert "Representative Becca Balint (VT)" in members
    assert "found from your ZIP code" not in members and "street address" not in members


def test_without_call_or_letter_pages_only_the_members_are_shown(client, petition):
    members = _members(client.get(_sign(client, petition, postal_code="94110")["Location"]).content.decode())
    assert "We found your representative from your ZIP code." in members
    assert "street address" not in members and "<a href" not in members


def test_someone_else_opening_the_thank_you_link_sees_no_members(client, petition, actions):
    from django.test import Client

    location = _sign(client, petition, postal_code="94110")["Location"]
    html = Client().get(location).content.decode()  # the link, shared, without the signer's cookie
    assert "Your members of Congress" not in html and "Pelosi" not in html
    assert '<a href="/c/demo-campaign/">Call your members of Congress</a>' in html


def test_an_embedded_form_sets_no_cookie_and_its_thank_you_page_names_no_members(client, petition, actions):
    response = _sign(client, petition, embed=True, postal_code="94110")
    assert THANKS_ZIP_COOKIE not in response.cookies
    html = client.get(response["Location"]).content.decode()
    assert "Pelosi" not in html
    assert 'href="/c/demo-campaign/" target="_blank" rel="noopener"' in html


def test_the_forms_script_carries_the_zip_in_a_cookie_to_the_thank_you_page_only(client, petition):
    html = client.get(f"/p/{petition.slug}/").content.decode()
    assert f'data-thanks="/p/{petition.slug}/thanks/"' in html
    assert '"petition_zip=" + zip + "; path=" + form.dataset.thanks' in html
    assert "data-thanks" not in client.get(f"/p/{petition.slug}/embed/").content.decode()


def test_a_zip_across_a_state_line_names_no_member_as_certain(client, petition, actions):
    members = _members(client.get(_sign(client, petition, postal_code="02861")["Location"]).content.decode())
    assert "Your ZIP code crosses a state line, so we can't tell your members of Congress from it alone." in members
    assert "(RI)" in members and "(MA)" in members
    assert "From the ZIP code you signed with" not in members
    assert "Add your street address on the call or letter page to find out." in members
