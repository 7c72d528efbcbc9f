"""Request bodies of the suppliers and purchase-orders API. What the API answers (and events
carry) is in ``purchasing.representations``."""

from rest_framework import serializers

from api.fields import (
    BoundedListField,
    MoneyField,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
    capped_errors,
)
from api.limits import MAX_ID
from purchasing.currencies import CURRENCIES
from purchasing.limits import MAX_LEAD_TIME_DAYS, MAX_LINE_QUANTITY, MAX_ORDER_LINES
from purchasing.models import OrderStatus


class CurrencyField(StrictCharField):
    """An ISO 4217 code, upper case (``EUR``)."""

    default_error_messages = {"currency": "Must be an ISO 4217 currency code such as EUR."}

    def __init__(self, **kwargs):
        super().__init__(min_length=3, max_length=3, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in CURRENCIES:
            self.fail("currency")
        return value


class StrictEmailField(serializers.EmailField):
    """An email address as a JSON string (DRF's would stringify a number)."""

    default_error_messages = {"not_a_string": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)

    def validate_empty_values(self, data):
        # null clears the address: stored as "" like every blank text field.
        is_empty, value = super().validate_empty_values(data)
        return is_empty, "" if is_empty and value is None else value


class StrictDateField(serializers.DateField):
    """A date as a JSON string, ``YYYY-MM-DD`` (DRF's would crash on a number)."""

    default_error_messages = {"not_a_string": "Must be a date string (YYYY-MM-DD)."}

    def __init__(self, **kwargs):
        super().__init__(input_formats=["iso-8601"], **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class SupplierInputSerializer(StrictSerializer):
    name = StrictCharField(max_length=200)
    email = StrictEmailField(
        required=False, allow_blank=True, allow_null=True, max_length=254, help_text="Or null."
    )
    phone = StrictCharField(required=False, allow_blank=True, max_length=40)
    address = StrictCharField(required=False, allow_blank=True, max_length=1000, multiline=True)
    currency = CurrencyField(required=False, help_text="ISO 4217, e.g. EUR (the default).")
    lead_time_days = StrictIntegerField(
        required=False, min_value=0, max_value=MAX_LEAD_TIME_DAYS, help_text="Days, 0 or more."
    )
    notes = StrictCharField(required=False, allow_blank=True, max_length=10_000, multiline=True)

    def validate_name(self, value):
        value = value.strip()
        if not value:
            raise serializers.ValidationError("A supplier needs a name.")
        return value


class SupplierUpdateSerializer(SupplierInputSerializer):
    name = StrictCharField(max_length=200, required=False)


class OrderLineInputSerializer(StrictSerializer):
    variant_id = StrictIntegerField(required=False, min_value=1, max_value=MAX_ID)
    sku = StrictCharField(required=False, max_length=64)
    quantity = StrictIntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)
    unit_cost = MoneyField(help_text='Per unit, a decimal string such as "4.20".')

    def validate(self, attrs):
        if ("variant_id" in attrs) == ("sku" in attrs):
            raise serializers.ValidationError({"variant_id": ["Give either variant_id or sku."]})
        return attrs


class PurchaseOrderCreateSerializer(StrictSerializer):
    supplier_id = StrictIntegerField(min_value=1, max_value=MAX_ID)
    location_id = StrictIntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Default location if omitted."
    )
    expected_date = StrictDateField(required=False, allow_null=True, help_text="YYYY-MM-DD.")
    notes = StrictCharField(required=False, allow_blank=True, max_length=10_000, multiline=True)
    status = serializers.ChoiceField(
        choices=[OrderStatus.DRAFT, OrderStatus.ORDERED],
        required=False,
        help_text="draft or ordered (the default). Only ordered quantities count as incoming.",
    )
    lines = BoundedListField(
        child=OrderLineInputSerializer(),
        max_length=MAX_ORDER_LINES,
        help_text=f"1 to {MAX_ORDER_LINES} lines.",
    )


class ReceiptLineSerializer(StrictSerializer):
    line_id = StrictIntegerField(min_value=1, max_value=MAX_ID)
    quantity = StrictIntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


class ReceiptSerializer(StrictSerializer):
    lines = BoundedListField(
        child=ReceiptLineSerializer(),
        max_length=MAX_ORDER_LINES,
        min_length=0,
        required=False,
        help_text="What arrived, per order line. Omitted or empty: everything outstanding.",
    )

    def validate_lines(self, lines):
        seen, errors = set(), {}
        for index, line in enumerate(lines):
            if line["line_id"] in seen:
                errors[index] = {"line_id": ["The same line appears twice in this receipt."]}
            seen.add(line["line_id"])
        if errors:
            raise serializers.ValidationError(capped_errors(errors, what="items"))
        return lines
