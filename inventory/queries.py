"""One queryset builder per resource, scoped to the workspace: the rows views filter, paginate
and look objects up in. They load no relations: what a representation nests is loaded for the
whole page at once by ``inventory.representations``, so a list of 200 costs the same number of
queries as a list of 2."""

from django.db.models import QuerySet

from inventory.models import Location, Product, StockAdjustment, StockLevel, Variant


def product_queryset(workspace) -> QuerySet:
    return Product.objects.filter(workspace=workspace)


def variant_queryset(workspace) -> QuerySet:
    return Variant.objects.filter(workspace=workspace)


def location_queryset(workspace) -> QuerySet:
    return Location.objects.filter(workspace=workspace)


def stock_level_queryset(workspace) -> QuerySet:
    return StockLevel.objects.filter(workspace=workspace)


def stock_adjustment_queryset(workspace) -> QuerySet:
    return StockAdjustment.objects.filter(workspace=workspace)
