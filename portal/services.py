"""Setting up a workspace: tenancy from ``accounts`` plus what every workspace starts with in
the apps above it (its default location). Sign-up, commands and the admin call these."""

from django.db import transaction

from accounts.models import User, Workspace
from accounts.plans import Plan
from accounts.services import user_create, workspace_create
from inventory.services import location_default


@transaction.atomic
def workspace_setup(
    *, name: str, owner: User | None, plan: str = Plan.FREE, slug: str | None = None
) -> Workspace:
    """Create a workspace ready to use: ``owner`` as its owner, and its default location."""
    workspace = workspace_create(name=name, owner=owner, plan=plan, slug=slug)
    location_default(workspace)
    return workspace


@transaction.atomic
def account_sign_up(
    *, email: str, password: str, workspace_name: str, plan: str = Plan.FREE
) -> tuple[User, Workspace]:
    """A new user owning a new, set-up workspace (sign-up uses the Free plan); all or nothing."""
    user = user_create(email=email, password=password)
    workspace = workspace_setup(name=workspace_name, owner=user, plan=plan)
    return user, workspace
