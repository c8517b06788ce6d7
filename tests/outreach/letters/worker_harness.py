"""Run in a subprocess by the worker-kill test: creates one queued CWC letter in the database named by
DATABASE_URL, commits, enqueues its delivery task on the real broker and prints the letter id.

Kept out of the test process because the test's own database work happens in a transaction that a
worker process could never see.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaign.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from contacts.models import Contact
    from organizing.models import Campaign
    from outreach import publish
    from outreach.models import CwcOffice, Letter, LetterAction, LetterEvent, LetterSubmission

    with transaction.atomic():
        campaign = Campaign.objects.create(slug="kill-test", name="Kill test", status="active")
        action = LetterAction.objects.create(
            campaign=campaign, slug="kill-test", title="t", subject_template="Subject", body_template="Body",
            topics=["Immigration"],
        )  # fmt: skip
        contact = Contact.objects.create(email="ada@example.org", given_name="Ada", family_name="Lovelace")
        CwcOffice.objects.create(code="HCA11", chamber="house", synced_at=timezone.now())
        submission = LetterSubmission.objects.create(
            action=action, contact=contact, prefix="Ms.", given_name="Ada", family_name="Lovelace",
            email="ada@example.org", address_line="2460 Mission St", locality="San Francisco", region="CA",
            postal_code="94110", district_state="CA", district=11, district_congress=119,
        )  # fmt: skip
        letter = Letter.objects.create(
            action=action, contact=contact, submission=submission, bioguide_id="P000197",
            recipient_name="Nancy Pelosi", recipient_title="Representative", chamber="house", channel="cwc_house",
            office_code="HCA11", subject="Subject", body="Body", status="queued", queued_at=timezone.now(),
        )  # fmt: skip
        LetterEvent.objects.create(letter=letter, status="queued")
        publish.deliver_letters([letter.pk])
    sys.stdout.write(letter.pk.hex + "\n")


if __name__ == "__main__":
    main()
