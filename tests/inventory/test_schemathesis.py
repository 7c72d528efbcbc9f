"""Schemathesis against our own OpenAPI schema, in process: every catalogue and stock operation
(and the API index) answers without a 5xx and as its schema says — a documented status code,
the documented content type, a body and headers that match the response schema.

The schema is loaded from the WSGI application itself; requests go over "HTTPS" with a valid
Bearer key of a Pro workspace whose limits are never reached, on a catalogue seeded through the
services. Each operation first gets one known-good request (it must succeed), then generated
ones, valid (positive) and invalid (negative), which draw ids, SKUs and barcodes from the seeded
objects half of the time. Generation is derandomized: the same cases run on every machine, on
SQLite and on PostgreSQL.
"""

from datetime import timedelta

import pytest

from tests.schemathesis_run import MODES, api_schema, check_operation, one_variant_reference
from tests.schemathesis_run import operations as operations_of

DATETIME_FILTERS = ("updated_since", "created_after", "created_before")
PG_MAX_UTC_OFFSET = timedelta(hours=15, minutes=59, seconds=59)
VALID_GTINS = ["96385074", "036000291452", "4006381333931", "10614141000415"]

# This step's endpoints: the index, products, variants, locations, stock and the ledger.
INVENTORY_PATHS = r"^/api/v1/((products|variants|locations|stock)(/.*)?)?$"
INVENTORY_OPERATIONS = {
    "GET /api/v1/",
    "GET /api/v1/products/",
    "POST /api/v1/products/",
    "GET /api/v1/products/{id}/",
    "PATCH /api/v1/products/{id}/",
    "POST /api/v1/products/{id}/archive/",
    "POST /api/v1/products/{id}/unarchive/",
    "GET /api/v1/products/{id}/variants/",
    "POST /api/v1/products/{id}/variants/",
    "GET /api/v1/variants/{id}/",
    "PATCH /api/v1/variants/{id}/",
    "POST /api/v1/variants/{id}/archive/",
    "POST /api/v1/variants/{id}/unarchive/",
    "GET /api/v1/locations/",
    "POST /api/v1/locations/",
    "GET /api/v1/locations/{id}/",
    "GET /api/v1/stock/",
    "GET /api/v1/stock/adjustments/",
    "POST /api/v1/stock/adjustments/",
    "POST /api/v1/stock/adjustments/batch/",
}

# Transactional: the WSGI handler closes the connection after each request. Sequences reset:
# the seeded ids, and so the generated cases, are the same on every run and database.
pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)


@pytest.fixture
def seeded() -> dict:
    """A Pro workspace with limits out of reach, a key, and a small catalogue with stock in
    two locations: three products of two variants, one product and one variant archived."""
    from accounts.services import workspace_set_plan
    from apikeys.services import api_key_create
    from inventory import services
    from portal.services import workspace_setup

    workspace = workspace_setup(name="Schemathesis", owner=None, plan="pro")
    workspace_set_plan(workspace=workspace, plan="pro", daily_limit=10**6, burst_limit=10**6)
    _key, raw_key = api_key_create(workspace=workspace, name="Schemathesis", created_by=None)
    locations = [
        services.location_default(workspace),
        services.location_create(workspace=workspace, name="Back room"),
    ]
    products = [
        services.product_create(
            workspace=workspace,
            name=f"Tee {number}",
            variants=[
                {"sku": f"TEE-{number}-S", "options": {"size": "S"}, "reorder_point": 5},
                {"sku": f"TEE-{number}-M", "options": {"size": "M"}, "price": "19.90"},
            ],
        )
        for number in range(3)
    ]
    variants = [variant for product in products for variant in product.variants.order_by("id")]
    actor = services.Actor.system("Seed")
    for index, variant in enumerate(variants):
        for location in locations:
            services.stock_adjust(
                workspace=workspace,
                variant=variant,
                location=location,
                quantity=10 + index,
                reason="received",
                actor=actor,
            )
    services.variant_archive(variant=variants[1])
    services.product_archive(product=products[2])
    return {
        "authorization": f"Bearer {raw_key}",
        "product_ids": [product.pk for product in products],
        "variant_ids": [variant.pk for variant in variants],
        "skus": [variant.sku for variant in variants],
        "location_ids": [location.pk for location in locations],
    }


