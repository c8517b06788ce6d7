"""Telephony: placing calls and checking webhook signatures, behind one interface.

TELEPHONY_BACKEND picks `twilio` (the official SDK against TWILIO_API_URL) or `console` (no network:
logs what it would do and plays the call through our own webhooks in-process, so the embedded default
shows a whole session). Both sign and check webhooks the same way, with Twilio's RequestValidator.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from twilio.request_validator import RequestValidator

from contacts.privacy import keyed_hash


class TelephonyError(Exception):
    """The provider refused or failed to place a call."""


class TransientTelephonyError(TelephonyError):
    """Worth retrying: a timeout, a connection error, a 429 or a 5xx."""


class PermanentTelephonyError(TelephonyError):
    """Retrying will not help: a bad number, a bad caller id, bad credentials."""


@dataclass(frozen=True)
class OutboundCall:
    to: str
    from_: str
    url: str
    status_callback: str


def webhook_token() -> str:
    """The secret webhooks are signed with: the Twilio auth token, or a key derived for the console."""
    if settings.TELEPHONY_BACKEND == "twilio":
        return settings.TWILIO_AUTH_TOKEN
    return keyed_hash("console-webhooks", purpose="telephony-console")


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
