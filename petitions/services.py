"""Writes for petitions and signatures. The sign path is the hot path: keep it to a handful of queries
and no row that every signer updates."""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from campaign.dbutil import insert_columns, insert_or_skip
from campaign.models import Campaign
from congress import selectors as congress_selectors
from congress.models import Legislator
from contacts.models import ConsentRecord, Contact
from contacts.privacy import keyed_hash
from contacts.selectors import consent_state
from contacts.services import District, consent_text_current, contact_upsert, normalize_email
from petitions.models import Petition, Signature, SignatureCountShard
from petitions.selectors import petition_forget

log = logging.getLogger(__name__)

EMAIL_OPT_IN_TEXT_KEY = "petition-email-opt-in"
_CONFIRM_SALT = "petitions.confirm"
_FORM_SALT = "petitions.form"


class PetitionNotOpen(Exception):
    """Signing a draft or closed petition."""


class IdempotencyKeyReused(Exception):
    """The same Idempotency-Key came with a different signer."""


class BadConfirmationLink(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "expired" or "invalid"


def email_opt_in_text() -> str:
    return (
        f"Yes, {settings.ORGANIZATION_NAME} may email me about this campaign and related work. "
        "I can unsubscribe at any time with the link in every email."
    )


# --- Counts ---------------------------------------------------------------------------------------
def _shard() -> int:
    return random.randrange(max(1, settings.PETITION_COUNT_SHARDS))


def count_add(*, petition_id: int, status: str, delta: int) -> None:
    """Add `delta` to one randomly chosen shard of the petition's count for `status`.

    Runs inside the caller's transaction, so the count moves exactly when the signature row commits.
    """
    table = SignatureCountShard._meta.db_table
    shard = _shard()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (petition_id, status, shard, count) VALUES (%s, %s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (petition_id, status, shard) DO UPDATE SET count = {table}.count + excluded.count",
            [petition_id, status, shard, delta],
        )


def signature_counts_reconcile(*, petition_id: int) -> dict[str, int]:
    """Repair drift between the shards and the signature rows; returns the correction per status.

    Drift is measured in ONE statement, so both sides come from the same snapshot: a signer whose row
    and shard increment commit meanwhile is in neither side or in both. The correction is then added as
    a delta, which commutes with concurrent increments. Nothing is locked.
    """
    sig_table = Signature._meta.db_table
    shard_table = SignatureCountShard._meta.db_table
    corrections = {}
    for status in Signature.Status.values:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM {sig_table} WHERE petition_id = %s AND status = %s) - "  # noqa: S608
                f"COALESCE((SELECT SUM(count) FROM {shard_table} WHERE petition_id = %s AND status = %s), 0)",
                [petition_id, status, petition_id, status],
            )
            drift = int(cursor.fetchone()[0])
        if drift:
            with transaction.atomic():
                count_add(petition_id=petition_id, status=status, delta=drift)
            log.warning("signature count drift petition=%s status=%s corrected=%+d", petition_id, status, drift)
            corrections[status] = drift
    return corrections


# --- Signing --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SignResult:
    public_id: str
    ref_code: str
    status: str
    created: bool
    signature: Signature | None  # None when the submission was judged a bot and not stored


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
    return time.time() - started < settings.PETITION_MIN_FILL_SECONDS


def _status_for(petition: Petition) -> str:
    return Signature.Status.PENDING if petition.confirmation_required else Signature.Status.CONFIRMED


def bot_result(*, petition: Petition) -> SignResult:
    """What a bot sees: the shape of a real answer, with nothing stored or counted."""
    return SignResult(
        public_id=str(uuid.uuid4()), ref_code="", status=_status_for(petition), created=True, signature=None
    )


