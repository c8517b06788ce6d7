"""Who represents a constituent, from a ZIP code or a street address.

The answer says only what is certain. From a ZIP alone:
- a ZIP whose crosswalk rows name another state than its USPS state crosses a state line: nothing is
  certain, both delegations are `candidates` and the state is null;
- otherwise the USPS state decides the state and the state's senators are certain;
- the House member is certain when the state has one seat, or when every crosswalk row for the ZIP names
  the same district *and* the crosswalk's lines are the roster's Congress's (or the operator declared the
  state's lines unchanged between the two: CONGRESS_LINES_UNCHANGED). A crosswalk on an older Congress's
  lines names districts that may belong to someone else now.
Otherwise the possible members are `candidates` and `needs_address` is true. An address decides through
the geocoder's layer for the roster's Congress, never through another Congress's layer.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings

from congress import geocoder, sources, usps
from congress.models import DataLoad, Legislator, ZipDistrict

# \Z, not $: "$" also matches before a trailing newline, and "05401\n" is not a ZIP.
ZIP_RE = re.compile(r"^(\d{5})(?:-\d{4})?\Z")
_TRAILING_ZIP_RE = re.compile(r"\b(\d{5})(?:-\d{4})?\s*$")
# One seat each, no senators. DC and PR are in the crosswalk; the island territories are not.
SINGLE_SEAT_TERRITORIES = tuple(sorted(sources.DELEGATE_STATES | sources.RESIDENT_COMMISSIONER_STATES))


class NoCongressData(Exception):
    """No data load has run yet."""


class ZipNotFound(Exception):
    """A well-formed ZIP that is not in the USPS list."""


class AddressNotFound(Exception):
    """The geocoder found no match and there is no ZIP to fall back on."""


@dataclass
class Snapshot:
    """The in-office members and House seats of one data load, held in memory by each process."""

    version: int
    congress: int  # the roster's: who serves
    lines_congress: int  # the crosswalk's: whose district lines a ZIP answer reads
    senators: dict[str, list[Legislator]]
    house: dict[tuple[str, int], Legislator]
    seats: dict[str, tuple[int, ...]]
    # The crosswalk for this Congress, ZCTA -> ((state, district), ...): about 42,000 rows, so a ZIP
    # lookup touches no database and callers need no caches of their own.
    zips: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    as_json: dict[str, dict] = field(default_factory=dict)
    # States whose lines an operator declared the same in the crosswalk's Congress and the roster's.
    unchanged: frozenset[str] = frozenset()

    def zip_lines_hold(self, state: str) -> bool:
        """Whether the crosswalk's district numbers name the roster's seats in `state`."""
        return self.lines_congress == self.congress or state in self.unchanged


def _legislator_json(leg: Legislator) -> dict:
    return {
        "bioguide_id": leg.bioguide_id,
        "name": leg.display_name,
        "chamber": leg.chamber,
        "title": leg.title,
        "state": leg.state,
        "district": leg.district,
        "party": leg.party,
        "phone": leg.phone or None,
        "office_address": leg.office_address or None,
        "url": leg.url or None,
        "contact_form": leg.contact_form or None,
        "district_offices": [
            {
                "city": o.city,
                "address": ", ".join(p for p in (o.address, o.suite) if p),
                "phone": o.phone or None,
                "latitude": o.latitude,
                "longitude": o.longitude,
            }
            for o in leg.offices.all()
        ],
    }


def _build_snapshot(version: int, congress: int, lines_congress: int) -> Snapshot:
    senators: dict[str, list[Legislator]] = {}
    house: dict[tuple[str, int], Legislator] = {}
    members = Legislator.objects.filter(in_office=True).prefetch_related("offices").order_by("state", "last_name")
    for leg in members:
        if leg.chamber == "senate":
            senators.setdefault(leg.state, []).append(leg)
        elif leg.district is not None:  # always for the House (legislator_district_matches_chamber)
            house[(leg.state, leg.district)] = leg
    seat_sets: dict[str, set[int]] = {t: {0} for t in SINGLE_SEAT_TERRITORIES}
    zips: dict[str, list[tuple[str, int]]] = {}
    crosswalk = ZipDistrict.objects.filter(congress=lines_congress).values_list("zcta", "state", "district")
    for zcta, state, district in crosswalk:
        seat_sets.setdefault(state, set()).add(district)
        zips.setdefault(zcta, []).append((state, district))
    for state, district in house:
        seat_sets.setdefault(state, set()).add(district)
    snap = Snapshot(
        version=version,
        congress=congress,
        lines_congress=lines_congress,
        unchanged=settings.CONGRESS_LINES_UNCHANGED.get((lines_congress, congress), frozenset()),
        senators=senators,
        house=house,
        seats={s: tuple(sorted(d)) for s, d in seat_sets.items()},
        zips={z: tuple(rows) for z, rows in zips.items()},
    )
    snap.as_json = {leg.bioguide_id: _legislator_json(leg) for leg in members}
    return snap


_lock = threading.Lock()
_current: dict = {"snapshot": None, "checked": 0.0}


def current_snapshot() -> Snapshot:
    """The snapshot of the newest data load. Each process re-checks the load id at most every
    CONGRESS_SNAPSHOT_TTL seconds, so a new load is seen everywhere within that time."""
    now = time.monotonic()
    snap = _current["snapshot"]
    if snap is not None and now - _current["checked"] < settings.CONGRESS_SNAPSHOT_TTL:
        return snap
    with _lock:
        latest = DataLoad.objects.order_by("-id").values_list("id", "congress", "crosswalk_congress").first()
        if latest is None:
            raise NoCongressData("no Congress data loaded; run `manage.py sync_congress`")
        snap = _current["snapshot"]
        if snap is None or snap.version != latest[0]:
            snap = _build_snapshot(*latest)
            _current["snapshot"] = snap
        _current["checked"] = now
        return snap


@dataclass
class Lookup:
    zip: str | None
    address: str | None
    state: str | None  # None when even the state is uncertain (a ZIP across a state line)
    district: int | None
    congress: int  # the roster's
    accuracy: str  # "zip" or "address"
    needs_address: bool
    legislators: list[Legislator]
    candidates: list[Legislator]
    vacancies: list[dict]
    snapshot: Snapshot = field(repr=False)
    # The Congress whose district lines the answer read: the crosswalk's for a ZIP, the geocoder layer's
    # for an address; None when no lines were needed (nobody to place in a district).
    lines_congress: int | None = None

    @property
    def representative(self) -> Legislator | None:
        return next((leg for leg in self.legislators if leg.chamber == "house"), None)

    @property
    def house_from_zip(self) -> bool:
        """The ZIP alone named the House member of a state with several seats: a street address would make
        sure. (In a one-seat state or territory the state decides the seat; an address adds nothing.)"""
        if self.accuracy != "zip" or self.representative is None or self.state is None:
            return False
        return len(self.snapshot.seats.get(self.state, ())) > 1

    @property
    def senators(self) -> list[Legislator]:
        return [leg for leg in self.legislators if leg.chamber == "senate"]

    def as_dict(self) -> dict:
        js = self.snapshot.as_json
        return {
            "query": {"zip": self.zip, "address": self.address},
            "state": self.state,
            "district": self.district,
            "congress": self.congress,
            "lines_congress": self.lines_congress,
            "accuracy": self.accuracy,
            "needs_address": self.needs_address,
            "legislators": [js[leg.bioguide_id] for leg in self.legislators],
            "candidates": [js[leg.bioguide_id] for leg in self.candidates],
            "vacancies": self.vacancies,
        }


def _seat_answer(snap: Snapshot, state: str, possible: list[int]) -> tuple[list, list, list]:
    """Members for the possible House seats of a state: (certain house, candidates, vacancies)."""
    members, vacancies = [], []
    for district in possible:
        member = snap.house.get((state, district))
        if member is None:
            vacancies.append({"chamber": "house", "state": state, "district": district})
        else:
            members.append(member)
    return (members, [], vacancies) if len(possible) == 1 else ([], members, vacancies)


def _answer(
    snap: Snapshot,
    *,
    state: str,
    possible: list[int],
    accuracy: str,
    zip: str | None,
    address: str | None,
    lines: int | None,
) -> Lookup:
    seats = snap.seats.get(state)
    if seats is None:
        # Military (AA/AE/AP) and freely associated (FM/MH/PW) ZIPs: no member represents them; the
        # person's voting address decides, so ask for it.
        return Lookup(zip, address, state, None, snap.congress, accuracy, True, [], [], [], snap)
    if len(seats) == 1 or not possible:
        possible = list(seats)  # an at-large state, or no district known: the whole delegation is possible
    house, candidates, vacancies = _seat_answer(snap, state, possible)
    certain = len(possible) == 1
    return Lookup(
        zip=zip,
        address=address,
        state=state,
        district=possible[0] if certain else None,
        congress=snap.congress,
        accuracy=accuracy,
        needs_address=not certain,
        legislators=list(snap.senators.get(state, [])) + house,
        candidates=candidates,
        vacancies=vacancies,
        snapshot=snap,
        lines_congress=lines,
    )


def _cross_state_answer(snap: Snapshot, states: list[str], *, zip: str, address: str | None) -> Lookup:
    """A ZIP whose crosswalk rows lie in more than one state: the person lives in one of them, and only
    an address can tell which. Every member of each state is a candidate; none is certain."""
    candidates: list[Legislator] = []
    vacancies: list[dict] = []
    for state in states:
        seats = snap.seats.get(state)
        if seats is None:
            continue
        house, possible_house, vacant = _seat_answer(snap, state, list(seats))
        candidates += list(snap.senators.get(state, [])) + house + possible_house
        vacancies += vacant
    return Lookup(
        zip=zip,
        address=address,
        state=None,
        district=None,
        congress=snap.congress,
        accuracy="zip",
        needs_address=True,
        legislators=[],
        candidates=candidates,
        vacancies=vacancies,
        snapshot=snap,
        lines_congress=snap.lines_congress,
    )


def zip_lookup(zip_code: str, *, address: str | None = None) -> Lookup:
    snap = current_snapshot()
    found = ZIP_RE.match(zip_code)
    if not found:
        raise ValueError("ZIP must be 5 digits, optionally followed by -4 digits")
    zip5 = found.group(1)
    info = usps.zip_info(zip5)
    if info is None:
        raise ZipNotFound(zip5)
    rows = snap.zips.get(zip5, ())
    other_states = sorted({state for state, _district in rows if state != info.state})
    if other_states:
        # The crosswalk says part of the ZIP lies in another state (its state column is wrong for a few
        # ZIPs, but the error runs both ways): not even the senators are certain.
        return _cross_state_answer(snap, [info.state, *other_states], zip=zip_code, address=address)
    possible = sorted({district for _state, district in rows})
    if not snap.zip_lines_hold(info.state):
        possible = []  # the crosswalk's district numbers are another Congress's: any seat of the state
    return _answer(
        snap, state=info.state, possible=possible, accuracy="zip", zip=zip_code, address=address,
        lines=snap.lines_congress,
    )  # fmt: skip


def representatives_lookup(
    *, zip: str | None = None, address: str | None = None, fallback_on_outage: bool = True
) -> Lookup:
    """Who represents the person at `address` and/or `zip`.

    With an address, the geocoder decides; if it fails or finds nothing, the answer falls back to the
    ZIP (given, or read from the end of the address) with needs_address still true. Raises ZipNotFound,
    AddressNotFound, geocoder.GeocoderError (no fallback possible) and NoCongressData.
    `fallback_on_outage=False` re-raises GeocoderUnavailable instead of falling back, for a caller that
    can retry later (a background task) rather than settle for the ZIP answer.
    """
    if not address:
        if not zip:
            raise ValueError("give a zip or an address")
        return zip_lookup(zip)
    snap = current_snapshot()
    fallback_zip = zip
    if not fallback_zip:
        trailing = _TRAILING_ZIP_RE.search(address)
        fallback_zip = trailing.group(1) if trailing else None
    try:
        match = geocoder.geocode(address, congress=snap.congress)
    except geocoder.GeocoderError as exc:
        # No ZIP to fall back on, or an outage the caller would rather retry than settle for the ZIP answer.
        if not fallback_zip or (isinstance(exc, geocoder.GeocoderUnavailable) and not fallback_on_outage):
            raise
        match = None
    if match is not None and match.state in snap.seats:
        # Only the layer of the roster's Congress names the roster's seats; another Congress's district
        # number may be someone else's seat now.
        has_layer, district = match.district_for(snap.congress)
        if district is None and len(snap.seats[match.state]) == 1:
            district = snap.seats[match.state][0]
        if district is not None:
            return _answer(
                snap, state=match.state, possible=[district], accuracy="address", zip=zip, address=address,
                lines=snap.congress if has_layer else None,
            )  # fmt: skip
    if not fallback_zip:
        raise AddressNotFound(address)
    result = zip_lookup(fallback_zip, address=address)
    result.zip = zip
    result.needs_address = True
    return result
