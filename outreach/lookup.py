"""Who represents a constituent, for the outreach flows (calls, letters): one address format and one
mapping of the lookup's errors to what a form or the API shows."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from congress import geocoder
from congress import selectors as congress_selectors

ZIP_MESSAGE = "Enter a 5-digit ZIP code."
ZIP_UNKNOWN_MESSAGE = "This ZIP code does not exist."
ADDRESS_MESSAGE = "No match for this address. Check it."
GEOCODER_MESSAGE = "Address lookup is unavailable right now; try again shortly."
NO_DATA_MESSAGE = "Congress data has not been loaded yet."


class LookupUnavailable(Exception):
    """The lookup cannot answer now (geocoder down, no Congress data): a 503, not the person's fault."""


def one_line_address(*, postal_code: str, street: str = "", locality: str = "", region: str = "") -> str:
    """ "street, locality, REGION ZIP": the geocoder needs the ZIP and place, or a bare street may match
    a street of the same name in another city."""
    street, locality, region, postal_code = ((v or "").strip() for v in (street, locality, region, postal_code))
    if not street:
        return ""
    tail = f"{region.upper()} {postal_code}".strip()
    return ", ".join(p for p in (street, locality, tail) if p)


def constituent_lookup(
    *, postal_code: str, street: str = "", locality: str = "", region: str = ""
) -> congress_selectors.Lookup:
    """congress.selectors.Lookup for a ZIP and, when given, the street address.

    Raises ValidationError keyed "postal_code" or "address", or LookupUnavailable."""
    address = one_line_address(postal_code=postal_code, street=street, locality=locality, region=region)
    try:
        return congress_selectors.representatives_lookup(zip=postal_code, address=address or None)
    except ValueError as exc:
        raise ValidationError({"postal_code": [ZIP_MESSAGE]}) from exc
    except congress_selectors.ZipNotFound as exc:
        raise ValidationError({"postal_code": [ZIP_UNKNOWN_MESSAGE]}) from exc
    except congress_selectors.AddressNotFound as exc:
        raise ValidationError({"address": [ADDRESS_MESSAGE]}) from exc
    except geocoder.GeocoderError as exc:
        raise LookupUnavailable(GEOCODER_MESSAGE) from exc
    except congress_selectors.NoCongressData as exc:
        raise LookupUnavailable(NO_DATA_MESSAGE) from exc
