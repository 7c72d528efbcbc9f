"""SPEC §5.3 to §5.4: products over the API — create with variants, validation, SKU uniqueness,
filters, PATCH, archive/unarchive, no hard delete, trailing slashes and cursor pagination."""

import base64
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from inventory.models import Product, StockLevel, Variant
from tests.api_client import assert_error, assert_fields
from tests.inventory.conftest import snapshot

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

VARIANT_FIELDS = {
    "id", "product_id", "sku", "name", "options", "barcode", "price", "cost", "reorder_point",
    "status", "stock", "created_at", "updated_at",
}  # fmt: skip


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def product_body(*skus, name="Merino crew", **variant_fields):
    return {"name": name, "variants": [{"sku": sku, **variant_fields} for sku in skus]}


# --- Create ------------------------------------------------------------------------------------


def test_create_with_variants_answers_201_with_the_full_representation(api, default_location):
    body = {
        "name": "Merino crew",
        "description": "Soft, warm, itch-free.",
        "variants": [
            {
                "sku": "MER-CREW-M-NAVY",
                "name": "M / Navy",
                "options": {"size": "M", "colour": "Navy"},
                "barcode": "4006381333931",
                "price": "19.90",
                "cost": "7.25",
                "reorder_point": 5,
            },
            {"sku": "MER-CREW-L-NAVY", "options": {"size": "L"}},
        ],
    }

    response = api.post("products", body)

    assert response.status_code == 201, response.content
    product = response.json()
    assert set(product) == {
        "id", "name", "description", "status", "variants", "created_at", "updated_at",
    }  # fmt: skip
    assert product["name"] == "Merino crew"
    assert product["description"] == "Soft, warm, itch-free."
    assert product["status"] == "active"
    assert ISO_Z.match(product["created_at"])
    assert ISO_Z.match(product["updated_at"])
    first, second = product["variants"]
    assert set(first) == VARIANT_FIELDS
    assert first["product_id"] == product["id"]
    assert first["sku"] == "MER-CREW-M-NAVY"
    assert first["name"] == "M / Navy"
    assert first["options"] == {"size": "M", "colour": "Navy"}
    assert first["barcode"] == "4006381333931"
    assert first["price"] == "19.90"
    assert first["cost"] == "7.25"
    assert first["reorder_point"] == 5
    assert first["status"] == "active"
    assert first["stock"] == [{"location_id": default_location.pk, "on_hand": 0, "incoming": 0}]
    assert ISO_Z.match(first["created_at"])
    assert ISO_Z.match(first["updated_at"])
    # Optional fields default sensibly.
    assert second["name"] == ""
    assert second["barcode"] is None
    assert second["price"] is None
    assert second["cost"] is None
    assert second["reorder_point"] == 0
    assert second["stock"] == [{"location_id": default_location.pk, "on_hand": 0, "incoming": 0}]
    # And it is really there.
    stored = Product.objects.get(pk=product["id"])
    assert stored.workspace == api.workspace
    assert Variant.objects.get(workspace=api.workspace, sku="MER-CREW-M-NAVY").price == Decimal(
        "19.90"
    )
    assert (
        StockLevel.objects.filter(variant__product=stored, location=default_location).count() == 2
    )


@pytest.mark.parametrize("variants", [None, []], ids=["missing", "empty"])
def test_a_product_needs_at_least_one_variant(api, variants):
    body = {"name": "Lonely"} if variants is None else {"name": "Lonely", "variants": variants}

    response = api.post("products", body)

    assert_fields(response, "variants")
    assert Product.objects.filter(workspace=api.workspace).count() == 0


def test_the_same_sku_twice_in_one_request_is_refused(api):
    response = api.post("products", product_body("TEE-1", "TEE-1"))

    fields = assert_fields(response, "variants.1.sku")
    assert "variants.0.sku" not in fields
    assert Product.objects.filter(workspace=api.workspace).count() == 0


