"""Writes for petitions and signatures. The sign path is the hot path: keep it to a handful of queries
and no row that every signer updates."""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import threading
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from campaign.dbutil import insert_rows
from campaign.models import Campaign
from congress import selectors as congress_selectors
from congress.models import Legislator
from contacts.models import ConsentRecord, Contact
from contacts.privacy import keyed_hash
from contacts.selectors import consent_state
from contacts.services import MERGEABLE_FIELDS, District, consent_text_current, contact_upsert, normalize_email
from petitions.models import Petition, Signature, SignatureCountShard, SignatureIntake, new_ref_code
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
    return SignResult(public_id=str(uuid.uuid4()), ref_code="", status=_status_for(petition), created=True)


def district_from_zip(postal_code: str) -> District | None:
    """What the ZIP alone makes certain (no outside call: the crosswalk is in memory): the district, or
    for a ZIP that spans districts the state alone (district None); None for a ZIP across a state line or
    one we do not know."""
    try:
        lookup = congress_selectors.zip_lookup(postal_code)
    except (congress_selectors.ZipNotFound, congress_selectors.NoCongressData, ValueError):
        return None
    return District.from_lookup(lookup, accuracy="zip")


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
    return SignResult(public_id=str(uuid.uuid4()), ref_code="", status=_status_for(petition), created=False)


def _enqueue(task_name: str, *args) -> None:
    from petitions import tasks

    task = getattr(tasks, task_name.rsplit(".", 1)[1])
    transaction.on_commit(lambda: task.delay(*args))


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
    petition_id: int, email_key: str, key_hash: str, public_id: uuid.UUID, ref_code: str, status: str, payload: dict
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


def _signature_repeat(petition: Petition, *, email_key: str, payload: dict, email_opt_in: bool) -> SignResult:
    """A second signature by a known email: newer details merge into the contact (the merge rules), a
    first opt-in is recorded, a pending signature's confirmation is sent again; nothing is counted."""
    with transaction.atomic():
        prior = SignatureIntake.objects.filter(email_key=email_key, petition=petition).first()
        if prior is not None and prior.drained_at is None:
            signature_intake_drain(ids=[prior.pk])  # signed moments ago: make that signature first
        contact = _contact_merge(petition, payload, district_from_zip(payload["postal_code"]))
        signature = Signature.objects.filter(petition=petition, contact=contact).first()
        if email_opt_in and not consent_state(contact=contact, channel=ConsentRecord.Channel.EMAIL):
            # A repeat signer who now opts in is recorded; one already opted in adds no duplicate record.
            ConsentRecord.objects.create(contact=contact, **_consent_fields(petition, payload))
        if signature is None:
            # The earlier signature went (deleted or erased) between the INSERT and now; nothing to repeat.
            log.warning("repeat signature without an earlier one petition=%s", petition.pk)
            return SignResult(str(uuid.uuid4()), "", _status_for(petition), False)
        return _repeat_result(petition, signature)


def _consent_fields(petition: Petition, payload: dict) -> dict:
    return {
        "channel": ConsentRecord.Channel.EMAIL,
        "granted": True,
        "consent_text_id": payload["consent_text_id"],
        "source": f"petition:{petition.slug}",
        "ip_hash": payload.get("consent_ip_hash", ""),
    }


# --- The intake's drain ---------------------------------------------------------------------------
# What a stored payload leaves out is blank (see _intake_insert).
_PAYLOAD_DEFAULTS = {
    **{name: "" for name in ("email", *MERGEABLE_FIELDS, "comment", "source", "ref", "ip_hash", "ua_hash")},
    "public_display": False,
}


class _IntakeRow(NamedTuple):
    """The intake columns a drain reads: fetched as plain tuples, since a model instance per row (and its
    field conversions) cost the drain more than the rest of its Python."""

    pk: int
    petition_id: int
    public_id: uuid.UUID
    ref_code: str
    status: str
    idempotency_key: str
    created_at: dt.datetime
    payload: dict


@dataclass
class _Drained:
    row: _IntakeRow
    fields: dict  # the payload, blanks filled in
    petition: Petition
    district: District | None
    resolve_later: bool = False
    contact_id: int | None = None
    signature_id: int | None = None


def signature_intake_drain(*, ids: list[int] | None = None, batch: int = 500) -> int:
    """Turn undrained intake rows into contacts, signatures, count increments and consent records;
    returns how many rows it drained. `ids` drains those rows only (waiting for a drain that holds
    them); otherwise batches of `batch` rows until none is left, several drains side by side taking
    different rows (SKIP LOCKED).

    Each batch is one transaction: a row's signature, its count and the row's drained mark commit
    together, so the shown count (shards plus undrained rows) never counts a signer twice or not at all.
    """
    total = 0
    while True:
        with transaction.atomic():
            done = _drain_batch(ids=ids, batch=batch)
        total += done
        if ids is not None or done < batch:
            return total


