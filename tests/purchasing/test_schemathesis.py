"""Schemathesis against our own OpenAPI schema, in process, over every supplier and
purchase-order operation, exactly as tests/inventory/test_schemathesis.py runs the catalogue's:
no 5xx, and every answer as documented (status code, content type, body and headers).

Each operation first gets one known-good request (it must succeed), then generated ones, valid
and invalid, drawing ids, SKUs and line ids from the seeded objects half of the time.
Derandomized: the same cases on every machine and database."""

import pytest

from tests.schemathesis_run import MODES, api_schema, check_operation, one_variant_reference
from tests.schemathesis_run import operations as operations_of

PURCHASING_PATHS = r"^/api/v1/(suppliers|purchase-orders)(/.*)?$"
PURCHASING_OPERATIONS = {
    "GET /api/v1/suppliers/",
    "POST /api/v1/suppliers/",
    "GET /api/v1/suppliers/{id}/",
    "PATCH /api/v1/suppliers/{id}/",
    "GET /api/v1/purchase-orders/",
    "POST /api/v1/purchase-orders/",
    "GET /api/v1/purchase-orders/{id}/",
    "POST /api/v1/purchase-orders/{id}/receive/",
    "POST /api/v1/purchase-orders/{id}/cancel/",
}

pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)


@pytest.fixture
def seeded() -> dict:
    """A Pro workspace with limits out of reach, a key, two products (one variant archived),
    two suppliers, and orders in every state: ordered, draft, partially received, received."""
    from accounts.services import workspace_set_plan
    from apikeys.services import api_key_create
    from inventory import services as inventory
    from portal.services import workspace_setup
    from purchasing import services
    from tests.purchasing.factories import make_order

    workspace = workspace_setup(name="Schemathesis", owner=None, plan="pro")
    workspace_set_plan(workspace=workspace, plan="pro", daily_limit=10**6, burst_limit=10**6)
    _key, raw_key = api_key_create(workspace=workspace, name="Schemathesis", created_by=None)
    locations = [
        inventory.location_default(workspace),
        inventory.location_create(workspace=workspace, name="Back room"),
    ]
    products = [
        inventory.product_create(
            workspace=workspace,
            name=f"Tee {n}",
            variants=[{"sku": f"TEE-{n}-S"}, {"sku": f"TEE-{n}-M"}],
        )
        for n in range(2)
    ]
    variants = [v for product in products for v in product.variants.order_by("id")]
    suppliers = [
        services.supplier_create(workspace=workspace, name="Porto Cotton Works", currency="EUR"),
        services.supplier_create(workspace=workspace, name="Highland Wool", lead_time_days=21),
    ]
    ordered = make_order(workspace, [(variants[0], 10), (variants[2], 5)], supplier=suppliers[0])
    draft = make_order(workspace, [(variants[2], 3)], supplier=suppliers[1], status="draft")
    partial = make_order(
        workspace, [(variants[0], 8)], supplier=suppliers[1], location=locations[1]
    )
    services.purchase_order_receive(
        order=partial, actor=inventory.Actor.system(), lines=[(partial.lines.get().pk, 3)]
    )
    received = make_order(workspace, [(variants[3], 2)], supplier=suppliers[0])
    services.purchase_order_receive(order=received, actor=inventory.Actor.system())
    inventory.variant_archive(variant=variants[1])
    orders = [ordered, draft, partial, received]
    return {
        "authorization": f"Bearer {raw_key}",
        "supplier_ids": [s.pk for s in suppliers],
        "order_ids": [o.pk for o in orders],
        "line_ids": [line.pk for o in orders for line in o.lines.order_by("pk")],
        "ordered_line_ids": list(ordered.lines.order_by("pk").values_list("pk", flat=True)),
        "variant_ids": [v.pk for v in variants if v.status == "active"],
        "skus": [v.sku for v in variants],
        "location_ids": [loc.pk for loc in locations],
    }


