from datetime import UTC

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from inventory.models import Location, Product, Reason, StockAdjustment, StockLevel, Variant
from inventory.serializers import MAX_ID


class UtcDateTimeField(IsoDateTimeField):
    """ISO 8601 with any offset, converted to UTC; a moment outside the years 1 to 9999 in UTC is
    a validation error, not a database error."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


STATUS_CHOICES = [("active", "active"), ("archived", "archived"), ("all", "all")]


@extend_schema_field(OpenApiTypes.INT64)
class IdFilter(django_filters.NumberFilter):
    """An id: a whole number in range, never silently truncated."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class StatusFilterSet(django_filters.FilterSet):
    """``status``: active (the default), archived or all."""

    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", empty_label=None
    )
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    def filter_status(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(status=value)

    @property
    def qs(self):
        queryset = super().qs
        if not self.data.get("status"):
            queryset = queryset.filter(status="active")
        return queryset


class ProductFilter(StatusFilterSet):
    q = django_filters.CharFilter(
        method="filter_q", max_length=200, label="Search product names and variant SKUs."
    )
    sku = django_filters.CharFilter(method="filter_sku", max_length=64, label="A variant's SKU.")

    class Meta:
        model = Product
        fields = ["status", "q", "sku", "updated_since"]

    def filter_q(self, queryset, name, value):
        sku_match = Variant.objects.filter(product=OuterRef("pk"), sku__icontains=value)
        return queryset.filter(Q(name__icontains=value) | Q(Exists(sku_match)))

    def filter_sku(self, queryset, name, value):
        return queryset.filter(Exists(Variant.objects.filter(product=OuterRef("pk"), sku=value)))


class VariantFilter(StatusFilterSet):
    class Meta:
        model = Variant
        fields = ["status", "updated_since"]


class LocationFilter(django_filters.FilterSet):
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Location
        fields = ["updated_since"]


class StockLevelFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="variant__sku", max_length=64)
    variant_id = IdFilter(field_name="variant_id")
    location_id = IdFilter(field_name="location_id")
    below_threshold = django_filters.BooleanFilter(method="filter_below_threshold")
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = StockLevel
        fields = ["sku", "variant_id", "location_id", "below_threshold", "updated_since"]

    def filter_below_threshold(self, queryset, name, value):
        below = Q(on_hand__lt=F("variant__reorder_point"))
        return queryset.filter(below if value else ~below)


class StockAdjustmentFilter(django_filters.FilterSet):
    variant_id = IdFilter(field_name="variant_id")
    sku = django_filters.CharFilter(field_name="variant__sku", max_length=64)
    location_id = IdFilter(field_name="location_id")
    reason = django_filters.ChoiceFilter(choices=Reason.choices)
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = StockAdjustment
        fields = ["variant_id", "sku", "location_id", "reason", "created_after", "created_before"]
