"""The signing emails: the outbox that queues each new signature's first email in batches, and the
confirmation (double opt-in) that sends the thank-you. The emails themselves are built in
petitions/emails.py and sent by the tasks."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from petitions.counts import count_add
from petitions.errors import BadConfirmationLink
from petitions.models import Signature
from petitions.publish import SEND_CONFIRMATION_EMAIL, SEND_THANK_YOU_EMAIL, publish, publish_on_commit

_CONFIRM_SALT = "petitions.confirm"


def signature_mail_queue(*, batch: int = 1000) -> int:
    """Queue the first email of every signature that waits for one; returns how many were queued.

    Rows are claimed with a conditional UPDATE in a short transaction (SKIP LOCKED on PostgreSQL, so
    concurrent runs take different rows), and the emails are published after it committed. A row whose
    publish fails is released for the next run. The tasks claim again before sending (thanked_at,
    confirmations_sent), so a duplicated task sends nothing twice.
    """
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
            name = SEND_CONFIRMATION_EMAIL if status == Signature.Status.PENDING else SEND_THANK_YOU_EMAIL
            try:
                publish(name, pk)
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
    pk = payload.get("s") if isinstance(payload, dict) else None
    signature = Signature.objects.select_related("petition").filter(pk=pk).first() if pk is not None else None
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
            publish_on_commit(SEND_THANK_YOU_EMAIL, signature.pk)
    if moved:
        signature.status, signature.confirmed_at = Signature.Status.CONFIRMED, now
    elif signature.status == Signature.Status.PENDING:
        signature.refresh_from_db()  # confirmed by a concurrent click since it was read
    return signature
