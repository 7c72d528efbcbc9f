"""Receiving and numbering under concurrent writers, on PostgreSQL with real threads and real
row locks: two receipts of the same outstanding quantity never receive more than was ordered,
and concurrent orders never share a number."""

import pytest
from django.db import connection

from core.errors import InvalidState
from inventory.models import StockAdjustment, StockLevel
from inventory.services import Actor
from purchasing import services
from purchasing.errors import OverReceipt
from purchasing.models import OrderStatus, PurchaseOrder, PurchaseOrderLine
from tests.concurrency import run_threads
from tests.purchasing.conftest import shop_make
from tests.purchasing.factories import make_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 20


@pytest.fixture
def shop():
    return shop_make("Concurrent Co")


def on_hand(variant, location) -> int:
    level = StockLevel.objects.filter(variant=variant, location=location).first()
    return level.on_hand if level else 0


@pytest.mark.parametrize("round", range(ROUNDS))
@pytest.mark.parametrize("how", ["everything", "the same lines"])
def test_two_concurrent_receipts_never_receive_more_than_was_ordered(shop, round, how):
    order = make_order(shop.workspace, [(shop.crew_m, 7), (shop.crew_l, 3)])
    lines = list(order.lines.order_by("pk").values_list("pk", "quantity"))
    start = on_hand(shop.crew_m, shop.main), on_hand(shop.crew_l, shop.main)

    def work(index, barrier):
        fresh = PurchaseOrder.objects.get(pk=order.pk)
        barrier.wait()
        return services.purchase_order_receive(
            order=fresh,
            actor=Actor.system(f"dock {index}"),
            lines=None if how == "everything" else lines,
        )

    results = run_threads(2, work)

    received = [r for r in results if isinstance(r, PurchaseOrder)]
    refused = [r for r in results if not isinstance(r, PurchaseOrder)]
    assert len(received) == 1, results
    # The second waits on the order's lock, then finds it received (or nothing outstanding).
    assert len(refused) == 1
    assert isinstance(refused[0], InvalidState | OverReceipt), refused
    assert PurchaseOrder.objects.get(pk=order.pk).status == OrderStatus.RECEIVED
    assert list(
        PurchaseOrderLine.objects.filter(order=order)
        .order_by("pk")
        .values_list("quantity_received", flat=True)
    ) == [7, 3]
    assert (on_hand(shop.crew_m, shop.main), on_hand(shop.crew_l, shop.main)) == (
        start[0] + 7, start[1] + 3,
    )  # fmt: skip
    assert (
        StockAdjustment.objects.filter(source_type="purchase_order", source_id=order.pk).count()
        == 2
    )


@pytest.mark.parametrize("round", range(ROUNDS))
def test_concurrent_partial_receipts_add_up_to_at_most_the_order(shop, round):
    """Four docks each receive 3 of 10 at once: three fit, the fourth is an over receipt."""
    order = make_order(shop.workspace, [(shop.crew_m, 10)])
    [line_id] = order.lines.values_list("pk", flat=True)

    def work(index, barrier):
        fresh = PurchaseOrder.objects.get(pk=order.pk)
        barrier.wait()
        return services.purchase_order_receive(
            order=fresh, actor=Actor.system(f"dock {index}"), lines=[(line_id, 3)]
        )

    results = run_threads(4, work)

    assert sum(isinstance(r, PurchaseOrder) for r in results) == 3, results
    assert sum(isinstance(r, OverReceipt) for r in results) == 1, results
    assert PurchaseOrderLine.objects.get(pk=line_id).quantity_received == 9
    assert on_hand(shop.crew_m, shop.main) == 9
    assert PurchaseOrder.objects.get(pk=order.pk).status == OrderStatus.PARTIALLY_RECEIVED


def test_a_receipt_and_a_cancel_at_once_leave_a_consistent_order(shop):
    for _ in range(10):
        order = make_order(shop.workspace, [(shop.crew_m, 5)])
        before = on_hand(shop.crew_m, shop.main)

        def work(index, barrier, order=order):
            fresh = PurchaseOrder.objects.get(pk=order.pk)
            barrier.wait()
            if index == 0:
                return services.purchase_order_receive(order=fresh, actor=Actor.system())
            return services.purchase_order_cancel(order=fresh)

        results = run_threads(2, work)

        status = PurchaseOrder.objects.get(pk=order.pk).status
        received = PurchaseOrderLine.objects.get(order=order).quantity_received
        assert on_hand(shop.crew_m, shop.main) == before + received
        if isinstance(results[0], PurchaseOrder):  # received first; the cancel then refused
            assert (status, received) == (OrderStatus.RECEIVED, 5)
            assert isinstance(results[1], InvalidState)
        else:  # cancelled first; the receipt then refused
            assert (status, received) == (OrderStatus.CANCELLED, 0)
            assert isinstance(results[0], InvalidState)


def test_concurrent_orders_get_distinct_consecutive_numbers(shop):
    assert connection.vendor == "postgresql"
    count = 12

    def work(index, barrier):
        barrier.wait()
        return make_order(shop.workspace, [(shop.crew_m, 1)], supplier=shop.supplier).number

    results = run_threads(count, work)

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(results) == [f"PO-{n:04d}" for n in range(1, count + 1)]
