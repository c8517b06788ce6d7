"""The console telephony backend: no network, no provider.

It logs what Twilio would do and plays Twilio's part against our own webhooks in-process (signed like
Twilio signs them), so the embedded default shows a whole session: the script, the key press, each
office dialed and a status callback. Outcomes are simulated: every office answers and talks briefly,
except every third office dialed, whose line is busy (so the fallback to a district office shows too).
"""

from __future__ import annotations

import logging
import uuid
from urllib.parse import urlsplit
from xml.etree import ElementTree

from django.conf import settings
from twilio.request_validator import RequestValidator

from outreach.telephony.base import OutboundCall, webhook_token

log = logging.getLogger("outreach.telephony")

MAX_STEPS = 60
SIMULATED_TALK_SECONDS = 42


class _Webhooks:
    def __init__(self):
        from django.test import Client  # the in-process WSGI client: the request goes through every middleware

        public = urlsplit(settings.PUBLIC_BASE_URL)
        self.secure = public.scheme == "https"
        self.host = public.netloc
        self.client = Client(HTTP_HOST=self.host)
        self.validator = RequestValidator(webhook_token())

    def post(self, url: str, params: dict) -> str:
        if not url.startswith(settings.PUBLIC_BASE_URL):
            log.warning("console call: not following a URL outside PUBLIC_BASE_URL")
            return ""
        path = url[len(settings.PUBLIC_BASE_URL) :] or "/"
        signature = self.validator.compute_signature(url, params)
        response = self.client.post(path, params, secure=self.secure, HTTP_X_TWILIO_SIGNATURE=signature)
        if response.status_code not in (200, 204):
            log.warning("console call: webhook answered %s", response.status_code)
            return ""
        return response.content.decode()


def _walk(hooks: _Webhooks, base: dict, document: str, sid: str) -> int:
    talked = dials = 0
    for _ in range(MAX_STEPS):
        if not document:
            break
        following = ""
        # Our own TwiML, produced in this process: trusted input.
        for verb in ElementTree.fromstring(document):  # noqa: S314
            if verb.tag == "Say":
                log.info("console call %s says: %s", sid, (verb.text or "")[:200])
            elif verb.tag == "Play":
                log.info("console call %s plays a recording", sid)
            elif verb.tag == "Gather":
                for inner in verb:
                    if inner.tag == "Say":
                        log.info("console call %s says: %s", sid, (inner.text or "")[:200])
                log.info("console call %s: the caller presses 1", sid)
                following = hooks.post(verb.get("action", ""), {**base, "Digits": "1"})
                break
            elif verb.tag == "Dial":
                number = verb.findtext("Number", default="")
                dials += 1
                busy = dials % 3 == 0
                log.info("console call %s dials %s from %s", sid, number, verb.get("callerId", ""))
                log.info("console call %s: the office %s", sid, "line is busy" if busy else "answers")
                talked += 0 if busy else SIMULATED_TALK_SECONDS
                result = {
                    "DialCallStatus": "busy" if busy else "completed",
                    "DialCallDuration": "0" if busy else str(SIMULATED_TALK_SECONDS),
                    "DialCallSid": "CA" + uuid.uuid4().hex,
                }
                following = hooks.post(verb.get("action", ""), {**base, **result})
                break
            elif verb.tag == "Redirect":
                following = hooks.post((verb.text or "").strip(), base)
                break
            elif verb.tag == "Hangup":
                break
        document = following
    return talked


def place_call(call: OutboundCall) -> str:
    sid = "CA" + uuid.uuid4().hex
    log.info("console call %s: would ring a supporter's phone ending %s from %s", sid, call.to[-2:], call.from_)
    hooks = _Webhooks()
    base = {
        "AccountSid": "AC" + "0" * 32,
        "CallSid": sid,
        "From": call.from_,
        "To": call.to,
        "Direction": "outbound-api",
        "ApiVersion": "2010-04-01",
    }
    for event in ("initiated", "ringing"):
        hooks.post(call.status_callback, {**base, "CallStatus": event})
    talked = _walk(hooks, base, hooks.post(call.url, {**base, "CallStatus": "in-progress"}), sid)
    hooks.post(call.status_callback, {**base, "CallStatus": "completed", "CallDuration": str(talked + 30)})
    log.info("console call %s: finished", sid)
    return sid
