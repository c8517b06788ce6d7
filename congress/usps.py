"""ZIP -> USPS state, from the `zipcodes` package (the USPS list, including PO box, unique and military
ZIPs and the territories). The crosswalk only knows ZCTAs; this list decides which state a ZIP is in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class ZipInfo:
    zip: str
    state: str
    kind: str  # STANDARD, PO BOX, UNIQUE, MILITARY
    active: bool
    city: str
    lat: float | None = None  # the ZIP's centroid
    lon: float | None = None
    timezone: str = ""  # IANA name, "" when unknown


def _float(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@cache
def _index() -> dict[str, ZipInfo]:
    import zipcodes

    return {
        z["zip_code"]: ZipInfo(
            z["zip_code"],
            z["state"],
            z["zip_code_type"],
            bool(z["active"]),
            z["city"],
            _float(z.get("lat")),
            _float(z.get("long")),
            z.get("timezone") or "",
        )
        for z in zipcodes.list_all()
    }


def zip_info(zip5: str) -> ZipInfo | None:
    return _index().get(zip5)


def zip_infos() -> Iterable[ZipInfo]:
    """Every ZIP in the list."""
    return _index().values()


@cache
def states() -> frozenset[str]:
    """Every state code USPS delivers to: the states, DC, the territories, the freely associated states
    and the military codes AA, AE and AP."""
    return frozenset(info.state for info in _index().values())
