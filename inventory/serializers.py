"""Request bodies of the catalogue and stock API. What the API answers (and events carry) is
in ``inventory.representations``."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from api.fields import (
    BoundedDictField,
    BoundedListField,
    MoneyField,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
    capped_errors,
)
from api.limits import MAX_ID
from inventory.limits import MAX_BATCH_LINES, MAX_COUNT, MAX_OPTIONS, MAX_QUANTITY, MAX_VARIANTS
from inventory.models import Reason
from inventory.validators import GTIN_LENGTHS, validate_gtin

# --- Request bodies ----------------------------------------------------------------------------


class BarcodeField(StrictCharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=14, allow_null=True, allow_blank=True, required=False, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value == "" or len(value) > max(GTIN_LENGTHS):  # too long: the length check says so
            return value
        try:
            validate_gtin(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return value


def _money(**kwargs):
    return MoneyField(allow_null=True, required=False, **kwargs)


class VariantInputSerializer(StrictSerializer):
    sku = StrictCharField(max_length=64)
    name = StrictCharField(max_length=200, required=False, allow_blank=True)
    options = BoundedDictField(
        max_length=MAX_OPTIONS,
        # The same rules as every one-line text field: no control characters, not blank.
        key=StrictCharField(max_length=50),
        child=StrictCharField(max_length=100),
        required=False,
        error_messages={
            "max_length": f"At most {MAX_OPTIONS} options.",
            "invalid_key": "Option names are 1 to 50 ordinary characters (no control characters).",
        },
        help_text=f'Option name → value, e.g. {{"size": "M", "colour": "Navy"}}; at most '
        f"{MAX_OPTIONS}.",
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


class ProductCreateSerializer(StrictSerializer):
    name = StrictCharField(max_length=200)
    description = StrictCharField(
        required=False, allow_blank=True, max_length=10_000, multiline=True
    )
    variants = BoundedListField(
        child=VariantInputSerializer(),
        max_length=MAX_VARIANTS,
        help_text=f"1 to {MAX_VARIANTS} variants.",
    )

    def validate_variants(self, variants):
        seen = set()
        errors = {}
        for index, variant in enumerate(variants):
            if variant["sku"] in seen:
                errors[index] = {"sku": ["The same SKU appears twice in this product."]}
            seen.add(variant["sku"])
        if errors:
            raise serializers.ValidationError(capped_errors(errors, what="items"))
        return variants


class ProductUpdateSerializer(StrictSerializer):
    name = StrictCharField(max_length=200, required=False)
    description = StrictCharField(
        required=False, allow_blank=True, max_length=10_000, multiline=True
    )


class VariantUpdateSerializer(VariantInputSerializer):
    sku = StrictCharField(max_length=64, required=False)


class LocationCreateSerializer(StrictSerializer):
    name = StrictCharField(max_length=100)


class AdjustmentInputSerializer(StrictSerializer):
    variant_id = StrictIntegerField(required=False, min_value=1, max_value=MAX_ID)
    sku = StrictCharField(required=False, max_length=64)
    location_id = StrictIntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Default location if omitted."
    )
    quantity = StrictIntegerField(
        min_value=-MAX_QUANTITY, max_value=MAX_QUANTITY, help_text="Signed, not zero."
    )
    reason = serializers.ChoiceField(choices=Reason.choices)
    note = StrictCharField(required=False, allow_blank=True, max_length=500, multiline=True)
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
    adjustments = BoundedListField(
        child=AdjustmentInputSerializer(),
        max_length=MAX_BATCH_LINES,
        help_text=f"1 to {MAX_BATCH_LINES} adjustments, applied in order, all or nothing.",
    )
