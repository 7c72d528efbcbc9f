from django.db import models


class IdempotencyRecord(models.Model):
    """A POST made with an ``Idempotency-Key``: claimed while in flight, then its response."""

    api_key = models.ForeignKey("apikeys.ApiKey", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="api_idempotency_unique"),
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self):
        return f"Idempotency-Key {self.key}"


class ApiKeyUsageDay(models.Model):
    """Requests a key made on one UTC day, copied from the live cache counters of
    ``api.ratelimit`` by ``api.tasks.flush_key_usage`` (the API itself never writes here)."""

    api_key = models.ForeignKey("apikeys.ApiKey", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    requests = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "day"], name="api_key_usage_day_unique"),
        ]
        # The purge of old days; the unique index serves each key's recent days.
        indexes = [models.Index(fields=["day"])]

    def __str__(self):
        return f"{self.requests} requests on {self.day}"
