"""How sure a page can be of whom a constituent's call or letter reaches, from what the lookup says."""

from __future__ import annotations

# More possible members than this are not listed (a ZIP without a crosswalk row leaves a whole delegation).
CANDIDATES_SHOWN = 8


def house_target_from_zip(lookup, legislators) -> bool:
    """Lookup.house_from_zip (the ZIP alone named the representative of a state with several seats), for
    targets that include that representative: an address would make sure."""
    representative = lookup.representative
    return lookup.house_from_zip and any(leg == representative for leg in legislators)
