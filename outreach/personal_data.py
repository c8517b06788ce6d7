"""The calls and letters part of a person's export and erasure (registered with contacts in apps.py).

Erasure keeps the rows, their statuses, districts and offices, so every count and aggregate stays what
it was; what identifies the person is blanked. A letter already delivered to an office stays delivered:
only our copy of it is anonymized.
"""

from congress.models import Legislator
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


def _anonymous_subject(letter: Letter) -> str:
    """The campaign's own subject for this office, with the writer's name and city left out: the writer
    may have typed their own subject, and the template may hold their name."""
    from outreach.services.letter_compose import SUBJECT_MAX, letter_context, letter_render

    if letter.action is None:
        return ERASED
    sub = letter.submission
    context = letter_context(
        legislator=Legislator.objects.filter(pk=letter.bioguide_id).first(),
        given_name=ERASED,
        family_name="",
        city=ERASED,
        state=sub.district_state if sub else "",
        district=sub.district if sub else None,
    )
    subject, _ = letter_render(action=letter.action, context=context)
    return subject[:SUBJECT_MAX]


def erase(contact: Contact) -> None:
    CallSession.objects.filter(contact=contact).update(phone="", postal_code="")
    CallFeedback.objects.filter(session__contact=contact).update(notes="")
    # Before the submission is blanked: the subject is rebuilt from the district it keeps.
    for letter in Letter.objects.filter(contact=contact).select_related("action", "submission"):
        Letter.objects.filter(pk=letter.pk).update(subject=_anonymous_subject(letter))
    LetterSubmission.objects.filter(contact=contact).update(
        prefix="", given_name="", family_name="", email="", phone="", address_line="", locality="",
        postal_code="", subject="", message="",
    )  # fmt: skip
    Letter.objects.filter(contact=contact).update(body=ERASED, constituent_message="")
