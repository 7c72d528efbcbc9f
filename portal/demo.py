"""The demo workspace that ``make run`` and ``seed_demo`` load: idempotent, through services."""

from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Membership, Role, User, Workspace
from accounts.plans import Plan
from accounts.services import user_create, workspace_set_plan
from portal.demo_catalogue import demo_catalogue_seed
from portal.services import workspace_setup
from purchasing.demo import demo_purchasing
from saleschannels.demo import demo_channels_seed

DEMO_SLUG = "demo"
DEMO_NAME = "Demo Outfitters"
DEMO_EMAIL = "demo@example.com"
# Known on purpose: it is printed by `make run`. seed_demo refuses it when DEBUG is off.
DEMO_PASSWORD = "salync-demo-login"  # noqa: S105


@dataclass(frozen=True)
class Demo:
    workspace: Workspace
    email: str
    password: str


@transaction.atomic
def demo_seed(*, password: str = DEMO_PASSWORD) -> Demo:
    """Create or refresh the demo workspace (Pro plan), its owner login and its catalogue."""
    user = User.objects.filter(email=DEMO_EMAIL).first()
    if user is None:
        user = user_create(email=DEMO_EMAIL, password=password, name="Demo Owner")
    elif not user.check_password(password):
        validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])

    workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if workspace is not None and not workspace.memberships.filter(user=user).exists():
        # Not ours: never take over a workspace that happens to have this slug.
        raise ValidationError(
            f"The workspace {DEMO_SLUG!r} exists but is not the demo workspace; not touching it."
        )
    if workspace is None:
        workspace = workspace_setup(name=DEMO_NAME, owner=None, plan=Plan.PRO, slug=DEMO_SLUG)
    elif workspace.plan != Plan.PRO:
        workspace_set_plan(workspace=workspace, plan=Plan.PRO)
    Membership.objects.update_or_create(
        user=user, workspace=workspace, defaults={"role": Role.OWNER}
    )
    demo_catalogue_seed(workspace)
    demo_purchasing(workspace)
    demo_channels_seed(workspace)
    return Demo(workspace=workspace, email=DEMO_EMAIL, password=password)
