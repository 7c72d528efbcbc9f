"""The representations' shapes for the OpenAPI schema, as DRF serializers: views name them
(``serializer_class``, ``extend_schema(responses=…)``) and drf-spectacular reads them. Nothing
answers through them: the API and the events build their dicts in
``inventory.representations``, and tests/inventory/test_representations.py holds the two to the
same bytes for every endpoint and event."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inventory.models import Location, Product, StockAdjustment, StockLevel, Variant


class VariantStockSerializer(serializers.ModelSerializer):
    incoming = serializers.SerializerMethodField(
        help_text="Units on open purchase orders (purchase orders arrive in a later release)."
    )

    class Meta:
        model = StockLevel
        fields = ["location_id", "on_hand", "incoming"]

    def get_incoming(self, level) -> int:
        return 0


class VariantSerializer(serializers.ModelSerializer):
    barcode = serializers.SerializerMethodField(help_text="GTIN, or null.")
    stock = VariantStockSerializer(
        source="stock_levels", many=True, read_only=True, help_text="On hand per location."
    )

    class Meta:
        model = Variant
        fields = [
            "id", "product_id", "sku", "name", "options", "barcode", "price", "cost",
            "reorder_point", "status", "stock", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_barcode(self, variant) -> str | None:
        return variant.barcode or None


class ProductSerializer(serializers.ModelSerializer):
    variants = VariantSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = ["id", "name", "description", "status", "variants", "created_at", "updated_at"]
        read_only_fields = fields


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "name", "is_default", "created_at", "updated_at"]
        read_only_fields = fields


class StockLevelSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="variant.sku", read_only=True)
    reorder_point = serializers.IntegerField(source="variant.reorder_point", read_only=True)
    below_threshold = serializers.BooleanField(read_only=True)
    incoming = serializers.SerializerMethodField(
        help_text="Units on open purchase orders (purchase orders arrive in a later release)."
    )

    class Meta:
        model = StockLevel
        fields = [
            "id", "variant_id", "sku", "location_id", "on_hand", "incoming", "reorder_point",
            "below_threshold", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_incoming(self, level) -> int:
        return 0


# Named TypeEnum in the schema (settings' ENUM_NAME_OVERRIDES), as it was before other
# components had a `type` enum of their own.
SOURCE_TYPES = ["api_key", "user", "purchase_order", "channel_order", "system"]


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string"}],
        "nullable": True,
        "description": "The key's, user's or purchase order's id; a channel order's id in its "
        "store (a string such as order_01J…); null for the system.",
    }
)
class SourceIdField(serializers.Field):
    pass


class SourceSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=SOURCE_TYPES)
    id = SourceIdField(allow_null=True)
    name = serializers.CharField(help_text="The key's name or the user's email at the time.")


class StockAdjustmentSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="variant.sku", read_only=True)
    source = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(
        source="created_at", read_only=True, help_text="Ledger entries never change."
    )

    class Meta:
        model = StockAdjustment
        fields = [
            "id", "variant_id", "sku", "location_id", "quantity", "on_hand_after", "reason",
            "note", "source", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_source(self, adjustment) -> SourceSerializer:
        return {
            "type": adjustment.source_type,
            "id": adjustment.source_reference or adjustment.source_id,
            "name": adjustment.source_name,
        }
