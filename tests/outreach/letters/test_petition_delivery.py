"""Petition delivery through the letter pipeline."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command

from congress.selectors import current_snapshot
from outreach.models import Letter, PetitionDeliveryBatch
from outreach.services.petition_delivery import petition_deliver
from tests.outreach.letters.conftest import sign

pytestmark = pytest.mark.django_db


def batch_csv_lines(client, batch) -> list[str]:
    admin, created = User.objects.get_or_create(username="csv-admin")
    if created:
        admin.groups.add(Group.objects.get_or_create(name="admin")[0])
    client.force_login(admin)
    response = client.get(f"/letters/petition-batches/{batch.pk}.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return b"".join(response.streaming_content).decode().strip().splitlines()


def _letters_by_member():
    return {letter.bioguide_id: letter for letter in Letter.objects.filter(petition_batch__isnull=False)}


def test_signatures_are_grouped_by_district_and_state_one_letter_per_office(
    petition, client, django_capture_on_commit_callbacks
):
    for n in range(3):
        sign(petition, n, given="Ann", city="San Francisco", state="CA", district=11)
    for n in range(2):
        sign(petition, n, given="Ben", city="Sacramento", state="CA", district=7)
    sign(petition, 0, given="Cy", city="Burlington", state="VT", district=0)
    sign(petition, 0, given="Pending", city="Oakland", state="CA", district=12, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        result = petition_deliver(slug=petition.slug)
    assert result.run == 1 and result.signatures == 6
    letters = _letters_by_member()
    assert set(letters) == {"P000197", "M001163", "P000145", "S001150", "B001318", "S000033", "W000800"}
    pelosi = letters["P000197"]
    assert "3 constituents of your district (CA-11) signed" in pelosi.body
    assert "We ask Congress for a moratorium" in pelosi.body
    assert "Ann Signer0, San Francisco" in pelosi.body and "Ben" not in pelosi.body
    assert "5 constituents of your state (CA) signed" in letters["P000145"].body
    assert "1 constituent of your district (VT-AL) signed" in letters["B001318"].body
    assert "Pending" not in "".join(letter.body for letter in letters.values())
    # Delivered through the same pipeline: the embedded default keeps them in the outbox.
    assert {letter.status for letter in letters.values()} == {"in_outbox"}
    batch = PetitionDeliveryBatch.objects.get(bioguide_id="P000197")
    rows = batch_csv_lines(client, batch)
    assert rows[0] == "name,city,state,district" and len(rows) == 4 and "Ann Signer1,San Francisco,CA,11" in rows


def test_a_rerun_sends_only_new_signatures(petition, django_capture_on_commit_callbacks):
    sign(petition, 0, given="Ann", city="San Francisco", state="CA", district=11)
    petition_deliver(slug=petition.slug)
    again = petition_deliver(slug=petition.slug)
    assert again.run == 2 and again.letters == 0 and again.signatures == 0
    sign(petition, 1, given="Dee", city="San Francisco", state="CA", district=11)
    third = petition_deliver(slug=petition.slug)
    assert third.letters == 3 and third.signatures == 1
    newest = Letter.objects.filter(petition_batch__run=third.run, bioguide_id="P000197").get()
    assert "1 constituent of your district (CA-11) signed" in newest.body
    assert "Dee Signer1" in newest.body and "Ann Signer0" not in newest.body
    assert Letter.objects.filter(bioguide_id="P000197").count() == 2


def test_command_and_organizer_endpoint_deliver(petition, api_client, capsys, django_capture_on_commit_callbacks):
    sign(petition, 0, given="Ann", city="San Francisco", state="CA", district=11)
    call_command("deliver_petition", petition.slug)
    assert "3 letter(s)" in capsys.readouterr().out
    sign(petition, 1, given="Eve", city="Burlington", state="VT", district=0)
    url = f"/api/v1/petitions/{petition.slug}/deliver/"
    assert api_client.post(url).status_code in (401, 403)
    user = User.objects.create_user("organizer", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="deliver_petition"))
    api_client.force_authenticate(User.objects.get(pk=user.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(url)
    assert response.status_code == 202
    # The delivery runs in a worker (eager here): the answer is the run, its result is at the run's URL.
    result = api_client.get(response.json()["url"]).json()["result"]
    assert result["letters"] == 3 and result["run"] == 2
    assert api_client.post("/api/v1/petitions/nope/deliver/").status_code == 404


def test_a_district_of_an_earlier_congress_goes_to_the_senators_only(petition):
    sign(
        petition,
        0,
        given="Old",
        city="San Francisco",
        state="CA",
        district=11,
        congress=current_snapshot().congress - 1,
    )
    result = petition_deliver(slug=petition.slug)
    assert set(_letters_by_member()) == {"P000145", "S001150"}
    assert result.signatures == 1 and result.skipped == 0


def test_a_signature_without_a_state_goes_to_no_office_and_the_command_says_so(petition, capsys):
    sign(petition, 0, given="Nowhere", city="", state="", district=None)
    call_command("deliver_petition", petition.slug)
    assert "1 without a state went to no office" in capsys.readouterr().out
    assert not Letter.objects.exists()


def test_erasing_a_signer_erases_them_from_the_batch_csv(petition, client):
    from contacts.services import contact_erase

    signature = sign(petition, 0, given="Ann", city="San Francisco", state="CA", district=11)
    petition_deliver(slug=petition.slug)
    batch = PetitionDeliveryBatch.objects.get(bioguide_id="P000197")
    assert "Ann Signer0,San Francisco,CA,11" in batch_csv_lines(client, batch)
    contact_erase(contact=signature.contact)
    lines = batch_csv_lines(client, batch)
    assert len(lines) == 2 and "Ann" not in lines[1] and "San Francisco" not in lines[1]


def test_a_delivery_does_not_lock_the_petition_row(petition):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign(petition, 0, given="Ann", city="San Francisco", state="CA", district=11)
    with CaptureQueriesContext(connection) as queries:
        petition_deliver(slug=petition.slug)
    assert not [q for q in queries.captured_queries if "FOR UPDATE" in q["sql"].upper()]
