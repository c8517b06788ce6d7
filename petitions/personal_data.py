"""The petitions part of a person's export and erasure (registered with contacts in apps.py)."""

from contacts.models import Contact
from petitions.models import Signature


def export(contact: Contact) -> list[dict]:
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
    # The rows stay, with their status and district, so counts and per-district figures do not move.
    Signature.objects.filter(contact=contact).update(comment="", public_display=False, ip_hash="", ua_hash="")
