"""Twilio REST through the official SDK. The only module that talks to Twilio."""

from __future__ import annotations

import logging
from functools import lru_cache

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from outreach.telephony.base import OutboundCall, PermanentTelephonyError, TransientTelephonyError

log = logging.getLogger("outreach.telephony")

# Progress events we track; "completed" alone would leave a session at "queued" until the end.
STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
# Ring the supporter this long: long enough to pick up, short enough that most voicemail boxes lose.
RING_SECONDS = 25


@lru_cache(maxsize=4)
def _client(account_sid: str, auth_token: str, api_url: str, timeout: float) -> Client:
    # An empty-but-present environment keeps TWILIO_EDGE/TWILIO_REGION from the process environment
    # from rewriting the host we were told to use.
    client = Client(
        account_sid,
        auth_token,
        http_client=TwilioHttpClient(timeout=timeout),
        environment={"TWILIO_EDGE": "", "TWILIO_REGION": ""},
    )
    client.api.base_url = api_url
    return client


def client() -> Client:
    return _client(
        settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_API_URL, settings.TWILIO_TIMEOUT
    )


def place_call(call: OutboundCall) -> str:
    try:
        created = client().calls.create(
            to=call.to,
            from_=call.from_,
            url=call.url,
            method="POST",
            status_callback=call.status_callback,
            status_callback_method="POST",
            status_callback_event=STATUS_EVENTS,
            timeout=RING_SECONDS,
        )
    except requests.RequestException as exc:
        raise TransientTelephonyError(f"Twilio unreachable: {type(exc).__name__}") from exc
    except TwilioException as exc:
        status = getattr(exc, "status", None)
        code = getattr(exc, "code", None)
        if status is None or status == 429 or status >= 500:
            raise TransientTelephonyError(f"Twilio answered {status}") from exc
        raise PermanentTelephonyError(f"Twilio refused the call ({status}, code {code})") from exc
    log.info("twilio call placed sid=%s", created.sid)
    return created.sid
