"""Tenant isolation (SPEC §3): with workspace A's key, every supplier and purchase-order
endpoint treats workspace B's objects exactly as ids that do not exist, no list shows B's
data, and no write can name B's supplier, location, variant or order lines.

The walk is driven by ``purchasing.api_urls``: a test fails if a route is added there without
being walked here."""

import pytest
from django.urls import reverse

from purchasing import api_urls
from purchasing.models import PurchaseOrder
from tests.api_client import ApiClient
from tests.factories import make_key
from tests.purchasing.conftest import shop_make, snapshot
from tests.purchasing.factories import make_order

MISSING = 987_654_321


@pytest.fixture
def a(db):
    shop = shop_make("Alpha Outfitters", prefix="A")
    shop.order = make_order(shop.workspace, [(shop.crew_m, 5)], supplier=shop.supplier)
    return shop


@pytest.fixture
def b(db):
    shop = shop_make("Bravo Homeware", prefix="B")
    shop.order = make_order(shop.workspace, [(shop.crew_m, 5), (shop.crew_l, 2)])
    shop.draft = make_order(shop.workspace, [(shop.crew_m, 1)], status="draft")
    return shop


@pytest.fixture
def api_a(client, a) -> ApiClient:
    return ApiClient(client, make_key(a.workspace, name="A sync"))


def url(name: str, **kwargs) -> str:
    return reverse(f"api:{name}", kwargs=kwargs or None)


def without_request_id(response) -> bytes:
    return response.content.replace(response["X-Request-Id"].encode(), b"")


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    error = response.json()["error"]
    assert error["code"] == code, error
    return {k: v for k, v in error.items() if k != "request_id"}


# (route name, method, which of B's objects is in the path, body)
DETAIL_CALLS = [
    ("supplier", "GET", "supplier", None),
    ("supplier", "PATCH", "supplier", {"name": "Renamed by A"}),
    ("purchase-order", "GET", "order", None),
    ("purchase-order-receive", "POST", "order", None),
    ("purchase-order-receive", "POST", "order", {"lines": [{"line_id": 1, "quantity": 1}]}),
    ("purchase-order-cancel", "POST", "order", None),
    ("purchase-order-cancel", "POST", "draft", None),
]
LIST_ROUTES = {"suppliers", "purchase-orders"}


def test_the_walk_covers_every_route_of_the_purchasing_api():
    routes = {pattern.name for pattern in api_urls.urlpatterns}
    assert routes == {name for name, *_ in DETAIL_CALLS} | LIST_ROUTES
    assert routes == {
        "suppliers", "supplier", "purchase-orders", "purchase-order", "purchase-order-receive",
        "purchase-order-cancel",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("name", "method", "target", "body"),
    DETAIL_CALLS,
    ids=[
        f"{method} {name} {target}{' body' if body else ''}"
        for name, method, target, body in DETAIL_CALLS
    ],
)
def test_another_workspaces_id_is_404_exactly_like_a_missing_one(
    api_a, a, b, name, method, target, body
):
    before = snapshot(b.workspace)

    response = api_a.request(method, url(name, pk=getattr(b, target).pk), body)
    missing = api_a.request(method, url(name, pk=MISSING), body)

    assert error_of(response, 404, "not_found") == error_of(missing, 404, "not_found")
    assert without_request_id(response) == without_request_id(missing)
    assert snapshot(b.workspace) == before


def test_the_same_ids_work_for_their_own_workspace(client, b):
    api_b = ApiClient(client, make_key(b.workspace, name="B sync"))

    assert api_b.get(url("supplier", pk=b.supplier.pk)).status_code == 200
    assert api_b.get(url("purchase-order", pk=b.order.pk)).status_code == 200
    assert api_b.post(url("purchase-order-cancel", pk=b.draft.pk)).status_code == 200
    assert api_b.post(url("purchase-order-receive", pk=b.order.pk)).status_code == 200


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    assert response.json()["next"] is None
    return {row["id"] for row in response.json()["results"]}


