"""infra.dbutil.insert_rows: the batch insert under the petition intake's drain (both databases)."""

import datetime as dt

import pytest
from django.utils import timezone

from contacts.models import Contact
from infra.dbutil import insert_rows
from petitions.models import Signature


@pytest.fixture
def petition(db):
    from organizing.models import Campaign
    from petitions.models import Petition

    campaign = Campaign.objects.create(slug="rows", name="Rows")
    return Petition.objects.create(campaign=campaign, slug="rows", title="R", petition_text="t", status="open")


def test_rows_left_out_columns_get_each_fields_default(petition):
    before = timezone.now()
    inserted = insert_rows(
        Contact,
        [{"email": "a@example.org", "given_name": "Ada"}, {"email": "b@example.org", "postal_code": "05401"}],
        returning="email, id",
    )
    assert [email for email, _ in inserted] == ["a@example.org", "b@example.org"]
    a, b = Contact.objects.get(email="a@example.org"), Contact.objects.get(email="b@example.org")
    assert (a.given_name, a.postal_code, a.district, a.erased_at) == ("Ada", "", None, None)
    assert b.postal_code == "05401" and b.created_at >= before and b.updated_at >= before  # auto_now fields

    # A callable default is called for each row: two signatures get two public ids and referral codes.
    when = timezone.now() - dt.timedelta(days=3)
    rows = [{"petition_id": petition.pk, "contact_id": c.pk, "status": "confirmed", "created_at": when} for c in (a, b)]
    assert len(insert_rows(Signature, rows, returning="id")) == 2
    first, second = Signature.objects.order_by("id")
    assert first.public_id != second.public_id and first.ref_code != second.ref_code
    assert first.created_at == when  # a value given for an auto_now_add field is kept


def test_rows_a_unique_constraint_holds_are_skipped_even_within_the_statement(petition):
    contact = Contact.objects.create(email="a@example.org")
    row = {"petition_id": petition.pk, "contact_id": contact.pk, "status": "confirmed"}
    assert len(insert_rows(Signature, [row, dict(row)], returning="id")) == 1
    assert insert_rows(Signature, [row], returning="id") == []
    assert insert_rows(Signature, [], returning="id") == []
    assert Signature.objects.count() == 1
