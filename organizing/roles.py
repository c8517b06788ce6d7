"""Roles are Django groups; campaign access is a membership row.

- admin: everything, every campaign (a superuser counts as admin);
- organizer: manages the campaigns they are members of;
- viewer: read-only metrics for their campaigns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from organizing.models import Campaign, CampaignMembership

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    # What request.user holds (AUTH_USER_MODEL is Django's User); None where there is no request.
    AnyUser: TypeAlias = User | AnonymousUser | None

ADMIN, ORGANIZER, VIEWER = "admin", "organizer", "viewer"
ROLES = (ADMIN, ORGANIZER, VIEWER)


def roles_ensure() -> None:
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def is_admin(user: AnyUser) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.groups.filter(name=ADMIN).exists()))


def is_organizer(user: AnyUser) -> bool:
    """May use organizer endpoints at all: admins, the organizer group, or an organizer of some campaign.
    Each endpoint then checks the campaign itself with can_manage / can_view."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return (
        is_admin(user)
        or user.groups.filter(name=ORGANIZER).exists()
        or CampaignMembership.objects.filter(user=user, role=CampaignMembership.Role.ORGANIZER).exists()
    )


def campaign_role(user: AnyUser, campaign: Campaign) -> str | None:
    """The user's role on this campaign: "admin", "organizer", "viewer" or None."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    if is_admin(user):
        return ADMIN
    membership = CampaignMembership.objects.filter(campaign=campaign, user=user).values_list("role", flat=True).first()
    return membership


def can_view(user: AnyUser, campaign: Campaign) -> bool:
    return campaign_role(user, campaign) is not None


def can_manage(user: AnyUser, campaign: Campaign) -> bool:
    return campaign_role(user, campaign) in (ADMIN, ORGANIZER)


def campaigns_visible(user: AnyUser) -> QuerySet[Campaign]:
    if is_admin(user):
        return Campaign.objects.all()
    if not (user and user.is_authenticated):
        return Campaign.objects.none()
    return Campaign.objects.filter(memberships__user=user).distinct()


def campaigns_managed(user: AnyUser) -> QuerySet[Campaign]:
    """The campaigns the user may manage (can_manage as a queryset): every one for an admin, else those
    they organize."""
    if is_admin(user):
        return Campaign.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return Campaign.objects.none()
    return Campaign.objects.filter(memberships__user=user, memberships__role=CampaignMembership.Role.ORGANIZER)


def admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Page views for the admin role (site-wide work such as the letters outbox): others get 403."""
    from functools import wraps

    from django.contrib.auth.decorators import login_required
    from django.core.exceptions import PermissionDenied

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def can_see_personal_data(user: AnyUser) -> bool:
    """May see who signed, wrote or called (names, emails, addresses): the contacts.view_personal_data
    permission. Everyone else sees aggregates and anonymous rows only."""
    return bool(user and user.is_authenticated and user.has_perm("contacts.view_personal_data"))
