"""Which district a signer signed from: what the ZIP alone makes certain when the signature is made, and
the address (or a split ZIP) resolved afterwards in a task."""

from __future__ import annotations

from congress import selectors as congress_selectors
from contacts.models import Contact
from contacts.services import District, contact_district_resolve
from petitions.models import Signature


def district_from_zip(postal_code: str) -> District | None:
    """What the ZIP alone makes certain (no outside call: the crosswalk is in memory): the district, or
    for a ZIP that spans districts the state alone (district None); None for a ZIP across a state line or
    one we do not know."""
    try:
        lookup = congress_selectors.zip_lookup(postal_code)
    except (congress_selectors.ZipNotFound, congress_selectors.NoCongressData, ValueError):
        return None
    return District.from_lookup(lookup, accuracy="zip")


def signature_district_resolve(*, signature: Signature) -> None:
    """Resolve the signer's district (address when given, else ZIP) and record it on a signature that
    has none yet or only a ZIP-level one. An address-level district is what the person signed from and
    stays, even when a later Congress redraws the map."""
    found = contact_district_resolve(contact=signature.contact)
    if found is None:
        return
    rows = Signature.objects.filter(pk=signature.pk).exclude(district_accuracy=Contact.Accuracy.ADDRESS)
    if found.district is None:
        rows = rows.filter(district__isnull=True)  # the state alone never erases a district
    rows.update(**found.as_fields())
