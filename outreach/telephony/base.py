"""What every telephony backend shares: the call to place and the typed errors. The backends import this
module, never the package's __init__ (which picks a backend), so no import runs in a circle."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from infra.privacy import keyed_hash


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


def webhook_url(name: str, **kwargs) -> str:
    """The public URL of one of our webhooks, from configuration (never a request's Host header)."""
    return settings.PUBLIC_BASE_URL + reverse(name, kwargs=kwargs)


def webhook_token() -> str:
    """The secret webhooks are signed with: the Twilio auth token, or a key derived for the console."""
    if settings.TELEPHONY_BACKEND == "twilio":
        return settings.TWILIO_AUTH_TOKEN
    return keyed_hash("console-webhooks", purpose="telephony-console")
