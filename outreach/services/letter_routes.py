"""Which channel reaches each office (CWC, email, the outbox or its web form), and the CWC office list."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from congress.models import Legislator
from outreach.delivery import cwc as cwc_api
from outreach.models import CwcOffice, Letter, LetterAction

Channel = Letter.Channel


@dataclass(frozen=True)
class Route:
    channel: str
    office_code: str = ""
    destination: str = ""


def _house_code(legislator: Legislator) -> str | None:
    if legislator.chamber == "senate" or legislator.district is None:
        return None
    return f"H{legislator.state}{legislator.district:02d}"


def cwc_offices_for(legislators: list[Legislator]) -> dict[str, CwcOffice]:
    """The listed CWC office of each member who has one (bioguide_id -> office), in one query. Codes come
    only from the stored /offices listings: a listing that names the member wins; a House code is
    otherwise matched against the listed codes."""
    ids = [leg.bioguide_id for leg in legislators]
    codes = [code for code in map(_house_code, legislators) if code]
    rows = list(CwcOffice.objects.filter(Q(bioguide_id__in=ids) | Q(code__in=codes), active=True))
    found = {}
    for leg in legislators:
        chamber = CwcOffice.Chamber.SENATE if leg.chamber == "senate" else CwcOffice.Chamber.HOUSE
        mine = [office for office in rows if office.chamber == chamber]
        office = next((o for o in mine if o.bioguide_id == leg.bioguide_id), None)
        if office is None and _house_code(leg):
            office = next((o for o in mine if o.code == _house_code(leg)), None)
        if office is not None:
            found[leg.bioguide_id] = office
    return found


def letter_route(
    *,
    action: LetterAction | None,
    legislator: Legislator,
    allow_cwc: bool = True,
    offices: dict[str, CwcOffice] | None = None,
) -> Route:
    """`offices`: cwc_offices_for() of the submission's members, read once for all of them; needed only when
    `allow_cwc` (a caller that leaves it out gets no CWC route)."""
    chamber = cwc_api.SENATE if legislator.chamber == "senate" else cwc_api.HOUSE
    if allow_cwc and cwc_api.is_configured(chamber):
        office = (offices or {}).get(legislator.bioguide_id)
        if office is not None:
            channel = Channel.CWC_SENATE if chamber == cwc_api.SENATE else Channel.CWC_HOUSE
            return Route(channel=channel, office_code=office.code)
    email_to = (action.email_offices or {}).get(legislator.bioguide_id) if action else None
    if email_to:
        return Route(channel=Channel.EMAIL, destination=email_to)
    if settings.LETTERS_OUTBOX_ENABLED:
        return Route(channel=Channel.OUTBOX)
    return Route(channel=Channel.WEB_FORM, destination=legislator.contact_form or legislator.url)


def letter_recipient_fields(legislator: Legislator, route: Route) -> dict[str, str]:
    """A letter's recipient columns, for the legislator it goes to by `route`: the one place a Letter row
    is pointed at a member (a writer's letter, a petition's letter, a letter re-targeted to a successor)."""
    return {
        "bioguide_id": legislator.bioguide_id,
        "recipient_name": legislator.display_name,
        "recipient_title": legislator.title,
        "chamber": legislator.chamber,
        "channel": route.channel,
        "office_code": route.office_code,
        "destination": route.destination,
    }


# --- CWC office list -------------------------------------------------------------------------------------


@dataclass
class OfficeSync:
    chamber: str
    listed: int
    added: int
    deactivated: int


def cwc_offices_sync(*, chamber: str) -> OfficeSync:
    """Store the chamber's /offices listing. Codes not listed any more stay, marked inactive."""
    listing = cwc_api.list_offices(chamber=chamber)
    if not listing:
        # An empty (or unreadable) listing is an API problem, not every office leaving CWC at once:
        # deactivating them all would silently move every letter to the outbox.
        raise cwc_api.CwcPermanentError(f"{chamber} CWC offices: the listing names no office; offices kept")
    now = timezone.now()
    added = 0
    with transaction.atomic():
        for item in listing:
            office, created = CwcOffice.objects.get_or_create(
                code=item.code,
                defaults={
                    "chamber": chamber,
                    "name": item.name,
                    "bioguide_id": item.bioguide_id,
                    "synced_at": now,
                },  # fmt: skip
            )
            added += created
            if not created:
                office.chamber = chamber
                office.active = True
                office.synced_at = now
                if item.name:
                    office.name = item.name
                if item.bioguide_id:  # a manually set member is kept when the listing names none
                    office.bioguide_id = item.bioguide_id
                office.save()
        deactivated = (
            CwcOffice.objects.filter(chamber=chamber, active=True)
            .exclude(code__in=[i.code for i in listing])
            .update(active=False, synced_at=now)
        )
    return OfficeSync(chamber=chamber, listed=len(listing), added=added, deactivated=deactivated)
