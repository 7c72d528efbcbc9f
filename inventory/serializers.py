"""API representations (also the ``data.object`` of domain events) and request bodies."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from inventory.models import Location, Product, Reason, StockAdjustment, StockLevel, Variant
from inventory.validators import validate_gtin

MAX_QUANTITY = 1_000_000
MAX_ID = 2**63 - 1
MAX_COUNT = 2_000_000_000  # on_hand and thresholds stay inside a 32-bit integer column


# --- Representations ---------------------------------------------------------------------------


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


class SourceSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["api_key", "user", "purchase_order", "system"])
    id = serializers.IntegerField(allow_null=True)
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
            "id": adjustment.source_id,
            "name": adjustment.source_name,
        }


# --- Request bodies ----------------------------------------------------------------------------


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: no strings, booleans or fractions."""

    default_error_messages = {"invalid": "Must be a whole number (a JSON integer)."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    # Rejects fields it does not know, so a typo never passes silently (a comment, not a
    # docstring: the schema would show it as every request body's description).

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, dict):
            known = {name for name, f in self.fields.items() if not f.read_only}
            unknown = {name: ["Unknown field."] for name in data if name not in known}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, dict):
                raise serializers.ValidationError({**error.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class BarcodeField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=14, allow_null=True, allow_blank=True, required=False, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value == "":
            return value
        try:
            validate_gtin(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return value


def _money(**kwargs):
    return serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, allow_null=True, required=False, **kwargs
    )


OPTION_NAME = serializers.CharField(max_length=50)


class VariantInputSerializer(StrictSerializer):
    sku = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    options = serializers.DictField(
        child=serializers.CharField(max_length=100),
        required=False,
        help_text='Option name → value, e.g. {"size": "M", "colour": "Navy"}.',
    )
    barcode = BarcodeField(help_text="GTIN-8, 12, 13 or 14 with a valid check digit.")
    price = _money(help_text='A decimal string such as "19.90".')
    cost = _money(help_text="Decimal string.")
    reorder_point = StrictIntegerField(
        min_value=0, max_value=MAX_COUNT, required=False, help_text="Low-stock threshold."
    )

    def validate_sku(self, value):
        value = value.strip()
        if not value or any(c.isspace() for c in value):
            raise serializers.ValidationError("A SKU is one word: no spaces.")
        return value

    def validate_options(self, value):
        if len(value) > 20:
            raise serializers.ValidationError("At most 20 options.")
        for name in value:
            try:  # the same rules as every text field: no NUL, no lone surrogates, not blank
                OPTION_NAME.run_validation(name)
            except serializers.ValidationError:
                raise serializers.ValidationError(
                    "Option names are 1 to 50 ordinary characters (no control characters)."
                ) from None
        return value


class ProductCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    variants = serializers.ListField(
        child=VariantInputSerializer(), min_length=1, max_length=100, help_text="1 to 100 variants."
    )

    def validate_variants(self, variants):
        seen = {}
        errors = [{} for _ in variants]
        for index, variant in enumerate(variants):
            if variant["sku"] in seen:
                errors[index] = {"sku": ["The same SKU appears twice in this product."]}
            seen.setdefault(variant["sku"], index)
        if any(errors):
            raise serializers.ValidationError(errors)
        return variants


class ProductUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)


class VariantUpdateSerializer(VariantInputSerializer):
    sku = serializers.CharField(max_length=64, required=False)


class LocationCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)


class AdjustmentInputSerializer(StrictSerializer):
    variant_id = StrictIntegerField(required=False, min_value=1, max_value=MAX_ID)
    sku = serializers.CharField(required=False, max_length=64)
    location_id = StrictIntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Default location if omitted."
    )
    quantity = StrictIntegerField(
        min_value=-MAX_QUANTITY, max_value=MAX_QUANTITY, help_text="Signed, not zero."
    )
    reason = serializers.ChoiceField(choices=Reason.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    expected_on_hand = StrictIntegerField(
        required=False,
        min_value=0,
        max_value=MAX_COUNT,
        help_text="Compare-and-set: refused with 409 stock_changed if on_hand differs.",
    )

    def validate_quantity(self, value):
        if value == 0:
            raise serializers.ValidationError("Must not be zero.")
        return value

    def validate(self, attrs):
        if ("variant_id" in attrs) == ("sku" in attrs):
            raise serializers.ValidationError({"variant_id": ["Give either variant_id or sku."]})
        return attrs


class AdjustmentBatchSerializer(StrictSerializer):
    adjustments = serializers.ListField(
        child=AdjustmentInputSerializer(),
        min_length=1,
        max_length=100,
        help_text="1 to 100 adjustments, applied in order, all or nothing.",
    )