def known_good_request(label: str, seeded: dict) -> dict:
    """One valid request per operation, on the seeded objects: ``operation.Case`` arguments."""
    product, _, archived_product = (str(pk) for pk in seeded["product_ids"])
    variant, archived_variant = (str(pk) for pk in seeded["variant_ids"][:2])
    sku, other_sku = seeded["skus"][0], seeded["skus"][2]
    default_location, backroom = seeded["location_ids"]
    requests = {
        "GET /api/v1/": {},
        "GET /api/v1/products/": {"query": {"q": "tee", "status": "all", "limit": 2}},
        "POST /api/v1/products/": {
            "body": {
                "name": "Hoodie",
                "description": "Heavy cotton.",
                "variants": [
                    {
                        "sku": "HOOD-M",
                        "options": {"size": "M", "colour": "Navy"},
                        "barcode": VALID_GTINS[2],
                        "price": "39.90",
                        "cost": "14.00",
                        "reorder_point": 3,
                    },
                    {"sku": "HOOD-L", "barcode": None, "price": None},
                ],
            }
        },
        "GET /api/v1/products/{id}/": {"path_parameters": {"id": product}},
        "PATCH /api/v1/products/{id}/": {
            "path_parameters": {"id": product},
            "body": {"name": "Tee zero", "description": ""},
        },
        "POST /api/v1/products/{id}/archive/": {"path_parameters": {"id": product}},
        "POST /api/v1/products/{id}/unarchive/": {"path_parameters": {"id": archived_product}},
        "GET /api/v1/products/{id}/variants/": {
            "path_parameters": {"id": product},
            "query": {"status": "all"},
        },
        "POST /api/v1/products/{id}/variants/": {
            "path_parameters": {"id": product},
            "body": {"sku": "TEE-0-L", "options": {"size": "L"}, "barcode": VALID_GTINS[0]},
        },
        "GET /api/v1/variants/{id}/": {"path_parameters": {"id": variant}},
        "PATCH /api/v1/variants/{id}/": {
            "path_parameters": {"id": variant},
            "body": {"reorder_point": 50, "price": "21.50", "barcode": VALID_GTINS[1]},
        },
        "POST /api/v1/variants/{id}/archive/": {"path_parameters": {"id": variant}},
        "POST /api/v1/variants/{id}/unarchive/": {"path_parameters": {"id": archived_variant}},
        "GET /api/v1/locations/": {},
        "POST /api/v1/locations/": {"body": {"name": "Overflow"}},
        "GET /api/v1/locations/{id}/": {"path_parameters": {"id": str(backroom)}},
        "GET /api/v1/stock/": {"query": {"location_id": default_location, "limit": 3}},
        "GET /api/v1/stock/adjustments/": {"query": {"sku": sku, "reason": "received"}},
        "POST /api/v1/stock/adjustments/": {
            "body": {"sku": sku, "quantity": -3, "reason": "sold", "expected_on_hand": 10}
        },
        "POST /api/v1/stock/adjustments/batch/": {
            "body": {
                "adjustments": [
                    {"variant_id": int(variant), "quantity": 5, "reason": "received"},
                    {
                        "sku": other_sku,
                        "location_id": backroom,
                        "quantity": -2,
                        "reason": "damaged",
                        "note": "Dropped in the lift.",
                    },
                ]
            }
        },
    }
    return requests[label]


@pytest.fixture
def inventory_schema(seeded):
    """The schema as the running application serves it, set up to draw ids, SKUs and barcodes
    from the seeded objects half of the time, so generated cases get past 404s and 400s."""
    dictionaries = {
        # Path ids are digit strings in the schema (the route takes at most 18 digits).
        "ids": [
            str(pk) for pk in seeded["product_ids"] + seeded["variant_ids"] + seeded["location_ids"]
        ],
        "variant_ids": seeded["variant_ids"],
        "location_ids": seeded["location_ids"],
        "skus": [*seeded["skus"], "NEW-1", "NEW-2", "NEW-3"],  # taken ones (409), free ones
        "gtins": VALID_GTINS,
    }
    bindings = {
        "path.id": "ids",
        "query.variant_id": "variant_ids",
        "query.location_id": "location_ids",
        "query.sku": "skus",
        "body.variant_id": "variant_ids",
        "body.location_id": "location_ids",
        "body.sku": "skus",
        "body.barcode": "gtins",
        "body.variants[*].sku": "skus",
        "body.variants[*].barcode": "gtins",
        "body.adjustments[*].variant_id": "variant_ids",
        "body.adjustments[*].location_id": "location_ids",
        "body.adjustments[*].sku": "skus",
    }
    return api_schema(dictionaries, bindings)


def operations(schema) -> dict:
    """``{"GET /api/v1/products/": APIOperation, …}`` for this step's paths."""
    return operations_of(schema, INVENTORY_PATHS)


def adjustment_lines_fixed(variant_ids: list[int]):
    """Adjustment lines (a batch's, or the body itself) name exactly one variant reference."""

    def fix(body):
        lines = body.get("adjustments", [body]) if isinstance(body, dict) else []
        one_variant_reference(lines, variant_ids, marker="quantity")
        return body

    return fix


def test_run_covers_every_inventory_operation(inventory_schema):
    """The run below is only as good as its reach: every operation of this step is in it."""
    assert set(operations(inventory_schema)) == INVENTORY_OPERATIONS


# One item per operation and mode, each on a freshly seeded database, so a failure names its
# operation and the cases do not depend on the order the items run in. (Schemathesis's own
# pytest runner, `from_fixture`, does not run on pytest 9.2: it sets `Function._nodeid`.)
@pytest.mark.parametrize("mode", MODES, ids=str)
@pytest.mark.parametrize("label", sorted(INVENTORY_OPERATIONS))
def test_operation_answers_as_documented(inventory_schema, seeded, label, mode):
    check_operation(
        operations(inventory_schema)[label],
        mode,
        authorization=seeded["authorization"],
        known_good=known_good_request(label, seeded),
        fix_body=adjustment_lines_fixed(seeded["variant_ids"]),
    )


def test_api_path_with_a_line_break_answers_in_the_error_format(client):
    """Found by the run above (POST /api/v1/products/{id}/archive/ with id "…\\n…")."""
    response = client.post("/api/v1/products/1%0A/archive/", secure=True)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/products/", "updated_since"),
        ("/api/v1/locations/", "updated_since"),
        ("/api/v1/stock/", "updated_since"),
        ("/api/v1/stock/adjustments/", "created_after"),
        ("/api/v1/stock/adjustments/", "created_before"),
    ],
)
def test_datetime_filter_never_answers_500(client, seeded, path, name):
    """Found by the run above (GET /api/v1/products/?updated_since=0135-03-15T10:45:36+16:34
    on PostgreSQL). Each value fails on one of the two databases."""
    for value in ("2024-01-01T00:00:00+16:34", "0001-01-01T00:00:00+01:00"):
        response = client.get(
            path, {name: value}, secure=True, headers={"Authorization": seeded["authorization"]}
        )
        assert response.status_code in (200, 400), (value, response.status_code)
