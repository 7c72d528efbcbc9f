from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect


def workspace_required(view):
    """The view works inside a workspace: a user without one is sent to create one."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.membership is None:
            return redirect("portal:workspace_create")
        return view(request, *args, **kwargs)

    return wrapper


def manager_required_for_writes(view):
    """Anyone in the workspace may read; only owners and admins may POST."""

    @wraps(view)
    @workspace_required
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") and not request.membership.can_manage:
            raise PermissionDenied("Only owners and admins can change this.")
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view):
    """Only owners and admins may open this page at all."""

    @wraps(view)
    @workspace_required
    def wrapper(request, *args, **kwargs):
        if not request.membership.can_manage:
            raise PermissionDenied("Only owners and admins can do this.")
        return view(request, *args, **kwargs)

    return wrapper
