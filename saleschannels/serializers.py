"""Request bodies of the channels API. What it answers is in ``saleschannels.representations``."""

from rest_framework import serializers

from api.fields import StrictCharField, StrictIntegerField, StrictSerializer
from api.limits import MAX_ID


class ListingPublishSerializer(StrictSerializer):
    variant_id = StrictIntegerField(required=False, min_value=1, max_value=MAX_ID)
    sku = StrictCharField(required=False, max_length=64)

    def validate(self, attrs):
        if ("variant_id" in attrs) == ("sku" in attrs):
            raise serializers.ValidationError({"variant_id": ["Give either variant_id or sku."]})
        return attrs
