"""The emails a signer gets. Built here, sent by tasks (after commit), through the EMAIL_URL backend."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from contacts.services import unsubscribe_url
from petitions.mail import confirmation_token
from petitions.models import Signature


def _share_url(signature: Signature) -> str:
    path = reverse("petitions:page", kwargs={"slug": signature.petition.slug})
    return f"{settings.PUBLIC_BASE_URL}{path}?ref={signature.ref_code}"


def _message(signature: Signature, *, subject: str, template: str, extra: dict) -> EmailMessage:
    unsubscribe = unsubscribe_url(contact=signature.contact)
    context = {
        "signature": signature,
        "petition": signature.petition,
        "given_name": signature.contact.given_name,
        "organization": settings.ORGANIZATION_NAME,
        "share_url": _share_url(signature),
        "unsubscribe_url": unsubscribe,
        **extra,
    }
    return EmailMessage(
        subject=subject,
        body=render_to_string(template, context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[signature.contact.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def confirmation_message(signature: Signature) -> EmailMessage:
    path = reverse("petitions:confirm", kwargs={"token": confirmation_token(signature=signature)})
    days = settings.PETITION_CONFIRM_MAX_AGE // 86400
    return _message(
        signature,
        subject=f"Please confirm your signature: {signature.petition.title}",
        template="petitions/email/confirm.txt",
        extra={"confirm_url": f"{settings.PUBLIC_BASE_URL}{path}", "days": days},
    )


def thank_you_message(signature: Signature) -> EmailMessage:
    return _message(
        signature,
        subject=f"Thank you for signing: {signature.petition.title}",
        template="petitions/email/thanks.txt",
        extra={},
    )
