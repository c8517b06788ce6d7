"""Thin Celery tasks: they take ids, call one service and own the retry policy. Services never import this
module (they publish by task name through petitions/publish.py), so it imports them at the top."""

import datetime as dt
import logging

from celery import shared_task
from django.db.models import F, Q
from django.utils import timezone

from congress.geocoder import GeocoderUnavailable
from contacts import mail
from petitions.counts import signature_counts_reconcile
from petitions.districts import signature_district_resolve
from petitions.drain import signature_intake_drain
from petitions.emails import confirmation_message, thank_you_message
from petitions.mail import signature_mail_queue
from petitions.models import Petition, Signature
from petitions.retention import pending_signatures_purge, signature_ip_hashes_forget

log = logging.getLogger(__name__)
# Connection trouble and 4xx replies from the mail server are worth retrying; a rejected recipient is not.
_TRANSIENT_MAIL = (mail.MailTemporaryError,)


def _live_signature(signature_id: int) -> Signature | None:
    return (
        Signature.objects.select_related("petition", "contact")
        .filter(pk=signature_id, contact__erased_at__isnull=True)
        .first()
    )


@shared_task(autoretry_for=_TRANSIENT_MAIL, retry_backoff=30, retry_jitter=True, max_retries=8)
def send_confirmation_email(signature_id: int) -> None:
    # Claim one of the confirmations asked for, so a retried or duplicated task sends it once; a pending
    # signature only (confirmed meanwhile, or erased: nothing to ask). Released if sending fails.
    claimed = Signature.objects.filter(
        pk=signature_id,
        status=Signature.Status.PENDING,
        confirmations_sent__lt=F("confirmation_sends"),
        contact__erased_at__isnull=True,
    ).update(confirmations_sent=F("confirmations_sent") + 1)
    if not claimed:
        return
    signature = _live_signature(signature_id)
    try:
        if signature is None:  # deleted or erased since the claim: release it and fail, as before
            raise Signature.DoesNotExist(f"signature {signature_id} is gone")
        mail.send(confirmation_message(signature))
    except Exception:
        Signature.objects.filter(pk=signature_id).update(confirmations_sent=F("confirmations_sent") - 1)
        raise


@shared_task(autoretry_for=_TRANSIENT_MAIL, retry_backoff=30, retry_jitter=True, max_retries=8)
def send_thank_you_email(signature_id: int) -> None:
    # Claim first, so a retried or duplicated task sends one thank-you; release the claim if sending fails.
    claimed = Signature.objects.filter(
        pk=signature_id, status=Signature.Status.CONFIRMED, thanked_at__isnull=True, contact__erased_at__isnull=True
    ).update(thanked_at=timezone.now())
    if not claimed:
        return
    signature = _live_signature(signature_id)
    try:
        if signature is None:  # deleted or erased since the claim: release it and fail, as before
            raise Signature.DoesNotExist(f"signature {signature_id} is gone")
        mail.send(thank_you_message(signature))
    except Exception:
        Signature.objects.filter(pk=signature_id).update(thanked_at=None)
        raise


@shared_task
def drain_signature_intake() -> None:
    """Turn the signers' intake rows into signatures (see petitions.drain.signature_intake_drain)."""
    signature_intake_drain()


@shared_task
def queue_signature_emails() -> None:
    """The signing emails' outbox: queue the confirmation or thank-you of new signatures, in batches."""
    signature_mail_queue()


@shared_task(autoretry_for=(GeocoderUnavailable,), retry_backoff=30, retry_jitter=True, max_retries=6)
def resolve_signature_district(signature_id: int) -> None:
    signature = _live_signature(signature_id)
    if signature is not None:
        signature_district_resolve(signature=signature)


@shared_task
def reconcile_signature_counts() -> None:
    recent = timezone.now() - dt.timedelta(days=7)
    petitions = Petition.objects.filter(Q(status=Petition.Status.OPEN) | Q(updated_at__gte=recent)).exclude(
        status=Petition.Status.DRAFT
    )
    for petition_id in petitions.values_list("pk", flat=True):
        signature_counts_reconcile(petition_id=petition_id)


@shared_task
def purge_signature_data() -> dict[str, int]:
    """Daily retention (petitions.retention): counts only in the log and the result, never who."""
    purged = pending_signatures_purge()
    hashes = signature_ip_hashes_forget()
    log.info(
        "retention petitions pending_signatures_deleted=%d contacts_deleted=%d ip_hashes_blanked=%d",
        purged.signatures,
        purged.contacts,
        hashes,
    )
    return {"pending_signatures": purged.signatures, "contacts": purged.contacts, "ip_hashes": hashes}
