"""The Census Geocoder: street address -> state and congressional district.

The only module that talks to the geocoder. Base URL, benchmark, vintage and timeout come from settings
so tests point it at a fake on loopback. Results (matches and non-matches) are cached by a hash of the
normalized address, so the address itself never becomes a cache key.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import asdict, dataclass

import requests
from django.conf import settings
from django.core.cache import cache

_LAYER_RE = re.compile(r"^(\d+)(?:st|nd|rd|th) Congressional Districts$")
_NO_MATCH = "no-match"
_session = requests.Session()
log = logging.getLogger(__name__)


class GeocoderError(Exception):
    """Base for geocoder failures."""


class GeocoderUnavailable(GeocoderError):
    """Transient: timeout, connection error, 5xx. Worth retrying later."""


class GeocoderBadResponse(GeocoderError):
    """The geocoder answered with something we cannot read. Not worth retrying at once."""


@dataclass(frozen=True)
class GeocodeMatch:
    state: str
    # Every congressional-district layer of the answer: ((congress, district or None), ...). A vintage can
    # carry the 119th's and the 120th's lines at once, in either order; the caller picks its Congress.
    layers: tuple[tuple[int, int | None], ...]
    zip: str
    matched_address: str
    vintage: str = ""

    def district_for(self, congress: int) -> tuple[bool, int | None]:
        """(whether a layer for `congress` came back, its district: None for water or undefined)."""
        for layer_congress, district in self.layers:
            if layer_congress == congress:
                return True, district
        return False, None


def normalize(address: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s#-]", " ", address.upper())).strip()


def _cache_key(address: str, vintage: str) -> str:
    digest = hashlib.sha256(f"{settings.CENSUS_GEOCODER_BENCHMARK}|{vintage}|{normalize(address)}".encode()).hexdigest()
    # "geocode2": answers cached before layers were kept per Congress have another shape.
    return f"geocode2:{digest}"


def vintages_for(congress: int | None) -> list[str]:
    """The vintage to ask for `congress`'s lines, then at most one other known vintage to try once when
    the first answer has no layer for that Congress (the Census Bureau moves layers between vintages)."""
    known = settings.CENSUS_GEOCODER_VINTAGES
    mapped = known.get(congress) if congress is not None else None
    newest = known[max(known)] if known else "Current_Current"
    first = settings.CENSUS_GEOCODER_VINTAGE or mapped or newest
    # The other vintages, nearest Congress first: the mapped one first when a pinned vintage lacks the layer.
    aim = congress if congress is not None else max(known, default=0)
    others = [v for _c, v in sorted(known.items(), key=lambda kv: abs(kv[0] - aim))]
    second = next((v for v in ([mapped] if mapped else []) + others if v != first), None)
    return [first, second] if second else [first]


def _district_value(entry: dict, congress: int) -> int | None:
    raw = entry.get(f"CD{congress}") or entry.get("BASENAME") or ""
    raw = str(raw).strip()
    if not raw.isdigit():
        return None  # "ZZ" = water or not defined
    value = int(raw)
    # At-large seats come back as "00"; DC and PR as "98" (delegate district at large).
    return 0 if value in (0, 98) else value


def parse_match(payload: dict) -> GeocodeMatch | None:
    try:
        matches = payload["result"]["addressMatches"]
    except (KeyError, TypeError) as exc:
        raise GeocoderBadResponse("response has no result.addressMatches") from exc
    if not matches:
        return None
    match = matches[0]
    geographies = match.get("geographies") or {}
    components = match.get("addressComponents") or {}
    state = ""
    for entry in geographies.get("States") or []:
        state = entry.get("STUSAB") or state
    state = state or components.get("state", "")
    layers = []
    for layer, entries in geographies.items():
        found = _LAYER_RE.match(layer)
        if found and entries:
            raw_congress = str(entries[0].get("CDSESSN") or found.group(1))
            if not raw_congress.isdigit():
                raise GeocoderBadResponse(f"layer {layer!r} has no Congress number")
            congress = int(raw_congress)
            layers.append((congress, _district_value(entries[0], congress)))
    if not state:
        raise GeocoderBadResponse("match has no state")
    return GeocodeMatch(
        state=state,
        layers=tuple(layers),
        zip=str(components.get("zip", "") or ""),
        matched_address=match.get("matchedAddress", ""),
    )


def geocode(
    address: str = "", *, street: str = "", city: str = "", state: str = "", zip: str = "", congress: int | None = None
) -> GeocodeMatch | None:
    """Geocode a one-line `address`, or a structured one (street plus city/state or zip), asking the
    vintage that carries `congress`'s district lines (see vintages_for).

    None when the geocoder finds no match. When the first vintage's match has no layer for `congress`,
    the other known vintage is asked once; a match without that layer is still returned (its state is
    good) and the caller decides. Raises GeocoderUnavailable on timeouts, connection errors and 5xx;
    GeocoderBadResponse otherwise.
    """
    if address:
        endpoint, query = "onelineaddress", {"address": address}
    else:
        endpoint, query = "address", {"street": street, "city": city, "state": state, "zip": zip}
        address = "|".join((street, city, state, zip))
    first: GeocodeMatch | None = None
    for n, vintage in enumerate(vintages_for(congress)):
        result = _geocode_vintage(endpoint, query, address, vintage, congress)
        if result is None:
            # No match is about the address, not the layers: another vintage would not find it either.
            return first
        if congress is None or result.district_for(congress)[0]:
            return result
        first = first or result
        if n == 0:
            log.info("geocoder vintage %s has no %sth-Congress layer; trying another once", vintage, congress)
    return first


# A match without the wanted Congress's layer is kept only briefly: around a turnover the Census Bureau
# moves layers between vintages, and a week-long cache would hide the new layer for a week.
LAYERLESS_CACHE_SECONDS = 3600


def _geocode_vintage(
    endpoint: str, query: dict, address: str, vintage: str, congress: int | None
) -> GeocodeMatch | None:
    key = _cache_key(address, vintage)
    cached = cache.get(key)
    if cached == _NO_MATCH:
        return None
    if cached:
        return GeocodeMatch(**{**cached, "layers": tuple(tuple(pair) for pair in cached["layers"])})
    params = {
        **query,
        "benchmark": settings.CENSUS_GEOCODER_BENCHMARK,
        "vintage": vintage,
        "layers": "all",
        "format": "json",
    }
    url = f"{settings.CENSUS_GEOCODER_URL}/geographies/{endpoint}"
    try:
        response = _session.get(url, params=params, timeout=settings.CENSUS_GEOCODER_TIMEOUT)
    except requests.RequestException as exc:
        raise GeocoderUnavailable(type(exc).__name__) from exc
    if response.status_code >= 500:
        raise GeocoderUnavailable(f"HTTP {response.status_code}")
    if response.status_code != 200:
        raise GeocoderBadResponse(f"HTTP {response.status_code}")
    try:
        payload = response.json()
    except ValueError as exc:
        raise GeocoderBadResponse("response is not JSON") from exc
    result = parse_match(payload)
    # Non-matches are cached for a shorter time: the address may be new to the geocoder.
    if result is None:
        cache.set(key, _NO_MATCH, min(settings.GEOCODER_CACHE_SECONDS, 24 * 3600))
        return None
    result = GeocodeMatch(**{**asdict(result), "vintage": vintage})
    seconds = settings.GEOCODER_CACHE_SECONDS
    if congress is not None and not result.district_for(congress)[0]:
        seconds = min(seconds, LAYERLESS_CACHE_SECONDS)
    cache.set(key, asdict(result), seconds)
    return result
