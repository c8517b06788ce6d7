from rest_framework.permissions import BasePermission


class IsOrganizer(BasePermission):
    """Staff accounts run campaigns. Anonymous callers get 401 (token auth) or 403."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)