def district_from_zip(postal_code: str) -> District | None:
    """The district when the ZIP alone makes it certain (no outside call: the crosswalk is in memory);
    None for a ZIP that spans districts or that we do not know."""
    try:
        lookup = congress_selectors.zip_lookup(postal_code)
    except (congress_selectors.ZipNotFound, congress_selectors.NoCongressData, ValueError):
        return None
    if lookup.state is None or lookup.district is None:
        return None
    return District(state=lookup.state, district=lookup.district, congress=lookup.congress, accuracy="zip")


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
            _enqueue("petitions.tasks.send_confirmation_email", signature.pk)
    return SignResult(
        public_id=str(uuid.uuid4()), ref_code="", status=_status_for(petition), created=False, signature=signature
    )


def _repeat_consent(contact: Contact, consent: ConsentRecord | None) -> None:
    """A repeat signer who now opts in is recorded (the repeat changes nothing else); one already
    opted in adds no duplicate record."""
    if consent is not None and not consent_state(contact=contact, channel=ConsentRecord.Channel.EMAIL):
        consent.contact = contact
        consent.save()


def _enqueue(task_name: str, *args) -> None:
    from petitions import tasks

    task = getattr(tasks, task_name.rsplit(".", 1)[1])
    transaction.on_commit(lambda: task.delay(*args))


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
    """Sign `petition` once per person. Inputs are already validated by the caller's serializer.

    Returns created=False (and changes no count) when this email already signed. Raises PetitionNotOpen
    and IdempotencyKeyReused.
    """
    if petition.status != Petition.Status.OPEN:
        raise PetitionNotOpen(petition.status)
    key_hash = keyed_hash(idempotency_key, purpose="idempotency-key") if idempotency_key else ""
    district = district_from_zip(postal_code)
    # An address, or a ZIP that spans districts, is resolved later in a task: the geocoder is an outside
    # call and never runs inside a signer's request.
    resolve_later = bool(address_line) or district is None

    status = _status_for(petition)
    district_fields = district.as_fields() if district is not None else {}
    contact_fields = {
        "given_name": given_name,
        "family_name": family_name,
        "phone": phone,
        "address_line": address_line,
        "locality": locality,
        "region": region,
        "postal_code": postal_code,
    }
    signature = Signature(
        petition=petition,
        status=status,
        source_code=source,
        comment=comment,
        public_display=public_display,
        ip_hash=keyed_hash(ip, purpose="signature-ip") if ip else "",
        ua_hash=keyed_hash(user_agent, purpose="signature-ua") if user_agent else "",
        idempotency_key=key_hash,
        confirmation_sends=1 if status == Signature.Status.PENDING else 0,
        confirmed_at=None if status == Signature.Status.PENDING else timezone.now(),
        **district_fields,
    )
    consent = None
    if email_opt_in:
        consent = ConsentRecord(
            channel=ConsentRecord.Channel.EMAIL,
            granted=True,
            consent_text=consent_text_current(key=EMAIL_OPT_IN_TEXT_KEY, text=email_opt_in_text()),
            source=f"petition:{petition.slug}",
            ip_hash=keyed_hash(ip, purpose="consent-ip") if ip else "",
        )
    contact_source = source or f"petition:{petition.slug}"

    if connection.vendor == "postgresql":
        new_contact = Contact(email=email.strip(), source=contact_source, **contact_fields, **district_fields)
        fast = {"contact": new_contact, "signature": signature, "consent": consent, "ref": ref}
        if key_hash:
            # With a key the signature can conflict after the contact went in (the key was used before,
            # perhaps by someone else): roll back then, so a refused request leaves no contact behind.
            # Without a key a new contact cannot conflict, and the statement stays alone (no BEGIN/COMMIT).
            with transaction.atomic():
                signed = _sign_new_person_in_one_statement(**fast)
                if not signed:
                    transaction.set_rollback(True)
        else:
            signed = _sign_new_person_in_one_statement(**fast)
        if signed:
            _after_sign(signature, resolve_later=resolve_later)
            return SignResult(str(signature.public_id), signature.ref_code, status, True, signature)

    with transaction.atomic():
        if key_hash:
            prior = (
                Signature.objects.filter(petition=petition, idempotency_key=key_hash).select_related("contact").first()
            )
            if prior is not None:
                if normalize_email(prior.contact.email) != normalize_email(email):
                    raise IdempotencyKeyReused()
                return SignResult(str(prior.public_id), prior.ref_code, status, True, prior)

        contact, contact_created = contact_upsert(
            email=email, source=contact_source, district=district, **contact_fields
        )
        if not contact_created:
            existing = Signature.objects.filter(petition=petition, contact=contact).first()
            if existing is not None:
                _repeat_consent(contact, consent)
                return _repeat_result(petition, existing)

        signature.contact = contact
        if ref:
            signature.referrer_id = (
                Signature.objects.filter(petition=petition, ref_code=ref).values_list("pk", flat=True).first()
            )
        if not insert_or_skip(signature):
            # A concurrent request by the same person (or with the same key) won the insert.
            existing = Signature.objects.filter(petition=petition, contact=contact).first()
            if existing is not None:
                _repeat_consent(contact, consent)
                return _repeat_result(petition, existing)
            raise IdempotencyKeyReused()
        count_add(petition_id=petition.pk, status=status, delta=1)
        if consent is not None:
            consent.contact = contact
            consent.save()
        _after_sign(signature, resolve_later=resolve_later)
    return SignResult(str(signature.public_id), signature.ref_code, status, True, signature)


