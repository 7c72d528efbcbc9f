"""The catalogue's and stock's list filters (SPEC §5.4), on the API's strict filter base.

Each filter that looks into another table does it with an uncorrelated subquery scoped by the
workspace, so PostgreSQL reads it once through a (workspace, …) index: ``sku=`` through the
unique (workspace, sku) index, ``q=`` through the trigram indexes of migration 0004 (on
SQLite the same queries scan, correctly).
"""

import django_filters
from django.db.models import F, Q

from api.filters import (
    IdFilter,
    StrictBooleanFilter,
    StrictFilterSet,
    TextFilter,
    UtcDateTimeFilter,
    WorkspaceFilterSet,
)
from inventory.models import Location, Product, Reason, StockAdjustment, StockLevel, Variant

STATUS_CHOICES = [("active", "active"), ("archived", "archived"), ("all", "all")]


class StatusFilterSet(WorkspaceFilterSet):
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
        # One id list, the union of two index scans (name, SKU), rather than an OR that tests
        # every product's name. ``icontains`` escapes % and _ in the value.
        by_name = Product.objects.filter(workspace_id=self.workspace_id, name__icontains=value)
        by_sku = self._variants().filter(sku__icontains=value)
        ids = by_name.order_by().values("id").union(by_sku.values("product_id"), all=True)
        return queryset.filter(pk__in=ids)

    def filter_sku(self, queryset, name, value):
        return queryset.filter(pk__in=self._variants().filter(sku=value).values("product_id"))

    def _variants(self):
        return Variant.objects.filter(workspace_id=self.workspace_id).order_by()


class VariantFilter(StatusFilterSet):
    class Meta:
        model = Variant
        fields = ["status", "updated_since"]


class LocationFilter(StrictFilterSet):
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Location
        fields = ["updated_since"]


def _variant_ids_by_sku(workspace_id: int, sku: str):
    """The workspace's variant with this SKU, as a subquery on the (workspace, sku) index."""
    return Variant.objects.filter(workspace_id=workspace_id, sku=sku).order_by().values("id")


class StockLevelFilter(WorkspaceFilterSet):
    sku = TextFilter(method="filter_sku", max_length=64)
    variant_id = IdFilter(field_name="variant_id")
    location_id = IdFilter(field_name="location_id")
    below_threshold = StrictBooleanFilter(method="filter_below_threshold")
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = StockLevel
        fields = ["sku", "variant_id", "location_id", "below_threshold", "updated_since"]

    def filter_sku(self, queryset, name, value):
        return queryset.filter(variant_id__in=_variant_ids_by_sku(self.workspace_id, value))

    def filter_below_threshold(self, queryset, name, value):
        below = Q(on_hand__lt=F("variant__reorder_point"))
        return queryset.filter(below if value else ~below)


class StockAdjustmentFilter(WorkspaceFilterSet):
    variant_id = IdFilter(field_name="variant_id")
    sku = TextFilter(method="filter_sku", max_length=64)
    location_id = IdFilter(field_name="location_id")
    reason = django_filters.ChoiceFilter(choices=Reason.choices)
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = StockAdjustment
        fields = ["variant_id", "sku", "location_id", "reason", "created_after", "created_before"]

    def filter_sku(self, queryset, name, value):
        return queryset.filter(variant_id__in=_variant_ids_by_sku(self.workspace_id, value))
