"""The lean representations are byte for byte what the schema's serializers (the documented
shape) would write, for the API's answers and for the events; representing an order costs one
query for its lines, however many it has."""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from core.models import DomainEvent
from inventory.services import Actor
from purchasing import services
from purchasing.models import PurchaseOrder, Supplier
from purchasing.representations import ORDERS, SUPPLIERS
from purchasing.schema import PurchaseOrderSerializer, SupplierSerializer
from tests.purchasing.factories import make_order, make_supplier


def as_bytes(data) -> bytes:
    return JSONRenderer().render(data)


def test_suppliers_are_written_as_their_serializer_writes_them(api, shop):
    make_supplier(
        shop.workspace,
        name="Porto Cotton Works",
        email="sales@porto.example",
        address="Rua 1\nPorto",
        currency="EUR",
        lead_time_days=14,
        notes="Cotton.",
    )

    listed = api.get("suppliers").json()["results"]

    expected = SupplierSerializer(Supplier.objects.order_by("pk"), many=True).data
    assert as_bytes(listed) == as_bytes(expected)
    assert listed[0]["email"] is None  # the shop's supplier has none


def test_orders_are_written_as_their_serializer_writes_them(api, shop):
    from datetime import date

    make_order(
        shop.workspace,
        [(shop.crew_m, 10, "31.5"), (shop.crew_l, 4, "0")],
        expected_date=date(2027, 1, 15),
        notes="Winter.",
    )
    partial = make_order(shop.workspace, [(shop.crew_m, 3, "1234567890.12")], status="ordered")
    services.purchase_order_receive(
        order=partial, actor=Actor.system(), lines=[(partial.lines.get().pk, 1)]
    )
    make_order(shop.workspace, [(shop.crew_l, 1)], status="draft")

    listed = api.get("purchase-orders").json()["results"]
    detail = api.get(f"purchase-orders/{partial.pk}").json()

    orders = PurchaseOrder.objects.order_by("pk").prefetch_related("lines__variant")
    assert as_bytes(listed) == as_bytes(PurchaseOrderSerializer(orders, many=True).data)
    assert as_bytes(detail) == as_bytes(PurchaseOrderSerializer(orders.get(pk=partial.pk)).data)


def test_order_events_carry_what_the_api_answers(api, shop):
    response = api.post(
        "purchase-orders",
        {
            "supplier_id": shop.supplier.pk,
            "lines": [{"sku": shop.crew_m.sku, "quantity": 2, "unit_cost": "9.99"}],
        },
    )
    created = DomainEvent.objects.get(type="purchase_order.created")

    assert created.data["object"] == json.loads(response.content)


def test_a_page_of_orders_reads_all_their_lines_with_one_query(shop):
    for _ in range(5):
        make_order(shop.workspace, [(shop.crew_m, 1), (shop.crew_l, 2)])

    with CaptureQueriesContext(connection) as queries:
        represented = ORDERS.many(ORDERS.rows(PurchaseOrder.objects.order_by("pk")))

    assert len(queries.captured_queries) == 2
    assert [len(order["lines"]) for order in represented] == [2] * 5
    assert SUPPLIERS.of([shop.supplier])[0]["name"] == shop.supplier.name
