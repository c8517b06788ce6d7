"""The call page says how sure it is of whom the call reaches: a representative found from the ZIP alone
is shown before the call, with the offer to add a street address; an uncertain ZIP asks for one."""

import re

import pytest

from outreach.models import CallSession
from outreach.services.calls import call_action_create
from tests.fakes.census import match_payload

CA_PHONE = "+14155550123"
PAGE = "/c/moratorium/"


def _post(client, django_capture_on_commit_callbacks, **fields):
    data = {"phone": CA_PHONE, "postal_code": "94110", "consent": "on", **fields}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(PAGE, data)


def _confirm_token(html: str) -> str:
    found = re.search(r'<input type="hidden" name="confirm" value="([^"]+)">', html)
    assert found, "no confirmation offered"
    return found.group(1)


def test_a_representative_from_the_zip_alone_is_shown_before_the_call_with_the_offer_of_an_address(
    twilio_settings, fake_twilio, action, client, django_capture_on_commit_callbacks
):
    response = _post(client, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    html = response.content.decode()
    targets = re.search(r'<section class="targets".*?</section>', html, re.S).group(0)
    for name in ("Alex Padilla", "Adam B. Schiff", "Nancy Pelosi"):
        assert name in targets
    assert "We found your representative from your ZIP code. Add your street address to be sure." in html
    assert 'aria-describedby="address-note"' in html
    # What the person typed is kept, the consent tick too, so one press of "Call me now" is enough.
    assert f'value="{CA_PHONE}"' in html and 'value="94110"' in html
    assert re.search(r'name="consent" id="id_consent" required checked', html)
    assert "Call me now" in html
    assert not CallSession.objects.exists()
    assert fake_twilio.calls == []


def test_call_me_now_after_seeing_the_targets_starts_the_call(
    twilio_settings, fake_twilio, action, client, django_capture_on_commit_callbacks
):
    token = _confirm_token(_post(client, django_capture_on_commit_callbacks).content.decode())
    response = _post(client, django_capture_on_commit_callbacks, confirm=token)
    assert response.status_code == 302
    session = CallSession.objects.get()
    assert response["Location"] == f"/c/moratorium/s/{session.id}/"
    assert (session.district_state, session.district) == ("CA", 11)
    assert [leg.name for leg in session.legs.order_by("position")] == ["Alex Padilla", "Adam B. Schiff", "Nancy Pelosi"]
    assert len(fake_twilio.calls) == 1


def test_a_confirmation_counts_only_for_the_zip_and_address_that_were_shown(
    twilio_settings, fake_twilio, action, client, django_capture_on_commit_callbacks
):
    token = _confirm_token(_post(client, django_capture_on_commit_callbacks).content.decode())
    response = _post(client, django_capture_on_commit_callbacks, postal_code="60616", confirm=token)
    assert response.status_code == 400
    assert "add your street address" in response.content.decode()
    response = _post(client, django_capture_on_commit_callbacks, confirm="1")
    assert response.status_code == 200 and "Add your street address to be sure" in response.content.decode()
    assert not CallSession.objects.exists()
    assert fake_twilio.calls == []


def test_a_split_zip_asks_for_the_street_address_and_names_the_possible_representatives(
    twilio_settings, fake_twilio, action, client, django_capture_on_commit_callbacks
):
    response = _post(client, django_capture_on_commit_callbacks, postal_code="60616", phone="+13125550111")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error:" in html and 'role="alert"' in html
    assert 'id="id_address" autocomplete="street-address" value="" aria-invalid="true"' in html
    note = re.search(r'<div class="notice problem" id="address-note">.*?</div>', html, re.S).group(0)
    assert "add your street address to find your representative" in note
    assert "Your representative is one of these:" in note
    for district in (1, 4, 7):
        assert f"(IL, district {district})" in note
    assert 'name="confirm"' not in html
    assert not CallSession.objects.exists()
    assert fake_twilio.calls == []


def test_a_split_zip_with_a_placed_street_address_starts_the_call_at_once(
    twilio_settings, fake_twilio, fake_census, action, client, django_capture_on_commit_callbacks
):
    fake_census.add(
        "2301 S Michigan Ave, 60616", match_payload(state="IL", state_fips="17", district="07", zip="60616")
    )
    response = _post(
        client,
        django_capture_on_commit_callbacks,
        postal_code="60616",
        address="2301 S Michigan Ave",
        phone="+13125550111",
    )
    assert response.status_code == 302
    session = CallSession.objects.get()
    assert (session.district_state, session.district) == ("IL", 7)
    assert len(fake_twilio.calls) == 1


def test_an_address_the_geocoder_cannot_place_falls_back_to_the_zip_and_says_so(
    twilio_settings, fake_twilio, fake_census, action, client, django_capture_on_commit_callbacks
):
    response = _post(client, django_capture_on_commit_callbacks, address="1 Nowhere Lane")
    assert response.status_code == 200
    html = response.content.decode()
    assert "We could not match your street address, so we found your representative from your ZIP code" in html
    assert 'value="1 Nowhere Lane"' in html
    assert not CallSession.objects.exists()
    response = _post(client, django_capture_on_commit_callbacks, address="1 Nowhere Lane", confirm=_confirm_token(html))
    assert response.status_code == 302
    assert CallSession.objects.get().district == 11


def test_an_address_added_on_the_confirmation_step_is_used_and_starts_the_call(
    twilio_settings, fake_twilio, fake_census, action, client, django_capture_on_commit_callbacks
):
    fake_census.add("2460 Mission St, 94110", match_payload(state="CA", state_fips="06", district="11", zip="94110"))
    token = _confirm_token(_post(client, django_capture_on_commit_callbacks).content.decode())
    response = _post(client, django_capture_on_commit_callbacks, address="2460 Mission St", confirm=token)
    assert response.status_code == 302
    assert CallSession.objects.get().district == 11
    assert any(query.get("address") == "2460 Mission St, 94110" for _, query in fake_census.requests)


@pytest.mark.parametrize(
    ("postal_code", "phone", "rule"),
    [
        ("05401", "+18025550123", "both"),  # one seat: the state decides, an address adds nothing
        ("94110", CA_PHONE, "senators"),  # the House is not called
    ],
)
def test_a_certain_answer_starts_the_call_on_the_first_press(
    twilio_settings, fake_twilio, campaign, client, django_capture_on_commit_callbacks, postal_code, phone, rule
):
    call_action_create(campaign=campaign, name="Call", script="Please.", target_rule=rule)
    response = _post(client, django_capture_on_commit_callbacks, postal_code=postal_code, phone=phone)
    assert response.status_code == 302
    assert len(fake_twilio.calls) == 1


def test_a_bad_phone_is_reported_with_the_targets_before_any_call(
    twilio_settings, fake_twilio, action, client, django_capture_on_commit_callbacks
):
    response = _post(client, django_capture_on_commit_callbacks, phone="12")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true" aria-describedby="phone-error"' in html
    assert "Nancy Pelosi" in html
    assert not CallSession.objects.exists()


def test_the_call_page_is_one_main_landmark_with_labelled_fields(twilio_settings, action, client):
    html = client.get(PAGE).content.decode()
    assert html.count("<main>") == 1
    for name in ("phone", "postal_code", "address", "consent"):
        assert f'<label for="id_{name}">' in html and f'id="id_{name}"' in html


@pytest.mark.parametrize("rule", ["both", "senators"])
def test_a_zip_across_a_state_line_asks_for_the_address_even_for_the_senators(
    twilio_settings, fake_twilio, campaign, client, django_capture_on_commit_callbacks, rule
):
    call_action_create(campaign=campaign, name="Call", script="Please.", target_rule=rule)
    response = _post(client, django_capture_on_commit_callbacks, postal_code="02861", phone="+14015550123")
    assert response.status_code == 400
    note = re.search(r'<div class="notice problem" id="address-note">.*?</div>', response.content.decode(), re.S)
    assert "crosses a state line" in note.group(0)
    assert "Your members of Congress are among these:" in note.group(0)
    assert "(RI)" in note.group(0) and "(MA)" in note.group(0)
    assert not CallSession.objects.exists()


def test_a_zip_the_crosswalk_does_not_know_lists_only_the_first_possible_members(
    twilio_settings, fake_twilio, action, client, django_capture_on_commit_callbacks
):
    response = _post(client, django_capture_on_commit_callbacks, postal_code="00501", phone="+16315550123")
    assert response.status_code == 400
    note = re.search(r'<div class="notice problem" id="address-note">.*?</div>', response.content.decode(), re.S)
    assert note.group(0).count("(NY, district") == 8
    assert "<li>and others</li>" in note.group(0)