def test_a_sku_taken_in_the_workspace_is_409_and_nothing_is_created(api):
    api.create_product(skus=["TEE-1"])
    before = snapshot(api.workspace)

    response = api.post("products", product_body("TEE-NEW", "TEE-1", name="Copy"))

    error = assert_error(response, 409, "sku_taken")
    assert "variants.1.sku" in error["fields"]
    assert snapshot(api.workspace) == before
    assert not Variant.objects.filter(workspace=api.workspace, sku="TEE-NEW").exists()


def test_the_same_sku_in_another_workspace_is_fine(api, other_api):
    other_api.create_product(skus=["TEE-1"])

    response = api.post("products", product_body("TEE-1"))

    assert response.status_code == 201
    assert (
        Variant.objects.filter(
            workspace__in=[api.workspace, other_api.workspace], sku="TEE-1"
        ).count()
        == 2
    )


@pytest.mark.parametrize(
    "barcode",
    ["4006381333932", "40063813339A1", "400638133393", "1234567", "123456789", "400638133393100"],
    ids=["bad-check-digit", "letters", "12-bad-check", "7-digits", "9-digits", "15-digits"],
)
def test_an_invalid_gtin_is_refused(api, barcode):
    response = api.post("products", product_body("TEE-1", barcode=barcode))

    assert_fields(response, "variants.0.barcode")
    assert Product.objects.filter(workspace=api.workspace).count() == 0


@pytest.mark.parametrize(
    "barcode",
    ["96385074", "036000291452", "4006381333931", "10012345678902"],
    ids=["gtin-8", "gtin-12", "gtin-13", "gtin-14"],
)
def test_valid_gtins_are_accepted(api, barcode):
    response = api.post("products", product_body("TEE-1", barcode=barcode))

    assert response.status_code == 201, response.content
    assert response.json()["variants"][0]["barcode"] == barcode


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "-1.00"),
        ("price", "abc"),
        ("cost", "-0.01"),
        ("price", "1.999"),
        ("reorder_point", -1),
        ("reorder_point", "5"),
        ("reorder_point", 1.5),
        ("sku", "has space"),
        ("sku", ""),
        ("options", "size M"),
        ("options", {"size": ["M", "L"]}),
    ],
)
def test_invalid_variant_fields_are_refused(api, field, value):
    body = {"name": "Tee", "variants": [{"sku": "TEE-1", field: value}]}

    response = api.post("products", body)

    fields = assert_fields(response)
    assert [name for name in fields if name.startswith(f"variants.0.{field}")], fields
    assert Product.objects.filter(workspace=api.workspace).count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Tee", "variants": [{"sku": "T"}], "colour": "red"}, "colour"),
        ({"name": "Tee", "variants": [{"sku": "T", "weight": 3}]}, "variants.0.weight"),
        ({"name": "Tee", "variants": [{"sku": "T"}], "status": "archived"}, "status"),
    ],
)
def test_unknown_fields_are_refused(api, body, field):
    response = api.post("products", body)

    fields = assert_fields(response, field)
    assert fields[field] == ["Unknown field."]
    assert Product.objects.filter(workspace=api.workspace).count() == 0


def test_a_name_is_required(api):
    response = api.post("products", {"variants": [{"sku": "T"}]})

    assert_fields(response, "name")


# --- List and filters --------------------------------------------------------------------------


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


@pytest.fixture
def catalogue(api):
    """Three products; the last one archived."""
    crew = api.create_product("Merino crew", ["MER-CREW-M", "MER-CREW-L"])
    sock = api.create_product("Hiking sock", ["SOCK-42"])
    old = api.create_product("Old hoodie", ["HOOD-OLD"])
    assert api.post(f"products/{old['id']}/archive").status_code == 200
    return {"crew": crew["id"], "sock": sock["id"], "old": old["id"]}


def test_list_shows_active_products_only_by_default(api, catalogue):
    response = api.get("products")

    assert ids(response) == [catalogue["crew"], catalogue["sock"]]
    assert response.json()["next"] is None
    assert response.json()["previous"] is None


