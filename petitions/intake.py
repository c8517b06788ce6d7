"""The signature intake: the sign path, a viral petition's hot path. A new signer costs one INSERT into the
intake and no row that every signer updates; the drain (petitions/drain.py) makes the signature moments
later. Here too: the bot checks and what a repeat signer gets."""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from contacts.models import ConsentRecord
from contacts.selectors import consent_state
from contacts.services import consent_text_current, normalize_email
from infra.privacy import keyed_hash
from petitions.districts import district_from_zip
from petitions.drain import signature_intake_drain, signer_consent_fields, signer_contact_merge
from petitions.errors import IdempotencyKeyReused, PetitionNotOpen
from petitions.models import Petition, Signature, SignatureIntake, new_ref_code
from petitions.publish import SEND_CONFIRMATION_EMAIL, intake_drain_kick, publish_on_commit

log = logging.getLogger(__name__)

EMAIL_OPT_IN_TEXT_KEY = "petition-email-opt-in"
_FORM_SALT = "petitions.form"


def email_opt_in_text() -> str:
    return (
        f"Yes, {settings.ORGANIZATION_NAME} may email me about this campaign and related work. "
        "I can unsubscribe at any time with the link in every email."
    )


@dataclass(frozen=True)
class SignResult:
    public_id: str
    ref_code: str
    status: str
    created: bool


def form_token() -> str:
    """A signed start time put in the sign form: it lets us reject forms filled faster than a person can."""
    return signing.dumps(int(time.time()), salt=_FORM_SALT)


def is_bot(*, honeypot: str, token: str | None, token_required: bool) -> bool:
    """True for a filled honeypot, or a form token that is missing (when required), forged or too fresh."""
    if honeypot:
        return True
    if not token:
        return token_required
    try:
        started = int(signing.loads(token, salt=_FORM_SALT, max_age=24 * 3600))
    except (signing.BadSignature, TypeError, ValueError):
        return True
    too_fresh: bool = time.time() - started < settings.PETITION_MIN_FILL_SECONDS
    return too_fresh


def _status_for(petition: Petition) -> str:
    return Signature.Status.PENDING if petition.confirmation_required else Signature.Status.CONFIRMED


def bot_result(*, petition: Petition) -> SignResult:
    """What a bot sees: the shape of a real answer, with nothing stored or counted."""
    return SignResult(public_id=str(uuid.uuid4()), ref_code="", status=_status_for(petition), created=True)


def _repeat_result(petition: Petition, signature: Signature) -> SignResult:
    """What a repeat by a known email gets: the shape of a first answer that tells nothing about the
    earlier signature. Whoever sends a known email may not be its owner, so the answer carries a fresh
    id that names no signature, no referral code (the plain petition link), and the status a new signer
    of this petition would get, never the earlier signature's own (it would tell whether the owner
    confirmed). The owner of a pending signature gets the confirmation email again, within the limit."""
    if signature.status == Signature.Status.PENDING:
        resent = Signature.objects.filter(
            pk=signature.pk,
            status=Signature.Status.PENDING,
            confirmation_sends__lt=settings.PETITION_CONFIRM_MAX_SENDS,
        ).update(confirmation_sends=F("confirmation_sends") + 1)
        if resent:
            publish_on_commit(SEND_CONFIRMATION_EMAIL, signature.pk)
    return SignResult(public_id=str(uuid.uuid4()), ref_code="", status=_status_for(petition), created=False)


def intake_email_key(email: str) -> str:
    """What the intake knows a signer by: a keyed hash of the normalized email (the purpose string is
    also frozen in migration 0005, which filled it in for older signatures)."""
    return keyed_hash(normalize_email(email), purpose="signature-email")


