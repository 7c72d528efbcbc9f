"""Receiving a purchase order (SPEC §5.4): partial then full receipts move the status and the
stock exactly, with one ledger row per line received and the order as its source; an over
receipt, an order in the wrong state or an unknown line changes nothing; cancelling keeps what
arrived and stops the rest counting as incoming."""

import pytest

from core.models import DomainEvent
from inventory.models import StockAdjustment, StockLevel
from purchasing.models import OrderStatus, PurchaseOrder
from purchasing.representations import order_represent
from tests.api_client import assert_api_error
from tests.purchasing.conftest import snapshot
from tests.purchasing.factories import make_order


def on_hand(variant, location) -> int:
    """0 where the variant was never stocked (no level yet)."""
    level = StockLevel.objects.filter(variant=variant, location=location).first()
    return level.on_hand if level else 0


def receive(api, order, body=None, **kwargs):
    return api.post(f"purchase-orders/{order.pk}/receive", body, **kwargs)


def events_of(workspace, type: str) -> list[dict]:
    return [
        event.data["object"]
        for event in DomainEvent.objects.filter(workspace=workspace, type=type).order_by("pk")
    ]


@pytest.fixture
def order(shop):
    """10 of MER-CREW-M and 4 of MER-CREW-L, to the retail store."""
    return make_order(
        shop.workspace, [(shop.crew_m, 10, "31.50"), (shop.crew_l, 4)], location=shop.store
    )


def line_ids(order) -> list[int]:
    return list(order.lines.order_by("pk").values_list("pk", flat=True))


def test_a_partial_then_a_full_receipt_moves_status_and_stock_exactly(api, shop, order):
    m_line, l_line = line_ids(order)
    ledger_before = StockAdjustment.objects.count()

    first = receive(api, order, {"lines": [{"line_id": m_line, "quantity": 6}]})

    assert first.status_code == 200, first.content
    body = first.json()
    assert body["status"] == "partially_received"
    assert [(ln["quantity"], ln["quantity_received"]) for ln in body["lines"]] == [(10, 6), (4, 0)]
    assert on_hand(shop.crew_m, shop.store) == 6
    assert on_hand(shop.crew_l, shop.store) == 0
    [entry] = StockAdjustment.objects.filter(pk__gt=0).order_by("-pk")[:1]
    assert StockAdjustment.objects.count() == ledger_before + 1
    assert (entry.variant_id, entry.location_id, entry.quantity, entry.on_hand_after) == (
        shop.crew_m.pk, shop.store.pk, 6, 6,
    )  # fmt: skip
    assert entry.reason == "received"
    assert (entry.source_type, entry.source_id, entry.source_name) == (
        "purchase_order", order.pk, order.number,
    )  # fmt: skip
    assert "ERP sync" in entry.note

    second = receive(
        api,
        order,
        {"lines": [{"line_id": m_line, "quantity": 4}, {"line_id": l_line, "quantity": 4}]},
    )

    assert second.status_code == 200, second.content
    assert second.json()["status"] == "received"
    assert [ln["quantity_received"] for ln in second.json()["lines"]] == [10, 4]
    assert on_hand(shop.crew_m, shop.store) == 10
    assert on_hand(shop.crew_l, shop.store) == 4
    assert StockAdjustment.objects.count() == ledger_before + 3  # one row per line received
    assert on_hand(shop.crew_m, shop.main) == 0  # the order's location only


def test_the_ledger_shows_the_order_as_the_source(api, shop, order):
    assert receive(api, order).status_code == 200

    rows = api.get("stock/adjustments", {"location_id": shop.store.pk}).json()["results"]

    assert [(row["sku"], row["quantity"], row["source"]) for row in rows] == [
        ("MER-CREW-M", 10, {"type": "purchase_order", "id": order.pk, "name": order.number}),
        ("MER-CREW-L", 4, {"type": "purchase_order", "id": order.pk, "name": order.number}),
    ]


@pytest.mark.parametrize("body", [None, {}, {"lines": []}], ids=["no body", "{}", "no lines"])
def test_no_lines_receives_everything_outstanding(api, shop, order, body):
    m_line, _ = line_ids(order)
    assert receive(api, order, {"lines": [{"line_id": m_line, "quantity": 3}]}).status_code == 200

    response = receive(api, order, body)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "received"
    assert on_hand(shop.crew_m, shop.store) == 10
    assert on_hand(shop.crew_l, shop.store) == 4
    assert StockAdjustment.objects.filter(source_id=order.pk).count() == 3


def test_receipt_events_carry_the_order_as_it_is_then(api, shop, order):
    m_line, _ = line_ids(order)

    receive(api, order, {"lines": [{"line_id": m_line, "quantity": 6}]})
    partial = order_represent(order.pk)
    receive(api, order)

    [created] = events_of(shop.workspace, "purchase_order.created")
    assert created["status"] == "ordered"
    assert [ln["quantity_received"] for ln in created["lines"]] == [0, 0]
    assert events_of(shop.workspace, "purchase_order.partially_received") == [partial]
    assert events_of(shop.workspace, "purchase_order.received") == [order_represent(order.pk)]
    assert len(events_of(shop.workspace, "stock.adjusted")) == 3


