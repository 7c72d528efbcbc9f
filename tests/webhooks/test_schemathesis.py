"""Schemathesis against our own OpenAPI schema, in process, over every events and
webhook-endpoints operation (as tests/saleschannels/test_schemathesis.py does for channels):
no 5xx, and every answer as documented (status code, content type, body and headers).
Derandomized: the same cases run on every machine and database."""

import pytest

from tests.schemathesis_run import MODES, api_schema, check_operation
from tests.schemathesis_run import operations as operations_of

WEBHOOK_PATHS = r"^/api/v1/(events|webhook-endpoints)(/.*)?$"
WEBHOOK_OPERATIONS = {
    "GET /api/v1/events/",
    "GET /api/v1/events/{id}/",
    "GET /api/v1/webhook-endpoints/",
    "POST /api/v1/webhook-endpoints/",
    "GET /api/v1/webhook-endpoints/{id}/",
    "PATCH /api/v1/webhook-endpoints/{id}/",
    "DELETE /api/v1/webhook-endpoints/{id}/",
    "POST /api/v1/webhook-endpoints/{id}/rotate-secret/",
    "POST /api/v1/webhook-endpoints/{id}/test/",
    "GET /api/v1/webhook-endpoints/{id}/deliveries/",
    "POST /api/v1/webhook-endpoints/{id}/deliveries/{delivery_id}/resend/",
}
HOOK_URLS = ["https://hooks.example.com/a", "https://hooks.example.com/b"]

pytestmark = [
    pytest.mark.django_db(transaction=True, reset_sequences=True),
    pytest.mark.usefixtures("queued"),
]


@pytest.fixture
def seeded(fake_dns) -> dict:
    """A Pro workspace, a key, two endpoints on a public host, and two events delivered to
    both."""
    from django.db import transaction

    from accounts.services import workspace_set_plan
    from apikeys.services import api_key_create
    from core import events
    from portal.services import workspace_setup
    from webhooks import delivery
    from webhooks.models import Delivery
    from webhooks.services import endpoint_create

    fake_dns.add("hooks.example.com", ["93.184.215.14"])
    workspace = workspace_setup(name="Schemathesis", owner=None, plan="pro")
    workspace_set_plan(workspace=workspace, plan="pro", daily_limit=10**6, burst_limit=10**6)
    _key, raw_key = api_key_create(workspace=workspace, name="Schemathesis", created_by=None)
    endpoints = [
        endpoint_create(workspace=workspace, url=url, event_types=[events.STOCK_ADJUSTED])
        for url in HOOK_URLS
    ]
    with transaction.atomic():
        recorded = [
            events.event_record(workspace=workspace, type=events.STOCK_ADJUSTED, obj={"n": n})
            for n in range(2)
        ]
    delivery.fan_out()  # the consumer did after the commit: this finds nothing left
    deliveries = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))
    assert len(deliveries) == len(recorded) * len(endpoints)
    return {
        "authorization": f"Bearer {raw_key}",
        "endpoint_ids": [endpoint.pk for endpoint in endpoints],
        "delivery_ids": deliveries,
        "event_ids": [event.public_id for event in recorded],
    }


def known_good_request(label: str, seeded: dict) -> dict:
    first, second = (str(pk) for pk in seeded["endpoint_ids"])
    return {
        "GET /api/v1/events/": {"query": {"type": "stock.adjusted", "limit": 1}},
        "GET /api/v1/events/{id}/": {"path_parameters": {"id": seeded["event_ids"][0]}},
        "GET /api/v1/webhook-endpoints/": {"query": {"enabled": "true"}},
        "POST /api/v1/webhook-endpoints/": {
            "body": {"url": HOOK_URLS[0], "event_types": ["product.created"]}
        },
        "GET /api/v1/webhook-endpoints/{id}/": {"path_parameters": {"id": first}},
        "PATCH /api/v1/webhook-endpoints/{id}/": {
            "path_parameters": {"id": first},
            "body": {"description": "ERP", "enabled": False},
        },
        "DELETE /api/v1/webhook-endpoints/{id}/": {"path_parameters": {"id": second}},
        "POST /api/v1/webhook-endpoints/{id}/rotate-secret/": {"path_parameters": {"id": first}},
        "POST /api/v1/webhook-endpoints/{id}/test/": {"path_parameters": {"id": first}},
        "GET /api/v1/webhook-endpoints/{id}/deliveries/": {
            "path_parameters": {"id": first},
            "query": {"status": "pending"},
        },
        "POST /api/v1/webhook-endpoints/{id}/deliveries/{delivery_id}/resend/": {
            "path_parameters": {"id": first, "delivery_id": str(seeded["delivery_ids"][0])}
        },
    }[label]


@pytest.fixture
def webhooks_schema(seeded):
    dictionaries = {
        "ids": [str(pk) for pk in seeded["endpoint_ids"]] + seeded["event_ids"],
        "delivery_ids": [str(pk) for pk in seeded["delivery_ids"]],
        "urls": [*HOOK_URLS, "https://127.0.0.1/hook"],
    }
    bindings = {"path.id": "ids", "path.delivery_id": "delivery_ids", "body.url": "urls"}
    return api_schema(dictionaries, bindings)


def operations(schema) -> dict:
    return operations_of(schema, WEBHOOK_PATHS)


def test_run_covers_every_webhooks_operation(webhooks_schema):
    assert set(operations(webhooks_schema)) == WEBHOOK_OPERATIONS


@pytest.mark.parametrize("mode", MODES, ids=str)
@pytest.mark.parametrize("label", sorted(WEBHOOK_OPERATIONS))
def test_operation_answers_as_documented(webhooks_schema, seeded, label, mode):
    operation = operations(webhooks_schema)[label]
    known_good = known_good_request(label, seeded)
    check_operation(operation, mode, authorization=seeded["authorization"], known_good=known_good)
