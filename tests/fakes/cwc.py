"""A fake CWC API (House or Senate): a real HTTP server on 127.0.0.1.

It checks the apikey, parses the XML, checks the required elements, remembers DeliveryIds (a repeated
DeliveryId is acknowledged but not delivered again, as offices do), and answers 200, 400 with <Error>
elements, or 503 as programmed. It can hold a request open (to kill a worker mid-delivery) and serves
/offices as a JSON array of codes or as a list of {name, office_code} objects.

Run standalone (used by the benchmark and the worker test): python -m tests.fakes.cwc --port 0
"""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET  # noqa: S405 - parses only what our own client sent in tests
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from tests.fakes.http import FakeHandler, FakeServer

# Paths (from the root <CWC>) that every message must carry. Kept independent of docs/cwc.md on purpose:
# the builder is checked against the docs in one test and against this server in the others.
REQUIRED = [
    "CWCVersion",
    "Delivery/DeliveryId",
    "Delivery/DeliveryDate",
    "Delivery/DeliveryAgent",
    "Delivery/DeliveryAgentAckEmailAddress",
    "Delivery/DeliveryAgentContact/DeliveryAgentContactName",
    "Delivery/DeliveryAgentContact/DeliveryAgentContactEmail",
    "Delivery/DeliveryAgentContact/DeliveryAgentContactPhone",
    "Delivery/CampaignId",
    "Recipient/MemberOffice",
    "Constituent/Prefix",
    "Constituent/FirstName",
    "Constituent/LastName",
    "Constituent/Address1",
    "Constituent/City",
    "Constituent/StateAbbreviation",
    "Constituent/Zip",
    "Constituent/Email",
    "Message/Subject",
    "Message/LibraryOfCongressTopics/LibraryOfCongressTopic",
]


@dataclass
class Received:
    delivery_id: str
    office: str
    xml: bytes
    duplicate: bool


@dataclass
class State:
    api_key: str
    offices: list = field(default_factory=list)
    offices_shape: str = "codes"  # "codes" or "objects"
    script: list = field(default_factory=list)  # programmed answers, consumed in order: 200, 400, 503
    script_after_accept: bool = False  # a 503 answered AFTER the message was recorded (a lost reply)
    hold: threading.Event | None = None  # while set up, message requests wait on it
    holding: threading.Event = field(default_factory=threading.Event)
    error_text: str = "Constituent Zip is not valid for the member office"
    received: list[Received] = field(default_factory=list)
    delivered: Counter = field(default_factory=Counter)  # DeliveryId -> accepted deliveries (never > 1)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _error_xml(messages: list[str]) -> bytes:
    return ("<Errors>" + "".join(f"<Error>{m}</Error>" for m in messages) + "</Errors>").encode()


