import datetime as dt
import logging
import smtplib

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from congress.geocoder import GeocoderUnavailable
from petitions.models import Petition, Signature

log = logging.getLogger(__name__)
# Connection trouble and 4xx replies from the mail server are worth retrying; a rejected recipient is not.
_TRANSIENT_MAIL = (ConnectionError, TimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)


def _live_signature(signature_id: int) -> Signature | None:
    return (
        Signature.objects.select_related("petition", "contact")
        .filter(pk=signature_id, contact__erased_at__isnull=True)
        .first()
    )


@shared_task(autoretry_for=_TRANSIENT_MAIL, retry_backoff=30, retry_jitter=True, max_retries=8)
def send_confirmation_email(signature_id: int) -> None:
    from petitions.emails import confirmation_message

    signature = _live_signature(signature_id)
    if signature is None or signature.status != Signature.Status.PENDING:
        return  # confirmed meanwhile, or erased: nothing to ask
    confirmation_message(signature).send()


@shared_task(autoretry_for=_TRANSIENT_MAIL, retry_backoff=30, retry_jitter=True, max_retries=8)
def send_thank_you_email(signature_id: int) -> None:
    from petitions.emails import thank_you_message

    # Claim first, so a retried or duplicated task sends one thank-you; release the claim if sending fails.
    claimed = Signature.objects.filter(
        pk=signature_id, status=Signature.Status.CONFIRMED, thanked_at__isnull=True, contact__erased_at__isnull=True
    ).update(thanked_at=timezone.now())
    if not claimed:
        return
    signature = _live_signature(signature_id)
    try:
        thank_you_message(signature).send()
    except Exception:
        Signature.objects.filter(pk=signature_id).update(thanked_at=None)
        raise


@shared_task
def queue_signature_emails() -> None:
    """The signing emails' outbox: queue the confirmation or thank-you of new signatures, in batches."""
    from petitions.services import signature_mail_queue

    signature_mail_queue()


@shared_task(autoretry_for=(GeocoderUnavailable,), retry_backoff=30, retry_jitter=True, max_retries=6)
def resolve_signature_district(signature_id: int) -> None:
    from petitions.services import signature_district_resolve

    signature = _live_signature(signature_id)
    if signature is not None:
        signature_district_resolve(signature=signature)


@shared_task
def reconcile_signature_counts() -> None:
    from petitions.services import signature_counts_reconcile

    recent = timezone.now() - dt.timedelta(days=7)
    petitions = Petition.objects.filter(Q(status=Petition.Status.OPEN) | Q(updated_at__gte=recent)).exclude(
        status=Petition.Status.DRAFT
    )
    for petition_id in petitions.values_list("pk", flat=True):
        signature_counts_reconcile(petition_id=petition_id)
