"""Tenant isolation (SPEC §3): with workspace A's key, every catalogue and stock endpoint treats
workspace B's objects exactly as ids that do not exist, and no list shows B's data.

The walk is driven by ``inventory.api_urls``: a test fails if a route is added there without
being walked here.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from inventory import api_urls
from inventory.models import Location, Product, StockAdjustment, StockLevel, Variant
from inventory.services import (
    Actor,
    location_create,
    location_default,
    product_archive,
    product_create,
    stock_adjust,
    variant_archive,
)
from tests.api_client import ApiClient
from tests.factories import make_key, make_workspace

MISSING = 987_654_321  # an id no object has


@dataclass
class Tenant:
    workspace: object
    product: Product  # active, one variant
    archived_product: Product
    variant: Variant  # active
    archived_variant: Variant
    location: Location  # a second location, not the default
    level: StockLevel
    entry: StockAdjustment


def populate(workspace, prefix: str) -> Tenant:
    """Through the services: products, variants, a location, a level and a ledger entry."""
    product = product_create(
        workspace=workspace,
        name=f"{prefix} Merino crew",
        variants=[{"sku": f"{prefix}-CREW-M"}, {"sku": f"{prefix}-CREW-L"}],
    )
    variant, archived_variant = product.variants.order_by("id")
    variant_archive(variant=archived_variant)
    archived_product = product_create(
        workspace=workspace, name=f"{prefix} Old tote", variants=[{"sku": f"{prefix}-TOTE"}]
    )
    product_archive(product=archived_product)
    location = location_create(workspace=workspace, name=f"{prefix} store")
    entry, level = stock_adjust(
        workspace=workspace,
        variant=variant,
        location=location,
        quantity=7,
        reason="received",
        actor=Actor.system(),
    )
    stock_adjust(
        workspace=workspace,
        variant=variant,
        location=location_default(workspace),
        quantity=3,
        reason="received",
        actor=Actor.system(),
    )
    return Tenant(
        workspace=workspace,
        product=product,
        archived_product=archived_product,
        variant=variant,
        archived_variant=archived_variant,
        location=location,
        level=level,
        entry=entry,
    )


def b_state(b: Tenant) -> dict:
    """Everything of B's that A's requests must leave as it was."""
    ws = b.workspace
    return {
        "products": sorted(
            Product.objects.filter(workspace=ws).values_list("id", "name", "status", "updated_at")
        ),
        "variants": sorted(
            Variant.objects.filter(workspace=ws).values_list(
                "id", "sku", "reorder_point", "status", "updated_at"
            )
        ),
        "locations": sorted(Location.objects.filter(workspace=ws).values_list("id", "name")),
        "levels": sorted(StockLevel.objects.filter(workspace=ws).values_list("id", "on_hand")),
        "ledger": StockAdjustment.objects.filter(workspace=ws).count(),
    }


@pytest.fixture
def a(db) -> Tenant:
    return populate(make_workspace("Alpha Outfitters", limits=1_000_000), "A")


@pytest.fixture
def b(db) -> Tenant:
    return populate(make_workspace("Bravo Homeware", limits=1_000_000), "B")


def results(api: ApiClient, name: str, params: str = "", **kwargs) -> list[dict]:
    response = api.get(url(name, **kwargs) + params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None  # everything on one page: nothing hidden behind a cursor
    return body["results"]


@pytest.fixture
def api_a(client, a) -> ApiClient:
    return ApiClient(client, make_key(a.workspace, name="A sync"))


def url(name: str, **kwargs) -> str:
    return reverse(f"api:{name}", kwargs=kwargs or None)


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["request_id"] == response["X-Request-Id"]
    return {k: v for k, v in error.items() if k != "request_id"}


# --- The walk: every route of inventory/api_urls.py ---------------------------------------------

# (route name, method, which of B's objects is in the path, body)
DETAIL_CALLS = [
    ("product", "GET", "product", None),
    ("product", "PATCH", "product", {"name": "Renamed by A"}),
    ("product-archive", "POST", "product", None),
    ("product-unarchive", "POST", "archived_product", None),
    ("product-variants", "GET", "product", None),
    ("product-variants", "POST", "product", {"sku": "A-SNEAKS-IN"}),
    ("variant", "GET", "variant", None),
    ("variant", "PATCH", "variant", {"reorder_point": 50, "name": "Renamed by A"}),
    ("variant-archive", "POST", "variant", None),
    ("variant-unarchive", "POST", "archived_variant", None),
    ("location", "GET", "location", None),
]
LIST_ROUTES = {"products", "locations", "stock", "stock-adjustments"}
WRITE_ROUTES = {"stock-adjustments", "stock-adjustments-batch", "products", "locations"}


def test_the_walk_covers_every_route_of_the_stock_api():
    routes = {pattern.name for pattern in api_urls.urlpatterns}
    walked = {name for name, *_ in DETAIL_CALLS} | LIST_ROUTES | WRITE_ROUTES
    assert routes == walked
    assert routes == {
        "products", "product", "product-archive", "product-unarchive", "product-variants",
        "variant", "variant-archive", "variant-unarchive", "locations", "location", "stock",
        "stock-adjustments", "stock-adjustments-batch",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("name", "method", "target", "body"),
    DETAIL_CALLS,
    ids=[f"{method} {name}" for name, method, _, _ in DETAIL_CALLS],
)
def test_another_workspaces_id_is_404_exactly_like_a_missing_one(
    api_a, a, b, name, method, target, body
):
    before = b_state(b)
    other_id = getattr(b, target).pk

    response = api_a.request(method, url(name, pk=other_id), body)
    missing = api_a.request(method, url(name, pk=MISSING), body)

    assert error_of(response, 404, "not_found") == error_of(missing, 404, "not_found")
    assert response.content.replace(
        response["X-Request-Id"].encode(), b""
    ) == missing.content.replace(missing["X-Request-Id"].encode(), b"")
    assert b_state(b) == before


@pytest.mark.parametrize(
    "name", sorted({name for name, *_ in DETAIL_CALLS}), ids=lambda name: f"OPTIONS {name}"
)
def test_options_on_another_workspaces_id_tells_nothing_a_missing_id_does_not(api_a, b, name):
    target = {
        "product-unarchive": b.archived_product,
        "variant-unarchive": b.archived_variant,
        "location": b.location,
    }.get(name, b.variant if name.startswith("variant") else b.product)

    response = api_a.request("OPTIONS", url(name, pk=target.pk))
    missing = api_a.request("OPTIONS", url(name, pk=MISSING))

    assert response.status_code == missing.status_code
    assert response.content.replace(
        response["X-Request-Id"].encode(), b""
    ) == missing.content.replace(missing["X-Request-Id"].encode(), b"")


def test_the_same_ids_work_for_their_own_workspace(client, b):
    """The control: the ids A was refused are real, reachable ones for B's key."""
    api_b = ApiClient(client, make_key(b.workspace, name="B sync"))

    assert api_b.request("GET", url("product", pk=b.product.pk)).status_code == 200
    assert api_b.request("GET", url("product-variants", pk=b.product.pk)).status_code == 200
    assert api_b.request("GET", url("variant", pk=b.variant.pk)).status_code == 200
    assert api_b.request("GET", url("location", pk=b.location.pk)).status_code == 200
    assert results(api_b, "stock", f"?variant_id={b.variant.pk}")
    assert results(api_b, "stock-adjustments", f"?sku={b.variant.sku}")


