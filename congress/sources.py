"""Reading the Congress data files from a directory, a base URL or the official published URLs.

This module is the one place that touches the outside data sources. It returns parsed, validated
records; it writes nothing to the database.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import requests
from django.conf import settings

LEGISLATORS = "legislators-current.json"
OFFICES = "legislators-district-offices.json"
SOCIAL = "legislators-social-media.json"
COMMITTEES = "committees-current.json"
MEMBERSHIP = "committee-membership-current.json"
CROSSWALK = "zccd.csv"
FILES = (LEGISLATORS, OFFICES, SOCIAL, COMMITTEES, MEMBERSHIP, CROSSWALK)

OFFICIAL = "official"
_LEGISLATORS_BASE = "https://unitedstates.github.io/congress-legislators"
OFFICIAL_URLS = {
    LEGISLATORS: f"{_LEGISLATORS_BASE}/{LEGISLATORS}",
    OFFICES: f"{_LEGISLATORS_BASE}/{OFFICES}",
    SOCIAL: f"{_LEGISLATORS_BASE}/{SOCIAL}",
    COMMITTEES: f"{_LEGISLATORS_BASE}/{COMMITTEES}",
    MEMBERSHIP: f"{_LEGISLATORS_BASE}/{MEMBERSHIP}",
    CROSSWALK: "https://raw.githubusercontent.com/OpenSourceActivismTech/us-zipcodes-congress/master/zccd.csv",
}

STATE_RE = re.compile(r"^[A-Z]{2}$")
ZCTA_RE = re.compile(r"^\d{5}$")
DELEGATE_STATES = frozenset({"AS", "DC", "GU", "MP", "VI"})
RESIDENT_COMMISSIONER_STATES = frozenset({"PR"})


class DataError(Exception):
    """A data file is missing, unreadable, truncated or malformed. Names the file and the problem."""

    def __init__(self, filename: str, problem: str):
        super().__init__(f"{filename}: {problem}")
        self.filename = filename
        self.problem = problem


class DataUnavailable(DataError):
    """A URL source could not be fetched (network, HTTP status): worth trying again later."""


@dataclass
class Dataset:
    source: str
    legislators: list[dict]
    offices: list[dict]
    committees: list[dict]
    memberships: list[dict]
    crosswalk: list[tuple[str, str, int]]
    upstream_date: datetime | None = None
    crosswalk_digest: str = ""  # SHA-256 of the crosswalk file's bytes: says whether it changed


def resolve_source(explicit: str | None = None) -> str:
    """--source, then $CONGRESS_DATA, then ../shared/data/congress when it exists, then the official URLs."""
    if explicit:
        return explicit
    if settings.CONGRESS_DATA:
        return settings.CONGRESS_DATA
    if Path(settings.CONGRESS_SHARED_DIR).is_dir():
        return str(settings.CONGRESS_SHARED_DIR)
    return OFFICIAL


def is_url(source: str) -> bool:
    return source == OFFICIAL or source.startswith(("http://", "https://"))


def _fetch(source: str, name: str) -> tuple[bytes, datetime | None]:
    if is_url(source):
        url = OFFICIAL_URLS[name] if source == OFFICIAL else f"{source.rstrip('/')}/{name}"
        try:
            response = requests.get(url, timeout=60)
        except requests.RequestException as exc:
            raise DataUnavailable(name, f"could not fetch {url}: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise DataUnavailable(name, f"{url} answered HTTP {response.status_code}")
        modified = response.headers.get("Last-Modified")
        when = None
        if modified:
            try:
                when = parsedate_to_datetime(modified)
            except (TypeError, ValueError):
                when = None
        return response.content, when
    path = Path(source) / name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(name, f"cannot read {path}: {exc.strerror or exc}") from exc
    return data, datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def _json(name: str, raw: bytes) -> Any:
    # Any: the caller checks the shape (a list, or for memberships an object) with _require.
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError(name, f"not valid JSON ({exc}); the file may be truncated") from exc
    return data


def _require(name: str, condition: object, problem: str) -> None:
    if not condition:
        raise DataError(name, problem)


def _title(term_type: str, state: str) -> str:
    if term_type == "sen":
        return "Senator"
    if state in DELEGATE_STATES:
        return "Delegate"
    if state in RESIDENT_COMMISSIONER_STATES:
        return "Resident Commissioner"
    return "Representative"


def parse_legislators(raw: bytes) -> list[dict]:
    data = _json(LEGISLATORS, raw)
    _require(LEGISLATORS, isinstance(data, list) and data, "expected a non-empty JSON list of legislators")
    rows = []
    seen = set()
    for i, person in enumerate(data):
        where = f"entry {i}"
        _require(LEGISLATORS, isinstance(person, dict), f"{where} is not an object")
        ids, name, terms = person.get("id") or {}, person.get("name") or {}, person.get("terms") or []
        bioguide = ids.get("bioguide")
        _require(LEGISLATORS, isinstance(bioguide, str) and bioguide, f"{where} has no id.bioguide")
        _require(LEGISLATORS, bioguide not in seen, f"bioguide id {bioguide} appears twice")
        seen.add(bioguide)
        _require(LEGISLATORS, isinstance(terms, list) and terms, f"{bioguide} has no terms")
        _require(LEGISLATORS, bool(name.get("last")), f"{bioguide} has no name.last")
        # The last term is the current one; no date filtering (appointed senators outlive their end date).
        term = terms[-1]
        kind, state = term.get("type"), term.get("state", "")
        _require(LEGISLATORS, kind in ("sen", "rep"), f"{bioguide} current term has type {kind!r}")
        _require(LEGISLATORS, bool(STATE_RE.match(state)), f"{bioguide} current term has state {state!r}")
        district = term.get("district")
        if kind == "rep":
            _require(LEGISLATORS, isinstance(district, int) and district >= 0, f"{bioguide} has district {district!r}")
        rows.append(
            {
                "bioguide_id": bioguide,
                "first_name": name.get("first", ""),
                "last_name": name.get("last", ""),
                "official_full": name.get("official_full", ""),
                "nickname": name.get("nickname", ""),
                "chamber": "senate" if kind == "sen" else "house",
                "title": _title(kind, state),
                "state": state,
                "district": district if kind == "rep" else None,
                "senate_class": term.get("class") if kind == "sen" else None,
                "state_rank": term.get("state_rank", "") or "",
                "party": term.get("party", "") or "",
                "phone": term.get("phone", "") or "",
                "fax": term.get("fax", "") or "",
                "office_address": term.get("address", "") or "",
                "url": term.get("url", "") or "",
                "contact_form": term.get("contact_form", "") or "",
                "term_start": term.get("start"),
                "term_end": term.get("end"),
                "ids": {k: v for k, v in ids.items() if k != "bioguide"},
            }
        )
    return rows


def parse_social(raw: bytes) -> dict[str, dict]:
    data = _json(SOCIAL, raw)
    _require(SOCIAL, isinstance(data, list), "expected a JSON list")
    out = {}
    for i, entry in enumerate(data):
        _require(
            SOCIAL, isinstance(entry, dict) and (entry.get("id") or {}).get("bioguide"), f"entry {i} has no id.bioguide"
        )
        social = entry.get("social") or {}
        # Ids are kept as strings: the JSON writes twitter_id as a string, the YAML as a number.
        out[entry["id"]["bioguide"]] = {k: str(v) for k, v in social.items()}
    return out


def _float(value):
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def parse_offices(raw: bytes) -> list[dict]:
    data = _json(OFFICES, raw)
    _require(OFFICES, isinstance(data, list), "expected a JSON list")
    rows = []
    for i, entry in enumerate(data):
        _require(
            OFFICES,
            isinstance(entry, dict) and (entry.get("id") or {}).get("bioguide"),
            f"entry {i} has no id.bioguide",
        )
        for office in entry.get("offices") or []:
            _require(OFFICES, isinstance(office, dict) and office.get("id"), f"entry {i} has an office without id")
            rows.append(
                {
                    "bioguide_id": entry["id"]["bioguide"],
                    "office_id": office["id"],
                    "address": office.get("address", "") or "",
                    "suite": str(office.get("suite", "") or ""),
                    "building": office.get("building", "") or "",
                    "city": office.get("city", "") or "",
                    "state": office.get("state", "") or "",
                    "zip": str(office.get("zip", "") or ""),
                    "phone": office.get("phone", "") or "",
                    "fax": office.get("fax", "") or "",
                    "hours": office.get("hours", "") or "",
                    "latitude": _float(office.get("latitude")),
                    "longitude": _float(office.get("longitude")),
                }
            )
    return rows


def parse_committees(raw: bytes) -> list[dict]:
    data = _json(COMMITTEES, raw)
    _require(COMMITTEES, isinstance(data, list) and data, "expected a non-empty JSON list")
    rows = []
    for i, c in enumerate(data):
        _require(
            COMMITTEES,
            isinstance(c, dict) and c.get("thomas_id") and c.get("name"),
            f"entry {i} lacks thomas_id or name",
        )
        kind = c.get("type")
        _require(COMMITTEES, kind in ("house", "senate", "joint"), f"{c['thomas_id']} has type {kind!r}")
        base = {
            "committee_id": c["thomas_id"],
            "kind": kind,
            "name": c["name"],
            "parent_id": None,
            "url": c.get("url", "") or "",
            "phone": c.get("phone", "") or "",
            "address": c.get("address", "") or "",
            "jurisdiction": c.get("jurisdiction", "") or "",
        }
        rows.append(base)
        for sub in c.get("subcommittees") or []:
            _require(
                COMMITTEES, sub.get("thomas_id") and sub.get("name"), f"a subcommittee of {c['thomas_id']} lacks an id"
            )
            rows.append(
                {
                    **base,
                    "committee_id": c["thomas_id"] + sub["thomas_id"],
                    "name": sub["name"],
                    "parent_id": c["thomas_id"],
                    "url": "",
                    "phone": sub.get("phone", "") or "",
                    "address": sub.get("address", "") or "",
                    "jurisdiction": "",
                }
            )
    return rows


def parse_memberships(raw: bytes) -> list[dict]:
    data = _json(MEMBERSHIP, raw)
    _require(MEMBERSHIP, isinstance(data, dict), "expected a JSON object keyed by committee id")
    rows = []
    for committee_id, members in data.items():
        _require(MEMBERSHIP, isinstance(members, list), f"{committee_id} is not a list")
        for m in members:
            _require(
                MEMBERSHIP, isinstance(m, dict) and m.get("bioguide"), f"{committee_id} has a member without bioguide"
            )
            rows.append(
                {
                    "committee_id": committee_id,
                    "bioguide_id": m["bioguide"],
                    "party": m.get("party", "") or "",
                    "rank": m.get("rank"),
                    "title": m.get("title", "") or "",
                }
            )
    return rows


def parse_crosswalk(raw: bytes) -> list[tuple[str, str, int]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(CROSSWALK, f"not UTF-8 text ({exc})") from exc
    _require(CROSSWALK, text.endswith("\n"), "does not end with a newline; the file looks truncated")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    _require(CROSSWALK, header == ["state_fips", "state_abbr", "zcta", "cd"], f"unexpected header {header!r}")
    rows = set()
    for line_no, row in enumerate(reader, start=2):
        _require(CROSSWALK, len(row) == 4, f"line {line_no} has {len(row)} fields, expected 4")
        _fips, state, zcta, cd = row
        _require(CROSSWALK, bool(STATE_RE.match(state)), f"line {line_no} has state {state!r}")
        _require(CROSSWALK, bool(ZCTA_RE.match(zcta)), f"line {line_no} has ZCTA {zcta!r}")
        _require(CROSSWALK, cd.isdigit() and int(cd) < 100, f"line {line_no} has district {cd!r}")
        rows.add((zcta, state, int(cd)))
    _require(CROSSWALK, bool(rows), "has no rows")
    return sorted(rows)


# Any: each file parses to its own shape; load_dataset hands each to its Dataset field.
_PARSERS: dict[str, Callable[[bytes], Any]] = {
    LEGISLATORS: parse_legislators,
    OFFICES: parse_offices,
    SOCIAL: parse_social,
    COMMITTEES: parse_committees,
    MEMBERSHIP: parse_memberships,
    CROSSWALK: parse_crosswalk,
}


def load_dataset(source: str, progress: Callable[[str], None] = lambda _m: None) -> Dataset:
    """Read and validate every file before anything is written: a bad file fails the whole load."""
    parsed: dict[str, Any] = {}
    newest: datetime | None = None
    digest = ""
    for n, name in enumerate(FILES, start=1):
        raw, when = _fetch(source, name)
        parsed[name] = _PARSERS[name](raw)
        if name == CROSSWALK:
            digest = hashlib.sha256(raw).hexdigest()
        if when and (newest is None or when > newest):
            newest = when
        size = len(parsed[name])
        progress(f"[{n}/{len(FILES)}] read {name}: {size} records")
    legislators: list[dict[str, Any]] = parsed[LEGISLATORS]
    social: dict[str, dict[str, str]] = parsed[SOCIAL]
    for row in legislators:
        row["social"] = social.get(row["bioguide_id"], {})
    return Dataset(
        source=source,
        legislators=legislators,
        offices=parsed[OFFICES],
        committees=parsed[COMMITTEES],
        memberships=parsed[MEMBERSHIP],
        crosswalk=parsed[CROSSWALK],
        upstream_date=newest,
        crosswalk_digest=digest,
    )


def congress_for(legislators: list[dict]) -> int:
    """The Congress the data describes: the one most House members' current terms began in.

    Members sworn in at special elections start later, so the most common start year decides.
    """
    years: dict[int, int] = {}
    for row in legislators:
        if row["chamber"] == "house" and row.get("term_start"):
            year = int(str(row["term_start"])[:4])
            years[year] = years.get(year, 0) + 1
    if not years:
        raise DataError(LEGISLATORS, "no House terms with a start date; cannot tell which Congress this is")
    year = max(years, key=lambda y: years[y])
    # A Congress begins in an odd year: the 1st sat from 1789.
    return (year - 1789) // 2 + 1
