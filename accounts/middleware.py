from accounts.models import Membership

SESSION_KEY = "workspace_id"


def current_membership(request) -> Membership | None:
    """The signed-in user's membership in the workspace they are working in, if any."""
    memberships = Membership.objects.filter(user=request.user).select_related("workspace")
    chosen = request.session.get(SESSION_KEY)
    membership = None
    if chosen is not None:
        membership = memberships.filter(workspace_id=chosen).first()
    if membership is None:
        membership = memberships.order_by("created_at", "pk").first()
        if membership is not None:
            request.session[SESSION_KEY] = membership.workspace_id
    return membership


class CurrentWorkspaceMiddleware:
    """Sets ``request.membership`` and ``request.workspace`` for signed-in users."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.workspace = None
        if request.user.is_authenticated:
            request.membership = current_membership(request)
            if request.membership is not None:
                request.workspace = request.membership.workspace
        return self.get_response(request)