class _Handler(FakeHandler):
    server_version = "FakeCWC/1"
    protocol_version = "HTTP/1.1"  # keep-alive, like the real APIs; every reply sets Content-Length
    # Headers and body go out in one write with no Nagle delay (otherwise each reply waits ~40 ms on the
    # client's delayed ACK).
    disable_nagle_algorithm = True
    wbufsize = -1

    def _reply(self, status: int, body: bytes, ctype: str = "application/xml") -> None:
        self.reply(status, body, ctype)

    def _authorized(self) -> bool:
        query = parse_qs(urlsplit(self.path).query)
        if query.get("apikey", [""])[0] != self.server.fake.state.api_key:
            self._reply(401, _error_xml(["Invalid API key"]))
            return False
        return True

    def do_GET(self):  # noqa: N802
        if urlsplit(self.path).path == "/_stats":
            # For a fake run in its own process (the benchmark): what it received, in order.
            st = self.server.fake.state
            with st.lock:
                body = {"received": [[r.delivery_id, r.duplicate] for r in st.received]}
            return self._reply(200, json.dumps(body).encode(), "application/json")
        if urlsplit(self.path).path != "/offices":
            return self._reply(404, b"")
        if not self._authorized():
            return None
        st = self.server.fake.state
        if st.offices_shape == "objects":
            body = [{"name": name, "office_code": code} for code, name in st.offices]
        else:
            body = [code for code, _ in st.offices]
        return self._reply(200, json.dumps(body).encode(), "application/json")

    def do_POST(self):  # noqa: N802
        path = urlsplit(self.path).path
        if path not in ("/v2/message", "/v2/validate"):
            return self._reply(404, b"")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if not self._authorized():
            return None
        st = self.server.fake.state
        try:
            root = ET.fromstring(body)  # noqa: S314
        except ET.ParseError as exc:
            return self._reply(400, _error_xml([f"Malformed XML: {exc}"]))
        missing = [p for p in REQUIRED if not (root.findtext(p) or "").strip()] if root.tag == "CWC" else ["CWC"]
        if not (root.findtext("Message/OrganizationStatement") or root.findtext("Message/ConstituentMessage")):
            missing.append("Message/OrganizationStatement or Message/ConstituentMessage")
        if missing:
            return self._reply(400, _error_xml([f"Missing required element {m}" for m in missing]))
        delivery_id = root.findtext("Delivery/DeliveryId").strip()
        if len(delivery_id) > 32:
            return self._reply(400, _error_xml(["DeliveryId is longer than 32 characters"]))
        office = root.findtext("Recipient/MemberOffice").strip()
        if st.offices and office not in {code for code, _ in st.offices}:
            return self._reply(400, _error_xml([f"MemberOffice {office} is not a valid office"]))
        with st.lock:
            answer = st.script.pop(0) if st.script else 200
            hold = st.hold
        if hold is not None:
            st.holding.set()
            hold.wait(timeout=120)
        if answer == 400:
            return self._reply(400, _error_xml([st.error_text]))
        if answer == 503 and not st.script_after_accept:
            return self._reply(503, b"Service Unavailable", "text/plain")
        if path == "/v2/message":
            with st.lock:
                duplicate = st.delivered[delivery_id] > 0
                st.received.append(Received(delivery_id, office, body, duplicate))
                if not duplicate:
                    st.delivered[delivery_id] += 1
        if answer == 503:
            return self._reply(503, b"Service Unavailable", "text/plain")
        return self._reply(200, b"<Response><Status>Accepted</Status></Response>")


class FakeCwc(FakeServer):
    def __init__(self, *, api_key: str = "test-key", offices=(), offices_shape: str = "codes", port: int = 0):
        self.state = State(api_key=api_key, offices=list(offices), offices_shape=offices_shape)
        super().__init__(_Handler, port=port)

    def __exit__(self, *exc) -> None:
        if self.state.hold is not None:
            self.state.hold.set()  # a held request would keep shutdown() waiting
        super().__exit__(*exc)

    # Programming and inspection.
    def program(self, *answers: int, after_accept: bool = False) -> None:
        with self.state.lock:
            self.state.script = list(answers)
            self.state.script_after_accept = after_accept

    def hold_requests(self) -> threading.Event:
        release = threading.Event()
        self.state.hold = release
        self.state.holding.clear()
        return release

    def stop_holding(self) -> None:
        hold, self.state.hold = self.state.hold, None
        if hold is not None:
            hold.set()

    @property
    def deliveries(self) -> Counter:
        return self.state.delivered

    @property
    def received(self) -> list[Received]:
        return self.state.received

    def received_for(self, delivery_id: str) -> list[Received]:
        return [r for r in self.state.received if r.delivery_id == delivery_id]


def main() -> None:  # pragma: no cover - a tool for the benchmark and manual runs
    import argparse
    import time

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api-key", default="test-key")
    args = parser.parse_args()
    with FakeCwc(api_key=args.api_key, port=args.port) as fake:
        print(fake.url, flush=True)
        while True:
            time.sleep(3600)


if __name__ == "__main__":  # pragma: no cover
    main()
