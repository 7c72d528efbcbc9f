"""The events', endpoints' and deliveries' shapes for the OpenAPI schema only (answers are
built in ``webhooks.representations``; tests/webhooks hold the two to the same fields)."""

from rest_framework import serializers

from core.events import EVENT_TYPES
from core.models import DomainEvent
from webhooks.models import Delivery, DeliveryStatus, Endpoint

# One enum wherever an event type appears (EventTypeEnum in settings' ENUM_NAME_OVERRIDES).
EVENT_TYPE_CHOICES = list(EVENT_TYPES)


class EventDataSerializer(serializers.Serializer):
    object = serializers.DictField(
        help_text="The object's API representation at the time of the event."
    )


class EventSerializer(serializers.ModelSerializer):
    id = serializers.CharField(help_text="evt_ and 24 hex digits; the deliveries' webhook-id.")
    type = serializers.ChoiceField(choices=EVENT_TYPE_CHOICES)
    created_at = serializers.DateTimeField()
    data = EventDataSerializer()

    class Meta:
        model = DomainEvent
        fields = ["id", "type", "created_at", "data"]
        read_only_fields = fields


class EndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES))
    disabled_reason = serializers.CharField(
        help_text="Why Salync or a member disabled it; empty while enabled."
    )

    class Meta:
        model = Endpoint
        fields = [
            "id", "url", "description", "event_types", "enabled", "disabled_reason",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class EndpointWithSecretSerializer(EndpointSerializer):
    secret = serializers.CharField(
        help_text="whsec_…: verifies the signatures (Standard Webhooks). Shown in this answer "
        "only; store it now."
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.CharField(help_text="The event's evt_ id (GET events/{id}).")
    event_type = serializers.ChoiceField(choices=EVENT_TYPE_CHOICES)
    status = serializers.ChoiceField(
        choices=DeliveryStatus.choices,
        help_text="pending (retries remain), succeeded, or failed (given up).",
    )
    attempts = serializers.IntegerField(help_text="Attempts in the current round of retries.")
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField(help_text="Why the last attempt failed, if it did.")
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_attempt_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = Delivery
        fields = [
            "id", "event_id", "event_type", "status", "attempts", "last_status_code",
            "last_error", "next_attempt_at", "last_attempt_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields
