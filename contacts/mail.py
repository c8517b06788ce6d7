"""Sending one email through the configured backend, with the server's answer sorted into an error
worth retrying later (connection trouble, 4xx replies) and one that is not (5xx, refused recipient).

Tasks retry on MailTemporaryError and give up on MailPermanentError.
"""

from __future__ import annotations

import smtplib

from django.core.mail import EmailMessage


class MailError(Exception):
    pass


class MailTemporaryError(MailError):
    """The server could not take the message now (421, 451, a dropped connection): try again later."""


class MailPermanentError(MailError):
    """The server refused the message for good (5xx, every recipient refused with 5xx)."""


def send(message: EmailMessage) -> None:
    """Hand `message` to the mail server; returns once it was accepted."""
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        detail = f"recipient refused: {', '.join(str(c) for c in codes)}"
        # A greylisting server refuses recipients with 4xx: that is a "later", not a "never".
        if codes and all(400 <= code < 500 for code in codes):
            raise MailTemporaryError(detail) from exc
        raise MailPermanentError(detail) from exc
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise MailTemporaryError(f"SMTP {exc.smtp_code}") from exc
        raise MailPermanentError(f"SMTP {exc.smtp_code}") from exc
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise MailTemporaryError(type(exc).__name__) from exc
