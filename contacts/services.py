from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from contacts.models import PERSONAL_FIELDS, ConsentRecord, ConsentText, Contact
from contacts.selectors import consent_latest
from infra.dbutil import insert_or_skip
from infra.privacy import keyed_hash

if TYPE_CHECKING:
    from congress.selectors import Lookup

log = logging.getLogger(__name__)

# Fields a new submission may fill. A blank never overwrites a known value; a newer non-blank value wins.
MERGEABLE_FIELDS = ("given_name", "family_name", "phone", "address_line", "locality", "region", "postal_code")


def normalize_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class District:
    """Where a congress lookup placed a person, with the Congress it belongs to. `district` is None when
    only the state is certain (a ZIP that spans districts): the state still counts toward its senators."""

    state: str
    district: int | None
    congress: int | None
    accuracy: str  # "zip" or "address"

    @classmethod
    def from_lookup(cls, lookup: Lookup, *, accuracy: str | None = None) -> District | None:
        """The state and district a congress lookup is sure of, or None when not even the state is."""
        if not lookup.state or lookup.state not in lookup.snapshot.seats:
            return None  # no state (a ZIP across a state line), or one no member represents (military)
        return cls(
            state=lookup.state, district=lookup.district, congress=lookup.congress, accuracy=accuracy or lookup.accuracy
        )

    def as_fields(self) -> dict[str, Any]:
        return {
            "district_state": self.state,
            "district": self.district,
            "district_congress": self.congress,
            "district_accuracy": self.accuracy,
        }


def _district_is_better(contact: Contact, new: District) -> bool:
    """A ZIP-level answer never replaces an address-level one for the same ZIP; a state alone never
    replaces a district in that state; otherwise newer wins."""
    if new.district is None:
        return contact.district_state != new.state
    current = (contact.district_state, contact.district, contact.district_congress, contact.district_accuracy)
    if current == (new.state, new.district, new.congress, new.accuracy):
        return False
    return not (
        contact.district_accuracy == Contact.Accuracy.ADDRESS
        and new.accuracy == Contact.Accuracy.ZIP
        and contact.district_congress == new.congress
    )


