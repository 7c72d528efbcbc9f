"""Suppliers and purchase orders over the API (SPEC §5.4): create, retrieve, update, list with
filters and cursor pagination, lines naming their variant by id or SKU."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inventory.services import variant_archive
from purchasing.models import PurchaseOrder, Supplier
from tests.api_client import assert_api_error, assert_fields
from tests.purchasing.conftest import snapshot
from tests.purchasing.factories import make_order, make_supplier

SUPPLIER_KEYS = {
    "id", "name", "email", "phone", "address", "currency", "lead_time_days", "notes",
    "created_at", "updated_at",
}  # fmt: skip
ORDER_KEYS = {
    "id", "number", "supplier_id", "location_id", "status", "expected_date", "notes", "lines",
    "created_at", "updated_at",
}  # fmt: skip
LINE_KEYS = {"id", "variant_id", "sku", "quantity", "quantity_received", "unit_cost"}


# --- Suppliers ---------------------------------------------------------------------------------


def test_a_supplier_is_created_retrieved_and_updated(api, shop):
    created = api.post(
        "suppliers",
        {
            "name": "Porto Cotton Works",
            "email": "sales@portocotton.example",
            "phone": "+351 22 000 0000",
            "address": "Rua do Algodão 88\nPorto",
            "currency": "EUR",
            "lead_time_days": 14,
            "notes": "Organic cotton.",
        },
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert set(body) == SUPPLIER_KEYS
    assert (body["name"], body["currency"], body["lead_time_days"]) == (
        "Porto Cotton Works",
        "EUR",
        14,
    )
    assert api.get(f"suppliers/{body['id']}").json() == body

    patched = api.patch(f"suppliers/{body['id']}", {"currency": "USD", "lead_time_days": 0})

    assert patched.status_code == 200, patched.content
    assert (patched.json()["currency"], patched.json()["lead_time_days"]) == ("USD", 0)
    assert patched.json()["name"] == "Porto Cotton Works"
    assert Supplier.objects.get(pk=body["id"]).currency == "USD"


def test_a_supplier_needs_only_a_name(api, shop):
    response = api.post("suppliers", {"name": "Kiln & Grain"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["email"], body["currency"], body["lead_time_days"]) == (None, "EUR", 0)


def test_suppliers_list_with_updated_since_and_pages(api, shop):
    for n in range(3):
        make_supplier(shop.workspace, name=f"Supplier {n}")
    later = timezone.now() + timedelta(seconds=1)

    first = api.get("suppliers", {"limit": 2}).json()
    second = api.get(first["next"]).json()

    assert [s["name"] for s in first["results"] + second["results"]] == [
        "Highland Wool Mill", "Supplier 0", "Supplier 1", "Supplier 2",
    ]  # fmt: skip
    assert second["next"] is None
    assert api.get("suppliers", {"updated_since": later.isoformat()}).json()["results"] == []


# --- Purchase orders ---------------------------------------------------------------------------


def create_order(api, shop, **fields):
    body = {
        "supplier_id": shop.supplier.pk,
        "location_id": shop.store.pk,
        "expected_date": "2027-01-15",
        "notes": "Winter restock.",
        "lines": [
            {"variant_id": shop.crew_m.pk, "quantity": 10, "unit_cost": "31.50"},
            {"sku": shop.crew_l.sku, "quantity": 4, "unit_cost": "30"},
        ],
        **fields,
    }
    return api.post("purchase-orders", body)


def test_an_order_is_created_with_lines_by_variant_id_or_sku(api, shop):
    response = create_order(api, shop)

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == ORDER_KEYS
    assert body["number"] == "PO-0001"
    assert body["status"] == "ordered"
    assert (body["supplier_id"], body["location_id"]) == (shop.supplier.pk, shop.store.pk)
    assert body["expected_date"] == "2027-01-15"
    assert [set(line) for line in body["lines"]] == [LINE_KEYS, LINE_KEYS]
    assert [
        (ln["variant_id"], ln["sku"], ln["quantity"], ln["quantity_received"], ln["unit_cost"])
        for ln in body["lines"]
    ] == [
        (shop.crew_m.pk, "MER-CREW-M", 10, 0, "31.50"),
        (shop.crew_l.pk, "MER-CREW-L", 4, 0, "30.00"),
    ]
    assert api.get(f"purchase-orders/{body['id']}").json() == body


def test_orders_are_numbered_in_sequence_per_workspace(api, shop, other):
    numbers = [create_order(api, shop).json()["number"] for _ in range(3)]
    elsewhere = make_order(other.workspace, [(other.crew_m, 1)])

    assert numbers == ["PO-0001", "PO-0002", "PO-0003"]
    assert elsewhere.number == "PO-0001"


def test_an_order_without_a_location_goes_to_the_default_one(api, shop):
    response = create_order(api, shop, location_id=None)
    assert_fields(response, "location_id")  # null is not "omitted"

    body = {
        "supplier_id": shop.supplier.pk,
        "lines": [{"sku": "MER-CREW-M", "quantity": 1, "unit_cost": "1"}],
    }
    response = api.post("purchase-orders", body)

    assert response.status_code == 201, response.content
    assert response.json()["location_id"] == shop.main.pk
    assert response.json()["expected_date"] is None


def test_an_order_may_be_created_as_a_draft(api, shop):
    response = create_order(api, shop, status="draft")

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "draft"


@pytest.mark.parametrize("status", ["partially_received", "received", "cancelled", "open"])
def test_an_order_cannot_be_created_in_another_status(api, shop, status):
    assert_fields(create_order(api, shop, status=status), "status")
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize("reference", ["variant_id", "sku"])
def test_an_archived_variant_cannot_be_ordered(api, shop, reference):
    variant_archive(variant=shop.crew_l)
    value = shop.crew_l.pk if reference == "variant_id" else shop.crew_l.sku
    before = snapshot(shop.workspace)

    response = create_order(
        api,
        shop,
        lines=[
            {"sku": "MER-CREW-M", "quantity": 1, "unit_cost": "1.00"},
            {reference: value, "quantity": 1, "unit_cost": "1.00"},
        ],
    )

    fields = assert_fields(response, f"lines.1.{reference}")
    assert set(fields) == {f"lines.1.{reference}"}
    assert "archived" in fields[f"lines.1.{reference}"][0]
    assert snapshot(shop.workspace) == before


def test_unknown_variants_are_named_per_line(api, shop):
    response = create_order(
        api,
        shop,
        lines=[
            {"sku": "MER-CREW-M", "quantity": 1, "unit_cost": "1.00"},
            {"sku": "NO-SUCH", "quantity": 1, "unit_cost": "1.00"},
            {"sku": "MER-CREW-L", "quantity": 1, "unit_cost": "1.00"},
            {"variant_id": 987654321, "quantity": 1, "unit_cost": "1.00"},
        ],
    )

    assert set(assert_fields(response, "lines.1.sku", "lines.3.variant_id")) == {
        "lines.1.sku",
        "lines.3.variant_id",
    }
    assert not PurchaseOrder.objects.exists()


def test_an_unknown_supplier_or_location_is_named(api, shop):
    response = create_order(api, shop, supplier_id=987654321, location_id=987654321)

    assert set(assert_fields(response, "supplier_id", "location_id")) == {
        "supplier_id",
        "location_id",
    }


def test_orders_list_filters_by_status_and_supplier(api, shop):
    second_supplier = make_supplier(shop.workspace, name="Porto Cotton Works")
    ordered = make_order(shop.workspace, [(shop.crew_m, 2)], supplier=shop.supplier)
    draft = make_order(shop.workspace, [(shop.crew_m, 2)], supplier=second_supplier, status="draft")
    received = make_order(shop.workspace, [(shop.crew_l, 2)], supplier=shop.supplier)
    assert api.post(f"purchase-orders/{received.pk}/receive").status_code == 200

    def numbers(**params):
        response = api.get("purchase-orders", params)
        assert response.status_code == 200, response.content
        return [order["number"] for order in response.json()["results"]]

    assert numbers() == [ordered.number, draft.number, received.number]
    assert numbers(status="draft") == [draft.number]
    assert numbers(status="received") == [received.number]
    assert numbers(status="cancelled") == []
    assert numbers(supplier_id=shop.supplier.pk) == [ordered.number, received.number]
    assert numbers(supplier_id=second_supplier.pk, status="draft") == [draft.number]
    assert numbers(updated_since=(timezone.now() + timedelta(seconds=1)).isoformat()) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("status", "open"),
        ("status", ""),
        ("supplier_id", "x"),
        ("supplier_id", "0"),
        ("updated_since", "yesterday"),
    ],
)
def test_an_invalid_filter_is_400_naming_it(api, shop, name, value):
    assert_fields(api.get("purchase-orders", {name: value}), name)


def test_an_unknown_order_or_supplier_is_404(api, shop):
    for path in ("purchase-orders/987654321", "suppliers/987654321"):
        assert_api_error(api.get(path), 404, "not_found")
    for action in ("receive", "cancel"):
        assert_api_error(api.post(f"purchase-orders/987654321/{action}"), 404, "not_found")


def test_orders_cannot_be_changed_or_deleted_directly(api, shop):
    order = make_order(shop.workspace, [(shop.crew_m, 2)])

    assert_api_error(
        api.patch(f"purchase-orders/{order.pk}", {"notes": "x"}), 405, "method_not_allowed"
    )
    assert_api_error(api.delete(f"purchase-orders/{order.pk}"), 405, "method_not_allowed")
    assert_api_error(api.delete(f"suppliers/{shop.supplier.pk}"), 405, "method_not_allowed")


def test_the_api_index_lists_suppliers_and_purchase_orders(api, shop):
    resources = api.get().json()["resources"]

    assert {"suppliers", "purchase-orders"} <= set(resources)
    assert resources["suppliers"].endswith("/api/v1/suppliers")
