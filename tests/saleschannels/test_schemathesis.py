"""Schemathesis against our own OpenAPI schema, in process, over every channels operation
(as tests/inventory/test_schemathesis.py does for the catalogue): no 5xx, and every answer as
documented (status code, content type, body and headers). Derandomized: the same cases run on
every machine and database."""

import pytest

from tests.schemathesis_run import MODES, api_schema, check_operation, one_variant_reference
from tests.schemathesis_run import operations as operations_of

CHANNEL_PATHS = r"^/api/v1/(channels|listings)(/.*)?$"
CHANNEL_OPERATIONS = {
    "GET /api/v1/channels/",
    "GET /api/v1/channels/{id}/",
    "GET /api/v1/channels/{id}/listings/",
    "POST /api/v1/channels/{id}/listings/",
    "GET /api/v1/listings/",
}

pytestmark = [
    pytest.mark.django_db(transaction=True, reset_sequences=True),
    pytest.mark.usefixtures("no_broker"),
]


@pytest.fixture
def seeded() -> dict:
    """A Pro workspace, a key, two channels (one selling one location with a buffer) and
    listings in every state."""
    from accounts.services import workspace_set_plan
    from apikeys.services import api_key_create
    from inventory import services as inventory
    from portal.services import workspace_setup
    from saleschannels.services import channel_connect, listing_publish
    from saleschannels.sync import listings_sync
    from tests.saleschannels.factories import make_variant

    workspace = workspace_setup(name="Schemathesis", owner=None, plan="pro")
    workspace_set_plan(workspace=workspace, plan="pro", daily_limit=10**6, burst_limit=10**6)
    _key, raw_key = api_key_create(workspace=workspace, name="Schemathesis", created_by=None)
    backroom = inventory.location_create(workspace=workspace, name="Back room")
    amazon = channel_connect(workspace=workspace, type="amazon", name="Amazon")
    ebay = channel_connect(
        workspace=workspace, type="ebay", name="eBay", locations=[backroom], stock_buffer=2
    )
    variants = [
        make_variant(workspace, "CH-OK"),
        make_variant(workspace, "CH-NOGTIN", barcode=None),
        make_variant(workspace, "CH-FREE-1"),
        make_variant(workspace, "CH-FREE-2"),
    ]
    inventory.stock_adjust(
        workspace=workspace,
        variant=variants[0],
        location=backroom,
        quantity=9,
        reason="received",
        actor=inventory.Actor.system("Seed"),
    )
    listings = [
        listing_publish(channel=amazon, variant=variants[0]),
        listing_publish(channel=amazon, variant=variants[1]),
        listing_publish(channel=ebay, variant=variants[0]),
    ]
    listings_sync([listing.pk for listing in listings[:2]])
    return {
        "authorization": f"Bearer {raw_key}",
        "channel_ids": [amazon.pk, ebay.pk],
        "variant_ids": [variant.pk for variant in variants],
        "skus": [variant.sku for variant in variants],
        "listing_ids": [listing.pk for listing in listings],
    }


def known_good_request(label: str, seeded: dict) -> dict:
    amazon, ebay = (str(pk) for pk in seeded["channel_ids"])
    return {
        "GET /api/v1/channels/": {"query": {"limit": 1}},
        "GET /api/v1/channels/{id}/": {"path_parameters": {"id": amazon}},
        "GET /api/v1/channels/{id}/listings/": {
            "path_parameters": {"id": amazon},
            "query": {"state": "error"},
        },
        "POST /api/v1/channels/{id}/listings/": {
            "path_parameters": {"id": ebay},
            "body": {"sku": "CH-FREE-1"},
        },
        "GET /api/v1/listings/": {"query": {"state": "active", "channel_id": int(amazon)}},
    }[label]


@pytest.fixture
def channels_schema(seeded):
    dictionaries = {
        "ids": [str(pk) for pk in seeded["channel_ids"] + seeded["listing_ids"]],
        "channel_ids": seeded["channel_ids"],
        "variant_ids": seeded["variant_ids"],
        "skus": [*seeded["skus"], "NO-SUCH"],
    }
    bindings = {
        "path.id": "ids",
        "query.channel_id": "channel_ids",
        "query.variant_id": "variant_ids",
        "body.variant_id": "variant_ids",
        "body.sku": "skus",
    }
    return api_schema(dictionaries, bindings)


def operations(schema) -> dict:
    return operations_of(schema, CHANNEL_PATHS)


def variant_references_fixed(variant_ids: list[int]):
    """A publish names its variant by ``variant_id`` or ``sku``, exactly one."""

    def fix(body):
        one_variant_reference([body], variant_ids)
        return body

    return fix


def test_run_covers_every_channels_operation(channels_schema):
    assert set(operations(channels_schema)) == CHANNEL_OPERATIONS


@pytest.mark.parametrize("mode", MODES, ids=str)
@pytest.mark.parametrize("label", sorted(CHANNEL_OPERATIONS))
def test_operation_answers_as_documented(channels_schema, seeded, label, mode):
    check_operation(
        operations(channels_schema)[label],
        mode,
        authorization=seeded["authorization"],
        known_good=known_good_request(label, seeded),
        fix_body=variant_references_fixed(seeded["variant_ids"]),
    )
