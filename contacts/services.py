from __future__ import annotations

from django.db import IntegrityError, transaction

from contacts.models import ConsentRecord, ConsentText, Contact
from contacts.privacy import keyed_hash

# Fields a new submission may fill. A blank never overwrites a known value; a newer non-blank value wins.
MERGEABLE_FIELDS = ("given_name", "family_name", "phone", "address_line", "locality", "region", "postal_code")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def contact_upsert(*, email: str, source: str = "", **fields: str) -> tuple[Contact, bool]:
    """Find a contact by email (case-insensitive) or create one; merge `fields` by the rules above.

    Returns (contact, created). Safe under concurrency: two requests with the same email end with one row.
    """
    unknown = set(fields) - set(MERGEABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    email = email.strip()
    clean = {k: (v or "").strip() for k, v in fields.items()}
    contact = Contact.objects.filter(email__iexact=email).first()
    created = False
    if contact is None:
        try:
            with transaction.atomic():
                contact = Contact.objects.create(email=email, source=source, **clean)
                created = True
        except IntegrityError:
            # Another request created it between our read and our insert: merge into theirs.
            contact = Contact.objects.get(email__iexact=email)
    if not created:
        changed = [k for k, v in clean.items() if v and getattr(contact, k) != v]
        if changed:
            for k in changed:
                setattr(contact, k, clean[k])
            contact.save(update_fields=[*changed, "updated_at"])
    return contact, created


def consent_text_current(*, key: str, text: str) -> ConsentText:
    """The ConsentText row for this exact wording: a changed wording gets the next version."""
    latest = ConsentText.objects.filter(key=key).order_by("-version").first()
    if latest and latest.text == text:
        return latest
    try:
        with transaction.atomic():
            return ConsentText.objects.create(key=key, version=(latest.version + 1 if latest else 1), text=text)
    except IntegrityError:
        return ConsentText.objects.filter(key=key, text=text).order_by("-version").first() or consent_text_current(
            key=key, text=text
        )


def consent_record(
    *, contact: Contact, channel: str, granted: bool, text_key: str, text: str, source: str = "", ip: str = ""
) -> ConsentRecord:
    """Append a consent record holding the exact text shown; the current state is the latest record."""
    return ConsentRecord.objects.create(
        contact=contact,
        channel=channel,
        granted=granted,
        consent_text=consent_text_current(key=text_key, text=text),
        source=source,
        ip_hash=keyed_hash(ip, purpose="consent-ip") if ip else "",
    )
