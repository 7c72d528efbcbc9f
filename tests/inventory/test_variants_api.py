"""SPEC §5.4: variants under their product and by id — list, create, retrieve, PATCH,
archive/unarchive; archived variants keep their stock and history."""

import pytest

from inventory.models import StockAdjustment, StockLevel, Variant
from tests.api_client import assert_error, assert_fields
from tests.inventory.conftest import snapshot


@pytest.fixture
def product(api, default_location):
    return api.create_product("Merino crew", ["MER-M", "MER-L"])


def variant_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


# --- List and create under a product -----------------------------------------------------------


def test_list_under_a_product_shows_its_active_variants(api, product):
    other = api.create_product("Sock", ["SOCK-1"])
    m, l_ = (v["id"] for v in product["variants"])
    api.post(f"variants/{l_}/archive")

    listed = api.get(f"products/{product['id']}/variants")

    assert variant_ids(listed) == [m]
    assert listed.json()["results"][0]["sku"] == "MER-M"
    assert variant_ids(api.get(f"products/{product['id']}/variants", {"status": "all"})) == [m, l_]
    assert variant_ids(api.get(f"products/{product['id']}/variants", {"status": "archived"})) == [
        l_
    ]
    assert variant_ids(api.get(f"products/{other['id']}/variants")) == [other["variants"][0]["id"]]


def test_list_under_an_unknown_product_is_404(api):
    assert_error(api.get("products/999999/variants"), 404, "not_found")


def test_create_under_a_product(api, product, default_location):
    body = {
        "sku": "MER-XL",
        "name": "XL",
        "options": {"size": "XL"},
        "barcode": "96385074",
        "price": "21.50",
        "reorder_point": 3,
    }

    response = api.post(f"products/{product['id']}/variants", body)

    assert response.status_code == 201, response.content
    variant = response.json()
    assert variant["product_id"] == product["id"]
    assert variant["sku"] == "MER-XL"
    assert variant["options"] == {"size": "XL"}
    assert variant["barcode"] == "96385074"
    assert variant["price"] == "21.50"
    assert variant["reorder_point"] == 3
    assert variant["status"] == "active"
    assert variant["stock"] == [{"location_id": default_location.pk, "on_hand": 0, "incoming": 0}]
    level = StockLevel.objects.get(variant_id=variant["id"])
    assert (level.location, level.on_hand) == (default_location, 0)
    listed = api.get(f"products/{product['id']}")
    assert [v["sku"] for v in listed.json()["variants"]] == ["MER-M", "MER-L", "MER-XL"]


def test_create_with_a_taken_sku_is_409(api, product, other_api):
    other_api.create_product("Theirs", ["THEIRS-1"])
    before = snapshot(api.workspace)

    response = api.post(f"products/{product['id']}/variants", {"sku": "MER-L"})

    error = assert_error(response, 409, "sku_taken")
    assert "sku" in error["fields"]
    assert snapshot(api.workspace) == before
    # Another workspace's SKU is not taken here.
    ok = api.post(f"products/{product['id']}/variants", {"sku": "THEIRS-1"})
    assert ok.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "sku"),
        ({"sku": "X", "barcode": "12345678"}, "barcode"),
        ({"sku": "X", "price": "-1"}, "price"),
        ({"sku": "X", "reorder_point": -1}, "reorder_point"),
        ({"sku": "X", "status": "archived"}, "status"),
        ({"sku": "X", "product_id": 1}, "product_id"),
    ],
)
def test_create_validates_the_body(api, product, body, field):
    before = snapshot(api.workspace)

    assert_fields(api.post(f"products/{product['id']}/variants", body), field)
    assert snapshot(api.workspace) == before


def test_create_under_an_unknown_product_is_404(api):
    assert_error(api.post("products/999999/variants", {"sku": "X"}), 404, "not_found")
    assert not Variant.objects.filter(workspace=api.workspace, sku="X").exists()


# --- Retrieve and PATCH by id ------------------------------------------------------------------


def test_retrieve_a_variant(api, product):
    variant = product["variants"][0]

    response = api.get(f"variants/{variant['id']}")

    assert response.status_code == 200
    assert response.json() == variant


def test_retrieve_an_unknown_variant_is_404(api):
    assert_error(api.get("variants/999999"), 404, "not_found")


