"""The channels' shapes for the OpenAPI schema only (answers are built in
``saleschannels.representations``; tests/saleschannels hold the two to the same fields)."""

from rest_framework import serializers

from saleschannels.models import Channel, ChannelStatus, Listing, ListingState


class ListingCountsSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    active = serializers.IntegerField()
    inactive = serializers.IntegerField()
    error = serializers.IntegerField()


class ChannelSerializer(serializers.ModelSerializer):
    type = serializers.CharField(help_text="shopify, amazon, ebay, etsy, woocommerce, …")
    status = serializers.ChoiceField(choices=ChannelStatus.choices)
    last_synced_at = serializers.DateTimeField(allow_null=True)
    simulated = serializers.BooleanField(
        help_text="A simulated connector stands in for the marketplace (its listing rules "
        "apply, nothing leaves Salync)."
    )
    listing_counts = ListingCountsSerializer(help_text="Listings per state; every state present.")
    location_ids = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The locations whose stock the channel sells; [] means all of them.",
    )

    class Meta:
        model = Channel
        fields = [
            "id", "type", "name", "status", "status_message", "last_synced_at", "simulated",
            "listing_counts", "location_ids", "stock_buffer", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ListingSerializer(serializers.ModelSerializer):
    sku = serializers.CharField()
    external_id = serializers.CharField(
        allow_null=True, help_text="The marketplace's id, once published."
    )
    state = serializers.ChoiceField(choices=ListingState.choices)
    available = serializers.IntegerField(
        help_text="On hand over the channel's locations minus its stock buffer, at least 0, now."
    )
    published_quantity = serializers.IntegerField(
        allow_null=True, help_text="The quantity the channel was last told."
    )
    quantity_synced_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = Listing
        fields = [
            "id", "channel_id", "variant_id", "sku", "external_id", "state", "error_message",
            "available", "published_quantity", "quantity_synced_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields
