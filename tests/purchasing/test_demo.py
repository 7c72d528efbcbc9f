"""The demo's purchasing: three suppliers and orders in every state on the demo catalogue's
variants, built through the services, once."""

from collections import Counter

from inventory.models import StockAdjustment
from portal.demo_catalogue import demo_catalogue_seed
from portal.services import workspace_setup
from purchasing.demo import demo_purchasing
from purchasing.models import PurchaseOrder, Supplier


def test_the_demo_adds_suppliers_and_orders_in_every_state_once(db):
    workspace = workspace_setup(name="Demo Outfitters", owner=None, plan="pro")
    demo_catalogue_seed(workspace)

    demo_purchasing(workspace)
    demo_purchasing(workspace)  # idempotent

    assert Supplier.objects.filter(workspace=workspace).count() == 3
    orders = PurchaseOrder.objects.filter(workspace=workspace)
    assert Counter(orders.values_list("status", flat=True)) == {
        "received": 1,
        "partially_received": 1,
        "ordered": 2,
        "draft": 1,
    }
    assert all(order.lines.exists() for order in orders)
    receipts = StockAdjustment.objects.filter(workspace=workspace, source_type="purchase_order")
    assert set(receipts.values_list("reason", flat=True)) == {"received"}
    assert receipts.count() > 0


def test_a_workspace_without_the_demo_catalogue_gets_only_the_suppliers(db):
    workspace = workspace_setup(name="Empty", owner=None, plan="pro")

    demo_purchasing(workspace)

    assert Supplier.objects.filter(workspace=workspace).count() == 3
    assert not PurchaseOrder.objects.filter(workspace=workspace).exists()
