"""A simulated turnover to the 120th Congress, built at test time from the shared 119th-Congress data.

The roster: every House member's current term starts on 2027-01-03, and
- Nancy Pelosi (CA-11) leaves; a newcomer takes CA-11;
- Senator Alex Padilla (CA, class 3) leaves; a newcomer takes his seat;
- Lizzie Fletcher (TX-7) and Al Green (TX-9) swap districts;
- Danny Davis (IL-7) leaves and nobody takes the seat (a vacancy);
- Senator Sanders's DC phone changes.
The crosswalk on the new lines: 94110 (CA-11 on the 119th's lines) lies in CA-12, and one ZIP wholly in
TX-7 lies in TX-9. Nothing is copied into the repository: the files are written to a temporary folder.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
from pathlib import Path

from django.conf import settings

from congress import sources

SHARED = Path(settings.CONGRESS_SHARED_DIR)
NEW_HOUSE = "T000001"  # takes CA-11
NEW_SENATOR = "T000002"  # takes Padilla's seat
LEFT_HOUSE, LEFT_SENATOR, LEFT_VACANT = "P000197", "P000145", "D000096"
SWAPPED = {"F000468": 9, "G000553": 7}  # Fletcher TX-7 -> TX-9, Green TX-9 -> TX-7
NEW_PHONE = ("S000033", "202-224-0000")
MOVED_ZIP = ("94110", "CA", 12)  # 94110 on the 120th's lines


def _term(person: dict) -> dict:
    return person["terms"][-1]


def roster_120() -> list[dict]:
    people = json.loads((SHARED / sources.LEGISLATORS).read_text())
    out = []
    for person in people:
        bioguide = person["id"]["bioguide"]
        if bioguide in (LEFT_HOUSE, LEFT_SENATOR, LEFT_VACANT):
            continue
        term = _term(person)
        if term["type"] == "rep":
            new = {**term, "start": "2027-01-03", "end": "2029-01-03"}
            if bioguide in SWAPPED:
                new["district"] = SWAPPED[bioguide]
            person["terms"] = [*person["terms"], new]
        if bioguide == NEW_PHONE[0]:
            term["phone"] = NEW_PHONE[1]
        out.append(person)
    template = next(p for p in people if p["id"]["bioguide"] == LEFT_HOUSE)
    newcomer = copy.deepcopy(template)
    newcomer["id"] = {"bioguide": NEW_HOUSE}
    newcomer["name"] = {"first": "Casey", "last": "Newmember", "official_full": "Casey Newmember"}
    newcomer["terms"] = [{**_term(template), "start": "2027-01-03", "end": "2029-01-03", "phone": "202-225-0011"}]
    senator_template = next(p for p in people if p["id"]["bioguide"] == LEFT_SENATOR)
    senator = copy.deepcopy(senator_template)
    senator["id"] = {"bioguide": NEW_SENATOR}
    senator["name"] = {"first": "Robin", "last": "Seatholder", "official_full": "Robin Seatholder"}
    senator["terms"] = [{**_term(senator_template), "start": "2027-01-03", "phone": "202-224-0012"}]
    return [*out, newcomer, senator]


def crosswalk_rows() -> list[tuple[str, str, str, int]]:
    text = (SHARED / sources.CROSSWALK).read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    next(reader)
    return [(fips, state, zcta, int(cd)) for fips, state, zcta, cd in reader]


def tx7_only_zip(rows) -> str:
    by_zip: dict[str, set] = {}
    for _fips, state, zcta, cd in rows:
        by_zip.setdefault(zcta, set()).add((state, cd))
    return next(z for z, seats in sorted(by_zip.items()) if seats == {("TX", 7)})


def crosswalk_120(rows) -> list[tuple[str, str, str, int]]:
    """The 120th's lines: 94110 moves to CA-12, one TX-7 ZIP to TX-9."""
    tx_zip = tx7_only_zip(rows)
    out = []
    for fips, state, zcta, cd in rows:
        if zcta == MOVED_ZIP[0]:
            cd = MOVED_ZIP[2]
        elif zcta == tx_zip:
            cd = 9
        out.append((fips, state, zcta, cd))
    return out


def write_crosswalk(folder: Path, rows) -> None:
    lines = ["state_fips,state_abbr,zcta,cd"] + [f"{f},{s},{z},{d}" for f, s, z, d in rows]
    (folder / sources.CROSSWALK).write_text("\r\n".join(lines) + "\r\n")


def build(folder: Path, *, roster: str, lines: str) -> Path:
    """Write a data folder: roster "119" or "120", crosswalk lines "119" or "120"."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in sources.FILES:
        shutil.copy(SHARED / name, folder / name)
    if roster == "120":
        (folder / sources.LEGISLATORS).write_text(json.dumps(roster_120()))
    if lines == "120":
        write_crosswalk(folder, crosswalk_120(crosswalk_rows()))
    return folder


def truth_120() -> dict[str, set[tuple[str, int]]]:
    """ZIP -> every (state, district) it touches on the 120th's lines: what a certain answer must match."""
    truth: dict[str, set[tuple[str, int]]] = {}
    for _fips, state, zcta, cd in crosswalk_120(crosswalk_rows()):
        truth.setdefault(zcta, set()).add((state, cd))
    return truth
