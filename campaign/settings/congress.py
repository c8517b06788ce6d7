"""Congress data and the address lookup: where the data comes from, the Census Geocoder, the crosswalk's
Congress and the per-process snapshot."""

from django.core.exceptions import ImproperlyConfigured

from .base import BASE_DIR, env

# --- Congress data and lookup ---------------------------------------------------------------------
CONGRESS_DATA = env.str("CONGRESS_DATA", default="")
CONGRESS_SHARED_DIR = BASE_DIR.parent / "shared" / "data" / "congress"
CENSUS_GEOCODER_URL = env.str("CENSUS_GEOCODER_URL", default="https://geocoding.geo.census.gov/geocoder").rstrip("/")
CENSUS_GEOCODER_BENCHMARK = env.str("CENSUS_GEOCODER_BENCHMARK", default="Public_AR_Current")
# The geocoder's vintage decides which Congress's district layer it answers with: Current_Current has
# carried the 120th's lines since late 2026, ACS2025_Current the 119th's. The vintage follows the loaded
# roster's Congress through this map, so the turnover needs no setting; CENSUS_GEOCODER_VINTAGE, when
# set, pins one vintage for every Congress.
CENSUS_GEOCODER_VINTAGE = env.str("CENSUS_GEOCODER_VINTAGE", default="")


def _congress_keyed(name: str, raw: str) -> dict[str, str]:
    """ "119=ACS2025_Current,120=Current_Current" -> {"119": "ACS2025_Current", ...}; fails loudly."""
    out = {}
    for item in filter(None, (p.strip() for p in raw.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip().isdigit() or not value.strip():
            raise ImproperlyConfigured(f"{name}: expected CONGRESS=VALUE items, got {item!r}")
        out[key.strip()] = value.strip()
    return out


CENSUS_GEOCODER_VINTAGES = {
    int(k): v
    for k, v in _congress_keyed(
        "CENSUS_GEOCODER_VINTAGES",
        env.str("CENSUS_GEOCODER_VINTAGES", default="119=ACS2025_Current,120=Current_Current"),
    ).items()
}
# The Congress whose lines the ZIP crosswalk describes, when the operator states it for every load
# (`sync_congress --crosswalk-congress N` states it for one). Unset: see docs/operations.md.
CONGRESS_CROSSWALK_CONGRESS = env.int("CONGRESS_CROSSWALK_CONGRESS", default=None)


# States whose district lines did not change between two Congresses, so a crosswalk on the older lines
# still names their House members with certainty: "119-120=AK,AL,AR;120-121=..." (none by default).
def _lines_unchanged(raw: str) -> dict[tuple[int, int], frozenset[str]]:
    out = {}
    for item in filter(None, (p.strip() for p in raw.split(";"))):
        pair, sep, states = item.partition("=")
        old, dash, new = pair.strip().partition("-")
        codes = frozenset(c.strip().upper() for c in states.split(",") if c.strip())
        if not (sep and dash and old.isdigit() and new.isdigit() and codes) or any(
            len(c) != 2 or not c.isalpha() for c in codes
        ):
            raise ImproperlyConfigured(f"CONGRESS_LINES_UNCHANGED: expected FROM-TO=ST,ST items, got {item!r}")
        out[(int(old), int(new))] = codes
    return out


CONGRESS_LINES_UNCHANGED = _lines_unchanged(env.str("CONGRESS_LINES_UNCHANGED", default=""))
CENSUS_GEOCODER_TIMEOUT = env.float("CENSUS_GEOCODER_TIMEOUT", default=5.0)
GEOCODER_CACHE_SECONDS = env.int("GEOCODER_CACHE_SECONDS", default=7 * 24 * 3600)
# How often each process checks for a newer data load (seconds).
CONGRESS_SNAPSHOT_TTL = env.float("CONGRESS_SNAPSHOT_TTL", default=5.0)
