"""The channels' list filters (SPEC §5.3), on the API's strict filter base. Every filter is a
column of the listed table, read through a (workspace, …) or (channel, …) index."""

import django_filters

from api.filters import IdFilter, StrictFilterSet, UtcDateTimeFilter, WorkspaceFilterSet
from saleschannels.models import Channel, Listing, ListingState


class ChannelFilter(StrictFilterSet):
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Channel
        fields = ["updated_since"]


class ChannelListingFilter(WorkspaceFilterSet):
    state = django_filters.ChoiceFilter(choices=ListingState.choices)
    variant_id = IdFilter(field_name="variant_id")
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Listing
        fields = ["state", "variant_id", "updated_since"]


class ListingFilter(ChannelListingFilter):
    channel_id = IdFilter(field_name="channel_id")

    class Meta:
        model = Listing
        fields = ["state", "channel_id", "variant_id", "updated_since"]
