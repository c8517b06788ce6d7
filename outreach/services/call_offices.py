"""Which office of a target to dial: Washington first, else the district office nearest the caller's ZIP,
and office hours decide whether it is open. Also writes the legs once the offices are planned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from congress import usps
from congress.models import Legislator, Office
from outreach import office_hours
from outreach.models import CallLeg, CallSession
from outreach.phones import office_phone
from outreach.targets import Target


@dataclass(frozen=True)
class OfficeChoice:
    kind: str
    label: str
    phone: str
    office: Office | None = None


def _zip_point(postal_code: str) -> tuple[float, float] | None:
    info = usps.zip_info(postal_code[:5]) if postal_code else None
    if info and info.lat and info.lon:
        return info.lat, info.lon
    return None


def district_offices(
    legislator: Legislator, *, near: str = "", exclude: set[int] | frozenset[int] = frozenset()
) -> list[Office]:
    offices = [o for o in legislator.offices.all() if o.pk not in exclude and office_phone(o.phone)]
    point = _zip_point(near)
    if point and offices:

        def distance(o: Office) -> float:
            if o.latitude is None or o.longitude is None:
                return math.inf
            return (o.latitude - point[0]) ** 2 + ((o.longitude - point[1]) * math.cos(math.radians(point[0]))) ** 2

        offices.sort(key=distance)
    return offices


def district_choice(office: Office) -> OfficeChoice:
    return OfficeChoice(CallLeg.OfficeKind.DISTRICT, office.city or "district", office_phone(office.phone), office)


def first_open(offices: list[Office], now: datetime) -> Office | None:
    return next((office for office in offices if office_hours.district_office_open(office, now)), None)


def open_district_office(
    legislator: Legislator, *, near: str, now: datetime, exclude: set[int] | frozenset[int] = frozenset()
) -> Office | None:
    return first_open(district_offices(legislator, near=near, exclude=exclude), now)


def _first_office(target: Target, postal_code: str) -> OfficeChoice | None:
    if target.legislator is None:
        phone = office_phone(target.phone)
        return OfficeChoice(CallLeg.OfficeKind.CUSTOM, target.title or target.name, phone) if phone else None
    dc_phone = office_phone(target.legislator.phone)
    if dc_phone:
        return OfficeChoice(CallLeg.OfficeKind.DC, "Washington, DC", dc_phone)
    offices = district_offices(target.legislator, near=postal_code)
    return district_choice(offices[0]) if offices else None


def any_office_open(targets: list[Target], postal_code: str, now: datetime) -> bool:
    if office_hours.dc_open(now):
        return True
    return any(t.legislator and open_district_office(t.legislator, near=postal_code, now=now) for t in targets)


def plan_offices(targets: list[Target], postal_code: str) -> list[tuple[Target, OfficeChoice]]:
    """Each target with the first office to dial; a target with no office to call is dropped."""
    planned = []
    for target in targets:
        choice = _first_office(target, postal_code)
        if choice is not None:
            planned.append((target, choice))
    return planned


def create_legs(session: CallSession, planned: list[tuple[Target, OfficeChoice]]) -> list[CallLeg]:
    legs = [
        CallLeg(
            session=session,
            position=position,
            target_key=target.key,
            legislator=target.legislator,
            name=target.name,
            title=target.title,
            office_kind=choice.kind,
            office=choice.office,
            office_label=choice.label,
            phone=choice.phone,
        )
        for position, (target, choice) in enumerate(planned)
    ]
    return CallLeg.objects.bulk_create(legs)