def known_good_request(label: str, seeded: dict) -> dict:
    supplier = str(seeded["supplier_ids"][0])
    ordered, draft = (str(pk) for pk in seeded["order_ids"][:2])
    first_line, second_line = seeded["ordered_line_ids"]
    requests = {
        "GET /api/v1/suppliers/": {"query": {"limit": 1}},
        "POST /api/v1/suppliers/": {
            "body": {
                "name": "Kiln & Grain",
                "email": "orders@kiln.example",
                "phone": "+1 503 000 0000",
                "address": "1200 NW Front Ave\nPortland",
                "currency": "USD",
                "lead_time_days": 30,
                "notes": "Stoneware.",
            }
        },
        "GET /api/v1/suppliers/{id}/": {"path_parameters": {"id": supplier}},
        "PATCH /api/v1/suppliers/{id}/": {
            "path_parameters": {"id": supplier},
            "body": {"currency": "GBP", "lead_time_days": 7},
        },
        "GET /api/v1/purchase-orders/": {
            "query": {"status": "ordered", "supplier_id": int(supplier), "limit": 2}
        },
        "POST /api/v1/purchase-orders/": {
            "body": {
                "supplier_id": int(supplier),
                "location_id": seeded["location_ids"][1],
                "expected_date": "2027-03-01",
                "notes": "Spring.",
                "status": "ordered",
                "lines": [
                    {"variant_id": seeded["variant_ids"][0], "quantity": 12, "unit_cost": "4.20"},
                    {"sku": seeded["skus"][2], "quantity": 6, "unit_cost": "0"},
                ],
            }
        },
        "GET /api/v1/purchase-orders/{id}/": {"path_parameters": {"id": ordered}},
        "POST /api/v1/purchase-orders/{id}/receive/": {
            "path_parameters": {"id": ordered},
            "body": {
                "lines": [
                    {"line_id": first_line, "quantity": 4},
                    {"line_id": second_line, "quantity": 5},
                ]
            },
        },
        "POST /api/v1/purchase-orders/{id}/cancel/": {"path_parameters": {"id": draft}},
    }
    return requests[label]


@pytest.fixture
def purchasing_schema(seeded):
    dictionaries = {
        "ids": [str(pk) for pk in seeded["supplier_ids"] + seeded["order_ids"]],
        "supplier_ids": seeded["supplier_ids"],
        "variant_ids": seeded["variant_ids"],
        "location_ids": seeded["location_ids"],
        "line_ids": seeded["line_ids"],
        "skus": seeded["skus"],
        "currencies": ["EUR", "USD", "GBP", "JPY"],
        "statuses": ["draft", "ordered"],
    }
    bindings = {
        "path.id": "ids",
        "query.supplier_id": "supplier_ids",
        "body.supplier_id": "supplier_ids",
        "body.location_id": "location_ids",
        "body.currency": "currencies",
        "body.status": "statuses",
        "body.lines[*].variant_id": "variant_ids",
        "body.lines[*].sku": "skus",
        "body.lines[*].line_id": "line_ids",
    }
    return api_schema(dictionaries, bindings)


def operations(schema) -> dict:
    return operations_of(schema, PURCHASING_PATHS)


def variant_references_fixed(variant_ids: list[int]):
    """Order lines name exactly one variant reference (the schema cannot say so)."""

    def fix(body):
        lines = body.get("lines", []) if isinstance(body, dict) else []
        one_variant_reference(lines, variant_ids, marker="unit_cost")
        return body

    return fix


def test_run_covers_every_purchasing_operation(purchasing_schema):
    assert set(operations(purchasing_schema)) == PURCHASING_OPERATIONS


@pytest.mark.parametrize("mode", MODES, ids=str)
@pytest.mark.parametrize("label", sorted(PURCHASING_OPERATIONS))
def test_operation_answers_as_documented(purchasing_schema, seeded, label, mode):
    check_operation(
        operations(purchasing_schema)[label],
        mode,
        authorization=seeded["authorization"],
        known_good=known_good_request(label, seeded),
        fix_body=variant_references_fixed(seeded["variant_ids"]),
    )


@pytest.mark.parametrize("path", ["/api/v1/suppliers/", "/api/v1/purchase-orders/"])
def test_datetime_filter_never_answers_500(client, seeded, path):
    for value in ("2024-01-01T00:00:00+16:34", "0001-01-01T00:00:00+01:00"):
        response = client.get(
            path,
            {"updated_since": value},
            secure=True,
            headers={"Authorization": seeded["authorization"]},
        )
        assert response.status_code in (200, 400), (value, response.status_code)
