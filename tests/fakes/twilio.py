"""Twilio, played by the tests.

- `FakeTwilioRest`: a real HTTP server on 127.0.0.1 speaking the piece of Twilio's REST API we use
  (`POST /2010-04-01/Accounts/{sid}/Calls.json`). It checks HTTP Basic auth against the account SID and
  auth token, records every `calls.create` body, and can be told to fail the next requests.
- `CallSimulator`: plays the phone network. It fetches our TwiML with requests signed the way Twilio
  signs them (RequestValidator), follows Gather, Dial, Redirect and action URLs with the digits and dial
  results a test chooses, and posts status callbacks. It knows nothing of our code but the URLs we gave.
"""

from __future__ import annotations

import base64
import threading
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

from twilio.request_validator import RequestValidator

from tests.fakes.http import FakeHandler, FakeServer

ACCOUNT_SID = "AC" + "5" * 32
AUTH_TOKEN = "fake-auth-token-0123456789abcdef"


class _RestHandler(FakeHandler):
    def _answer(self, status: int, body: dict):
        fake: FakeTwilioRest = self.server.fake
        # Recorded before answering: the client may read `requests` as soon as it has the response.
        with fake.lock:
            fake.requests.append((self.command, self.path, status))
        self.reply(status, body)

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._answer(405, {"code": 20004, "message": "Method not allowed", "status": 405})

    def do_POST(self):  # noqa: N802 - http.server's naming
        fake: FakeTwilioRest = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        with fake.lock:
            failure = fake.fail_next.pop(0) if fake.fail_next else None
        if failure:
            return self._answer(*failure)
        if not fake.authorized(self.headers.get("Authorization", "")):
            return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
        expected = f"/2010-04-01/Accounts/{fake.account_sid}/Calls.json"
        if urlsplit(self.path).path != expected:
            return self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
        params = {k: (v if len(v) > 1 else v[0]) for k, v in parse_qs(raw, keep_blank_values=True).items()}
        missing = [p for p in ("To", "From", "Url") if not params.get(p)]
        if missing:
            return self._answer(
                400, {"code": 21205, "message": f"Missing required parameter {missing[0]}", "status": 400}
            )
        sid = "CA" + uuid.uuid4().hex
        params["_sid"] = sid
        with fake.lock:
            fake.calls.append(params)
        self._answer(
            201,
            {
                "sid": sid,
                "account_sid": fake.account_sid,
                "to": params["To"],
                "from": params["From"],
                "status": "queued",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "uri": f"/2010-04-01/Accounts/{fake.account_sid}/Calls/{sid}.json",
            },
        )


class FakeTwilioRest(FakeServer):
    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN):
        super().__init__(_RestHandler)
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.calls: list[dict] = []  # accepted calls.create bodies, multi-valued params as lists
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status) of every request
        self.fail_next: list[tuple[int, dict]] = []  # (status, JSON body) answered before any check
        self.lock = threading.Lock()

    def authorized(self, header: str) -> bool:
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return user == self.account_sid and password == self.auth_token


@dataclass
class Dial:
    """What happens when our TwiML dials an office."""

    status: str = "completed"  # completed, busy, no-answer, failed, canceled
    duration: int = 60
    # The caller presses * after `duration` seconds. Only a Dial with hangupOnStar="true" ends the office leg
    # then (Twilio posts the Dial action at once); without it the simulator fails the test.
    star: bool = False


@dataclass
class Transcript:
    said: list[str] = field(default_factory=list)
    played: list[str] = field(default_factory=list)
    gathers: list[dict] = field(default_factory=list)
    dialed: list[dict] = field(default_factory=list)
    responses: list[tuple[str, int]] = field(default_factory=list)
    hung_up: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.said)

    @property
    def numbers(self) -> list[str]:
        return [d["number"] for d in self.dialed]


