"""The reads of the Purchase orders and Suppliers pages, on ``purchasing.queries``. A list page
costs a count and one query for its rows whatever their number (pinned in
tests/purchasing/test_pages_query_counts.py)."""

from datetime import UTC, date

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from inventory.models import Location
from purchasing import queries
from purchasing.models import (
    OPEN_STATUSES,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
)

PAGE_SIZE = 50

ORDER_ROW_FIELDS = (
    "pk", "number", "status", "expected_date", "supplier__name", "location__name",
    "line_count", "quantity_ordered", "quantity_received",
)  # fmt: skip


def today_utc() -> date:
    """Today's date in UTC: "due" means the same day for every viewer, as the Overview says."""
    return timezone.now().astimezone(UTC).date()


def due_filter(today: date) -> Q:
    """Orders still expecting stock whose expected date has come: due today or overdue."""
    return Q(status__in=OPEN_STATUSES, expected_date__lte=today)


def orders_page(workspace, *, status: str = "", due: bool = False, page_number=1) -> Page:
    """One page of the workspace's orders, newest first, each with its supplier's and
    location's names and its lines' totals (aggregated in the page's one query)."""
    rows = queries.purchase_order_queryset(workspace)
    if status:
        rows = rows.filter(status=status)
    if due:
        rows = rows.filter(due_filter(today_utc()))
    rows = (
        rows.annotate(
            line_count=Count("lines"),
            quantity_ordered=Coalesce(Sum("lines__quantity"), 0),
            quantity_received=Coalesce(Sum("lines__quantity_received"), 0),
        )
        .order_by("-pk")
        .values(*ORDER_ROW_FIELDS)
    )
    page = Paginator(rows, PAGE_SIZE).get_page(page_number)
    page.object_list = [
        {**row, "status_label": OrderStatus(row["status"]).label} for row in page.object_list
    ]
    return page


def order_get(workspace, pk: int) -> PurchaseOrder:
    """The workspace's order ``pk`` with its supplier and location; another workspace's
    answers 404 as an unknown id does."""
    return get_object_or_404(
        queries.purchase_order_queryset(workspace).select_related("supplier", "location"), pk=pk
    )


def order_lines(order: PurchaseOrder) -> list[PurchaseOrderLine]:
    """The order's lines in order, each with its variant's SKU, name and product's name."""
    return list(
        PurchaseOrderLine.objects.filter(order=order)
        .select_related("variant__product")
        .only(
            "pk",
            "quantity",
            "quantity_received",
            "unit_cost",
            "variant__sku",
            "variant__name",
            "variant__product__name",
        )
        .order_by("pk")
    )


def suppliers_page(workspace, *, page_number=1) -> Page:
    """One page of the workspace's suppliers by name, each with its count of open orders."""
    rows = (
        queries.supplier_queryset(workspace)
        .annotate(open_orders=Count("orders", filter=Q(orders__status__in=OPEN_STATUSES)))
        .order_by("name", "pk")
        .values("pk", "name", "email", "phone", "currency", "lead_time_days", "open_orders")
    )
    return Paginator(rows, PAGE_SIZE).get_page(page_number)


def supplier_get(workspace, pk: int) -> Supplier:
    """The workspace's supplier ``pk``, or 404."""
    return get_object_or_404(queries.supplier_queryset(workspace), pk=pk)


def supplier_choices(workspace) -> QuerySet:
    """The suppliers a new order can name, by name."""
    return queries.supplier_queryset(workspace).order_by("name", "pk")


def location_choices(workspace) -> QuerySet:
    """The locations an order can deliver to, the default first."""
    return Location.objects.filter(workspace=workspace).order_by("-is_default", "name", "pk")
