"""A fake Census Geocoder: answers /geographies/onelineaddress and /geographies/address in the documented
response shape, from a table of addresses, and can be told to time out or fail with a 5xx."""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs, urlsplit

from tests.fakes.http import FakeHandler, FakeServer


def _layer(state_fips: str, district: str, congress: int) -> dict:
    return {
        "GEOID": f"{state_fips}{district}",
        "STATE": state_fips,
        f"CD{congress}": district,
        "BASENAME": str(int(district)) if district.isdigit() else district,
        "NAME": f"Congressional District {int(district)}" if district.isdigit() else district,
        "CDSESSN": str(congress),
        "FUNCSTAT": "N",
    }


def match_payload(
    *,
    state: str,
    state_fips: str,
    district: str,
    zip: str,
    congress: int = 119,
    address: str = "",
    layers: list[tuple[int, str]] | None = None,
):
    """A one-match response as the geocoder sends it. `district` is the raw CD value: "07", "00", "98".
    `layers`, when given, replaces the one district layer with several, in the order given:
    [(congress, raw district), ...]."""
    district_layers = {
        f"{n}th Congressional Districts": [_layer(state_fips, raw, n)] for n, raw in (layers or [(congress, district)])
    }
    return {
        "result": {
            "input": {"benchmark": {"benchmarkName": "Public_AR_Current"}, "address": {"address": address}},
            "addressMatches": [
                {
                    "matchedAddress": address.upper() or "MATCHED",
                    "coordinates": {"x": -87.627, "y": 41.855},
                    "tigerLine": {"side": "L", "tigerLineId": "1"},
                    "addressComponents": {"zip": zip, "state": state, "city": "CITY"},
                    "geographies": {
                        "States": [{"STATE": state_fips, "STUSAB": state, "GEOID": state_fips}],
                        **district_layers,
                    },
                }
            ],
        }
    }


NO_MATCH = {"result": {"input": {}, "addressMatches": []}}


class _Handler(FakeHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        fake: FakeCensus = self.server.fake
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with fake.lock:
            fake.requests.append((parts.path, query))
        if fake.delay:
            time.sleep(fake.delay)
        if fake.status != 200:
            self.reply(fake.status, {"errors": ["server error"]})
            return
        if parts.path == "/geographies/onelineaddress":
            key = query.get("address", "")
        elif parts.path == "/geographies/address":
            key = "|".join(query.get(k, "") for k in ("street", "city", "state", "zip"))
        else:
            self.reply(404, {"errors": ["unknown endpoint"]})
            return
        if "benchmark" not in query:
            self.reply(400, {"errors": ["benchmark is required"]})
            return
        vintage = query.get("vintage", "")
        answer = fake.by_vintage.get((vintage, key.upper()), fake.answers.get(key.upper(), NO_MATCH))
        self.reply(200, answer)


class FakeCensus(FakeServer):
    def __init__(self):
        super().__init__(_Handler)
        self.lock = threading.Lock()
        self.answers: dict[str, dict] = {}
        self.by_vintage: dict[tuple[str, str], dict] = {}
        self.requests: list[tuple[str, dict]] = []
        self.status = 200
        self.delay = 0.0

    def add(self, address: str, payload: dict, *, vintage: str = "") -> None:
        """The answer for `address`; with `vintage`, only when that vintage is asked (the real geocoder's
        vintages carry different Congresses' layers)."""
        if vintage:
            self.by_vintage[(vintage, address.upper())] = payload
        else:
            self.answers[address.upper()] = payload
