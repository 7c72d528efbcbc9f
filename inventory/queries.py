"""One queryset builder per resource, scoped to the workspace: the rows views filter, paginate
and look objects up in. They load no relations: what a representation nests is loaded for the
whole page at once by ``inventory.representations``, so a list of 200 costs the same number of
queries as a list of 2."""

from django.conf import settings
from django.db.models import IntegerField, QuerySet, Value
from django.utils.module_loading import import_string

from inventory.models import Location, Product, StockAdjustment, StockLevel, Variant


def product_queryset(workspace) -> QuerySet:
    return Product.objects.filter(workspace=workspace)


def variant_queryset(workspace) -> QuerySet:
    return Variant.objects.filter(workspace=workspace)


def location_queryset(workspace) -> QuerySet:
    return Location.objects.filter(workspace=workspace)


def stock_incoming(variant_ref: str = "variant_id", location_ref: str = "location_id"):
    """Units on open purchase orders for the outer row's variant at its location, as an
    expression of the same query: the function named by ``settings.SALYNC_STOCK_INCOMING``
    (purchasing plugs in there; inventory never imports it), or 0 when none is named."""
    if not settings.SALYNC_STOCK_INCOMING:
        return Value(0, output_field=IntegerField())
    hook = import_string(settings.SALYNC_STOCK_INCOMING)
    return hook(variant_ref=variant_ref, location_ref=location_ref)


def stock_level_queryset(workspace) -> QuerySet:
    return StockLevel.objects.filter(workspace=workspace).annotate(incoming=stock_incoming())


def stock_adjustment_queryset(workspace) -> QuerySet:
    return StockAdjustment.objects.filter(workspace=workspace)