def _drain_batch(*, ids: list[int] | None, batch: int) -> int:
    pending = SignatureIntake.objects.filter(drained_at__isnull=True)
    if ids is not None:
        pending = pending.filter(pk__in=ids).select_for_update()
    else:
        pending = pending.select_for_update(skip_locked=True)[:batch]
    rows = [_IntakeRow(*values) for values in pending.values_list(*_IntakeRow._fields)]
    if not rows:
        return 0
    rows.sort(key=lambda r: r.pk)  # in signing order, so the newest details win the merge
    petitions = Petition.objects.in_bulk({r.petition_id for r in rows})
    districts: dict[str, District | None] = {}  # signers of one batch share ZIPs
    items = []
    for row in rows:
        fields = {**_PAYLOAD_DEFAULTS, **row.payload}
        zip_code = fields["postal_code"]
        if zip_code not in districts:
            districts[zip_code] = district_from_zip(zip_code)
        district = districts[zip_code]
        # An address, or a ZIP that spans districts, is resolved in a task: the geocoder is an outside call.
        resolve_later = bool(fields["address_line"]) or district is None or district.district is None
        items.append(_Drained(row, fields, petitions[row.petition_id], district, resolve_later))
    _drain_contacts(items)
    _drain_signatures(items)
    _intake_mark_drained(items)
    # The first email waits in each new signature row; the commit nudges the batch that queues it.
    transaction.on_commit(mail_queue_kick)
    for item in items:
        if item.signature_id is not None and item.resolve_later:
            _enqueue("petitions.tasks.resolve_signature_district", item.signature_id)
    return len(items)


