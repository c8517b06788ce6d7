import pytest

from contacts.models import Contact
from petitions.models import Signature
from tests.fakes.census import match_payload
from tests.petitions.helpers import sign_url, signer


def test_split_zip_with_address_is_resolved_by_the_task(
    api_client, petition, fake_census, django_capture_on_commit_callbacks
):
    fake_census.add(
        "2300 S Michigan Ave, Chicago, IL, 60616",
        match_payload(state="IL", state_fips="17", district="07", zip="60616"),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_client.post(
            sign_url(petition.slug),
            signer(postal_code="60616", address_line="2300 S Michigan Ave", locality="Chicago", region="IL"),
            format="json",
        )
    assert response.status_code == 201
    assert fake_census.requests == []  # nothing outside was called during the request
    assert Signature.objects.get().district is None
    for callback in callbacks:
        callback()
    sig = Signature.objects.get()
    assert (sig.district_state, sig.district, sig.district_accuracy, sig.district_congress) == ("IL", 7, "address", 119)
    contact = Contact.objects.get()
    assert (contact.district_state, contact.district, contact.district_accuracy) == ("IL", 7, "address")


def test_geocoder_without_a_match_leaves_the_district_open(
    api_client, petition, fake_census, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            sign_url(petition.slug), signer(postal_code="60616", address_line="1 Nowhere St"), format="json"
        )
    assert len(fake_census.requests) == 1  # asked, found nothing
    assert Signature.objects.get().district is None


def test_geocoder_outage_retries_instead_of_settling_for_the_split_zip(
    api_client, petition, fake_census, django_capture_on_commit_callbacks
):
    from celery.exceptions import Retry

    fake_census.status = 503
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api_client.post(
            sign_url(petition.slug),
            signer(postal_code="60616", address_line="2300 S Michigan Ave", locality="Chicago", region="IL"),
            format="json",
        )
    # The task asks for a retry (eager mode surfaces it as Retry) instead of settling for the ZIP answer.
    with pytest.raises(Retry, match="GeocoderUnavailable"):
        for callback in callbacks:
            callback()
    assert fake_census.requests
    assert Signature.objects.get().district is None


def test_a_split_district_signer_keeps_the_state_and_reaches_the_senators(
    api_client, petition, django_capture_on_commit_callbacks
):
    from outreach.services.petition_delivery import petition_deliver

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(sign_url(petition.slug), signer(postal_code="60616"), format="json")
    assert response.status_code == 201
    sig = Signature.objects.get()
    assert (sig.district_state, sig.district, sig.district_congress) == ("IL", None, 119)
    contact = Contact.objects.get()
    assert (contact.district_state, contact.district) == ("IL", None)
    if sig.status != Signature.Status.CONFIRMED:
        Signature.objects.filter(pk=sig.pk).update(status=Signature.Status.CONFIRMED)
    with django_capture_on_commit_callbacks(execute=False):
        result = petition_deliver(slug=petition.slug)
    assert result.skipped == 0
    assert {o["bioguide_id"] for o in result.offices} == {"D000563", "D000622"}  # IL's senators, no House


def test_a_signer_whose_zip_crosses_a_state_line_gets_no_state(
    api_client, petition, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(sign_url(petition.slug), signer(postal_code="02861"), format="json")
    sig = Signature.objects.get()
    assert (sig.district_state, sig.district) == ("", None)
