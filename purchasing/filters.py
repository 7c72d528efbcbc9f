"""Supplier and purchase-order list filters (SPEC §5.4), on the API's strict filter base."""

import django_filters

from api.filters import IdFilter, UtcDateTimeFilter, WorkspaceFilterSet
from purchasing.models import OrderStatus, PurchaseOrder, Supplier


class SupplierFilter(WorkspaceFilterSet):
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Supplier
        fields = ["updated_since"]


class PurchaseOrderFilter(WorkspaceFilterSet):
    # Each on a (workspace, …, id) index: the list is the workspace's, ordered by id.
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, empty_label=None)
    supplier_id = IdFilter(field_name="supplier_id")
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = PurchaseOrder
        fields = ["status", "supplier_id", "updated_since"]
