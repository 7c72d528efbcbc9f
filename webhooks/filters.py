"""The events', endpoints' and deliveries' list filters (SPEC §5.3, §5.5), on the API's strict
filter base: an unknown event type, a bad date or an empty value is 400, never ignored. Each
is a column of the listed table (or of the event a delivery joins anyway), read within the
workspace's (or endpoint's) rows."""

import django_filters

from api.filters import StrictBooleanFilter, StrictFilterSet, UtcDateTimeFilter
from core.events import EVENT_TYPES
from core.models import DomainEvent
from webhooks.models import Delivery, DeliveryStatus, Endpoint

EVENT_TYPE_CHOICES = [(name, name) for name in EVENT_TYPES]


class EventFilter(StrictFilterSet):
    type = django_filters.ChoiceFilter(choices=EVENT_TYPE_CHOICES, empty_label=None)
    created_since = UtcDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        label="Events created at or after this moment (ISO 8601).",
    )

    class Meta:
        model = DomainEvent
        fields = ["type", "created_since"]


class EndpointFilter(StrictFilterSet):
    enabled = StrictBooleanFilter()
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Endpoint
        fields = ["enabled", "updated_since"]


class DeliveryFilter(StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices, empty_label=None)
    event_type = django_filters.ChoiceFilter(
        field_name="event__type", choices=EVENT_TYPE_CHOICES, empty_label=None
    )
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Delivery
        fields = ["status", "event_type", "updated_since"]
