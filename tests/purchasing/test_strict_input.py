"""Strict input (SPEC §5.3) on suppliers and purchase orders: unknown fields, wrong JSON types,
an unknown currency, a negative lead time, quantities of 0 or less, money that is not a decimal
string, too many lines. Each is 400 ``validation_error`` naming the field, and changes nothing."""

import json

import pytest

from purchasing.limits import MAX_ORDER_LINES
from tests.api_client import assert_fields
from tests.purchasing.conftest import snapshot
from tests.purchasing.factories import make_order

SMALL_BODY = 2048


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "colour": "red"}, "colour"),
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": 42}, "name"),
        ({"name": "Esc\x1b[31m"}, "name"),
        ({"name": "X" * 201}, "name"),
        ({"name": "X", "currency": "eur"}, "currency"),
        ({"name": "X", "currency": "EURO"}, "currency"),
        ({"name": "X", "currency": "XXX"}, "currency"),  # ISO's "no currency"
        ({"name": "X", "currency": "ABC"}, "currency"),
        ({"name": "X", "currency": 978}, "currency"),
        ({"name": "X", "currency": None}, "currency"),
        ({"name": "X", "lead_time_days": -1}, "lead_time_days"),
        ({"name": "X", "lead_time_days": "3"}, "lead_time_days"),
        ({"name": "X", "lead_time_days": 2.5}, "lead_time_days"),
        ({"name": "X", "lead_time_days": True}, "lead_time_days"),
        ({"name": "X", "lead_time_days": 10**6}, "lead_time_days"),
        ({"name": "X", "email": "not an address"}, "email"),
        ({"name": "X", "email": 7}, "email"),
        ({"name": "X", "phone": "+44\n1"}, "phone"),
        ({"name": "X", "notes": "bell\x07"}, "notes"),
    ],
)
def test_a_bad_supplier_is_400_naming_the_field(api, shop, body, field):
    before = snapshot(shop.workspace)

    assert_fields(api.post("suppliers", body), field)
    if "name" in body and field != "name":
        assert_fields(api.patch(f"suppliers/{shop.supplier.pk}", body), field)
    assert snapshot(shop.workspace) == before


def test_a_supplier_accepts_a_multiline_address_and_null_email(api, shop):
    response = api.post("suppliers", {"name": "X", "address": "A\r\nB\tC", "email": None})

    assert response.status_code == 201, response.content
    assert response.json()["address"] == "A\r\nB\tC"
    assert response.json()["email"] is None


def order_body(shop, **fields):
    return {
        "supplier_id": shop.supplier.pk,
        "lines": [{"sku": shop.crew_m.sku, "quantity": 3, "unit_cost": "4.20"}],
        **fields,
    }


