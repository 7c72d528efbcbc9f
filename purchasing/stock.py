"""What purchasing tells inventory about stock, through the ``SALYNC_STOCK_INCOMING`` hook
(inventory never imports purchasing): units on open orders, as a query expression."""

from django.db.models import F, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from purchasing.models import PurchaseOrderLine


def incoming(variant_ref: str = "variant_id", location_ref: str = "location_id"):
    """The outstanding quantity (ordered minus received) of the open lines (their order is
    ordered or partially received) for the outer row's variant at its location: one correlated
    subquery per row of the same query, through the open lines' partial index with no join, 0
    where nothing is on order. ``variant_ref``/``location_ref`` name the outer query's
    columns."""
    outstanding = (
        PurchaseOrderLine.objects.filter(
            variant_id=OuterRef(variant_ref), location_id=OuterRef(location_ref), is_open=True
        )
        .order_by()
        .values("variant_id")
        .annotate(total=Sum(F("quantity") - F("quantity_received")))
        .values("total")
    )
    return Coalesce(Subquery(outstanding, output_field=IntegerField()), 0)
