"""Fixtures for purchasing: a set-up workspace with two variants and a second location, a
supplier, and clients bound to keys on it and on another workspace."""

from dataclasses import dataclass

import pytest

from accounts.models import Workspace
from inventory.models import Location, StockAdjustment, StockLevel, Variant
from inventory.services import location_create, location_default, product_create
from purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier
from tests.api_client import ApiClient
from tests.factories import make_workspace
from tests.purchasing.factories import make_supplier


@dataclass
class Shop:
    workspace: Workspace
    main: Location  # the default location
    store: Location
    crew_m: Variant
    crew_l: Variant
    supplier: Supplier


def shop_make(name: str = "Acme Supplies", prefix: str = "MER") -> Shop:
    workspace = make_workspace(name, limits=1_000_000)
    product = product_create(
        workspace=workspace,
        name="Merino crew",
        variants=[{"sku": f"{prefix}-CREW-M"}, {"sku": f"{prefix}-CREW-L", "reorder_point": 3}],
    )
    crew_m, crew_l = product.variants.order_by("pk")
    return Shop(
        workspace=workspace,
        main=location_default(workspace),
        store=location_create(workspace=workspace, name="Retail store"),
        crew_m=crew_m,
        crew_l=crew_l,
        supplier=make_supplier(workspace, currency="GBP", lead_time_days=21),
    )


def snapshot(workspace) -> dict:
    """Everything a refused purchasing write must leave as it was."""
    return {
        "suppliers": sorted(
            Supplier.objects.filter(workspace=workspace).values_list("id", "name", "updated_at")
        ),
        "orders": sorted(
            PurchaseOrder.objects.filter(workspace=workspace).values_list(
                "id", "status", "updated_at"
            )
        ),
        "lines": sorted(
            PurchaseOrderLine.objects.filter(order__workspace=workspace).values_list(
                "id", "quantity_received"
            )
        ),
        "levels": sorted(
            StockLevel.objects.filter(workspace=workspace).values_list(
                "variant_id", "location_id", "on_hand"
            )
        ),
        "ledger": StockAdjustment.objects.filter(workspace=workspace).count(),
    }


@pytest.fixture
def shop(db) -> Shop:
    return shop_make()


@pytest.fixture
def api(client, shop) -> ApiClient:
    return ApiClient.for_workspace(client, shop.workspace, name="ERP sync")


@pytest.fixture
def other(db) -> Shop:
    return shop_make("Other Co", prefix="OTH")


@pytest.fixture
def other_api(client, other) -> ApiClient:
    return ApiClient.for_workspace(client, other.workspace, name="Other sync")
