"""Writes for people, workspaces and plans. Views, forms, the admin and commands call these."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.debug import sensitive_variables

from accounts.cache import workspace_generation_bump
from accounts.models import Invitation, Membership, Role, User, Workspace, normalize_email
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
    workspace_generation_bump()  # the API shows the name on the very next request
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
    workspace_generation_bump()  # the API applies the plan on the very next request
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


# --- Members: invitations, roles, removal ------------------------------------------------------

INVITATION_LIFETIME = timedelta(days=7)
INVALID_INVITATION = "This invitation link is not valid or has expired."
_TOKEN_MAX_LENGTH = 100  # token_urlsafe(32) is 43 characters; anything far longer is not ours


def _invitation_token_hash(token: str) -> str:
    # A fast hash is right for a high-entropy random secret: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def _require_owner(*, workspace: Workspace, user: User | None, action: str) -> None:
    is_owner = (
        user is not None
        and Membership.objects.filter(workspace=workspace, user=user, role=Role.OWNER).exists()
    )
    if not is_owner:
        raise PermissionDenied(f"Only owners can {action}.")


def _open_invitations(workspace: Workspace, email: str):
    return Invitation.objects.filter(
        workspace=workspace, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    )


@sensitive_variables("token")
def invitation_create(
    *, workspace: Workspace, email: str, role: str, invited_by: User
) -> tuple[Invitation, str]:
    """Invite an address to a workspace (owners only); returns the invitation and the link's
    token, which is never available again. An open invitation to the same address is revoked."""
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    _require_owner(workspace=workspace, user=invited_by, action="invite members")
    if Membership.objects.filter(workspace=workspace, user__email=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {workspace}."})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation(
        workspace=workspace,
        email=email,
        role=role,
        token_hash=_invitation_token_hash(token),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    try:
        with transaction.atomic():
            _open_invitations(workspace, email).update(revoked_at=now)
            invitation.save()
    except IntegrityError:  # a simultaneous invitation to the same address won
        raise ValidationError(
            {"email": f"An invitation to {email} was sent at the same moment."}
        ) from None
    return invitation, token


def invitation_send(*, invitation: Invitation, link: str) -> None:
    """Email the invitation's one-time link once the current transaction commits."""
    workspace_name = " ".join(invitation.workspace.name.split())  # no newlines in a header
    inviter = invitation.invited_by.email if invitation.invited_by else "Salync"
    subject = f"Join {workspace_name} on Salync"
    body = (
        f"{inviter} invited you to join {workspace_name} on Salync as "
        f"{invitation.get_role_display()}.\n\n"
        f"Accept the invitation:\n{link}\n\n"
        f"Log in or create an account as {invitation.email} to accept. The link works once "
        f"and expires on {invitation.expires_at:%d %b %Y}.\n\n"
        "If you did not expect this invitation, you can ignore this email.\n"
    )
    recipient = invitation.email
    # Never a network call inside a transaction; a rolled-back invitation sends nothing.
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))


@sensitive_variables("token")
def _acceptable_invitation(token: str):
    """The invitation behind a link's token while it can still be accepted (0 or 1 row)."""
    return Invitation.objects.filter(
        token_hash=_invitation_token_hash(token),
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


@sensitive_variables("token")
def invitation_for_token(token: str) -> Invitation | None:
    """The open, unexpired invitation behind a link's token, or None. One query."""
    if not token or len(token) > _TOKEN_MAX_LENGTH:
        return None
    return _acceptable_invitation(token).select_related("workspace", "invited_by").first()


@sensitive_variables("token")
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the invitation's workspace with its role, once: the user's email must be the one
    invited. Someone already in the workspace keeps the role they have."""
    if not token or len(token) > _TOKEN_MAX_LENGTH:
        raise ValidationError(INVALID_INVITATION)
    with transaction.atomic():
        # Locked, so two accepts of one link cannot both see it open.
        invitation = _acceptable_invitation(token).select_for_update().first()
        if invitation is None:
            raise ValidationError(INVALID_INVITATION)
        if normalize_email(user.email) != invitation.email:
            raise ValidationError(
                f"This invitation is for {invitation.email}; you are logged in as {user.email}."
            )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        membership, _created = Membership.objects.get_or_create(
            workspace_id=invitation.workspace_id, user=user, defaults={"role": invitation.role}
        )
    return membership


@sensitive_variables("token", "password")
def invitation_sign_up(*, token: str, password: str) -> Membership:
    """Create the invited person's account and accept the invitation with it; all or nothing."""
    invitation = invitation_for_token(token)
    if invitation is None:
        raise ValidationError(INVALID_INVITATION)
    with transaction.atomic():
        user = user_create(email=invitation.email, password=password)
        return invitation_accept(token=token, user=user)


def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    """Revoke an open invitation (owners only): its link stops working at once."""
    _require_owner(workspace=invitation.workspace, user=actor, action="revoke invitations")
    now = timezone.now()
    # Conditional, so it cannot revoke an invitation accepted a moment ago.
    revoked = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    if not revoked:
        raise ValidationError(f"The invitation for {invitation.email} is no longer open.")
    invitation.revoked_at = now
    return invitation


def _lock_owners_and(membership: Membership) -> tuple[Membership | None, list[Membership]]:
    """Inside atomic(): lock the workspace's owner memberships and ``membership``, in pk order.

    Returns ``membership`` as it is now (None if it is gone) and the owners as they are now.
    On PostgreSQL a row changed while we waited is re-read, so an owner demoted or removed
    by a transaction that committed first is no longer counted.
    """
    rows = list(
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "workspace")
        .filter(
            Q(workspace_id=membership.workspace_id) & (Q(role=Role.OWNER) | Q(pk=membership.pk))
        )
        .order_by("pk")
    )
    current = next((row for row in rows if row.pk == membership.pk), None)
    return current, [row for row in rows if row.role == Role.OWNER]


def _check_owner_change(
    *, membership: Membership, actor: User, action: str, leaves_owner: bool
) -> tuple[Membership, list[Membership]]:
    current, owners = _lock_owners_and(membership)
    if actor.pk not in {owner.user_id for owner in owners}:
        raise PermissionDenied(f"Only owners can {action}.")
    if current is None:
        raise ValidationError(f"{membership.user} is no longer a member of {membership.workspace}.")
    if leaves_owner and current.role == Role.OWNER and len(owners) == 1:
        raise ValidationError(
            f"{current.user} is the last owner of {current.workspace}. "
            "Make another member an owner first."
        )
    return current, owners


def membership_set_role(*, membership: Membership, role: str, actor: User) -> Membership:
    """Change a member's role (owners only); the last owner cannot be demoted."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    with transaction.atomic():
        current, _owners = _check_owner_change(
            membership=membership,
            actor=actor,
            action="change members' roles",
            leaves_owner=role != Role.OWNER,
        )
        if current.role != role:
            current.role = role
            current.save(update_fields=["role"])
    return current


def membership_remove(*, membership: Membership, actor: User) -> None:
    """Remove a member from a workspace (owners only); the last owner cannot be removed."""
    with transaction.atomic():
        current, _owners = _check_owner_change(
            membership=membership, actor=actor, action="remove members", leaves_owner=True
        )
        current.delete()
