"""Target rules shared by call and letter actions: whom a constituent's call or letter goes to."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models

from congress.models import CommitteeMembership, Legislator
from congress.selectors import Lookup


class TargetRule(models.TextChoices):
    SENATORS = "senators", "The constituent's senators"
    REPRESENTATIVE = "representative", "The constituent's representative"
    BOTH = "both", "Senators and representative"
    SPECIFIC = "specific", "Specific members (bioguide ids)"
    COMMITTEE = "committee", "Members of a committee"
    CUSTOM = "custom", "Custom targets (name and number)"


class TargetOrder(models.TextChoices):
    SENATE_FIRST = "senate_first", "Senate first"
    HOUSE_FIRST = "house_first", "House first"
    AS_LISTED = "as_listed", "As listed"
    SHUFFLED = "shuffled", "Shuffled"


class NeedsAddress(Exception):
    """The rule needs the House member and the lookup could not say who it is (split or unknown ZIP)."""


@dataclass(frozen=True)
class Target:
    key: str  # bioguide id, or "custom:<n>" for a custom target
    name: str
    title: str
    phone: str
    legislator: Legislator | None = None

    @property
    def bioguide_id(self) -> str | None:
        return self.legislator.bioguide_id if self.legislator else None


def _target(leg: Legislator) -> Target:
    return Target(key=leg.bioguide_id, name=leg.display_name, title=leg.title, phone=leg.phone, legislator=leg)


def _own_members(rule: str, lookup: Lookup) -> list[Legislator]:
    wants_house = rule in (TargetRule.REPRESENTATIVE, TargetRule.BOTH)
    if wants_house and lookup.representative is None and lookup.needs_address:
        raise NeedsAddress("the ZIP spans several districts; a street address is needed to find the representative")
    if rule in (TargetRule.SENATORS, TargetRule.BOTH) and lookup.state is None and lookup.needs_address:
        raise NeedsAddress("the ZIP crosses a state line; a street address is needed to find the senators")
    members = []
    if rule in (TargetRule.SENATORS, TargetRule.BOTH):
        members += lookup.senators
    if wants_house and lookup.representative is not None:
        members.append(lookup.representative)
    return members


def _committee_members(committee_id: str, lookup: Lookup | None) -> list[Legislator]:
    """The constituent's own members who sit on the committee; when none do, its chair and ranking member.

    Offices weigh constituents most, so a committee campaign reaches the caller's own members first.
    """
    memberships = CommitteeMembership.objects.filter(committee_id=committee_id, legislator__in_office=True)
    if lookup is not None:
        own = {leg.bioguide_id for leg in lookup.legislators}
        mine = [m.legislator for m in memberships.select_related("legislator") if m.legislator_id in own]
        if mine:
            return mine
    leaders = memberships.filter(rank=1).select_related("legislator").order_by("party")
    return [m.legislator for m in leaders]


def _ordered(targets: list[Target], order: str, rng: random.Random | None) -> list[Target]:
    if order == TargetOrder.SENATE_FIRST:
        return sorted(targets, key=lambda t: 0 if t.legislator and t.legislator.chamber == "senate" else 1)
    if order == TargetOrder.HOUSE_FIRST:
        return sorted(targets, key=lambda t: 0 if t.legislator and t.legislator.chamber == "house" else 1)
    if order == TargetOrder.SHUFFLED:
        shuffled = list(targets)
        (rng or random).shuffle(shuffled)
        return shuffled
    return targets


def resolve_targets(
    *,
    rule: str,
    lookup: Lookup | None,
    bioguide_ids: Sequence[str] = (),
    committee_id: str | None = None,
    custom: Iterable[dict] = (),
    order: str = TargetOrder.SENATE_FIRST,
    max_targets: int | None = None,
    rng: random.Random | None = None,
) -> list[Target]:
    """The ordered targets for one constituent. Raises NeedsAddress when the rule needs a House member
    the lookup could not pin down. `custom` items are {"name", "phone", "title"?}."""
    if rule in (TargetRule.SENATORS, TargetRule.REPRESENTATIVE, TargetRule.BOTH):
        if lookup is None:
            raise ValueError(f"rule {rule!r} needs a lookup")
        targets = [_target(leg) for leg in _own_members(rule, lookup)]
    elif rule == TargetRule.SPECIFIC:
        found = Legislator.objects.in_bulk(list(bioguide_ids))
        targets = [_target(found[b]) for b in bioguide_ids if b in found and found[b].in_office]
    elif rule == TargetRule.COMMITTEE:
        if not committee_id:
            raise ValueError("committee rule needs a committee_id")
        targets = [_target(leg) for leg in _committee_members(committee_id, lookup)]
    elif rule == TargetRule.CUSTOM:
        targets = [
            Target(key=f"custom:{n}", name=c["name"], title=c.get("title", ""), phone=c["phone"])
            for n, c in enumerate(custom)
        ]
    else:
        raise ValueError(f"unknown target rule {rule!r}")
    targets = _ordered(targets, order, rng)
    return targets[:max_targets] if max_targets else targets
