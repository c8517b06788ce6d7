"""Letters by email, to an office address the organizer configured for that office."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from contacts.mail import MailPermanentError, MailTemporaryError, send
from outreach.delivery import PermanentDeliveryError, TransientDeliveryError


class EmailTransientError(TransientDeliveryError):
    pass


class EmailPermanentError(PermanentDeliveryError):
    pass


def send_letter_email(*, to: str, subject: str, body: str, reply_to: str = "", message_id: str = "") -> None:
    """Hand one letter to the mail server. Returns once it accepted the message."""
    headers = {}
    if message_id:
        # A stable Message-ID lets the receiving side drop a duplicate if a retry resends after a lost reply.
        headers["Message-ID"] = f"<{message_id}@{settings.LETTERS_EMAIL_MESSAGE_ID_DOMAIN}>"
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.LETTERS_EMAIL_FROM,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )
    try:
        send(message)
    except MailTemporaryError as exc:
        raise EmailTransientError(str(exc)) from exc
    except MailPermanentError as exc:
        raise EmailPermanentError(str(exc)) from exc
