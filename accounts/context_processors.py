from accounts.models import Membership


def workspace(request):
    """The current workspace, the user's role in it, and the others they can switch to."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}

    def other_workspaces():
        return [
            m.workspace
            for m in Membership.objects.filter(user=request.user).select_related("workspace")
        ]

    return {
        "membership": membership,
        "workspace": membership.workspace,
        "can_manage": membership.can_manage,
        "user_workspaces": other_workspaces,
    }
