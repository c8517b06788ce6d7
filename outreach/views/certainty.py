"""How sure a page can be of whom a constituent's call or letter reaches, from what the lookup says."""

from __future__ import annotations

# More possible members than this are not listed (a ZIP without a crosswalk row leaves a whole delegation).
CANDIDATES_SHOWN = 8


def address_would_make_sure(lookup) -> bool:
    """The ZIP alone named the House member of a state with several seats (Lookup.house_from_zip): a
    one-seat state or territory decides its seat, so nobody there is asked for an address."""
    return lookup.house_from_zip


def house_target_from_zip(lookup, legislators) -> bool:
    """`address_would_make_sure`, for targets that include the representative the ZIP named."""
    representative = lookup.representative
    return address_would_make_sure(lookup) and any(leg == representative for leg in legislators)
