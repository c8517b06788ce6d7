"""ZIP -> USPS state, from the `zipcodes` package (the USPS list, including PO box, unique and military
ZIPs and the territories). The crosswalk only knows ZCTAs; this list decides which state a ZIP is in."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class ZipInfo:
    zip: str
    state: str
    kind: str  # STANDARD, PO BOX, UNIQUE, MILITARY
    active: bool
    city: str


@cache
def _index() -> dict[str, ZipInfo]:
    import zipcodes

    return {
        z["zip_code"]: ZipInfo(z["zip_code"], z["state"], z["zip_code_type"], bool(z["active"]), z["city"])
        for z in zipcodes.list_all()
    }


def zip_info(zip5: str) -> ZipInfo | None:
    return _index().get(zip5)
