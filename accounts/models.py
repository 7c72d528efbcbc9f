from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.plans import PLAN_FEATURES, Entitlements, Plan, entitlements_for


def normalize_email(email: str) -> str:
    """Emails are compared case-insensitively: store them trimmed and lower-cased."""
    return email.strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email=normalize_email(username or ""))

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address and a password."""

    email = models.EmailField("Email", unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False, help_text="Staff can sign in to the admin site.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)


class Workspace(models.Model):
    """The tenant: every inventory object, key, endpoint and event belongs to exactly one."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.FREE)
    daily_limit_override = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Custom plan: API requests per day, replacing the plan's limit.",
    )
    burst_limit_override = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Custom plan: API requests per minute, replacing the plan's limit.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(daily_limit_override__isnull=True)
                | models.Q(daily_limit_override__gt=0),
                name="accounts_workspace_daily_limit_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(burst_limit_override__isnull=True)
                | models.Q(burst_limit_override__gt=0),
                name="accounts_workspace_burst_limit_positive",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        overridden = (self.daily_limit_override, self.burst_limit_override) != (None, None)
        if overridden and self.plan in PLAN_FEATURES and not PLAN_FEATURES[self.plan].api:
            label = Plan(self.plan).label
            raise ValidationError({"plan": f"The {label} plan has no API, so no limits to set."})

    @property
    def entitlements(self) -> Entitlements:
        return entitlements_for(self)


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class Membership(models.Model):
    """A user's place in a workspace, with the role that decides what they may change."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workspace__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workspace"], name="accounts_membership_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.workspace} ({self.get_role_display()})"

    @property
    def can_manage(self) -> bool:
        """Owners and admins change settings, keys, webhooks and channels; members only read."""
        return self.role in (Role.OWNER, Role.ADMIN)


class Invitation(models.Model):
    """An emailed, one-time invitation to join a workspace with a role.

    Only the SHA-256 of the link's token is stored: the link itself is in the email alone.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("Email")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one open invitation per address and workspace: a new one replaces it.
            models.UniqueConstraint(
                fields=["workspace", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="accounts_invitation_one_open_per_email",
            ),
        ]

    def __str__(self):
        return f"Invitation for {self.email} to {self.workspace}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_pending(self) -> bool:
        """Can still be accepted: not accepted, not revoked, not expired."""
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    @property
    def status_label(self) -> str:
        if self.accepted_at is not None:
            return "Accepted"
        if self.revoked_at is not None:
            return "Revoked"
        return "Expired" if self.is_expired else "Pending"
