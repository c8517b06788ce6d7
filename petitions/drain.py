"""The intake's drain: a batch job that turns the signers' intake rows into contacts, signatures, count
increments and consent records, many rows per statement (see docs/petitions.md, "The drain")."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from contacts.models import ConsentRecord, Contact
from contacts.services import MERGEABLE_FIELDS, District, contact_upsert, normalize_email
from infra.dbutil import insert_rows
from petitions.counts import count_add
from petitions.districts import district_from_zip
from petitions.models import Petition, Signature, SignatureIntake, new_ref_code
from petitions.publish import RESOLVE_SIGNATURE_DISTRICT, mail_queue_kick, publish_on_commit

log = logging.getLogger(__name__)


# What a stored payload leaves out is blank (see petitions.intake._intake_insert).
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
    payload: dict[str, Any]


@dataclass
class _Drained:
    row: _IntakeRow
    fields: dict[str, Any]  # the payload, blanks filled in
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
            publish_on_commit(RESOLVE_SIGNATURE_DISTRICT, item.signature_id)
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
            item.contact_id = signer_contact_merge(item.petition, item.fields, item.district).pk


def _contact_source(petition: Petition, fields: dict[str, Any]) -> str:
    return fields["source"] or f"petition:{petition.slug}"


def signer_contact_merge(petition: Petition, fields: dict[str, Any], district: District | None) -> Contact:
    """The signer's details merged into the contact with this email (made if there is none)."""
    contact, _ = contact_upsert(
        email=fields["email"],
        source=_contact_source(petition, fields),
        district=district,
        **{name: fields[name] for name in MERGEABLE_FIELDS},
    )
    return contact


def _signatures_retry_taken_codes(signatures: list[dict[str, Any]], ids: dict[tuple[int, int], int]) -> None:
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
                {
                    "contact_id": item.contact_id,
                    "created_at": item.row.created_at,
                    **signer_consent_fields(item.petition, p),
                }
            )
    for (petition_id, status), n in added.items():
        count_add(petition_id=petition_id, status=status, delta=n)
    insert_rows(ConsentRecord, consents, returning="id")


def signer_consent_fields(petition: Petition, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "channel": ConsentRecord.Channel.EMAIL,
        "granted": True,
        "consent_text_id": payload["consent_text_id"],
        "source": f"petition:{petition.slug}",
        "ip_hash": payload.get("consent_ip_hash", ""),
    }
