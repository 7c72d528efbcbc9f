from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Access(models.TextChoices):
    READ_WRITE = "read_write", "Read & write"
    READ_ONLY = "read_only", "Read only"


# The lifetimes a key may be given, in days (None: it never expires).
LIFETIME_DAYS = (30, 90, 365)


class ApiKey(models.Model):
    """A workspace's key to the API. Only a SHA-256 hash of the key is stored.

    The key is ``slk_`` + 40 base62 characters; its first 12 characters are the ``prefix``,
    stored in clear to find the row and to let people tell their keys apart. A key works until
    it is revoked or, if it has one, until ``expires_at``.
    """

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    access = models.CharField(max_length=10, choices=Access.choices, default=Access.READ_WRITE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # The lifetime chosen when the key was made, kept so that rolling it gives its successor
    # the same one; ``expires_at`` may be sooner (a rolled key's 24 hours of grace).
    lifetime_days = models.PositiveSmallIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    expiry_warned_at = models.DateTimeField(null=True, blank=True)
    # The key this one replaced ("Roll key"); unique, so a key has at most one successor.
    rolled_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rolled_to",
        editable=False,
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"]),
            # The periodic tasks look for live keys by expiry: warn owners, end rolled keys.
            models.Index(
                fields=["expires_at"],
                condition=Q(revoked_at__isnull=True, expires_at__isnull=False),
                name="apikeys_live_expiry",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        """Whether requests with the key are accepted: neither revoked nor past its expiry."""
        return self.revoked_at is None and not self.is_expired

    @property
    def is_read_only(self) -> bool:
        return self.access == Access.READ_ONLY

    @property
    def status_label(self) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        return "Expired" if self.is_expired else "Active"
