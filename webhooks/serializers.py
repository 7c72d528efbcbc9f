"""Request bodies of the webhook-endpoints API. What it answers is in
``webhooks.representations``; the URL checks (SSRF, https) are the service's, so the API and
the Settings page refuse the same URLs with the same message."""

from rest_framework import serializers

from api.fields import BoundedListField, StrictCharField, StrictSerializer
from core.events import EVENT_TYPES
from webhooks.services import URL_MAX


class StrictBooleanField(serializers.BooleanField):
    """A JSON boolean: DRF's also takes ``"yes"``, ``1`` and ``"on"``."""

    default_error_messages = {"invalid": "Must be true or false (a JSON boolean)."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class EventTypeField(serializers.ChoiceField):
    """One event type's name, as a JSON string (DRF's would stringify a number)."""

    default_error_messages = {"unknown": "Unknown event type: {input}."}

    def __init__(self, **kwargs):
        super().__init__(choices=list(EVENT_TYPES), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or data not in EVENT_TYPES:
            self.fail("unknown", input=str(data)[:80])
        return data


def _event_types(**kwargs) -> BoundedListField:
    # A name may repeat (the service keeps it once), so the bound is generous, not exact.
    return BoundedListField(
        child=EventTypeField(),
        max_length=2 * len(EVENT_TYPES),
        help_text="The event types the endpoint receives (at least one).",
        **kwargs,
    )


class EndpointCreateSerializer(StrictSerializer):
    url = StrictCharField(
        max_length=URL_MAX,
        help_text="An https URL on a public address (checked at save and at every send).",
    )
    description = StrictCharField(required=False, allow_blank=True, max_length=200)
    event_types = _event_types()
    enabled = StrictBooleanField(required=False, help_text="Default true.")


class EndpointUpdateSerializer(StrictSerializer):
    url = StrictCharField(required=False, max_length=URL_MAX)
    description = StrictCharField(required=False, allow_blank=True, max_length=200)
    event_types = _event_types(required=False)
    enabled = StrictBooleanField(required=False)
