"""DRF permissions for organizer endpoints: campaign membership decides, read-only for viewers."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from organizing import roles


class CampaignAccess(BasePermission):
    """Object permission on a Campaign (or anything with a `.campaign`): viewers read, organizers write.

    Views that act on a campaign by slug call `self.check_object_permissions(request, campaign)`.
    """

    message = "You are not a member of this campaign with the role this needs."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        campaign = getattr(obj, "campaign", obj)
        if request.method in SAFE_METHODS:
            return roles.can_view(request.user, campaign)
        return roles.can_manage(request.user, campaign)


class IsOrganizer(BasePermission):
    """Organizer endpoints: the caller must organize something; the object (a campaign, or anything with
    a `.campaign`) must be one of theirs. Views check objects with `self.check_object_permissions`."""

    message = "This needs the organizer role on this campaign."

    def has_permission(self, request, view):
        return roles.is_organizer(request.user)

    def has_object_permission(self, request, view, obj):
        return roles.can_manage(request.user, getattr(obj, "campaign", obj))
