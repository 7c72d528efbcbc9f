import secrets

from django.db import models


def new_event_id() -> str:
    return f"evt_{secrets.token_hex(12)}"


class DomainEvent(models.Model):
    """Something that happened in a workspace, recorded in the same transaction as the change.

    An outbox: after commit, the webhooks app turns each event into deliveries and sets
    ``fanned_out_at``; its periodic sweep fans out any event whose hand-off never ran (a marker
    rather than a last-id cursor, because ids commit out of order).
    """

    public_id = models.CharField(max_length=40, unique=True, default=new_event_id, editable=False)
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="events"
    )
    type = models.CharField(max_length=60)
    data = models.JSONField(help_text='{"object": API representation at the time of the event}')
    created_at = models.DateTimeField(auto_now_add=True)
    fanned_out_at = models.DateTimeField(
        null=True, blank=True, help_text="When its webhook deliveries were created."
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["workspace", "id"]),
            models.Index(fields=["workspace", "type", "id"]),
            models.Index(fields=["created_at"]),  # the 30-day purge
            models.Index(
                fields=["id"],
                condition=models.Q(fanned_out_at__isnull=True),
                name="core_event_fan_out_due_idx",
            ),
        ]

    def __str__(self):
        return f"{self.type} {self.public_id}"

    @property
    def payload(self) -> dict:
        """The webhook body (SPEC §5.5)."""
        return {
            "id": self.public_id,
            "type": self.type,
            "created_at": self.created_at.isoformat().replace("+00:00", "Z"),
            "data": self.data,
        }
