"""The petitions part of a person's export and erasure (registered with contacts in apps.py)."""

from contacts.models import Contact
from petitions.models import Signature, SignatureIntake


def _intake_rows(contact: Contact):
    from petitions.drain import signature_intake_drain
    from petitions.intake import intake_email_key

    rows = SignatureIntake.objects.filter(email_key=intake_email_key(contact.email))
    # A signature made in the last moments may still wait in the intake: make it first, so it is in
    # the export and erased with the rest.
    undrained = list(rows.filter(drained_at__isnull=True).values_list("pk", flat=True))
    if undrained:
        signature_intake_drain(ids=undrained)
    return rows


def export(contact: Contact) -> list[dict]:
    _intake_rows(contact)
    return [
        {
            "petition": s.petition.slug,
            "status": s.status,
            "signed_at": s.created_at.isoformat(),
            "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
            "comment": s.comment,
            "public_display": s.public_display,
            "source_code": s.source_code,
            "district_state": s.district_state,
            "district": s.district,
            "district_congress": s.district_congress,
            "share_code": s.ref_code,
        }
        for s in Signature.objects.filter(contact=contact).select_related("petition").order_by("created_at")
    ]


def erase(contact: Contact) -> None:
    # The intake rows go: they hold a key derived from the email. Runs before the contact's email is
    # replaced (contacts.services.contact_erase), which is what finds them.
    _intake_rows(contact).delete()
    # The rows stay, with their status and district, so counts and per-district figures do not move.
    Signature.objects.filter(contact=contact).update(comment="", public_display=False, ip_hash="", ua_hash="")
