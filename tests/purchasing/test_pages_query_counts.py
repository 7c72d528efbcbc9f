"""Query counts pinned for the Purchase orders and Suppliers pages: a workspace with 200 orders
(or suppliers) costs what one with 2 does, and an order page of 100 lines what one of 2 does.
Data is laid down with bulk_create (fast, and only reads are under test here)."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import Role
from inventory.models import Product, Variant
from inventory.services import location_default
from purchasing.models import OrderStatus, PurchaseOrder, PurchaseOrderLine, Supplier
from tests.factories import MembershipFactory, make_workspace
from tests.pages import measure

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 4  # session, user, membership (with its workspace), the workspace switcher
PINNED = {
    "orders": PAGE_QUERIES + 2,  # the count, the page of orders with their lines' totals
    "suppliers": PAGE_QUERIES + 2,  # the count, the page of suppliers with open orders
    "order": PAGE_QUERIES + 2,  # the order with supplier and location, its lines
}


def build(name: str, *, orders: int, lines_per_order: int = 2):
    """``orders`` orders, each to its own supplier, of ``lines_per_order`` lines; every other
    order is partly received. Returns a logged-in owner's client and the first order."""
    workspace = make_workspace(name)
    location = location_default(workspace)
    product = Product.objects.create(workspace=workspace, name="Tee")
    variants = Variant.objects.bulk_create(
        [
            Variant(workspace=workspace, product=product, sku=f"{name}-{n}")
            for n in range(lines_per_order)
        ]
    )
    suppliers = Supplier.objects.bulk_create(
        [Supplier(workspace=workspace, name=f"Supplier {n:03d}") for n in range(orders)]
    )
    placed = PurchaseOrder.objects.bulk_create(
        [
            PurchaseOrder(
                workspace=workspace,
                supplier=supplier,
                location=location,
                number=f"PO-{n + 1:04d}",
                status=OrderStatus.PARTIALLY_RECEIVED if n % 2 else OrderStatus.ORDERED,
                expected_date=date(2026, 12, 24),
            )
            for n, supplier in enumerate(suppliers)
        ]
    )
    PurchaseOrderLine.objects.bulk_create(
        [
            PurchaseOrderLine(
                order=order,
                variant=variant,
                quantity=10,
                quantity_received=4 if n % 2 else 0,
                unit_cost=Decimal("2.50"),
                location=location,
                is_open=True,
            )
            for n, order in enumerate(placed)
            for variant in variants
        ]
    )
    client = Client()
    client.force_login(MembershipFactory(workspace=workspace, role=Role.OWNER).user)
    return client, placed[0]


def test_a_list_of_200_orders_costs_what_2_do():
    small, _ = build("Small", orders=2)
    large, _ = build("Large", orders=200)

    few, small_sql = measure(small, "/purchase-orders/")
    many, large_sql = measure(large, "/purchase-orders/?status=partially_received")
    last, _ = measure(large, "/purchase-orders/?page=4")

    assert few.count("of 20 units") == 2
    assert many.count("8 of 20 units") == 50  # a page of the 100 partly received
    assert "Page 1 of 2" in many
    assert last.count("of 20 units") == 50
    assert len(large_sql) == len(small_sql) == PINNED["orders"], "\n\n".join(large_sql)


def test_a_list_of_200_suppliers_costs_what_2_do():
    small, _ = build("Small", orders=2)
    large, _ = build("Large", orders=200)

    few, small_sql = measure(small, "/suppliers/")
    many, large_sql = measure(large, "/suppliers/?page=2")

    assert few.count("Supplier 00") == 2
    assert many.count(">Supplier ") == 50
    assert ">Supplier 050</a>" in many
    assert len(large_sql) == len(small_sql) == PINNED["suppliers"], "\n\n".join(large_sql)


def test_an_order_of_100_lines_costs_what_2_do():
    small, small_order = build("Small", orders=1)
    large, large_order = build("Large", orders=1, lines_per_order=100)

    few, small_sql = measure(small, f"/purchase-orders/{small_order.pk}/")
    many, large_sql = measure(large, f"/purchase-orders/{large_order.pk}/")

    assert few.count(">Quantity to receive<") == 2
    assert many.count(">Quantity to receive<") == 100
    assert len(large_sql) == len(small_sql) == PINNED["order"], "\n\n".join(large_sql)