def contact_upsert(
    *, email: str, source: str = "", district: District | None = None, **fields: str
) -> tuple[Contact, bool]:
    """Find a contact by email (case-insensitive) or create one; merge `fields` by the rules above.

    `district`, when given, is stored too (an address-level district is not replaced by a ZIP-level one,
    nor a district by its state alone). Returns (contact, created). Safe under concurrency: two requests
    with the same email end with one row.
    """
    unknown = set(fields) - set(MERGEABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    email = email.strip()
    clean: dict[str, Any] = {k: (v or "").strip() for k, v in fields.items()}
    district_fields = district.as_fields() if district is not None else {}
    # Insert first: most signers are new, and a concurrent request with the same email waits on the unique
    # index and then inserts nothing, so both end with the one row.
    contact = Contact(email=email, source=source, **clean, **district_fields)
    if insert_or_skip(contact):
        return contact, True
    existing = contact_by_email(email)
    if existing is None:  # the holder of the email was deleted between the two statements
        return contact_upsert(email=email, source=source, district=district, **fields)
    changed = [k for k, v in clean.items() if v and getattr(existing, k) != v]
    if district is not None and _district_is_better(existing, district):
        changed += list(district_fields)
        clean.update(district_fields)
    if changed:
        for k in changed:
            setattr(existing, k, clean[k])
        existing.save(update_fields=[*changed, "updated_at"])
    return existing, False


def contact_by_email(email: str) -> Contact | None:
    """Case-insensitive, through the lower(email) unique index (an iexact filter would not use it)."""
    return Contact.objects.alias(email_lower=Lower("email")).filter(email_lower=normalize_email(email)).first()


# Rows are never changed or deleted (records point at them, PROTECT), so a row once committed stays right
# for this (key, text) for the life of the process: opted-in signers then cost no query for it.
_consent_texts: dict[tuple[str, str], ConsentText] = {}


def consent_text_current(*, key: str, text: str) -> ConsentText:
    """The ConsentText row for this exact wording: a changed wording gets the next version."""
    cached = _consent_texts.get((key, text))
    if cached is not None:
        return cached
    row = _consent_text_find_or_create(key=key, text=text)
    # Only a row known to be committed is remembered: inside a transaction it could still roll back.
    if not transaction.get_connection().in_atomic_block:
        _consent_texts[(key, text)] = row
    return row


def consent_texts_forget() -> None:
    """Drop the remembered rows (tests that commit and then empty the tables)."""
    _consent_texts.clear()


def _consent_text_find_or_create(*, key: str, text: str) -> ConsentText:
    latest = ConsentText.objects.filter(key=key).order_by("-version").first()
    if latest and latest.text == text:
        return latest
    try:
        with transaction.atomic():
            return ConsentText.objects.create(key=key, version=(latest.version + 1 if latest else 1), text=text)
    except IntegrityError:
        return ConsentText.objects.filter(key=key, text=text).order_by(
            "-version"
        ).first() or _consent_text_find_or_create(key=key, text=text)


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


# --- Unsubscribe through a signed link ------------------------------------------------------------
_UNSUBSCRIBE_SALT = "contacts.unsubscribe"
UNSUBSCRIBE_TEXT_KEY = "email-unsubscribe"
UNSUBSCRIBE_TEXT = "Unsubscribed from email through the link in an email."


class BadToken(Exception):
    """A signed link that was tampered with, expired, or names nobody we hold."""


def unsubscribe_token(*, contact: Contact) -> str:
    # No expiry: an unsubscribe link in a years-old email must still work.
    return signing.dumps({"c": contact.pk}, salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, contact: Contact) -> str:
    path = reverse("contacts:unsubscribe", kwargs={"token": unsubscribe_token(contact=contact)})
    return f"{settings.PUBLIC_BASE_URL}{path}"


def contact_from_unsubscribe_token(token: str) -> Contact:
    try:
        payload = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise BadToken("invalid unsubscribe link") from exc
    contact_id = payload.get("c") if isinstance(payload, dict) else None
    contact = Contact.objects.filter(pk=contact_id).first() if isinstance(contact_id, int) else None
    if contact is None:
        raise BadToken("unknown contact")
    return contact


def contact_unsubscribe(*, contact: Contact, ip: str = "") -> Contact:
    """Withdraw email consent for `contact` (found through contact_from_unsubscribe_token). Repeating it
    adds nothing."""
    with transaction.atomic():
        # Serialize concurrent clicks on the same link so the history gets one withdrawal, not two.
        list(Contact.objects.select_for_update().filter(pk=contact.pk).values_list("pk", flat=True))
        latest = consent_latest(contact=contact, channel=ConsentRecord.Channel.EMAIL)
        if latest is None or latest.granted:
            consent_record(
                contact=contact,
                channel=ConsentRecord.Channel.EMAIL,
                granted=False,
                text_key=UNSUBSCRIBE_TEXT_KEY,
                text=UNSUBSCRIBE_TEXT,
                source="unsubscribe-link",
                ip=ip,
            )
    return contact


# --- Export and erasure ---------------------------------------------------------------------------
# Other apps hold data about a person too (signatures, calls, letters). Each registers a function that
# returns its part of the export and one that anonymizes its part, so contacts needs no import of them.
ExportFn = Callable[[Contact], object]  # JSON-ready data
EraseFn = Callable[[Contact], None]
_exporters: dict[str, ExportFn] = {}
_erasers: dict[str, EraseFn] = {}


def register_personal_data(*, name: str, export: ExportFn, erase: EraseFn) -> None:
    _exporters[name] = export
    _erasers[name] = erase


def _dt(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def contact_export(*, contact: Contact) -> dict[str, Any]:
    """Everything held about a person, as JSON-ready data (a subject access request)."""
    data: dict[str, Any] = {
        "contact": {
            "email": contact.email,
            "given_name": contact.given_name,
            "family_name": contact.family_name,
            "phone": contact.phone,
            "address_line": contact.address_line,
            "locality": contact.locality,
            "region": contact.region,
            "postal_code": contact.postal_code,
            "district_state": contact.district_state,
            "district": contact.district,
            "district_congress": contact.district_congress,
            "district_accuracy": contact.district_accuracy,
            "source": contact.source,
            "tags": sorted(contact.tags.values_list("name", flat=True)),
            "created_at": _dt(contact.created_at),
            "updated_at": _dt(contact.updated_at),
            "erased_at": _dt(contact.erased_at),
        },
        "consents": [
            {
                "channel": r.channel,
                "granted": r.granted,
                "text": r.consent_text.text if r.consent_text else None,
                "text_version": f"{r.consent_text.key} v{r.consent_text.version}" if r.consent_text else None,
                "source": r.source,
                "created_at": _dt(r.created_at),
            }
            for r in contact.consents.select_related("consent_text").order_by("created_at", "id")
        ],
    }
    for name, export in sorted(_exporters.items()):
        data[name] = export(contact)
    return data


def erased_email(contact_id: int) -> str:
    # Unique per row (the email constraint holds) and undeliverable (.invalid is reserved).
    return f"erased-{contact_id}@erased.invalid"


@transaction.atomic
def contact_erase(*, contact: Contact) -> Contact:
    """Anonymize a person. Their actions stay as anonymous rows, so every count and aggregate (by
    petition, by state and district) stays what it was; nothing that identifies them remains.
    The district is kept: it is what aggregates group by, and alone it identifies nobody."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.erased_at is not None:
        return contact
    # The other apps' parts first: they may find their rows through what the contact still holds.
    for _name, erase in sorted(_erasers.items()):
        erase(contact)
    contact.email = erased_email(contact.pk)
    for name in (*PERSONAL_FIELDS, "source"):
        if name != "email":  # replaced above by an address that names no one
            setattr(contact, name, "")
    contact.erased_at = timezone.now()
    contact.save()
    contact.tags.clear()
    # The history of consent stays (withdrawals must still be honoured) but loses the IP hash.
    contact.consents.update(ip_hash="")
    log.info("contact erased id=%s", contact.pk)
    return contact


# --- District resolution (runs in a Celery task; the geocoder is never called in a request) ---------
def contact_district_resolve(*, contact: Contact) -> District | None:
    """Resolve a contact's district through the congress lookup: the address when given, else the ZIP.

    Stores and returns what is certain (the district, or the state alone); None when not even the state
    is. A geocoder outage
    propagates instead of settling for the ZIP answer, so the task retries it later.
    """
    from congress import selectors

    zip_code = contact.postal_code or None
    address = None
    if contact.address_line:
        address = ", ".join(p for p in (contact.address_line, contact.locality, contact.region, zip_code or "") if p)
    if not zip_code and not address:
        return None
    try:
        lookup = selectors.representatives_lookup(zip=zip_code, address=address, fallback_on_outage=False)
    except (selectors.ZipNotFound, selectors.AddressNotFound, ValueError):
        return None
    found = District.from_lookup(lookup)
    if found is None:
        return None
    if _district_is_better(contact, found):
        for k, v in found.as_fields().items():
            setattr(contact, k, v)
        contact.save(update_fields=[*found.as_fields(), "updated_at"])
    return found