def signature_submit(
    *,
    petition: Petition,
    email: str,
    postal_code: str,
    given_name: str = "",
    family_name: str = "",
    address_line: str = "",
    locality: str = "",
    region: str = "",
    phone: str = "",
    comment: str = "",
    public_display: bool = False,
    email_opt_in: bool = False,
    source: str = "",
    ref: str = "",
    ip: str = "",
    user_agent: str = "",
    idempotency_key: str = "",
) -> SignResult:
    """Sign `petition` once per person. Inputs are already validated by the caller.

    A new signer costs one INSERT into the intake (SignatureIntake), whose unique index tells a new
    signer from a repeat; the drain makes the signature from it moments later, and the count includes
    it meanwhile. Returns created=False (and changes no count) when this email already signed. Raises
    PetitionNotOpen and IdempotencyKeyReused.
    """
    if petition.status != Petition.Status.OPEN:
        raise PetitionNotOpen(petition.status)
    key_hash = keyed_hash(idempotency_key, purpose="idempotency-key") if idempotency_key else ""
    email_key = intake_email_key(email)
    status = _status_for(petition)
    payload = {
        "email": email.strip(),
        "given_name": given_name,
        "family_name": family_name,
        "phone": phone,
        "address_line": address_line,
        "locality": locality,
        "region": region,
        "postal_code": postal_code,
        "comment": comment,
        "public_display": public_display,
        "source": source,
        "ref": ref,
        "ip_hash": keyed_hash(ip, purpose="signature-ip") if ip else "",
        "ua_hash": keyed_hash(user_agent, purpose="signature-ua") if user_agent else "",
    }
    if email_opt_in:
        # The consent record names the wording this signer was shown, as of now.
        payload["consent_text_id"] = consent_text_current(key=EMAIL_OPT_IN_TEXT_KEY, text=email_opt_in_text()).pk
        payload["consent_ip_hash"] = keyed_hash(ip, purpose="consent-ip") if ip else ""
    public_id, ref_code = uuid.uuid4(), new_ref_code()
    if _intake_insert(petition.pk, email_key, key_hash, public_id, ref_code, status, payload):
        # The INSERT committed on its own (requests run in autocommit): the drain the kick plans will see it.
        intake_drain_kick()
        return SignResult(str(public_id), ref_code, status, True)
    if key_hash:
        prior = SignatureIntake.objects.filter(petition=petition, idempotency_key=key_hash).first()
        if prior is not None:
            if prior.email_key != email_key:
                raise IdempotencyKeyReused()
            return SignResult(str(prior.public_id), prior.ref_code, status, True)
    return _signature_repeat(petition, email_key=email_key, payload=payload, email_opt_in=email_opt_in)


@lru_cache(maxsize=2)
def _intake_insert_sql(vendor: str) -> str:
    table = connection.ops.quote_name(SignatureIntake._meta.db_table)
    # PostgreSQL stamps the row with its own clock: converting a Python datetime (and a UUID) through
    # Django's field preparation and the driver cost a sixth of the signer's INSERT.
    as_json, created = ("::jsonb", "now()") if vendor == "postgresql" else ("", "%s")
    return (
        f"INSERT INTO {table} (petition_id, email_key, idempotency_key, public_id, ref_code, status, payload, "  # noqa: S608
        f"created_at) VALUES (%s, %s, %s, %s, %s, %s, %s{as_json}, {created}) ON CONFLICT DO NOTHING RETURNING id"
    )


def _intake_insert(
    petition_id: int,
    email_key: str,
    key_hash: str,
    public_id: uuid.UUID,
    ref_code: str,
    status: str,
    payload: dict[str, Any],
) -> bool:
    """The signer's one write: True for a new row, False when one of its unique indexes holds the email
    (or the Idempotency-Key) already. Hand-written, with VALUES: for one row this costs PostgreSQL less
    than insert_rows' JSON, and costs less than a model instance and its per-field conversions."""
    postgres = connection.vendor == "postgresql"
    fields = SignatureIntake._meta
    params = [
        petition_id,
        email_key,
        key_hash,
        str(public_id) if postgres else fields.get_field("public_id").get_db_prep_save(public_id, connection),
        ref_code,
        status,
        json.dumps({name: value for name, value in payload.items() if value}),  # blanks are the defaults
    ]
    if not postgres:
        params.append(fields.get_field("created_at").get_db_prep_save(timezone.now(), connection))
    with connection.cursor() as cursor:
        cursor.execute(_intake_insert_sql(connection.vendor), params)
        return cursor.fetchone() is not None


def _signature_repeat(petition: Petition, *, email_key: str, payload: dict[str, Any], email_opt_in: bool) -> SignResult:
    """A second signature by a known email: newer details merge into the contact (the merge rules), a
    first opt-in is recorded, a pending signature's confirmation is sent again; nothing is counted."""
    with transaction.atomic():
        prior = SignatureIntake.objects.filter(email_key=email_key, petition=petition).first()
        if prior is not None and prior.drained_at is None:
            signature_intake_drain(ids=[prior.pk])  # signed moments ago: make that signature first
        contact = signer_contact_merge(petition, payload, district_from_zip(payload["postal_code"]))
        signature = Signature.objects.filter(petition=petition, contact=contact).first()
        if email_opt_in and not consent_state(contact=contact, channel=ConsentRecord.Channel.EMAIL):
            # A repeat signer who now opts in is recorded; one already opted in adds no duplicate record.
            ConsentRecord.objects.create(contact=contact, **signer_consent_fields(petition, payload))
        if signature is None:
            # The earlier signature went (deleted or erased) between the INSERT and now; nothing to repeat.
            log.warning("repeat signature without an earlier one petition=%s", petition.pk)
            return SignResult(str(uuid.uuid4()), "", _status_for(petition), False)
        return _repeat_result(petition, signature)
