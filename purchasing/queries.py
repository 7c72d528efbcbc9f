"""One queryset builder per resource, scoped to the workspace (a Workspace or its id): the rows
views filter, paginate and look objects up in. They load no relations: an order's lines are
loaded for the whole page at once by ``purchasing.representations``."""

from django.db.models import QuerySet

from purchasing.models import PurchaseOrder, Supplier


def supplier_queryset(workspace) -> QuerySet:
    return Supplier.objects.filter(workspace=workspace)


def purchase_order_queryset(workspace) -> QuerySet:
    return PurchaseOrder.objects.filter(workspace=workspace)
