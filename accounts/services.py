"""Writes for people, workspaces and plans. Views, forms, the admin and commands call these."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.models import Membership, Role, User, Workspace, normalize_email
from accounts.plans import Plan


def user_create(*, email: str, password: str, name: str = "") -> User:
    """Create a user after checking the email is free and the password is strong enough."""
    email = normalize_email(email)
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": "An account with this email already exists."})
    user = User(email=email, name=name)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a concurrent sign-up took the email between check and insert
        raise ValidationError({"email": "An account with this email already exists."}) from None
    return user


# Slugs a customer's workspace never gets: "demo" belongs to seed_demo's workspace.
RESERVED_SLUGS = frozenset({"demo", "admin", "api", "settings", "static", "www"})


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50].strip("-") or "workspace"
    slug, n = base, 1
    while slug in RESERVED_SLUGS or Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def workspace_create(
    *, name: str, owner: User | None, plan: str = Plan.FREE, slug: str | None = None
) -> Workspace:
    """Create a workspace, with ``owner`` as its owner when given.

    The slug is derived from the name unless given; a given slug must be free. What a workspace
    starts with in other apps (its default location) is ``portal.services.workspace_setup``.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A workspace needs a name."})
    if plan not in Plan.values:
        raise ValidationError({"plan": f"Unknown plan {plan!r}: choose one of {_plan_list()}."})
    if slug is not None and Workspace.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"The workspace address {slug!r} is taken."})
    for _attempt in range(5):
        workspace = Workspace(name=name, slug=slug or _unique_slug(name), plan=plan)
        workspace.full_clean(exclude=["slug"])
        try:
            with transaction.atomic():
                workspace.save()
                if owner is not None:
                    Membership.objects.create(user=owner, workspace=workspace, role=Role.OWNER)
            return workspace
        except IntegrityError:  # another workspace took the slug between check and insert
            continue
    raise ValidationError({"name": "Could not find a free address for this workspace name."})


def workspace_rename(*, workspace: Workspace, name: str) -> Workspace:
    """Rename a workspace. Its slug stays, so addresses and commands keep working."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A workspace needs a name."})
    workspace.name = name
    workspace.full_clean()
    workspace.save(update_fields=["name", "updated_at"])
    return workspace


def workspace_set_plan(
    *,
    workspace: Workspace,
    plan: str,
    daily_limit: int | None = None,
    burst_limit: int | None = None,
) -> Workspace:
    """Set a workspace's whole plan: omitted limits fall back to the plan's own."""
    if plan not in Plan.values:
        raise ValidationError({"plan": f"Unknown plan {plan!r}: choose one of {_plan_list()}."})
    workspace.plan = plan
    workspace.daily_limit_override = daily_limit
    workspace.burst_limit_override = burst_limit
    workspace.full_clean()
    workspace.save(
        update_fields=["plan", "daily_limit_override", "burst_limit_override", "updated_at"]
    )
    return workspace


def membership_create(*, workspace: Workspace, user: User, role: str = Role.MEMBER) -> Membership:
    """Add a user to a workspace with a role."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if Membership.objects.filter(workspace=workspace, user=user).exists():
        raise ValidationError({"user": f"{user} is already a member of {workspace}."})
    return Membership.objects.create(workspace=workspace, user=user, role=role)


def _plan_list() -> str:
    return ", ".join(Plan.values)
