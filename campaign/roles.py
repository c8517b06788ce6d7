"""Roles are Django groups; campaign access is a membership row.

- admin: everything, every campaign (a superuser counts as admin);
- organizer: manages the campaigns they are members of;
- viewer: read-only metrics for their campaigns.
"""

from __future__ import annotations

from django.contrib.auth.models import Group

from campaign.models import Campaign, CampaignMembership

ADMIN, ORGANIZER, VIEWER = "admin", "organizer", "viewer"
ROLES = (ADMIN, ORGANIZER, VIEWER)


def roles_ensure() -> None:
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.groups.filter(name=ADMIN).exists()))


def campaign_role(user, campaign: Campaign) -> str | None:
    """The user's role on this campaign: "admin", "organizer", "viewer" or None."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    if is_admin(user):
        return ADMIN
    membership = CampaignMembership.objects.filter(campaign=campaign, user=user).values_list("role", flat=True).first()
    return membership


def can_view(user, campaign: Campaign) -> bool:
    return campaign_role(user, campaign) is not None


def can_manage(user, campaign: Campaign) -> bool:
    return campaign_role(user, campaign) in (ADMIN, ORGANIZER)


def campaigns_visible(user):
    if is_admin(user):
        return Campaign.objects.all()
    if not (user and user.is_authenticated):
        return Campaign.objects.none()
    return Campaign.objects.filter(memberships__user=user).distinct()
