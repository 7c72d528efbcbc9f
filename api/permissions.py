from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.errors import InsufficientScope, PlanUpgradeRequired


class WorkspaceHasApiAccess(BasePermission):
    """The key's workspace is on a plan with the API (checked on every request)."""

    def has_permission(self, request, view):
        if request.auth is None:
            return False
        if not request.auth.workspace.entitlements.api:
            raise PlanUpgradeRequired()
        return True


class KeyMayWrite(BasePermission):
    """Read-only keys may only read."""

    def has_permission(self, request, view):
        if request.method not in SAFE_METHODS and request.auth.is_read_only:
            raise InsufficientScope()
        return True