# --- Lists never leak -----------------------------------------------------------------------


def ids(rows) -> set[int]:
    return {row["id"] for row in rows}


def test_product_lists_show_only_the_keys_workspace(api_a, a, b):
    b_products = set(Product.objects.filter(workspace=b.workspace).values_list("id", flat=True))
    b_variants = set(Variant.objects.filter(workspace=b.workspace).values_list("id", flat=True))

    for params in ("?limit=200", "?status=all&limit=200", "?status=archived&limit=200"):
        rows = results(api_a, "products", params)
        assert rows  # A's own products are listed
        assert not ids(rows) & b_products
        assert not {v["id"] for row in rows for v in row["variants"]} & b_variants
        assert not {
            s["location_id"] for row in rows for v in row["variants"] for s in v["stock"]
        } & {b.location.pk, location_default(b.workspace).pk}
    assert ids(results(api_a, "products", "?status=all")) == set(
        Product.objects.filter(workspace=a.workspace).values_list("id", flat=True)
    )

    assert results(api_a, "products", f"?sku={b.variant.sku}&status=all") == []
    assert results(api_a, "products", f"?q={b.product.name}&status=all") == []
    assert results(api_a, "products", "?q=B-&status=all") == []
    rows = results(api_a, "product-variants", "?status=all", pk=a.product.pk)
    assert ids(rows) == {a.variant.pk, a.archived_variant.pk}


def test_location_list_shows_only_the_keys_workspace(api_a, a, b):
    rows = results(api_a, "locations", "?limit=200")

    assert ids(rows) == set(
        Location.objects.filter(workspace=a.workspace).values_list("id", flat=True)
    )
    assert not ids(rows) & {b.location.pk, location_default(b.workspace).pk}


