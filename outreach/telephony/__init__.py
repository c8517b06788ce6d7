"""Telephony: placing calls and checking webhook signatures, behind one interface.

TELEPHONY_BACKEND picks `twilio` (the official SDK against TWILIO_API_URL) or `console` (no network:
logs what it would do and plays the call through our own webhooks in-process, so the embedded default
shows a whole session). Both sign and check webhooks the same way, with Twilio's RequestValidator.
"""

from __future__ import annotations

from django.conf import settings
from twilio.request_validator import RequestValidator

# The shared types live in base.py, so the backends need not import this package's __init__.
from outreach.telephony.base import (
    OutboundCall,
    PermanentTelephonyError,
    TelephonyError,
    TransientTelephonyError,
    webhook_token,
    webhook_url,
)

__all__ = [
    "OutboundCall", "PermanentTelephonyError", "TelephonyError", "TransientTelephonyError", "webhook_token",
    "webhook_url",
]  # fmt: skip


def signature_valid(*, url: str, params, signature: str) -> bool:
    if not signature:
        return False
    return RequestValidator(webhook_token()).validate(url, params, signature)


def place_call(call: OutboundCall) -> str:
    """Place a call; returns the provider's call id. Raises TransientTelephonyError/PermanentTelephonyError."""
    if settings.TELEPHONY_BACKEND == "twilio":
        from outreach.telephony import twilio

        return twilio.place_call(call)
    from outreach.telephony import console

    return console.place_call(call)