def test_lists_show_only_the_keys_workspace_whatever_the_filter(api_a, a, b):
    assert ids(api_a.get("suppliers", {"limit": 200})) == {a.supplier.pk}
    assert ids(api_a.get("purchase-orders", {"limit": 200})) == {a.order.pk}
    assert ids(api_a.get("purchase-orders", {"supplier_id": b.supplier.pk})) == set()
    assert ids(api_a.get("purchase-orders", {"status": "draft"})) == set()
    assert (
        ids(api_a.get("purchase-orders", {"status": "ordered", "supplier_id": b.supplier.pk}))
        == set()
    )


def test_stock_incoming_never_counts_another_workspaces_orders(api_a, a, b):
    levels = api_a.get("stock", {"limit": 200}).json()["results"]

    assert {(lv["sku"], lv["incoming"]) for lv in levels if lv["location_id"] == a.main.pk} == {
        ("A-CREW-M", 5),
        ("A-CREW-L", 0),
    }


@pytest.mark.parametrize(
    ("refs", "field"),
    [
        (lambda a, b: {"supplier_id": b.supplier.pk}, "supplier_id"),
        (lambda a, b: {"location_id": b.main.pk}, "location_id"),
        (
            lambda a, b: {
                "lines": [{"variant_id": b.crew_m.pk, "quantity": 1, "unit_cost": "1.00"}]
            },
            "lines.0.variant_id",
        ),
        (
            lambda a, b: {"lines": [{"sku": b.crew_m.sku, "quantity": 1, "unit_cost": "1.00"}]},
            "lines.0.sku",
        ),
    ],
    ids=["supplier_id", "location_id", "variant_id", "sku"],
)
def test_creating_an_order_with_another_workspaces_reference_is_unknown(api_a, a, b, refs, field):
    missing_refs = {
        "supplier_id": {"supplier_id": MISSING},
        "location_id": {"location_id": MISSING},
        "lines.0.variant_id": {
            "lines": [{"variant_id": MISSING, "quantity": 1, "unit_cost": "1.00"}]
        },
        "lines.0.sku": {"lines": [{"sku": "NO-SUCH-SKU", "quantity": 1, "unit_cost": "1.00"}]},
    }[field]
    base = {
        "supplier_id": a.supplier.pk,
        "lines": [{"sku": a.crew_m.sku, "quantity": 1, "unit_cost": "1.00"}],
    }
    before_a, before_b = snapshot(a.workspace), snapshot(b.workspace)

    response = api_a.post(url("purchase-orders"), {**base, **refs(a, b)})
    missing = api_a.post(url("purchase-orders"), {**base, **missing_refs})

    error = error_of(response, 400, "validation_error")
    assert error == error_of(missing, 400, "validation_error")
    assert set(error["fields"]) == {field}
    assert snapshot(a.workspace) == before_a
    assert snapshot(b.workspace) == before_b


def test_receiving_another_orders_line_is_unknown(api_a, a, b):
    b_line = b.order.lines.order_by("pk").first()
    before_a, before_b = snapshot(a.workspace), snapshot(b.workspace)

    response = api_a.post(
        url("purchase-order-receive", pk=a.order.pk),
        {"lines": [{"line_id": b_line.pk, "quantity": 1}]},
    )
    missing = api_a.post(
        url("purchase-order-receive", pk=a.order.pk),
        {"lines": [{"line_id": MISSING, "quantity": 1}]},
    )

    assert error_of(response, 400, "validation_error") == error_of(missing, 400, "validation_error")
    assert snapshot(a.workspace) == before_a
    assert snapshot(b.workspace) == before_b
    assert PurchaseOrder.objects.get(pk=b.order.pk).status == "ordered"


def test_a_supplier_name_or_order_number_used_elsewhere_is_free(api_a, a, b):
    response = api_a.post(url("suppliers"), {"name": b.supplier.name})

    assert response.status_code == 201
    assert a.order.number == b.order.number == "PO-0001"