def test_patch_fields(api, product):
    variant = product["variants"][0]

    response = api.patch(
        f"variants/{variant['id']}",
        {"sku": "MER-MEDIUM", "reorder_point": 12, "price": "18.00", "options": {"size": "M"}},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["sku"] == "MER-MEDIUM"
    assert body["reorder_point"] == 12
    assert body["price"] == "18.00"
    assert body["options"] == {"size": "M"}
    stored = Variant.objects.get(pk=variant["id"])
    assert (stored.sku, stored.reorder_point) == ("MER-MEDIUM", 12)
    # The old SKU is free again.
    assert api.post(f"products/{product['id']}/variants", {"sku": "MER-M"}).status_code == 201


def test_patch_to_its_own_sku_is_fine(api, product):
    variant = product["variants"][0]

    response = api.patch(f"variants/{variant['id']}", {"sku": "MER-M", "name": "Medium"})

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Medium"


def test_patch_to_a_taken_sku_is_409_and_changes_nothing(api, product):
    variant = product["variants"][0]

    response = api.patch(f"variants/{variant['id']}", {"sku": "MER-L", "reorder_point": 9})

    error = assert_error(response, 409, "sku_taken")
    assert "sku" in error["fields"]
    stored = Variant.objects.get(pk=variant["id"])
    assert (stored.sku, stored.reorder_point) == ("MER-M", 0)


def test_patch_barcode_to_null_clears_it(api, product):
    variant = product["variants"][0]
    api.patch(f"variants/{variant['id']}", {"barcode": "4006381333931"})

    response = api.patch(f"variants/{variant['id']}", {"barcode": None})

    assert response.json()["barcode"] is None
    assert Variant.objects.get(pk=variant["id"]).barcode == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reorder_point": -1}, "reorder_point"),
        ({"barcode": "4006381333932"}, "barcode"),
        ({"status": "archived"}, "status"),
        ({"product_id": 2}, "product_id"),
        ({"sku": "two words"}, "sku"),
    ],
)
def test_patch_validates(api, product, body, field):
    variant = product["variants"][0]

    assert_fields(api.patch(f"variants/{variant['id']}", body), field)
    assert Variant.objects.get(pk=variant["id"]).status == "active"


@pytest.mark.parametrize("method", ["put", "delete"])
def test_no_put_and_no_delete_on_a_variant(api, product, method):
    path = f"variants/{product['variants'][0]['id']}"

    response = api.delete(path) if method == "delete" else api.put(path, {"sku": "Z"})

    assert_error(response, 405, "method_not_allowed")
    assert Variant.objects.filter(pk=product["variants"][0]["id"], sku="MER-M").exists()


# --- Archive / unarchive -----------------------------------------------------------------------


def test_archive_and_unarchive_a_variant(api, product):
    pk = product["variants"][1]["id"]

    archived = api.post(f"variants/{pk}/archive")

    assert archived.status_code == 200, archived.content
    assert archived.json()["status"] == "archived"
    assert Variant.objects.get(pk=pk).status == "archived"
    assert_error(api.post(f"variants/{pk}/archive"), 409, "invalid_state")
    # Still shown on its product, with its status.
    on_product = api.get(f"products/{product['id']}").json()["variants"]
    assert {v["id"]: v["status"] for v in on_product}[pk] == "archived"

    restored = api.post(f"variants/{pk}/unarchive")
    assert restored.status_code == 200
    assert restored.json()["status"] == "active"
    assert_error(api.post(f"variants/{pk}/unarchive"), 409, "invalid_state")


def test_archive_an_unknown_variant_is_404(api):
    assert_error(api.post("variants/999999/archive"), 404, "not_found")
    assert_error(api.post("variants/999999/unarchive"), 404, "not_found")


def test_an_archived_variants_stock_can_still_be_adjusted_and_its_ledger_stays(api, product):
    pk = product["variants"][0]["id"]
    api.adjust(10, sku="MER-M")
    api.post(f"variants/{pk}/archive")

    by_sku = api.post("stock/adjustments", {"sku": "MER-M", "quantity": -3, "reason": "sold"})
    by_id = api.post("stock/adjustments", {"variant_id": pk, "quantity": -2, "reason": "damaged"})

    assert by_sku.status_code == 201, by_sku.content
    assert by_id.status_code == 201, by_id.content
    assert by_id.json()["level"]["on_hand"] == 5
    ledger = api.get("stock/adjustments", {"variant_id": pk}).json()["results"]
    assert [(e["quantity"], e["on_hand_after"]) for e in ledger] == [(10, 10), (-3, 7), (-2, 5)]
    assert StockAdjustment.objects.filter(variant_id=pk).count() == 3
    levels = api.get("stock", {"variant_id": pk}).json()["results"]
    assert [level["on_hand"] for level in levels] == [5]


def test_variants_updated_since(api, product):
    m, l_ = (v["id"] for v in product["variants"])
    Variant.objects.filter(pk=m).update(updated_at="2020-01-01T00:00:00Z")

    recent = api.get(
        f"products/{product['id']}/variants", {"updated_since": "2024-01-01T00:00:00Z"}
    )
    everything = api.get(
        f"products/{product['id']}/variants", {"updated_since": "2019-01-01T00:00:00Z"}
    )

    assert variant_ids(recent) == [l_]
    assert variant_ids(everything) == [m, l_]


@pytest.mark.parametrize("name", ["size\x00", "\ud800"], ids=["nul", "surrogate"])
def test_patch_an_option_name_with_forbidden_characters_is_400(api, product, name):
    variant = product["variants"][0]

    response = api.patch(f"variants/{variant['id']}", {"options": {name: "M"}})

    fields = assert_fields(response)
    assert [field for field in fields if field.startswith("options")], fields
    assert Variant.objects.get(pk=variant["id"]).options == {}
