"""The real Medusa server the connector is tested against (tests/medusa_server.py): its key
works and a wrong one does not, stock set through its Admin API reads back, an order placed in it
lists by its update time, and a stopped server refuses connections, then starts again with its
data. Without Node the Medusa tests skip with a one-line reason, and fail instead in CI."""

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from tests import medusa_server
from tests.medusa_server import REPO


def new_variant(medusa, sku: str) -> str:
    """A published product with one stocked variant; returns the variant's inventory item id."""
    created = medusa.api(
        "POST",
        "/admin/products",
        json={
            "title": f"Mug {sku}",
            "status": "published",
            "options": [{"title": "Size", "values": ["One size"]}],
            "variants": [
                {
                    "title": "One size",
                    "sku": sku,
                    "manage_inventory": True,
                    "options": {"Size": "One size"},
                    "prices": [{"currency_code": "eur", "amount": 1200}],
                }
            ],
        },
    )
    assert created.status_code == 200, created.text
    found = medusa.api(
        "GET", "/admin/product-variants", params={"sku": sku, "fields": "id,sku,*inventory_items"}
    )
    (variant,) = found.json()["variants"]
    (link,) = variant["inventory_items"]
    return link["inventory_item_id"]


def set_levels(medusa, levels: dict[str, int], location_id: str = "") -> None:
    """Create each inventory item's level at the test location (or ``location_id``) in one
    batch call."""
    response = medusa.api(
        "POST",
        "/admin/inventory-items/location-levels/batch",
        json={
            "create": [
                {
                    "inventory_item_id": item,
                    "location_id": location_id or medusa.location_id,
                    "stocked_quantity": n,
                }
                for item, n in levels.items()
            ]
        },
    )
    assert response.status_code == 200, response.text


def variant_id(medusa, sku: str) -> str:
    found = medusa.api("GET", "/admin/product-variants", params={"sku": sku, "fields": "id"})
    (variant,) = found.json()["variants"]
    return variant["id"]


def sales_location(medusa) -> str:
    """A new stock location linked to the default sales channel, where orders reserve (as the
    connector's own "Salync" location will be)."""
    created = medusa.api("POST", "/admin/stock-locations", json={"name": f"Shop {uuid.uuid4()}"})
    assert created.status_code == 200, created.text
    location_id = created.json()["stock_location"]["id"]
    linked = medusa.api(
        "POST",
        f"/admin/stock-locations/{location_id}/sales-channels",
        json={"add": [medusa.sales_channel_id]},
    )
    assert linked.status_code == 200, linked.text
    return location_id


@pytest.mark.medusa
def test_the_secret_key_authenticates_and_a_wrong_one_is_refused(medusa):
    stores = medusa.api("GET", "/admin/stores")
    assert stores.status_code == 200
    assert stores.json()["stores"]

    wrong = requests.get(medusa.base_url + "/admin/stores", auth=("sk_" + "0" * 64, ""), timeout=10)
    assert wrong.status_code == 401


@pytest.mark.medusa
def test_a_level_set_in_one_batch_reads_back(medusa):
    skus = [f"MUG-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    items = {new_variant(medusa, sku): quantity for sku, quantity in zip(skus, [7, 0], strict=True)}

    set_levels(medusa, items)

    assert [medusa.stocked_quantity(sku) for sku in skus] == [7, 0]


@pytest.mark.medusa
def test_a_stopped_server_refuses_connections_and_restarts_with_its_data(medusa):
    sku = f"MUG-{uuid.uuid4().hex[:8]}"
    set_levels(medusa, {new_variant(medusa, sku): 5})

    medusa.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(medusa.base_url + "/health", timeout=5)

    medusa.start()
    assert medusa.stocked_quantity(sku) == 5


@pytest.mark.medusa
def test_an_order_placed_in_medusa_lists_by_updated_at(medusa):
    sku = f"MUG-{uuid.uuid4().hex[:8]}"
    set_levels(medusa, {new_variant(medusa, sku): 5}, sales_location(medusa))
    earlier = medusa.place_order(variant_id(medusa, sku), 1)
    since = datetime.now(UTC).isoformat(timespec="milliseconds")

    placed = medusa.place_order(variant_id(medusa, sku), 2)

    listed = medusa.api(
        "GET",
        "/admin/orders",
        params={
            "updated_at[$gte]": since,
            "order": "updated_at",
            "fields": "id,display_id,status,updated_at,items.variant_sku,items.quantity",
        },
    )
    assert listed.status_code == 200, listed.text
    orders = {order["id"]: order for order in listed.json()["orders"]}
    assert earlier["id"] not in orders
    order = orders[placed["id"]]
    assert order["status"] == "pending"
    assert [(item["variant_sku"], item["quantity"]) for item in order["items"]] == [(sku, 2)]


def run_without_node(path: Path, **environment: str) -> subprocess.CompletedProcess:
    """One Medusa test in a new pytest whose PATH is ``path`` (an empty folder: no Node)."""
    environ = {name: value for name, value in os.environ.items() if name != "CI"}
    environ.update(PATH=str(path), **environment)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            f"{__file__}::test_the_secret_key_authenticates_and_a_wrong_one_is_refused",
        ],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_node_the_medusa_tests_skip_with_a_one_line_reason(tmp_path):
    result = run_without_node(tmp_path)

    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert "SKIPPED [1] " in result.stdout
    assert "Medusa tests need Node.js (not on PATH)" in result.stdout


def test_without_node_in_ci_the_medusa_tests_fail(tmp_path):
    result = run_without_node(tmp_path, CI="true")

    assert result.returncode == 1, result.stdout
    assert "1 error" in result.stdout
    assert "Medusa tests need Node.js (not on PATH); CI must run them" in result.stdout


def test_without_npm_ci_the_reason_says_what_to_run(monkeypatch, tmp_path):
    monkeypatch.setattr(medusa_server.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(medusa_server, "MEDUSA_BIN", tmp_path / "node_modules" / ".bin" / "medusa")

    assert medusa_server.unavailable() == (
        "Medusa tests need `npm ci` in tests/medusa (no node_modules/.bin/medusa)"
    )
