from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaign import roles
from campaign.models import Campaign, CampaignMembership
from outreach.services.calls import call_action_demo_seed
from outreach.services.letters import demo_letter_action_seed

DEMO_SLUG = "face-recognition-moratorium"

DEMO_DESCRIPTION = (
    "Ask Congress for a moratorium on face recognition in immigration enforcement and law enforcement, "
    "until Congress and the public debate which uses, if any, should be allowed."
)


@transaction.atomic
def demo_campaign_seed() -> Campaign:
    """Create or refresh the demo campaign and its petition. Safe to run any number of times."""
    campaign, _ = Campaign.objects.update_or_create(
        slug=DEMO_SLUG,
        defaults={
            "name": "Face recognition moratorium",
            "description": DEMO_DESCRIPTION,
            "status": Campaign.Status.ACTIVE,
        },
    )
    call_action_demo_seed(campaign=campaign)
    demo_letter_action_seed(campaign=campaign)
    from petitions.services import demo_petition_seed

    demo_petition_seed(campaign=campaign)
    return campaign


def _check_dates(starts_at, ends_at) -> None:
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
    creator=None,
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
def campaign_update(*, campaign: Campaign, **changes) -> Campaign:
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
    # A closed campaign takes no more actions: its open petitions close with it.
    from petitions.models import Petition
    from petitions.selectors import petition_forget

    closing = list(
        Petition.objects.filter(campaign=campaign, status=Petition.Status.OPEN).values_list("slug", flat=True)
    )
    Petition.objects.filter(campaign=campaign, slug__in=closing).update(
        status=Petition.Status.CLOSED, updated_at=timezone.now()
    )
    for slug in closing:
        transaction.on_commit(lambda slug=slug: petition_forget(slug=slug))


@transaction.atomic
def campaign_close(*, campaign: Campaign) -> Campaign:
    """Close a campaign and its open petitions. Closing twice changes nothing."""
    Campaign.objects.filter(pk=campaign.pk).exclude(status=Campaign.Status.CLOSED).update(
        status=Campaign.Status.CLOSED, updated_at=timezone.now()
    )
    campaign.refresh_from_db()
    _close_actions(campaign)
    return campaign