def test_list_status_archived_and_all(api, catalogue):
    assert ids(api.get("products", {"status": "archived"})) == [catalogue["old"]]
    assert ids(api.get("products", {"status": "active"})) == [catalogue["crew"], catalogue["sock"]]
    assert ids(api.get("products", {"status": "all"})) == sorted(catalogue.values())


def test_an_unknown_status_filter_is_400(api, catalogue):
    assert_fields(api.get("products", {"status": "deleted"}), "status")


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("merino", ["crew"]),
        ("MERINO CREW", ["crew"]),
        ("sock", ["sock"]),
        ("mer-crew-l", ["crew"]),  # a variant's SKU, case-insensitive
        ("42", ["sock"]),
        ("zzz", []),
    ],
)
def test_q_searches_names_and_skus_case_insensitively(api, catalogue, q, expected):
    assert ids(api.get("products", {"q": q})) == [catalogue[name] for name in expected]


def test_q_with_status_all_finds_archived_products(api, catalogue):
    assert ids(api.get("products", {"q": "hoodie", "status": "all"})) == [catalogue["old"]]
    assert ids(api.get("products", {"q": "hoodie"})) == []


def test_sku_filter_is_exact(api, catalogue):
    assert ids(api.get("products", {"sku": "MER-CREW-L"})) == [catalogue["crew"]]
    assert ids(api.get("products", {"sku": "MER-CREW"})) == []
    assert ids(api.get("products", {"sku": "mer-crew-l"})) == []


def test_updated_since_filter(api, catalogue):
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    Product.objects.filter(pk=catalogue["sock"]).update(updated_at=long_ago)

    since = datetime.now(UTC) - timedelta(hours=1)
    assert ids(api.get("products", {"updated_since": since.isoformat()})) == [catalogue["crew"]]
    assert ids(api.get("products", {"updated_since": since.strftime("%Y-%m-%dT%H:%M:%SZ")})) == [
        catalogue["crew"]
    ]
    assert ids(api.get("products", {"updated_since": "2019-12-31T00:00:00Z"})) == [
        catalogue["crew"],
        catalogue["sock"],
    ]


def test_updated_since_must_be_a_datetime(api, catalogue):
    assert_fields(api.get("products", {"updated_since": "yesterday"}), "updated_since")


def test_the_list_shows_only_this_workspaces_products(api, other_api, catalogue):
    other_api.create_product("Theirs", ["THEIRS-1"])

    assert ids(api.get("products", {"status": "all"})) == sorted(catalogue.values())


# --- Retrieve, PATCH, no PUT/DELETE ------------------------------------------------------------


def test_retrieve(api):
    created = api.create_product("Merino crew", ["MER-1"])

    response = api.get(f"products/{created['id']}")

    assert response.status_code == 200
    assert response.json() == created


def test_retrieve_an_unknown_product_is_404(api):
    assert_error(api.get("products/999999"), 404, "not_found")


