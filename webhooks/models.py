"""Webhook endpoints, and the deliveries of core's events to them with every attempt made
(SPEC §5.5). Events themselves stay in core's outbox (``core.models.DomainEvent``)."""

import base64
import secrets

from django.db import models

from core.validators import validate_no_control_characters

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 24 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


class Endpoint(models.Model):
    """A URL of the workspace's that receives the event types it subscribes to.

    ``secret`` signs every delivery; after a rotation ``previous_secret`` signs alongside it
    until ``previous_secret_expires_at``. Both are kept readable (they must sign), and never
    leave through the admin, logs or any answer other than create and rotate.
    """

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.CharField(max_length=2000)
    description = models.CharField(
        max_length=200, blank=True, validators=[validate_no_control_characters]
    )
    event_types = models.JSONField(default=list, help_text="The event types it receives.")
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    secret = models.CharField(max_length=80, default=new_secret, editable=False)
    previous_secret = models.CharField(max_length=80, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="The first failed attempt since its last success."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["workspace", "id"])]

    def __str__(self):
        return self.url

    def signing_secrets(self, now) -> list[str]:
        """The secrets that sign a delivery at ``now``: the current one, and the rotated one
        while it is still valid."""
        keep_previous = self.previous_secret and (
            self.previous_secret_expires_at and self.previous_secret_expires_at > now
        )
        return [self.secret, self.previous_secret] if keep_previous else [self.secret]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # retries remain
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"  # given up


class Delivery(models.Model):
    """One event for one endpoint: sent until a 2xx answer or the retry schedule runs out.

    ``next_attempt_at`` is when it is due while pending; a worker that takes it pushes it one
    lease ahead first, so a crashed worker's delivery falls due again by itself.
    """

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(
        "core.DomainEvent", on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Attempts in the current round of the schedule (a resend restarts it)."
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the sweep last queued it."
    )
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # queryset updates set it themselves

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"], name="webhooks_delivery_once_per_endpoint"
            )
        ]
        indexes = [
            models.Index(fields=["endpoint", "id"]),
            models.Index(fields=["event"]),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhooks_delivery_due_idx",
            ),
        ]

    def __str__(self):
        return f"delivery {self.pk} of event {self.event_id} to endpoint {self.endpoint_id}"


class Attempt(models.Model):
    """One POST of a delivery: what we sent and what came back (or why nothing did)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    created_at = models.DateTimeField()
    request_headers = models.JSONField(default=dict, help_text="The webhook-* headers sent.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.TextField(blank=True, help_text="At most 1 KB of the answer.")
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["delivery", "id"])]

    def __str__(self):
        return f"attempt {self.pk} of delivery {self.delivery_id}"
