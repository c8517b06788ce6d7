"""The Census Geocoder: street address -> state and congressional district.

The only module that talks to the geocoder. Base URL, benchmark, vintage and timeout come from settings
so tests point it at a fake on loopback. Results (matches and non-matches) are cached by a hash of the
normalized address, so the address itself never becomes a cache key.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass

import requests
from django.conf import settings
from django.core.cache import cache

_LAYER_RE = re.compile(r"^(\d+)(?:st|nd|rd|th) Congressional Districts$")
_NO_MATCH = "no-match"
_session = requests.Session()


class GeocoderError(Exception):
    """Base for geocoder failures."""


class GeocoderUnavailable(GeocoderError):
    """Transient: timeout, connection error, 5xx. Worth retrying later."""


class GeocoderBadResponse(GeocoderError):
    """The geocoder answered with something we cannot read. Not worth retrying at once."""


@dataclass(frozen=True)
class GeocodeMatch:
    state: str
    district: int | None  # None when no district layer for `congress` came back
    congress: int | None
    zip: str
    matched_address: str


def normalize(address: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s#-]", " ", address.upper())).strip()


def _cache_key(address: str) -> str:
    digest = hashlib.sha256(
        f"{settings.CENSUS_GEOCODER_BENCHMARK}|{settings.CENSUS_GEOCODER_VINTAGE}|{normalize(address)}".encode()
    ).hexdigest()
    return f"geocode:{digest}"


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
    district = congress = None
    for layer, entries in geographies.items():
        found = _LAYER_RE.match(layer)
        if found and entries:
            congress = int(entries[0].get("CDSESSN") or found.group(1))
            district = _district_value(entries[0], congress)
            break
    if not state:
        raise GeocoderBadResponse("match has no state")
    return GeocodeMatch(
        state=state,
        district=district,
        congress=congress,
        zip=str(components.get("zip", "") or ""),
        matched_address=match.get("matchedAddress", ""),
    )


def geocode(
    address: str = "", *, street: str = "", city: str = "", state: str = "", zip: str = ""
) -> GeocodeMatch | None:
    """Geocode a one-line `address`, or a structured one (street plus city/state or zip).

    None when the geocoder finds no match. Raises GeocoderUnavailable on timeouts, connection errors
    and 5xx; GeocoderBadResponse otherwise.
    """
    if address:
        endpoint, query = "onelineaddress", {"address": address}
    else:
        endpoint, query = "address", {"street": street, "city": city, "state": state, "zip": zip}
        address = "|".join((street, city, state, zip))
    key = _cache_key(address)
    cached = cache.get(key)
    if cached == _NO_MATCH:
        return None
    if cached:
        return GeocodeMatch(**cached)
    params = {
        **query,
        "benchmark": settings.CENSUS_GEOCODER_BENCHMARK,
        "vintage": settings.CENSUS_GEOCODER_VINTAGE,
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
    else:
        cache.set(key, asdict(result), settings.GEOCODER_CACHE_SECONDS)
    return result