def line(shop, **fields):
    return {"sku": shop.crew_m.sku, "quantity": 3, "unit_cost": "4.20", **fields}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda s: {"priority": "high"}, "priority"),
        (lambda s: {"supplier_id": None}, "supplier_id"),
        (lambda s: {"supplier_id": str(s.supplier.pk)}, "supplier_id"),
        (lambda s: {"supplier_id": 0}, "supplier_id"),
        (lambda s: {"location_id": "1"}, "location_id"),
        (lambda s: {"status": "received"}, "status"),
        (lambda s: {"expected_date": 20270101}, "expected_date"),
        (lambda s: {"expected_date": "2027-13-01"}, "expected_date"),
        (lambda s: {"expected_date": "2027-01-01T10:00:00Z"}, "expected_date"),
        (lambda s: {"notes": "\x1b[2J"}, "notes"),
        (lambda s: {"lines": []}, "lines"),
        (lambda s: {"lines": {"sku": s.crew_m.sku}}, "lines"),
        (lambda s: {"lines": [line(s, colour="red")]}, "lines.0.colour"),
        (lambda s: {"lines": [line(s, quantity=0)]}, "lines.0.quantity"),
        (lambda s: {"lines": [line(s, quantity=-2)]}, "lines.0.quantity"),
        (lambda s: {"lines": [line(s, quantity="3")]}, "lines.0.quantity"),
        (lambda s: {"lines": [line(s, quantity=1.5)]}, "lines.0.quantity"),
        (lambda s: {"lines": [line(s, quantity=10**7)]}, "lines.0.quantity"),
        (lambda s: {"lines": [line(s, unit_cost="-1.00")]}, "lines.0.unit_cost"),
        (lambda s: {"lines": [line(s, unit_cost=4.2)]}, "lines.0.unit_cost"),
        (lambda s: {"lines": [line(s, unit_cost="1e2")]}, "lines.0.unit_cost"),
        (lambda s: {"lines": [line(s, unit_cost="4.205")]}, "lines.0.unit_cost"),
        (lambda s: {"lines": [line(s, unit_cost=None)]}, "lines.0.unit_cost"),
        (lambda s: {"lines": [{"quantity": 1, "unit_cost": "1"}]}, "lines.0.variant_id"),
        (lambda s: {"lines": [line(s, variant_id=s.crew_m.pk)]}, "lines.0.variant_id"),
        (lambda s: {"lines": [line(s), line(s, quantity=0)]}, "lines.1.quantity"),
    ],
)
def test_a_bad_order_is_400_naming_the_field(api, shop, change, field):
    before = snapshot(shop.workspace)

    response = api.post("purchase-orders", order_body(shop, **change(shop)))

    assert_fields(response, field)
    assert snapshot(shop.workspace) == before


def test_too_many_lines_are_refused_before_any_is_looked_at(api, shop):
    body = order_body(shop, lines=[line(shop, quantity=0)] * (MAX_ORDER_LINES + 1))

    response = api.post("purchase-orders", body)

    fields = assert_fields(response, "lines")
    assert set(fields) == {"lines"}
    assert len(response.content) < SMALL_BODY


def test_a_hundred_bad_lines_get_a_short_answer(api, shop):
    body = order_body(shop, lines=[line(shop, quantity=0)] * MAX_ORDER_LINES)

    response = api.post("purchase-orders", body)

    assert_fields(response, "lines.0.quantity")
    assert len(response.content) < SMALL_BODY * 2


@pytest.fixture
def order(shop):
    return make_order(shop.workspace, [(shop.crew_m, 5)])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"everything": True}, "everything"),
        ({"lines": "all"}, "lines"),
        ({"lines": [{"line_id": "LINE", "quantity": 1}]}, "lines.0.line_id"),
        ({"lines": [{"line_id": 1}]}, "lines.0.quantity"),
        ({"lines": [{"line_id": 1, "quantity": 0}]}, "lines.0.quantity"),
        ({"lines": [{"line_id": 1, "quantity": -1}]}, "lines.0.quantity"),
        ({"lines": [{"line_id": 1, "quantity": 1, "note": "x"}]}, "lines.0.note"),
    ],
)
def test_a_bad_receipt_is_400_naming_the_field(api, shop, order, body, field):
    before = snapshot(shop.workspace)

    assert_fields(api.post(f"purchase-orders/{order.pk}/receive", body), field)
    assert snapshot(shop.workspace) == before


@pytest.mark.parametrize("raw", ["[]", "null", '"all"', "0"])
def test_a_receipt_body_that_is_not_an_object_is_400(api, shop, order, raw):
    before = snapshot(shop.workspace)

    response = api.post(f"purchase-orders/{order.pk}/receive", body=raw)

    assert_fields(response)
    assert snapshot(shop.workspace) == before


def test_malformed_json_is_refused(api, shop, order):
    from tests.api_client import assert_api_error

    response = api.post(f"purchase-orders/{order.pk}/receive", body='{"lines": [')

    assert_api_error(response, 400, "malformed_json")
    assert json.loads(response.content)["error"]["request_id"] == response["X-Request-Id"]
