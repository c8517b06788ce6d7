"""The calls and letters part of a person's export and erasure (registered with contacts in apps.py).

Erasure keeps the rows, their statuses, districts and offices, so every count and aggregate stays what
it was; what identifies the person is blanked. A letter already delivered to an office stays delivered:
only our copy of it is anonymized.
"""

from contacts.models import Contact
from outreach.models import CallFeedback, CallSession, Letter, LetterSubmission

ERASED = "[erased]"


def export(contact: Contact) -> dict:
    return {
        "calls": [
            {
                "campaign": s.campaign.slug,
                "started_at": s.created_at.isoformat(),
                "status": s.status,
                "phone": s.phone,
                "postal_code": s.postal_code,
                "legs": [{"office": leg.name, "status": leg.status, "duration": leg.duration} for leg in s.legs.all()],
                # The caller's own reports, in their own words.
                "feedback": [
                    {"target": f.target_key, "outcome": f.outcome, "notes": f.notes} for f in s.feedback.all()
                ],
            }
            for s in CallSession.objects.filter(contact=contact)
            .select_related("campaign")
            .prefetch_related("legs", "feedback")
        ],
        "letters": [
            {
                "to": f"{letter.recipient_title} {letter.recipient_name}".strip(),
                "subject": letter.subject,
                "message": letter.constituent_message,
                "status": letter.status,
                "written_at": letter.created_at.isoformat(),
                "sent_at": letter.sent_at.isoformat() if letter.sent_at else None,
            }
            for letter in Letter.objects.filter(contact=contact).order_by("created_at")
        ],
    }


def erase(contact: Contact) -> None:
    CallSession.objects.filter(contact=contact).update(phone="", postal_code="")
    CallFeedback.objects.filter(session__contact=contact).update(notes="")
    LetterSubmission.objects.filter(contact=contact).update(
        prefix="", given_name="", family_name="", email="", phone="", address_line="", locality="",
        postal_code="", subject="", message="",
    )  # fmt: skip
    Letter.objects.filter(contact=contact).update(body=ERASED, constituent_message="")
