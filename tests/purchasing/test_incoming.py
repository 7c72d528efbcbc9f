"""``incoming`` (SPEC §5.4): on stock levels and on a variant's stock entries, the units still
outstanding on ordered and partially received orders at that location; drafts, cancelled and
received orders count nothing. Purchasing plugs it into inventory through
``SALYNC_STOCK_INCOMING``; without the hook it is 0."""

import pytest

from inventory.services import Actor, stock_adjust
from purchasing import services
from tests.purchasing.factories import make_order


def incoming_by_level(api, **params) -> dict:
    response = api.get("stock", {"limit": 200, **params})
    assert response.status_code == 200, response.content
    return {
        (level["sku"], level["location_id"]): level["incoming"]
        for level in response.json()["results"]
    }


@pytest.fixture
def stocked(shop):
    """Both variants with a level at both locations."""
    for variant in (shop.crew_m, shop.crew_l):
        for location in (shop.main, shop.store):
            stock_adjust(
                workspace=shop.workspace, variant=variant, location=location, quantity=1,
                reason="received", actor=Actor.system(),
            )  # fmt: skip
    return shop


def test_incoming_counts_open_ordered_quantities_per_variant_and_location(api, stocked):
    shop = stocked
    make_order(shop.workspace, [(shop.crew_m, 10), (shop.crew_l, 4)], location=shop.main)
    make_order(shop.workspace, [(shop.crew_m, 5)], location=shop.main)
    make_order(shop.workspace, [(shop.crew_m, 7)], location=shop.store)

    assert incoming_by_level(api) == {
        ("MER-CREW-M", shop.main.pk): 15,
        ("MER-CREW-L", shop.main.pk): 4,
        ("MER-CREW-M", shop.store.pk): 7,
        ("MER-CREW-L", shop.store.pk): 0,
    }


def test_drafts_cancelled_and_received_orders_count_nothing(api, stocked):
    shop = stocked
    make_order(shop.workspace, [(shop.crew_m, 10)], status="draft")
    cancelled = make_order(shop.workspace, [(shop.crew_m, 20)])
    services.purchase_order_cancel(order=cancelled)
    received = make_order(shop.workspace, [(shop.crew_m, 30)])
    services.purchase_order_receive(order=received, actor=Actor.system())

    assert incoming_by_level(api, location_id=shop.main.pk)[("MER-CREW-M", shop.main.pk)] == 0


def test_a_partial_receipt_leaves_only_the_outstanding_incoming(api, stocked):
    shop = stocked
    order = make_order(shop.workspace, [(shop.crew_m, 10)])
    [line] = order.lines.all()

    services.purchase_order_receive(order=order, actor=Actor.system(), lines=[(line.pk, 6)])

    levels = api.get("stock", {"sku": "MER-CREW-M", "location_id": shop.main.pk}).json()
    [level] = levels["results"]
    assert (level["on_hand"], level["incoming"]) == (7, 4)

    services.purchase_order_cancel(order=order)

    [level] = api.get("stock", {"sku": "MER-CREW-M", "location_id": shop.main.pk}).json()["results"]
    assert (level["on_hand"], level["incoming"]) == (7, 0)


def test_a_placed_draft_starts_counting(api, stocked):
    shop = stocked
    draft = make_order(shop.workspace, [(shop.crew_l, 3)], status="draft")

    services.purchase_order_place(order=draft)

    assert incoming_by_level(api)[("MER-CREW-L", shop.main.pk)] == 3


def test_another_workspaces_orders_never_count(api, stocked, other):
    make_order(other.workspace, [(other.crew_m, 50)])

    assert set(incoming_by_level(api).values()) == {0}


def test_variant_and_product_stock_entries_carry_incoming(api, stocked):
    shop = stocked
    make_order(shop.workspace, [(shop.crew_m, 10)], location=shop.store)
    make_order(shop.workspace, [(shop.crew_l, 2)], location=shop.main)
    expected = {
        shop.crew_m.pk: [
            {"location_id": shop.main.pk, "on_hand": 1, "incoming": 0},
            {"location_id": shop.store.pk, "on_hand": 1, "incoming": 10},
        ],
        shop.crew_l.pk: [
            {"location_id": shop.main.pk, "on_hand": 1, "incoming": 2},
            {"location_id": shop.store.pk, "on_hand": 1, "incoming": 0},
        ],
    }

    variant = api.get(f"variants/{shop.crew_m.pk}").json()
    listed = api.get(f"products/{shop.crew_m.product_id}/variants").json()["results"]
    product = api.get(f"products/{shop.crew_m.product_id}").json()
    products = api.get("products").json()["results"]

    assert variant["stock"] == expected[shop.crew_m.pk]
    assert {v["id"]: v["stock"] for v in listed} == expected
    assert {v["id"]: v["stock"] for v in product["variants"]} == expected
    assert {v["id"]: v["stock"] for p in products for v in p["variants"]} == expected


def test_without_the_hook_incoming_is_zero(api, stocked, settings):
    shop = stocked
    make_order(shop.workspace, [(shop.crew_m, 10)])
    settings.SALYNC_STOCK_INCOMING = None

    # (The variant read paths compile their SQL once per connection, with the hook as it was
    # then: settings do not change in a running process. The level builder reads it per call.)
    assert set(incoming_by_level(api).values()) == {0}


def test_an_order_for_a_variant_never_stocked_there_shows_as_incoming(api, shop):
    """The shop's variants have no level at the store: ordering there creates it, at 0."""
    before = incoming_by_level(api, location_id=shop.store.pk)
    assert ("MER-CREW-L", shop.store.pk) not in before

    make_order(shop.workspace, [(shop.crew_l, 6)], location=shop.store)

    levels = api.get("stock", {"location_id": shop.store.pk, "sku": "MER-CREW-L"}).json()
    [level] = levels["results"]
    assert (level["on_hand"], level["incoming"]) == (0, 6)


def test_ordering_a_variant_already_stocked_creates_no_second_level(api, stocked):
    shop = stocked
    count = len(incoming_by_level(api))

    make_order(shop.workspace, [(shop.crew_m, 3), (shop.crew_l, 2)], location=shop.main)

    assert len(incoming_by_level(api)) == count
