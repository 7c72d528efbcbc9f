"""The catalogue's and stock's list filters (SPEC §5.4), on the API's strict filter base."""

import django_filters
from django.db.models import Exists, F, OuterRef, Q

from api.filters import (
    IdFilter,
    StrictBooleanFilter,
    StrictFilterSet,
    TextFilter,
    UtcDateTimeFilter,
)
from inventory.models import Location, Product, Reason, StockAdjustment, StockLevel, Variant

STATUS_CHOICES = [("active", "active"), ("archived", "archived"), ("all", "all")]


class StatusFilterSet(StrictFilterSet):
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
    q = TextFilter(
        method="filter_q", max_length=200, label="Search product names and variant SKUs."
    )
    sku = TextFilter(method="filter_sku", max_length=64, label="A variant's SKU.")

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


class LocationFilter(StrictFilterSet):
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Location
        fields = ["updated_since"]


class StockLevelFilter(StrictFilterSet):
    sku = TextFilter(field_name="variant__sku", max_length=64)
    variant_id = IdFilter(field_name="variant_id")
    location_id = IdFilter(field_name="location_id")
    below_threshold = StrictBooleanFilter(method="filter_below_threshold")
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = StockLevel
        fields = ["sku", "variant_id", "location_id", "below_threshold", "updated_since"]

    def filter_below_threshold(self, queryset, name, value):
        below = Q(on_hand__lt=F("variant__reorder_point"))
        return queryset.filter(below if value else ~below)


class StockAdjustmentFilter(StrictFilterSet):
    variant_id = IdFilter(field_name="variant_id")
    sku = TextFilter(field_name="variant__sku", max_length=64)
    location_id = IdFilter(field_name="location_id")
    reason = django_filters.ChoiceFilter(choices=Reason.choices)
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = StockAdjustment
        fields = ["variant_id", "sku", "location_id", "reason", "created_after", "created_before"]
