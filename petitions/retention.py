"""Retention of what petitions holds (see docs/privacy.md): signatures never confirmed are deleted after
RETENTION_PENDING_SIGNATURE_DAYS, and signatures' IP and user-agent hashes are blanked after
RETENTION_IP_HASH_DAYS. Run daily by petitions.tasks.purge_signature_data."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contacts.retention import contacts_delete_unused, ip_hash_cutoff
from petitions.counts import count_add
from petitions.models import Signature, SignatureIntake


@dataclass(frozen=True)
class PendingPurge:
    signatures: int = 0
    contacts: int = 0


def pending_signatures_purge(*, now: datetime | None = None, batch: int = 500) -> PendingPurge:
    """Delete signatures still pending RETENTION_PENDING_SIGNATURE_DAYS after signing, with their intake
    rows, and then their contacts when nothing else refers to them (another signature, a call, a letter,
    a tag). Nobody confirmed these: the address may not even be the signer's, so keeping it serves nothing.

    Each batch deletes the rows and takes them off the petition's pending count in one transaction, so the
    shards stay equal to the rows (the reconcile job would repair them anyway). The rows are locked and
    re-checked as pending, so a confirmation clicked meanwhile either lands first (and the row is kept)
    or finds no row. Confirmed signatures are never touched. Returns the counts.
    """
    days = settings.RETENTION_PENDING_SIGNATURE_DAYS
    if not days:
        return PendingPurge()
    cutoff = (now or timezone.now()) - timedelta(days=days)
    signatures = contacts = 0
    while True:
        with transaction.atomic():
            rows = list(
                Signature.objects.select_for_update(skip_locked=True)
                .filter(status=Signature.Status.PENDING, created_at__lt=cutoff)
                .order_by("id")
                .values_list("pk", "petition_id", "contact_id")[:batch]
            )
            ids = [pk for pk, _, _ in rows]
            # The intake row goes with its signature: it holds the keyed hash of the email.
            SignatureIntake.objects.filter(signature_id__in=ids).delete()
            Signature.objects.filter(pk__in=ids).delete()
            for petition_id, n in Counter(petition_id for _, petition_id, _ in rows).items():
                count_add(petition_id=petition_id, status=Signature.Status.PENDING, delta=-n)
        signatures += len(rows)
        contacts += contacts_delete_unused(contact_ids=[contact_id for _, _, contact_id in rows])
        if len(rows) < batch:
            return PendingPurge(signatures=signatures, contacts=contacts)


def signature_ip_hashes_forget(*, now: datetime | None = None) -> int:
    """Blank the IP and user-agent hashes of signatures older than RETENTION_IP_HASH_DAYS (they serve
    abuse checks on recent signing only); returns how many signatures changed."""
    cutoff = ip_hash_cutoff(now=now)
    if cutoff is None:
        return 0
    return (
        Signature.objects.filter(created_at__lt=cutoff)
        .filter(~Q(ip_hash="") | ~Q(ua_hash=""))
        .update(ip_hash="", ua_hash="")
    )