def test_stock_levels_show_only_the_keys_workspace_whatever_the_filter(api_a, a, b):
    b_levels = set(StockLevel.objects.filter(workspace=b.workspace).values_list("id", flat=True))

    rows = results(api_a, "stock", "?limit=200")
    assert ids(rows) == set(
        StockLevel.objects.filter(workspace=a.workspace).values_list("id", flat=True)
    )
    assert not ids(rows) & b_levels

    for params in (
        f"?variant_id={b.variant.pk}",
        f"?sku={b.variant.sku}",
        f"?location_id={b.location.pk}",
        f"?location_id={location_default(b.workspace).pk}",
        f"?variant_id={b.variant.pk}&location_id={b.location.pk}",
        f"?sku={b.variant.sku}&below_threshold=false",
    ):
        assert results(api_a, "stock", params) == [], params


def test_the_ledger_shows_only_the_keys_workspace_whatever_the_filter(api_a, a, b):
    b_entries = set(
        StockAdjustment.objects.filter(workspace=b.workspace).values_list("id", flat=True)
    )

    rows = results(api_a, "stock-adjustments", "?limit=200")
    assert ids(rows) == set(
        StockAdjustment.objects.filter(workspace=a.workspace).values_list("id", flat=True)
    )
    assert not ids(rows) & b_entries
    assert b.entry.pk in b_entries

    for params in (
        f"?variant_id={b.variant.pk}",
        f"?sku={b.variant.sku}",
        f"?location_id={b.location.pk}",
        f"?sku={b.variant.sku}&reason=received",
    ):
        assert results(api_a, "stock-adjustments", params) == [], params


# --- Writes that name B's objects ----------------------------------------------------------


@pytest.mark.parametrize(
    ("refs", "field"),
    [
        (lambda a, b: {"variant_id": b.variant.pk}, "variant_id"),
        (lambda a, b: {"sku": b.variant.sku}, "sku"),
        (lambda a, b: {"sku": a.variant.sku, "location_id": b.location.pk}, "location_id"),
    ],
    ids=["variant_id", "sku", "location_id"],
)
def test_adjusting_with_another_workspaces_reference_is_unknown(api_a, a, b, refs, field):
    before, a_levels = (
        b_state(b),
        sorted(StockLevel.objects.filter(workspace=a.workspace).values_list("id", "on_hand")),
    )
    missing_refs = {
        "variant_id": {"variant_id": MISSING},
        "sku": {"sku": "NO-SUCH-SKU"},
        "location_id": {"sku": a.variant.sku, "location_id": MISSING},
    }[field]
    body = {"quantity": -1, "reason": "sold"}

    response = api_a.request("POST", url("stock-adjustments"), {**refs(a, b), **body})
    missing = api_a.request("POST", url("stock-adjustments"), {**missing_refs, **body})
    batch = api_a.request(
        "POST",
        url("stock-adjustments-batch"),
        {"adjustments": [{"sku": a.variant.sku, **body}, {**refs(a, b), **body}]},
    )
    missing_batch = api_a.request(
        "POST",
        url("stock-adjustments-batch"),
        {"adjustments": [{"sku": a.variant.sku, **body}, {**missing_refs, **body}]},
    )

    error = error_of(response, 400, "validation_error")
    assert error == error_of(missing, 400, "validation_error")
    assert set(error["fields"]) == {field}
    batch_error = error_of(batch, 400, "validation_error")
    assert batch_error == error_of(missing_batch, 400, "validation_error")
    assert set(batch_error["fields"]) == {f"adjustments.1.{field}"}
    assert b_state(b) == before
    assert (
        sorted(StockLevel.objects.filter(workspace=a.workspace).values_list("id", "on_hand"))
        == a_levels
    )


def test_a_sku_or_location_name_used_only_in_another_workspace_is_free(api_a, a, b):
    before = b_state(b)

    product = api_a.request(
        "POST", url("products"), {"name": "Copycat", "variants": [{"sku": b.variant.sku}]}
    )
    location = api_a.request("POST", url("locations"), {"name": b.location.name})

    assert product.status_code == 201, product.content
    assert [v["sku"] for v in product.json()["variants"]] == [b.variant.sku]
    assert Variant.objects.get(workspace=a.workspace, sku=b.variant.sku).product.name == "Copycat"
    assert location.status_code == 201, location.content
    assert Location.objects.filter(name=b.location.name).count() == 2
    assert b_state(b) == before
