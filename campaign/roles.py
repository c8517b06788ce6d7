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


def is_organizer(user) -> bool:
    """May use organizer endpoints at all: admins, the organizer group, or an organizer of some campaign.
    Each endpoint then checks the campaign itself with can_manage / can_view."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return (
        is_admin(user)
        or user.groups.filter(name=ORGANIZER).exists()
        or CampaignMembership.objects.filter(user=user, role=CampaignMembership.Role.ORGANIZER).exists()
    )


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


def campaigns_managed(user):
    """The campaigns the user may manage (can_manage as a queryset): every one for an admin, else those
    they organize."""
    if is_admin(user):
        return Campaign.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return Campaign.objects.none()
    return Campaign.objects.filter(memberships__user=user, memberships__role=CampaignMembership.Role.ORGANIZER)


def admin_required(view):
    """Page views for the admin role (site-wide work such as the letters outbox): others get 403."""
    from functools import wraps

    from django.contrib.auth.decorators import login_required
    from django.core.exceptions import PermissionDenied

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def can_see_personal_data(user) -> bool:
    """May see who signed, wrote or called (names, emails, addresses): the contacts.view_personal_data
    permission. Everyone else sees aggregates and anonymous rows only."""
    return bool(user and user.is_authenticated and user.has_perm("contacts.view_personal_data"))
