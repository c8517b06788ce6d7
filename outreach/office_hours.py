"""When congressional offices answer the phone.

DC offices keep 9:00-17:00 Eastern on weekdays; district offices keep the same hours in their own time
zone. Federal holidays are off everywhere. The holiday rules are computed here (5 U.S.C. 6103), so no
calendar package has to be kept current.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings

from congress import usps

EASTERN = ZoneInfo("America/New_York")
OPEN_AT = time(9, 0)
CLOSE_AT = time(17, 0)


def hours_text() -> str:
    """The opening hours in words, from OPEN_AT and CLOSE_AT."""

    def hm(t: time) -> str:
        return f"{t.hour}:{t.minute:02d}"

    return (
        f"They answer weekdays {hm(OPEN_AT)} to {hm(CLOSE_AT)} (DC offices Eastern time, district offices local "
        "time), except federal holidays."
    )


# The zone most of a state's people live in; offices in states split across zones are resolved from
# their ZIP or coordinates first (see office_timezone).
STATE_TIMEZONES = {
    "AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix", "AR": "America/Chicago",
    "CA": "America/Los_Angeles", "CO": "America/Denver", "CT": "America/New_York", "DE": "America/New_York",
    "DC": "America/New_York", "FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
    "ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis", "IA": "America/Chicago",
    "KS": "America/Chicago", "KY": "America/New_York", "LA": "America/Chicago", "ME": "America/New_York",
    "MD": "America/New_York", "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
    "MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver", "NE": "America/Chicago",
    "NV": "America/Los_Angeles", "NH": "America/New_York", "NJ": "America/New_York", "NM": "America/Denver",
    "NY": "America/New_York", "NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
    "OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York", "RI": "America/New_York",
    "SC": "America/New_York", "SD": "America/Chicago", "TN": "America/Chicago", "TX": "America/Chicago",
    "UT": "America/Denver", "VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles",
    "WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver", "PR": "America/Puerto_Rico",
    "VI": "America/St_Thomas", "GU": "Pacific/Guam", "MP": "Pacific/Saipan", "AS": "Pacific/Pago_Pago",
}  # fmt: skip


def _observed(day: date) -> date:
    # A holiday on a Saturday is observed the Friday before, on a Sunday the Monday after.
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


@cache
def federal_holidays(year: int) -> frozenset[date]:
    """Observed federal holidays falling in `year` (New Year's Day of the next year can fall on Dec 31)."""
    mon, thu = 0, 3
    days = set()
    for y in (year, year + 1):
        days |= {
            _observed(date(y, 1, 1)),
            _nth_weekday(y, 1, mon, 3),  # Birthday of Martin Luther King, Jr.
            _nth_weekday(y, 2, mon, 3),  # Washington's Birthday
            _last_weekday(y, 5, mon),  # Memorial Day
            _observed(date(y, 6, 19)),  # Juneteenth
            _observed(date(y, 7, 4)),
            _nth_weekday(y, 9, mon, 1),  # Labor Day
            _nth_weekday(y, 10, mon, 2),  # Columbus Day
            _observed(date(y, 11, 11)),  # Veterans Day
            _nth_weekday(y, 11, thu, 4),  # Thanksgiving
            _observed(date(y, 12, 25)),
        }
        if (y - 1965) % 4 == 0:
            # Inauguration Day is a holiday in the DC area, where the DC offices are; on a Sunday it moves
            # to Monday, on a Saturday it is simply lost.
            inauguration = date(y, 1, 20) + (timedelta(days=1) if date(y, 1, 20).weekday() == 6 else timedelta())
            if inauguration.weekday() < 5:
                days.add(inauguration)
    return frozenset(d for d in days if d.year == year)


def is_open_at(when: datetime, tz: ZoneInfo) -> bool:
    local = when.astimezone(tz)
    if local.weekday() >= 5 or local.date() in federal_holidays(local.year):
        return False
    return OPEN_AT <= local.time() < CLOSE_AT


def hours_enforced() -> bool:
    return bool(getattr(settings, "CALL_OFFICE_HOURS", True))


def dc_open(when: datetime) -> bool:
    return not hours_enforced() or is_open_at(when, EASTERN)


def _zip_timezone(zip5: str) -> str:
    info = usps.zip_info(zip5)
    return info.timezone if info else ""


@cache
def _zip_points(state: str) -> tuple[tuple[float, float, str], ...]:
    return tuple(
        (z.lat, z.lon, z.timezone)
        for z in usps.zip_infos()
        if z.state == state and z.timezone.startswith(("America/", "Pacific/")) and z.lat and z.lon
    )


@lru_cache(maxsize=4096)
def _coordinate_timezone(state: str, lat: float, lon: float) -> str:
    # The zone of the nearest ZIP centroid in the same state: exact enough for office hours, and it
    # needs no shapefile.
    best, best_d = "", math.inf
    for plat, plon, tz in _zip_points(state):
        d = (plat - lat) ** 2 + ((plon - lon) * math.cos(math.radians(lat))) ** 2
        if d < best_d:
            best, best_d = tz, d
    return best


def office_timezone(*, state: str, zip_code: str = "", latitude: float | None = None, longitude: float | None = None):
    """The office's time zone: from its ZIP when known, else its coordinates, else its state."""
    name = _zip_timezone(zip_code[:5]) if zip_code else ""
    if not name and latitude is not None and longitude is not None and state:
        name = _coordinate_timezone(state, round(latitude, 3), round(longitude, 3))
    if not name:
        name = STATE_TIMEZONES.get(state, "America/New_York")
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return EASTERN


def district_office_open(office, when: datetime) -> bool:
    if not hours_enforced():
        return True
    tz = office_timezone(state=office.state, zip_code=office.zip, latitude=office.latitude, longitude=office.longitude)
    return is_open_at(when, tz)
