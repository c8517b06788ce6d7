from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from organizing import roles
from organizing.models import Campaign, CampaignMembership

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# What closing a campaign closes in the apps above this one (petitions' open petitions, ...). They register
# here from their AppConfig.ready(), so this app imports none of them: name -> closer(campaign).
_closers: dict[str, Callable[[Campaign], None]] = {}


def register_campaign_closer(*, name: str, closer: Callable[[Campaign], None]) -> None:
    _closers[name] = closer


def _check_dates(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": ["The end must come after the start."]})


def campaign_create(
    *,
    slug: str,
    name: str,
    description: str = "",
    status: str = Campaign.Status.DRAFT,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    creator: User | None = None,
) -> Campaign:
    """Create a campaign. A `creator` without the admin role becomes its organizer in the same
    transaction, so no campaign is ever left with nobody to run it."""
    _check_dates(starts_at, ends_at)
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                slug=slug, name=name, description=description, status=status, starts_at=starts_at, ends_at=ends_at
            )
            if creator is not None and not roles.is_admin(creator):
                CampaignMembership.objects.create(
                    campaign=campaign, user=creator, role=CampaignMembership.Role.ORGANIZER
                )
            return campaign
    except IntegrityError as exc:
        raise ValidationError({"slug": ["A campaign with this slug exists."]}) from exc


_CAMPAIGN_FIELDS = {"name", "description", "status", "starts_at", "ends_at"}


@transaction.atomic
def campaign_update(*, campaign: Campaign, **changes: Any) -> Campaign:
    unknown = set(changes) - _CAMPAIGN_FIELDS
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _check_dates(changes.get("starts_at", campaign.starts_at), changes.get("ends_at", campaign.ends_at))
    for name, value in changes.items():
        setattr(campaign, name, value)
    campaign.save()
    if campaign.status == Campaign.Status.CLOSED:
        _close_actions(campaign)
    return campaign


def _close_actions(campaign: Campaign) -> None:
    # A closed campaign takes no more actions: every registered app closes its own with it.
    for _name, closer in sorted(_closers.items()):
        closer(campaign)


@transaction.atomic
def campaign_close(*, campaign: Campaign) -> Campaign:
    """Close a campaign and its open petitions. Closing twice changes nothing."""
    Campaign.objects.filter(pk=campaign.pk).exclude(status=Campaign.Status.CLOSED).update(
        status=Campaign.Status.CLOSED, updated_at=timezone.now()
    )
    campaign.refresh_from_db()
    _close_actions(campaign)
    return campaign