def test_patch_name_and_description(api):
    created = api.create_product("Merino crew", ["MER-1"])

    response = api.patch(
        f"products/{created['id']}", {"name": "Merino crew neck", "description": "New"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Merino crew neck"
    assert body["description"] == "New"
    assert body["variants"] == created["variants"]
    assert parse(body["updated_at"]) > parse(created["updated_at"])
    stored = Product.objects.get(pk=created["id"])
    assert (stored.name, stored.description) == ("Merino crew neck", "New")


def test_patch_one_field_leaves_the_other(api):
    created = api.create_product("Merino crew", ["MER-1"], description="Warm")

    response = api.patch(f"products/{created['id']}", {"name": "Renamed"})

    assert response.json()["description"] == "Warm"


@pytest.mark.parametrize("field", ["status", "variants", "id"])
def test_patch_cannot_change_status_or_variants(api, field):
    created = api.create_product("Merino crew", ["MER-1"])

    response = api.patch(f"products/{created['id']}", {field: "archived"})

    assert assert_fields(response, field)[field] == ["Unknown field."]
    assert Product.objects.get(pk=created["id"]).status == "active"


def test_patch_an_empty_name_is_refused(api):
    created = api.create_product("Merino crew", ["MER-1"])

    assert_fields(api.patch(f"products/{created['id']}", {"name": ""}), "name")
    assert Product.objects.get(pk=created["id"]).name == "Merino crew"


@pytest.mark.parametrize("method", ["put", "delete"])
def test_no_put_and_no_hard_delete(api, method):
    created = api.create_product("Merino crew", ["MER-1"])
    path = f"products/{created['id']}"

    response = getattr(api, method)(path) if method == "delete" else api.put(path, {"name": "X"})

    assert_error(response, 405, "method_not_allowed")
    assert Product.objects.get(pk=created["id"]).name == "Merino crew"


def test_delete_on_the_list_is_405(api):
    api.create_product()

    assert_error(api.delete("products"), 405, "method_not_allowed")
    assert Product.objects.filter(workspace=api.workspace).count() == 1


# --- Archive / unarchive -----------------------------------------------------------------------


def test_archive_then_unarchive(api):
    created = api.create_product("Merino crew", ["MER-1"])
    pk = created["id"]

    archived = api.post(f"products/{pk}/archive")

    assert archived.status_code == 200, archived.content
    assert archived.json()["status"] == "archived"
    assert Product.objects.get(pk=pk).status == "archived"
    assert ids(api.get("products")) == []
    assert ids(api.get("products", {"status": "archived"})) == [pk]
    # Its stock and variants stay.
    assert archived.json()["variants"] == created["variants"]

    again = api.post(f"products/{pk}/archive")
    assert_error(again, 409, "invalid_state")

    restored = api.post(f"products/{pk}/unarchive")
    assert restored.status_code == 200
    assert restored.json()["status"] == "active"
    assert ids(api.get("products")) == [pk]

    assert_error(api.post(f"products/{pk}/unarchive"), 409, "invalid_state")


def test_archive_an_unknown_product_is_404(api):
    assert_error(api.post("products/999999/archive"), 404, "not_found")


# --- Trailing slashes --------------------------------------------------------------------------


@pytest.fixture
def every_path(api, default_location):
    product = api.create_product("Merino crew", ["MER-1"])
    variant_id = product["variants"][0]["id"]
    return [
        "products",
        f"products/{product['id']}",
        f"products/{product['id']}/variants",
        f"variants/{variant_id}",
        "locations",
        f"locations/{default_location.pk}",
        "stock",
        "stock/adjustments",
    ]


@pytest.mark.parametrize("slash", ["", "/"], ids=["bare", "slash"])
def test_every_read_path_accepts_an_optional_trailing_slash(api, every_path, slash):
    for path in every_path:
        response = api.get(path + slash)
        assert response.status_code == 200, (path + slash, response.content)


@pytest.mark.parametrize("slash", ["", "/"], ids=["bare", "slash"])
def test_every_write_path_accepts_an_optional_trailing_slash(api, default_location, slash):
    product = api.post("products" + slash, product_body("MER-1"))
    assert product.status_code == 201
    pk = product.json()["id"]
    variant = api.post(f"products/{pk}/variants{slash}", {"sku": "MER-2"})
    assert variant.status_code == 201
    variant_id = variant.json()["id"]
    assert api.patch(f"products/{pk}{slash}", {"name": "N"}).status_code == 200
    assert api.patch(f"variants/{variant_id}{slash}", {"name": "N"}).status_code == 200
    assert api.post(f"variants/{variant_id}/archive{slash}").status_code == 200
    assert api.post(f"variants/{variant_id}/unarchive{slash}").status_code == 200
    assert api.post(f"products/{pk}/archive{slash}").status_code == 200
    assert api.post(f"products/{pk}/unarchive{slash}").status_code == 200
    assert api.post("locations" + slash, {"name": "Shop"}).status_code == 201
    line = {"sku": "MER-1", "quantity": 3, "reason": "received"}
    assert api.post("stock/adjustments" + slash, line).status_code == 201
    batch = api.post("stock/adjustments/batch" + slash, {"adjustments": [line]})
    assert batch.status_code == 201


# --- Pagination --------------------------------------------------------------------------------


def bulk_products(workspace, count: int) -> list[int]:
    Product.objects.bulk_create(
        [Product(workspace=workspace, name=f"Product {i:03d}") for i in range(count)]
    )
    return list(Product.objects.filter(workspace=workspace).values_list("id", flat=True))


def test_limit_defaults_to_50_and_caps_at_200(api):
    all_ids = bulk_products(api.workspace, 210)

    default = api.get("products")
    assert ids(default) == all_ids[:50]
    assert default.json()["next"] is not None

    most = api.get("products", {"limit": 200})
    assert ids(most) == all_ids[:200]

    one = api.get("products", {"limit": 1})
    assert ids(one) == all_ids[:1]


@pytest.mark.parametrize("limit", ["201", "0", "-1", "abc", "1.5", "1e2"])
def test_a_limit_out_of_range_is_400(api, limit):
    bulk_products(api.workspace, 3)

    assert_fields(api.get("products", {"limit": limit}), "limit")


def test_cursor_walk_returns_every_product_once_in_order(api):
    all_ids = bulk_products(api.workspace, 120)
    seen, pages = [], []
    response = api.get("products", {"limit": 50})
    while True:
        body = response.json()
        pages.append(body)
        seen += ids(response)
        if body["next"] is None:
            break
        assert body["next"].startswith("https://")
        assert "/api/v1/products" in body["next"]
        response = api.get(body["next"])

    assert seen == all_ids
    assert [len(page["results"]) for page in pages] == [50, 50, 20]
    assert pages[0]["previous"] is None
    assert pages[1]["previous"] is not None
    assert pages[2]["previous"] is not None
    # Walking back from the last page gives the page before it.
    back = api.get(pages[2]["previous"])
    assert ids(back) == all_ids[50:100]


def test_cursor_keeps_the_filters(api):
    all_ids = bulk_products(api.workspace, 6)
    Product.objects.filter(pk__in=all_ids[::2]).update(status="archived")

    first = api.get("products", {"limit": 2, "status": "archived"})
    second = api.get(first.json()["next"])

    assert ids(first) + ids(second) == all_ids[::2]


@pytest.mark.parametrize(
    "cursor",
    ["garbage", base64.b64encode(b"o=-1").decode(), base64.b64encode(b"r=x").decode()],
    ids=["not-base64", "negative-offset", "bad-reverse"],
)
def test_an_invalid_cursor_is_400(api, cursor):
    bulk_products(api.workspace, 3)

    assert_fields(api.get("products", {"cursor": cursor}), "cursor")


def test_a_cursor_with_a_non_numeric_position_is_400_not_500(api):
    bulk_products(api.workspace, 3)

    response = api.get("products", {"cursor": base64.b64encode(b"p=abc").decode()})

    assert_fields(response, "cursor")


def test_a_cursor_that_decodes_to_nothing_is_400(api):
    bulk_products(api.workspace, 3)

    assert_fields(api.get("products", {"cursor": "!!!"}), "cursor")


@pytest.mark.parametrize(
    "name", ["size\x00", "\ud800", " ", "n" * 51], ids=["nul", "surrogate", "blank", "too-long"]
)
def test_an_option_name_with_forbidden_characters_is_400(api, default_location, name):
    body = {"name": "Tee", "variants": [{"sku": "TEE-1", "options": {name: "M"}}]}

    response = api.post("products", body)

    fields = assert_fields(response)
    assert [field for field in fields if field.startswith("variants.0.options")], fields
    assert Product.objects.filter(workspace=api.workspace).count() == 0
