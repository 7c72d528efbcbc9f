"""Fixtures for the catalogue and stock API: a workspace created through its service (so it has
its default location), keys on it, and a client that speaks Bearer + HTTPS + JSON."""

import json
from urllib.parse import urlencode, urlsplit

import pytest

from accounts.models import Workspace
from accounts.services import workspace_set_plan
from apikeys.models import Access
from apikeys.services import api_key_create
from inventory.models import Location, Product, StockAdjustment, StockLevel, Variant
from inventory.services import location_default
from portal.services import workspace_setup

V1 = "/api/v1/"
KEY_NAME = "ERP sync"


def make_workspace(name: str = "Acme Supplies", plan: str = "pro") -> Workspace:
    """A workspace as the product creates it (with its default location), on an API plan with
    limits no test reaches."""
    workspace = workspace_setup(name=name, owner=None, plan=plan)
    return workspace_set_plan(
        workspace=workspace, plan=plan, daily_limit=100_000, burst_limit=100_000
    )


class Api:
    """The Django test client bound to one raw API key: HTTPS, Bearer, JSON bodies."""

    def __init__(
        self, client, workspace: Workspace, *, access: str = Access.READ_WRITE, name=KEY_NAME
    ):
        self.client = client
        self.workspace = workspace
        self.key, self.raw = api_key_create(
            workspace=workspace, name=name, access=access, created_by=None
        )

    def _headers(self, headers):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.raw}", **(headers or {})}

    @staticmethod
    def url(path: str, params: dict | None = None) -> str:
        if path.startswith("http"):  # a next/previous link as given
            parts = urlsplit(path)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        elif not path.startswith("/"):
            path = V1 + path
        if params:
            path += ("&" if "?" in path else "?") + urlencode(params)
        return path

    def get(self, path: str, params: dict | None = None, **headers):
        return self.client.get(self.url(path, params), secure=True, **self._headers(headers))

    def send(self, method: str, path: str, data=None, *, raw: str | None = None, **headers):
        body = raw if raw is not None else ("" if data is None else json.dumps(data))
        return self.client.generic(
            method,
            self.url(path),
            data=body,
            content_type="application/json",
            secure=True,
            **self._headers(headers),
        )

    def post(self, path: str, data=None, **headers):
        return self.send("POST", path, data, **headers)

    def patch(self, path: str, data=None, **headers):
        return self.send("PATCH", path, data, **headers)

    def put(self, path: str, data=None, **headers):
        return self.send("PUT", path, data, **headers)

    def delete(self, path: str, **headers):
        return self.send("DELETE", path, None, **headers)

    # --- shortcuts for arranging a test through the API itself ---

    def create_product(self, name: str = "Merino crew", skus=("MER-CREW-M",), **fields) -> dict:
        variants = fields.pop("variants", None) or [{"sku": sku} for sku in skus]
        response = self.post("products", {"name": name, "variants": variants, **fields})
        assert response.status_code == 201, response.content
        return response.json()

    def adjust(self, quantity: int, *, sku: str, reason: str = "received", **fields) -> dict:
        body = {"sku": sku, "quantity": quantity, "reason": reason, **fields}
        response = self.post("stock/adjustments", body)
        assert response.status_code == 201, response.content
        return response.json()


def assert_error(response, status: int, code: str) -> dict:
    """The contract's error shape (SPEC §5.3); returns the ``error`` object."""
    assert response.status_code == status, (response.status_code, response.content[:800])
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] == code, error
    assert error["message"].strip()
    assert error["request_id"] == response["X-Request-Id"]
    return error


def assert_fields(response, *names: str) -> dict:
    """400 ``validation_error`` naming at least ``names`` in ``fields``."""
    error = assert_error(response, 400, "validation_error")
    for name in names:
        assert name in error.get("fields", {}), error
        assert all(isinstance(m, str) and m for m in error["fields"][name])
    return error["fields"]


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
def api(client, workspace) -> Api:
    """A read & write key named "ERP sync" on the workspace."""
    return Api(client, workspace)


@pytest.fixture
def read_only_api(client, workspace) -> Api:
    return Api(client, workspace, access=Access.READ_ONLY, name="Reporting")


@pytest.fixture
def other_api(client, db) -> Api:
    """A read & write key on a second workspace."""
    return Api(client, make_workspace("Other Co"), name="Other sync")
