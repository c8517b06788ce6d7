"""Letters by email, to an office address the organizer configured for that office."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

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
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise EmailPermanentError(f"recipient refused: {_codes(exc.recipients)}") from exc
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise EmailTransientError(f"SMTP {exc.smtp_code}") from exc
        raise EmailPermanentError(f"SMTP {exc.smtp_code}") from exc
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise EmailTransientError(type(exc).__name__) from exc


def _codes(recipients: dict) -> str:
    return ", ".join(str(code) for code, _ in recipients.values())