def _intake_mark_drained(items: list[_Drained]) -> None:
    """One UPDATE for the batch: drained, emptied, and linked to the signature each row became."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        # The ids travel as two arrays: `pk__in` with a placeholder per row cost the drain more to
        # build and send than the UPDATE cost PostgreSQL.
        table = connection.ops.quote_name(SignatureIntake._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS i SET drained_at = %s, payload = NULL, signature_id = v.sid "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::bigint[]) AS v(iid, sid) WHERE i.id = v.iid",
                [now, [i.row.pk for i in items], [i.signature_id for i in items]],
            )
        return
    SignatureIntake.objects.filter(pk__in=[i.row.pk for i in items]).update(
        drained_at=now,
        payload=None,
        signature_id=Subquery(Signature.objects.filter(public_id=OuterRef("public_id")).values("pk")[:1]),
    )


def _drain_contacts(items: list[_Drained]) -> None:
    """New people in one INSERT; a known email (or the batch's second row for one) merges one by one."""
    first: dict[str, _Drained] = {}
    for item in items:
        first.setdefault(normalize_email(item.fields["email"]), item)
    # In email order: two drains inserting the same people (signing two petitions) then take the
    # unique index's locks in the same order, and cannot deadlock.
    new = [
        {
            "email": item.fields["email"],
            "source": _contact_source(item.petition, item.fields),
            **{name: item.fields[name].strip() for name in MERGEABLE_FIELDS},
            **(item.district.as_fields() if item.district is not None else {}),
        }
        for _, item in sorted(first.items())
    ]
    inserted = {normalize_email(email): pk for email, pk in insert_rows(Contact, new, returning="email, id")}
    for email, item in first.items():
        item.contact_id = inserted.get(email)
    for item in items:
        if item.contact_id is None:
            item.contact_id = _contact_merge(item.petition, item.fields, item.district).pk


def _contact_source(petition: Petition, fields: dict) -> str:
    return fields["source"] or f"petition:{petition.slug}"


def _contact_merge(petition: Petition, fields: dict, district: District | None) -> Contact:
    """The signer's details merged into the contact with this email (made if there is none)."""
    contact, _ = contact_upsert(
        email=fields["email"],
        source=_contact_source(petition, fields),
        district=district,
        **{name: fields[name] for name in MERGEABLE_FIELDS},
    )
    return contact


def _signatures_retry_taken_codes(signatures: list[dict], ids: dict) -> None:
    """Rows the INSERT skipped are people who had signed already, except when another signature had
    the same referral code (random, so rarely): those are stored under a fresh code, never dropped."""
    skipped = [row for row in signatures if (row["petition_id"], row["contact_id"]) not in ids]
    signed = set(
        Signature.objects.filter(
            petition_id__in={row["petition_id"] for row in skipped},
            contact_id__in={row["contact_id"] for row in skipped},
        ).values_list("petition_id", "contact_id")
    )
    for row in skipped:
        key = (row["petition_id"], row["contact_id"])
        if key in signed:
            continue
        log.warning("referral code taken; signature for intake public id %s stored under a new one", row["public_id"])
        for petition_id, contact_id, pk in insert_rows(
            Signature, [{**row, "ref_code": new_ref_code()}], returning="petition_id, contact_id, id"
        ):
            ids[(petition_id, contact_id)] = pk


def _drain_signatures(items: list[_Drained]) -> None:
    """The signatures in one INSERT (a person who already signed, as the intake did not know, is
    skipped), then their counts, referrers and consent records."""
    signatures = []
    for item in sorted(items, key=lambda i: (i.row.petition_id, i.contact_id)):  # one lock order (see above)
        row, p = item.row, item.fields
        confirmed = row.status == Signature.Status.CONFIRMED
        signatures.append(
            {
                "petition_id": row.petition_id,
                "contact_id": item.contact_id,
                "public_id": row.public_id,
                "ref_code": row.ref_code,
                "status": row.status,
                "source_code": p["source"],
                "comment": p["comment"],
                "public_display": p["public_display"],
                "ip_hash": p["ip_hash"],
                "ua_hash": p["ua_hash"],
                "idempotency_key": row.idempotency_key,
                "confirmation_sends": 0 if confirmed else 1,
                "confirmed_at": row.created_at if confirmed else None,
                "created_at": row.created_at,
                **(item.district.as_fields() if item.district is not None else {}),
            }
        )
    ids = {
        (petition_id, contact_id): pk
        for petition_id, contact_id, pk in insert_rows(Signature, signatures, returning="petition_id, contact_id, id")
    }
    if len(ids) < len(signatures):
        _signatures_retry_taken_codes(signatures, ids)
    added: dict[tuple[int, str], int] = {}
    consents = []
    for item in items:
        item.signature_id = ids.get((item.row.petition_id, item.contact_id))
        if item.signature_id is None:
            log.warning("intake row %s: this person had signed already; not counted again", item.row.pk)
            continue
        key = (item.row.petition_id, item.row.status)
        added[key] = added.get(key, 0) + 1
        p = item.fields
        if p["ref"]:
            referrer = Signature.objects.filter(petition_id=item.row.petition_id, ref_code=p["ref"]).values("pk")
            Signature.objects.filter(pk=item.signature_id).update(referrer_id=Subquery(referrer[:1]))
        if "consent_text_id" in p:
            consents.append(
                {"contact_id": item.contact_id, "created_at": item.row.created_at, **_consent_fields(item.petition, p)}
            )
    for (petition_id, status), n in added.items():
        count_add(petition_id=petition_id, status=status, delta=n)
    insert_rows(ConsentRecord, consents, returning="id")


# --- Batching: the intake's drain and the signing emails' outbox ----------------------------------
class _Kicks:
    """When this process last published a batch run, and until when a published run covers commits.

    A run publishes immediately if none did in the last interval; otherwise one is published for the
    end of that interval, and every commit until then is covered by it. So each process publishes at
    most two runs per interval however many people sign, and work waits at most one interval (plus
    the run's own time) before a run takes it.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.sent_at = float("-inf")
        self.covered_until = float("-inf")

    def plan(self, now: float, interval: float, *, at_once: bool = True, spread: bool = False) -> float | None:
        """Seconds from now to run the batch at, or None when an already published run covers now.
        `at_once=False` never publishes for now: one run for the end of each interval, half the runs.
        `spread` ends each interval at a random point of its second half. Web processes that start
        signing together would otherwise keep ending their intervals together: one drain a second
        took every row (a burst that took a core from the signers, the p99's worst moments) and the
        others found none. Spread, their runs take turns and share the rows."""
        with self.lock:
            if now < self.covered_until:
                return None
            if not at_once:
                span = interval * (1 - random.random() / 2) if spread and interval > 0 else interval
                self.covered_until = now + span
                return span
            if now - self.sent_at >= interval:
                self.sent_at = now
                return 0.0
            self.covered_until = self.sent_at + interval
            return self.covered_until - now


_mail_kicks = _Kicks()
_intake_kicks = _Kicks()


def _kick(task, kicks: _Kicks, interval: float, *, at_once: bool = True, spread: bool = False) -> None:
    delay = kicks.plan(time.monotonic(), interval, at_once=at_once, spread=spread)
    if delay is None:
        return
    try:
        if delay > 0:
            task.apply_async(countdown=delay)
        else:
            task.delay()
    except Exception:
        # The work waits in its rows: the periodic run does it.
        log.exception("could not publish %s; the periodic run will do it", task.name)


def intake_drain_kick() -> None:
    """Make sure a drain runs after this signer's intake row: at most two publishes per
    PETITION_INTAKE_BATCH_SECONDS per process, each for the end of an interval that lasts between half
    and all of it (spread: see _Kicks.plan). Never at once: the count already includes the row and a
    repeat drains its earlier row itself, so nothing waits on it, and each drain's fixed cost is
    spread over more rows."""
    from petitions.tasks import drain_signature_intake

    _kick(drain_signature_intake, _intake_kicks, settings.PETITION_INTAKE_BATCH_SECONDS, at_once=False, spread=True)


def mail_queue_kick() -> None:
    """Make sure a batch run comes after this commit (called on commit of new signatures)."""
    from petitions.tasks import queue_signature_emails

    _kick(queue_signature_emails, _mail_kicks, settings.PETITION_MAIL_BATCH_SECONDS)


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
    has none yet or only a ZIP-level one. An address-level district is what the person signed from and
    stays, even when a later Congress redraws the map."""
    from contacts.services import contact_district_resolve

    found = contact_district_resolve(contact=signature.contact)
    if found is None:
        return
    rows = Signature.objects.filter(pk=signature.pk).exclude(district_accuracy=Contact.Accuracy.ADDRESS)
    if found.district is None:
        rows = rows.filter(district__isnull=True)  # the state alone never erases a district
    rows.update(**found.as_fields())


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