class CallSimulator:
    """Plays Twilio's part against our webhooks through Django's test client.

    `public_base` is the URL Twilio was given (PUBLIC_BASE_URL); requests are signed against it. The
    request itself reaches Django with `host` as its Host header, as it would behind a proxy."""

    MAX_STEPS = 80

    def __init__(self, client, *, auth_token: str, public_base: str, host: str | None = None):
        self.client = client
        self.validator = RequestValidator(auth_token)
        self.public_base = public_base.rstrip("/")
        parts = urlsplit(self.public_base)
        self.host = host or parts.netloc
        self.secure = parts.scheme == "https" if host is None else False

    def sign(self, url: str, params: dict) -> str:
        return self.validator.compute_signature(url, params)

    def post(self, url: str, params: dict, *, signature: str | None = None):
        assert url.startswith(self.public_base), f"Twilio was given a URL outside the public base: {url}"
        path = url[len(self.public_base) :]
        sig = self.sign(url, params) if signature is None else signature
        return self.client.post(path, params, HTTP_HOST=self.host, HTTP_X_TWILIO_SIGNATURE=sig, secure=self.secure)

    def _fetch(self, url: str, params: dict, transcript: Transcript) -> str:
        response = self.post(url, params)
        transcript.responses.append((urlsplit(url).path, response.status_code))
        assert response.status_code in (200, 204), f"{url} answered {response.status_code}"
        return response.content.decode() if response.status_code == 200 else ""

    def _walk(self, document: str, base: dict, digits: list, dials: list[Dial], transcript: Transcript) -> int:
        talked = 0
        for _ in range(self.MAX_STEPS):
            if not document:
                return talked
            root = ElementTree.fromstring(document)  # noqa: S314 - our own TwiML under test
            assert root.tag == "Response"
            following = None
            for verb in root:
                if verb.tag == "Say":
                    transcript.said.append(verb.text or "")
                elif verb.tag == "Play":
                    transcript.played.append(verb.text or "")
                elif verb.tag == "Hangup":
                    transcript.hung_up = True
                    return talked
                elif verb.tag == "Gather":
                    spoken = [(inner.text or "") for inner in verb if inner.tag == "Say"]
                    transcript.said.extend(spoken)
                    transcript.played.extend((inner.text or "") for inner in verb if inner.tag == "Play")
                    transcript.gathers.append(
                        {"numDigits": verb.get("numDigits"), "action": verb.get("action"), "said": spoken}
                    )
                    pressed = digits.pop(0) if digits else None
                    if pressed is None:
                        continue  # no input: Twilio falls through to the next verb
                    following = self._fetch(verb.get("action"), {**base, "Digits": pressed}, transcript)
                    break
                elif verb.tag == "Dial":
                    result = dials.pop(0) if dials else Dial()
                    number = verb.findtext("Number", default="").strip()
                    transcript.dialed.append(
                        {
                            "number": number,
                            "callerId": verb.get("callerId"),
                            "hangupOnStar": verb.get("hangupOnStar"),
                            "action": verb.get("action"),
                            "result": result,
                        }
                    )
                    if result.star:
                        assert verb.get("hangupOnStar") == "true", (
                            "* was pressed but this Dial does not hang up on star"
                        )
                        transcript.dialed[-1]["starred"] = True
                    answered = result.status == "completed"
                    talked += result.duration if answered else 0
                    outcome = {
                        "DialCallStatus": result.status,
                        "DialCallSid": "CA" + uuid.uuid4().hex,
                        "DialCallDuration": str(result.duration if answered else 0),
                    }
                    if not verb.get("action"):
                        continue
                    following = self._fetch(verb.get("action"), {**base, **outcome}, transcript)
                    break
                elif verb.tag == "Redirect":
                    following = self._fetch((verb.text or "").strip(), base, transcript)
                    break
            if following is None:
                return talked  # the document ended: Twilio hangs up
            document = following
        raise AssertionError("the call flow did not end")

    def run_outbound(
        self, created: dict, *, digits: list | None = None, dials: list[Dial] | None = None, answer: bool = True
    ) -> Transcript:
        """Ring the supporter for a recorded calls.create body and play the call through."""
        transcript = Transcript()
        base = {
            "AccountSid": ACCOUNT_SID,
            "CallSid": created["_sid"],
            "From": created["From"],
            "To": created["To"],
            "Direction": "outbound-api",
            "ApiVersion": "2010-04-01",
        }
        callback = created.get("StatusCallback")
        events = created.get("StatusCallbackEvent") or []
        events = [events] if isinstance(events, str) else events
        for event, status in (("initiated", "initiated"), ("ringing", "ringing")):
            if callback and event in events:
                self._fetch(callback, {**base, "CallStatus": status}, transcript)
        if not answer:
            if callback:
                self._fetch(callback, {**base, "CallStatus": "no-answer", "CallDuration": "0"}, transcript)
            return transcript
        if callback and "answered" in events:
            self._fetch(callback, {**base, "CallStatus": "in-progress"}, transcript)
        document = self._fetch(created["Url"], {**base, "CallStatus": "in-progress"}, transcript)
        talked = self._walk(
            document, {**base, "CallStatus": "in-progress"}, list(digits or []), list(dials or []), transcript
        )
        if callback:
            done = {**base, "CallStatus": "completed", "CallDuration": str(talked + 20)}
            self._fetch(callback, done, transcript)
        return transcript

    def run_inbound(
        self,
        *,
        voice_url: str,
        status_url: str | None,
        from_: str,
        to: str,
        digits: list | None = None,
        dials: list[Dial] | None = None,
        sid: str | None = None,
    ) -> Transcript:
        """Someone calls the campaign number; Twilio fetches the number's voice URL."""
        transcript = Transcript()
        base = {
            "AccountSid": ACCOUNT_SID,
            "CallSid": sid or "CA" + uuid.uuid4().hex,
            "From": from_,
            "To": to,
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            "CallStatus": "in-progress",
        }
        document = self._fetch(voice_url, {**base, "CallStatus": "ringing"}, transcript)
        talked = self._walk(document, base, list(digits or []), list(dials or []), transcript)
        if status_url:
            self._fetch(status_url, {**base, "CallStatus": "completed", "CallDuration": str(talked + 20)}, transcript)
        return transcript
