from django.conf import settings
from django.db import models


class Access(models.TextChoices):
    READ_WRITE = "read_write", "Read & write"
    READ_ONLY = "read_only", "Read only"


class ApiKey(models.Model):
    """A workspace's key to the API. Only a SHA-256 hash of the key is stored.

    The key is ``slk_`` + 40 base62 characters; its first 12 characters are the ``prefix``,
    stored in clear to find the row and to let people tell their keys apart.
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
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def is_read_only(self) -> bool:
        return self.access == Access.READ_ONLY

    @property
    def status_label(self) -> str:
        return "Active" if self.is_active else "Revoked"