def _after_sign(signature: Signature, *, resolve_later: bool) -> None:
    # The first email (confirmation or thank-you) waits in the signature row (mail_queued_at is null)
    # and is queued by a batch; the commit only nudges the batch, and most commits need no publish.
    transaction.on_commit(mail_queue_kick)
    if resolve_later:
        _enqueue("petitions.tasks.resolve_signature_district", signature.pk)


# --- The signing emails' outbox -------------------------------------------------------------------
class _Kicks:
    """When this process last published a batch run, and until when a published run covers commits.

    A run publishes immediately if none did in the last PETITION_MAIL_BATCH_SECONDS; otherwise one is
    published for the end of that interval, and every commit until then is covered by it. So each
    process publishes at most two runs per interval however many people sign, and an email waits at
    most one interval (plus the run's own time) before it is queued.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.sent_at = float("-inf")
        self.covered_until = float("-inf")

    def plan(self, now: float, interval: float) -> float | None:
        """Seconds from now to run the batch at, or None when an already published run covers now."""
        with self.lock:
            if now < self.covered_until:
                return None
            if now - self.sent_at >= interval:
                self.sent_at = now
                return 0.0
            self.covered_until = self.sent_at + interval
            return self.covered_until - now


_kicks = _Kicks()


def mail_queue_kick() -> None:
    """Make sure a batch run comes after this commit (called on commit of a new signature)."""
    from petitions.tasks import queue_signature_emails

    delay = _kicks.plan(time.monotonic(), settings.PETITION_MAIL_BATCH_SECONDS)
    if delay is None:
        return
    try:
        if delay > 0:
            queue_signature_emails.apply_async(countdown=delay)
        else:
            queue_signature_emails.delay()
    except Exception:
        # The signature is stored and its email waits in the row: the beat run picks it up.
        log.exception("could not publish the signature email batch; the periodic run will queue it")


def signature_mail_queue(*, batch: int = 1000) -> int:
    """Queue the first email of every signature that waits for one; returns how many were queued.

    Rows are claimed with a conditional UPDATE in a short transaction (SKIP LOCKED on PostgreSQL, so
    concurrent runs take different rows), and the emails are published after it committed. A row whose
    publish fails is released for the next run. The tasks claim again before sending (thanked_at,
    confirmations_sent), so a duplicated task sends nothing twice.
    """
    from petitions import tasks

    queued = 0
    while True:
        with transaction.atomic():
            rows = list(
                Signature.objects.select_for_update(skip_locked=True)
                .filter(mail_queued_at__isnull=True)
                .order_by("id")
                .values_list("pk", "status")[:batch]
            )
            if rows:
                Signature.objects.filter(pk__in=[pk for pk, _ in rows], mail_queued_at__isnull=True).update(
                    mail_queued_at=timezone.now()
                )
        for i, (pk, status) in enumerate(rows):
            task = tasks.send_confirmation_email if status == Signature.Status.PENDING else tasks.send_thank_you_email
            try:
                task.delay(pk)
            except Exception:
                unsent = [p for p, _ in rows[i:]]
                Signature.objects.filter(pk__in=unsent).update(mail_queued_at=None)
                raise
            queued += 1
        if len(rows) < batch:
            return queued


@lru_cache(maxsize=4)
def _sign_statement(*, with_consent: bool, vendor: str) -> str:
    """The one-statement sign for a new person (see below); built once, the columns never change."""
    qn = connection.ops.quote_name
    c_cols = insert_columns(Contact())[0]
    s_cols = insert_columns(Signature(), exclude=("contact", "referrer"))[0]
    sig_table = qn(Signature._meta.db_table)
    shard_table = qn(SignatureCountShard._meta.db_table)
    sql = [
        f"WITH c AS (INSERT INTO {qn(Contact._meta.db_table)} ({', '.join(c_cols)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(c_cols))}) ON CONFLICT DO NOTHING RETURNING id), "
        f"s AS (INSERT INTO {sig_table} ({', '.join(s_cols)}, contact_id, referrer_id) "
        f"SELECT {', '.join(['%s'] * len(s_cols))}, c.id, "
        f"(SELECT r.id FROM {sig_table} r WHERE r.petition_id = %s AND r.ref_code = %s) FROM c "
        f"ON CONFLICT DO NOTHING RETURNING id, status), "
        f"k AS (INSERT INTO {shard_table} (petition_id, status, shard, count) SELECT %s, s.status, %s, 1 FROM s "
        f"ON CONFLICT (petition_id, status, shard) DO UPDATE SET count = {shard_table}.count + 1)"
    ]
    if with_consent:
        r_cols = insert_columns(ConsentRecord(), exclude=("contact",))[0]
        sql.append(
            f", r AS (INSERT INTO {qn(ConsentRecord._meta.db_table)} ({', '.join(r_cols)}, contact_id) "  # noqa: S608
            f"SELECT {', '.join(['%s'] * len(r_cols))}, c.id FROM c JOIN s ON TRUE)"
        )
    sql.append(" SELECT (SELECT id FROM c), (SELECT id FROM s)")
    return "".join(sql)


def _sign_new_person_in_one_statement(
    *, contact: Contact, signature: Signature, consent: ConsentRecord | None, ref: str
) -> bool:
    """PostgreSQL fast path for the common case, a person we have never seen: contact, signature, count
    shard and consent in ONE statement (one round trip, atomic on its own, no BEGIN/COMMIT).

    Returns False, having written nothing, when the email is already known (the general path then
    merges and treats a repeat). Returns False after writing only the contact when the signature
    conflicts (an Idempotency-Key used before): the caller runs it in a transaction it rolls back then.
    """
    _, c_vals = insert_columns(contact)
    _, s_vals = insert_columns(signature, exclude=("contact", "referrer"))
    params = [*c_vals, *s_vals, signature.petition_id, ref, signature.petition_id, _shard()]
    if consent is not None:
        params += insert_columns(consent, exclude=("contact",))[1]
    sql = _sign_statement(with_consent=consent is not None, vendor=connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)  # identifiers come from model metadata, values are parameters
        contact_id, signature_id = cursor.fetchone()
    if signature_id is None:
        return False
    contact.pk = contact_id
    signature.pk = signature_id
    signature.contact = contact
    signature._state.adding = False
    return True


# --- Confirmation (double opt-in) ---------------------------------------------------------------
def confirmation_token(*, signature: Signature) -> str:
    return signing.dumps({"s": signature.pk}, salt=_CONFIRM_SALT)


def signature_from_confirmation_token(token: str) -> Signature:
    try:
        payload = signing.loads(token, salt=_CONFIRM_SALT, max_age=settings.PETITION_CONFIRM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise BadConfirmationLink("expired") from exc
    except signing.BadSignature as exc:
        raise BadConfirmationLink("invalid") from exc
    signature = (
        Signature.objects.select_related("petition").filter(pk=payload.get("s")).first()
        if isinstance(payload, dict)
        else None
    )
    if signature is None:
        raise BadConfirmationLink("invalid")
    return signature


def signature_confirm(*, signature: Signature) -> Signature:
    """Confirm `signature` (found through signature_from_confirmation_token). A second click changes
    nothing: the conditional UPDATE decides, not the state read with the link."""
    now = timezone.now()
    with transaction.atomic():
        moved = Signature.objects.filter(pk=signature.pk, status=Signature.Status.PENDING).update(
            status=Signature.Status.CONFIRMED, confirmed_at=now
        )
        if moved:
            count_add(petition_id=signature.petition_id, status=Signature.Status.PENDING, delta=-1)
            count_add(petition_id=signature.petition_id, status=Signature.Status.CONFIRMED, delta=1)
            _enqueue("petitions.tasks.send_thank_you_email", signature.pk)
    if moved:
        signature.status, signature.confirmed_at = Signature.Status.CONFIRMED, now
    elif signature.status == Signature.Status.PENDING:
        signature.refresh_from_db()  # confirmed by a concurrent click since it was read
    return signature


# --- District resolution after signing ------------------------------------------------------------
def signature_district_resolve(*, signature: Signature) -> None:
    """Resolve the signer's district (address when given, else ZIP) and record it on a signature that
    has none yet, or only a ZIP-level one from the same Congress."""
    from contacts.services import contact_district_resolve

    found = contact_district_resolve(contact=signature.contact)
    if found is None:
        return
    Signature.objects.filter(pk=signature.pk).exclude(district_accuracy=Contact.Accuracy.ADDRESS).update(
        **found.as_fields()
    )


# --- Organizer writes -----------------------------------------------------------------------------
def _validate_targets(target_kind: str, bioguide_ids: list, names: list) -> None:
    errors = {}
    if target_kind == Petition.TargetKind.SPECIFIC:
        if not bioguide_ids:
            errors["target_bioguide_ids"] = ["Name at least one member of Congress."]
        else:
            known = set(Legislator.objects.filter(bioguide_id__in=bioguide_ids).values_list("bioguide_id", flat=True))
            unknown = sorted(set(bioguide_ids) - known)
            if unknown:
                errors["target_bioguide_ids"] = [f"Unknown bioguide ids: {', '.join(unknown)}"]
    if target_kind == Petition.TargetKind.NAMED and not [n for n in names if str(n).strip()]:
        errors["target_names"] = ["Name at least one body, e.g. 'U.S. Department of Homeland Security'."]
    if errors:
        raise ValidationError(errors)


def petition_create(
    *,
    campaign: Campaign,
    slug: str,
    title: str,
    petition_text: str,
    description: str = "",
    target_kind: str = Petition.TargetKind.OWN_MEMBERS,
    target_bioguide_ids: list[str] | None = None,
    target_names: list[str] | None = None,
    goal: int = 1000,
    status: str = Petition.Status.DRAFT,
    confirmation_required: bool = False,
) -> Petition:
    if status == Petition.Status.CLOSED:
        raise ValidationError({"status": ["A petition is created as a draft or open."]})
    if Petition.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": ["A petition with this slug exists."]})
    _validate_targets(target_kind, target_bioguide_ids or [], target_names or [])
    try:
        with transaction.atomic():
            return Petition.objects.create(
                campaign=campaign,
                slug=slug,
                title=title,
                petition_text=petition_text,
                description=description,
                target_kind=target_kind,
                target_bioguide_ids=target_bioguide_ids or [],
                target_names=target_names or [],
                goal=goal,
                status=status,
                confirmation_required=confirmation_required,
            )
    except IntegrityError as exc:
        raise ValidationError({"slug": ["A petition with this slug exists."]}) from exc


_ALLOWED_MOVES = {
    Petition.Status.DRAFT: {Petition.Status.DRAFT, Petition.Status.OPEN, Petition.Status.CLOSED},
    Petition.Status.OPEN: {Petition.Status.OPEN, Petition.Status.CLOSED},
    Petition.Status.CLOSED: {Petition.Status.CLOSED, Petition.Status.OPEN},
}


@transaction.atomic
def petition_update(*, petition: Petition, **changes) -> Petition:
    """Change a petition. `status` may go draft -> open -> closed (and closed -> open to reopen);
    a petition that has signatures cannot go back to draft, and its text is frozen once people signed."""
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    allowed = {
        "title",
        "description",
        "petition_text",
        "target_kind",
        "target_bioguide_ids",
        "target_names",
        "goal",
        "status",
        "confirmation_required",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown petition fields: {sorted(unknown)}")
    new_status = changes.get("status", petition.status)
    if new_status not in _ALLOWED_MOVES[petition.status]:
        raise ValidationError({"status": [f"A {petition.status} petition cannot become {new_status}."]})
    has_signatures = Signature.objects.filter(petition=petition).exists()
    if has_signatures and "petition_text" in changes and changes["petition_text"] != petition.petition_text:
        raise ValidationError({"petition_text": ["People have signed this text; it cannot change now."]})
    _validate_targets(
        changes.get("target_kind", petition.target_kind),
        changes.get("target_bioguide_ids", petition.target_bioguide_ids),
        changes.get("target_names", petition.target_names),
    )
    for name, value in changes.items():
        setattr(petition, name, value)
    petition.save()
    transaction.on_commit(lambda: petition_forget(slug=petition.slug))
    return petition


# --- Demo -----------------------------------------------------------------------------------------
DEMO_PETITION_TITLE = "Stop face recognition in immigration and law enforcement until Congress decides"
DEMO_PETITION_TEXT = (
    "To our members of Congress:\n\n"
    "Congress has never authorized federal agencies to use face recognition on the public, yet the "
    "technology is being sold for immigration enforcement and policing. We ask you to enact a "
    "moratorium on the use of face recognition for immigration enforcement and law enforcement, until "
    "Congress and the public have debated which uses, if any, should be permitted. We also ask you to "
    "require the Department of Homeland Security to disclose how it already uses face recognition."
)
DEMO_PETITION_DESCRIPTION = (
    "In July 2018 the ACLU of Northern California ran Amazon's Rekognition against photos of every "
    "member of Congress and a database of 25,000 public arrest photos. It falsely matched 28 members "
    "of Congress with people who had been arrested; six of them were members of the Congressional "
    "Black Caucus.\n\n"
    "This is not one bad test. A 2017 GAO report found unacceptable false-positive rates in face "
    "recognition systems, and an MIT Media Lab study found that commercial systems misidentified "
    "people with darker skin far more often than others.\n\n"
    "Records released under the Freedom of Information Act in October 2018 showed Amazon pitching "
    "Rekognition to Immigration and Customs Enforcement. A false match can mean a wrongful stop, "
    "detention or deportation. Congress has never authorized this use. Ask your senators and your "
    "representative to put a moratorium on it until the public has had its say."
)


def demo_petition_seed(*, campaign: Campaign) -> Petition:
    """Create or refresh the demo petition. Idempotent; the text is left alone once people signed."""
    petition = Petition.objects.filter(slug=campaign.slug).first()
    fields = {
        "campaign": campaign,
        "title": DEMO_PETITION_TITLE,
        "description": DEMO_PETITION_DESCRIPTION,
        "target_kind": Petition.TargetKind.OWN_MEMBERS,
        "goal": 100_000,
        "status": Petition.Status.OPEN,
    }
    if petition is None:
        return Petition.objects.create(slug=campaign.slug, petition_text=DEMO_PETITION_TEXT, **fields)
    if not petition.signatures.exists():
        fields["petition_text"] = DEMO_PETITION_TEXT
    for name, value in fields.items():
        setattr(petition, name, value)
    petition.save()
    return petition
