"""Query counts pinned: a page of 200 purchase orders with their lines costs exactly what a page
of 2 does (the page, then all its lines in one query), and stock levels with ``incoming`` on
open orders still cost the one query inventory pins (the annotation is a subquery of it).

Data is laid down with bulk_create (fast, and only reads are under test here)."""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import workspace_set_plan
from apikeys.services import api_key_create
from inventory.models import Location, Product, StockLevel, Variant
from inventory.services import location_default
from portal.services import workspace_setup
from purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier

# The key from the cache (warm), the page of orders, all their lines. Raise only with a reason.
PINNED = {"purchase-orders": 2, "suppliers": 1, "stock": 1}


@dataclass
class World:
    workspace: object
    raw_key: str


def build(name: str, *, orders: int, lines_per_order: int = 3, variants: int = 200) -> World:
    """``variants`` variants stocked at two locations, ``orders`` open orders (one supplier
    each, every other one partly received) of ``lines_per_order`` lines at either location."""
    workspace = workspace_setup(name=name, owner=None, plan="pro")
    workspace_set_plan(workspace=workspace, plan="pro", daily_limit=10**6, burst_limit=10**6)
    places = [
        location_default(workspace),
        Location.objects.create(workspace=workspace, name="Shelf"),
    ]
    product = Product.objects.create(workspace=workspace, name="Tee")
    made = Variant.objects.bulk_create(
        [
            Variant(workspace=workspace, product=product, sku=f"{name[:3]}-{n}")
            for n in range(variants)
        ]
    )
    StockLevel.objects.bulk_create(
        [
            StockLevel(workspace=workspace, variant=variant, location=place, on_hand=3)
            for variant in made
            for place in places
        ]
    )
    suppliers = Supplier.objects.bulk_create(
        [Supplier(workspace=workspace, name=f"Supplier {n}") for n in range(orders)]
    )
    placed = PurchaseOrder.objects.bulk_create(
        [
            PurchaseOrder(
                workspace=workspace,
                supplier=supplier,
                location=places[n % 2],
                number=f"PO-{n + 1:04d}",
                status="partially_received" if n % 2 else "ordered",
            )
            for n, supplier in enumerate(suppliers)
        ]
    )
    PurchaseOrderLine.objects.bulk_create(
        [
            PurchaseOrderLine(
                order=order,
                variant=made[(n * lines_per_order + k) % len(made)],
                quantity=10,
                quantity_received=4 if n % 2 else 0,
                unit_cost=Decimal("4.20"),
                location=order.location,
                is_open=True,
            )
            for n, order in enumerate(placed)
            for k in range(lines_per_order)
        ]
    )
    raw_key = api_key_create(workspace=workspace, name="Sync", created_by=None)[1]
    return World(workspace=workspace, raw_key=raw_key)


@pytest.fixture
def small(db) -> World:
    return build("Small shop", orders=2, variants=2)


@pytest.fixture
def large(db) -> World:
    return build("Large shop", orders=200, variants=200)


def get(client, world: World, path: str) -> list:
    response = client.get(
        f"/api/v1/{path}", secure=True, HTTP_AUTHORIZATION=f"Bearer {world.raw_key}"
    )
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]


def measure(client, world: World, path: str):
    # The key's first use writes its last_used_at (at most once a minute): not measured.
    get(client, world, "locations")
    with CaptureQueriesContext(connection) as queries:
        results = get(client, world, path)
    return results, [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("path", ["purchase-orders", "suppliers", "stock"])
def test_a_list_of_200_costs_what_a_list_of_2_does(client, small, large, path):
    few, small_sql = measure(client, small, f"{path}?limit=2")
    many, large_sql = measure(client, large, f"{path}?limit=200")

    assert len(few) == 2
    assert len(many) == 200
    assert len(large_sql) == len(small_sql) == PINNED[path], "\n\n".join(large_sql)


def test_order_lines_come_with_the_page(client, large):
    orders, _ = measure(client, large, "purchase-orders?limit=200")

    assert {len(order["lines"]) for order in orders} == {3}
    assert {line["quantity_received"] for order in orders for line in order["lines"]} == {0, 4}


def test_stock_levels_carry_incoming_in_the_same_query(client, large):
    expected = Counter()
    for variant_id, location_id, quantity, received in PurchaseOrderLine.objects.filter(
        order__workspace=large.workspace
    ).values_list("variant_id", "order__location_id", "quantity", "quantity_received"):
        expected[(variant_id, location_id)] += quantity - received

    levels, sql = measure(client, large, "stock?limit=200")

    assert len(sql) == 1
    assert "purchasing_purchaseorderline" in sql[0]
    assert {(lv["variant_id"], lv["location_id"]): lv["incoming"] for lv in levels} == {
        (lv["variant_id"], lv["location_id"]): expected[(lv["variant_id"], lv["location_id"])]
        for lv in levels
    }
    assert sum(level["incoming"] for level in levels) > 0
