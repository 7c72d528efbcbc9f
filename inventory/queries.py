"""One queryset builder per resource: every view, service and event uses these, so a list
of 200 costs the same number of queries as a list of 2."""

from django.db.models import Prefetch, QuerySet

from inventory.models import Location, Product, StockAdjustment, StockLevel, Variant


def _levels() -> QuerySet:
    return StockLevel.objects.order_by("location_id")


def variant_queryset(workspace=None) -> QuerySet:
    queryset = Variant.objects.prefetch_related(Prefetch("stock_levels", queryset=_levels()))
    return queryset.filter(workspace=workspace) if workspace is not None else queryset


def product_base_queryset(workspace) -> QuerySet:
    """Products without their variants: for lookups that need only the row."""
    return Product.objects.filter(workspace=workspace)


def product_queryset(workspace=None) -> QuerySet:
    variants = Variant.objects.order_by("id").prefetch_related(
        Prefetch("stock_levels", queryset=_levels())
    )
    queryset = Product.objects.prefetch_related(Prefetch("variants", queryset=variants))
    return queryset.filter(workspace=workspace) if workspace is not None else queryset


def location_queryset(workspace) -> QuerySet:
    return Location.objects.filter(workspace=workspace)


def stock_level_queryset(workspace) -> QuerySet:
    return StockLevel.objects.filter(workspace=workspace).select_related("variant")


def stock_adjustment_queryset(workspace) -> QuerySet:
    return StockAdjustment.objects.filter(workspace=workspace).select_related("variant")
