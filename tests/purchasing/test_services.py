"""The purchasing services' own guards, for callers other than the API (the admin, the demo):
the same rules, whoever calls."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from inventory.services import Actor, variant_archive
from purchasing import services
from purchasing.models import OrderNumberSequence, PurchaseOrder, Supplier
from tests.purchasing.factories import make_order


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "X", "currency": "XYZ"}, "currency"),
        ({"name": "X", "lead_time_days": -1}, "lead_time_days"),
    ],
)
def test_supplier_rules_hold_for_every_caller(shop, fields, field):
    with pytest.raises(ValidationError) as refused:
        services.supplier_create(workspace=shop.workspace, **fields)
    assert field in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.supplier_update(supplier=shop.supplier, **fields)
    assert Supplier.objects.filter(workspace=shop.workspace).count() == 1


def test_an_order_refuses_another_workspaces_supplier_location_or_variant(shop, other):
    line = services.OrderLine(shop.crew_m, 1, Decimal("1"))
    cases = [
        ({"supplier": other.supplier}, "supplier_id"),
        ({"location": other.main}, "location_id"),
        ({"lines": [services.OrderLine(other.crew_m, 1, Decimal("1"))]}, "lines.0.variant_id"),
    ]
    for change, field in cases:
        arguments = {
            "workspace": shop.workspace, "supplier": shop.supplier, "location": shop.main,
            "lines": [line], **change,
        }  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            services.purchase_order_create(**arguments)
        assert field in refused.value.message_dict, field
    assert not PurchaseOrder.objects.exists()


def test_an_order_refuses_archived_variants_bad_quantities_and_no_lines(shop):
    variant_archive(variant=shop.crew_l)
    with pytest.raises(ValidationError) as refused:
        make_order(shop.workspace, [(shop.crew_m, 0), (shop.crew_l, 1), (shop.crew_m, 1, "-1")])
    assert set(refused.value.message_dict) == {
        "lines.0.quantity", "lines.1.variant_id", "lines.2.unit_cost",
    }  # fmt: skip
    with pytest.raises(ValidationError):
        make_order(shop.workspace, [])
    with pytest.raises(ValidationError):
        make_order(shop.workspace, [(shop.crew_m, 1)], status="received")
    assert not PurchaseOrder.objects.exists()
    # Refused orders take no number: the numbers have no gaps.
    assert make_order(shop.workspace, [(shop.crew_m, 1)]).number == "PO-0001"
    assert OrderNumberSequence.objects.get(workspace=shop.workspace).last == 1


def test_a_variant_archived_after_ordering_is_still_received(shop):
    order = make_order(shop.workspace, [(shop.crew_m, 4)])
    variant_archive(variant=shop.crew_m)

    received = services.purchase_order_receive(order=order, actor=Actor.system())

    assert received.status == "received"


def test_a_supplier_in_use_stays(shop):
    make_order(shop.workspace, [(shop.crew_m, 1)], supplier=shop.supplier)

    with pytest.raises(Exception, match="protected"):
        shop.supplier.delete()


def test_order_numbers_grow_past_four_digits(shop):
    OrderNumberSequence.objects.create(workspace=shop.workspace, last=9999)

    assert make_order(shop.workspace, [(shop.crew_m, 1)]).number == "PO-10000"