def test_receiving_more_than_is_outstanding_is_409_and_changes_nothing(api, shop, order):
    m_line, l_line = line_ids(order)
    receive(api, order, {"lines": [{"line_id": m_line, "quantity": 8}]})
    before, events = snapshot(shop.workspace), DomainEvent.objects.count()

    response = receive(
        api,
        order,
        {"lines": [{"line_id": l_line, "quantity": 4}, {"line_id": m_line, "quantity": 3}]},
    )

    error = assert_api_error(response, 409, "over_receipt")
    assert set(error["fields"]) == {"lines.1.quantity"}
    assert "2 outstanding" in error["message"]
    assert snapshot(shop.workspace) == before
    assert DomainEvent.objects.count() == events


@pytest.mark.parametrize("state", ["draft", "cancelled", "received"])
def test_a_draft_cancelled_or_received_order_cannot_be_received(api, shop, state):
    order = make_order(
        shop.workspace, [(shop.crew_m, 5)], status="draft" if state == "draft" else "ordered"
    )
    if state == "cancelled":
        assert api.post(f"purchase-orders/{order.pk}/cancel").status_code == 200
    if state == "received":
        assert receive(api, order).status_code == 200
    before = snapshot(shop.workspace)

    response = receive(api, order)

    assert_api_error(response, 409, "invalid_state")
    assert snapshot(shop.workspace) == before


def test_an_unknown_line_is_400_naming_it_and_changes_nothing(api, shop, order):
    other_order = make_order(shop.workspace, [(shop.crew_m, 5)])
    m_line, _ = line_ids(order)
    before = snapshot(shop.workspace)

    response = receive(
        api,
        order,
        {
            "lines": [
                {"line_id": m_line, "quantity": 1},
                {"line_id": line_ids(other_order)[0], "quantity": 1},
            ]
        },
    )

    error = assert_api_error(response, 400, "validation_error")
    assert set(error["fields"]) == {"lines.1.line_id"}
    assert snapshot(shop.workspace) == before


def test_the_same_line_twice_in_one_receipt_is_400(api, shop, order):
    m_line, _ = line_ids(order)

    response = receive(
        api,
        order,
        {"lines": [{"line_id": m_line, "quantity": 1}, {"line_id": m_line, "quantity": 1}]},
    )

    error = assert_api_error(response, 400, "validation_error")
    assert set(error["fields"]) == {"lines.1.line_id"}


def test_a_partially_received_order_cancelled_keeps_its_stock_and_stops_incoming(api, shop, order):
    m_line, _ = line_ids(order)
    receive(api, order, {"lines": [{"line_id": m_line, "quantity": 6}]})

    response = api.post(f"purchase-orders/{order.pk}/cancel")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert on_hand(shop.crew_m, shop.store) == 6
    assert [ln["quantity_received"] for ln in response.json()["lines"]] == [6, 0]
    levels = api.get("stock", {"location_id": shop.store.pk}).json()["results"]
    # (MER-CREW-L was never stocked at the store: the order gave it a level there, at 0.)
    assert {level["sku"]: (level["on_hand"], level["incoming"]) for level in levels} == {
        "MER-CREW-M": (6, 0),
        "MER-CREW-L": (0, 0),
    }


@pytest.mark.parametrize("start", ["draft", "ordered"])
def test_draft_and_ordered_orders_may_be_cancelled(api, shop, start):
    order = make_order(shop.workspace, [(shop.crew_m, 5)], status=start)

    response = api.post(f"purchase-orders/{order.pk}/cancel")

    assert response.status_code == 200
    assert PurchaseOrder.objects.get(pk=order.pk).status == OrderStatus.CANCELLED


@pytest.mark.parametrize("state", ["cancelled", "received"])
def test_a_cancelled_or_received_order_cannot_be_cancelled(api, shop, order, state):
    action = {"cancelled": "cancel", "received": "receive"}[state]
    assert api.post(f"purchase-orders/{order.pk}/{action}").status_code == 200
    before = snapshot(shop.workspace)

    response = api.post(f"purchase-orders/{order.pk}/cancel")

    assert_api_error(response, 409, "invalid_state")
    assert snapshot(shop.workspace) == before
    assert on_hand(shop.crew_m, shop.store) == (10 if state == "received" else 0)


def test_a_read_only_key_cannot_receive(client, shop, order):
    from apikeys.models import Access
    from tests.api_client import ApiClient

    reader = ApiClient.for_workspace(client, shop.workspace, access=Access.READ_ONLY, name="BI")
    before = snapshot(shop.workspace)

    assert_api_error(receive(reader, order), 403, "insufficient_scope")
    assert_api_error(reader.post(f"purchase-orders/{order.pk}/cancel"), 403, "insufficient_scope")
    assert snapshot(shop.workspace) == before


def test_a_replayed_receipt_receives_once(api, shop, order):
    m_line, _ = line_ids(order)
    body = {"lines": [{"line_id": m_line, "quantity": 2}]}

    first = receive(api, order, body, HTTP_IDEMPOTENCY_KEY="receipt-1")
    again = receive(api, order, body, HTTP_IDEMPOTENCY_KEY="receipt-1")

    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert on_hand(shop.crew_m, shop.store) == 2


def test_a_receipt_without_a_body_or_content_type_receives_everything(client, api, shop, order):
    response = client.generic(
        "POST",
        f"/api/v1/purchase-orders/{order.pk}/receive",
        b"",
        content_type="",
        secure=True,
        HTTP_AUTHORIZATION=f"Bearer {api.raw}",
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "received"
