"""Fixtures for the catalogue and stock API: a workspace created through its service (so it has
its default location), keys on it, and a client that speaks Bearer + HTTPS + JSON.

``make_workspace``, ``ApiClient`` (here also as ``Api(client, workspace, access=..., name=...)``),
``assert_error`` and ``assert_fields`` live in ``tests.factories`` and ``tests.api_client``; they
are importable from here too.
"""

import pytest

from accounts.models import Workspace
from apikeys.models import Access
from inventory.models import Location, Product, StockAdjustment, StockLevel, Variant
from inventory.services import location_default
from tests.api_client import V1, ApiClient, assert_error, assert_fields
from tests.factories import make_workspace

__all__ = ["V1", "Api", "ApiClient", "assert_error", "assert_fields", "make_workspace", "snapshot"]

KEY_NAME = "ERP sync"

Api = ApiClient.for_workspace  # the old name: a client bound to a new key on a workspace


def snapshot(workspace) -> dict:
    """Everything a refused write must leave as it was."""
    return {
        "products": Product.objects.filter(workspace=workspace).count(),
        "variants": list(
            Variant.objects.filter(workspace=workspace).values_list("sku", "reorder_point")
        ),
        "locations": Location.objects.filter(workspace=workspace).count(),
        "levels": sorted(
            StockLevel.objects.filter(workspace=workspace).values_list(
                "variant_id", "location_id", "on_hand"
            )
        ),
        "ledger": StockAdjustment.objects.filter(workspace=workspace).count(),
    }


@pytest.fixture
def workspace(db) -> Workspace:
    return make_workspace()


@pytest.fixture
def default_location(workspace) -> Location:
    return location_default(workspace)


@pytest.fixture
def api(client, workspace) -> ApiClient:
    """A read & write key named "ERP sync" on the workspace."""
    return ApiClient.for_workspace(client, workspace, name=KEY_NAME)


@pytest.fixture
def read_only_api(client, workspace) -> ApiClient:
    return ApiClient.for_workspace(client, workspace, access=Access.READ_ONLY, name="Reporting")


@pytest.fixture
def other_api(client, db) -> ApiClient:
    """A read & write key on a second workspace."""
    return ApiClient.for_workspace(client, make_workspace("Other Co"), name="Other sync")
