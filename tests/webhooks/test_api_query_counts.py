"""Query counts pinned (STYLE.md "Reads go through one queryset builder"): a page of 200 events
or deliveries costs exactly what a page of 2 does, and a full list of endpoints what a list of
2 does. Rows are laid down with bulk_create: only reads are under test here."""

import pytest

from apikeys.services import api_key_create
from core import events
from core.models import DomainEvent
from tests.factories import make_workspace
from webhooks.models import Delivery, DeliveryStatus, Endpoint
from webhooks.services import MAX_ENDPOINTS

# The key (with its workspace) comes from the cache once warm; then the page (deliveries: the
# endpoint first, for its 404). Raise a number only with a reason; a lower one is welcome.
PINNED = {"events": 1, "webhook-endpoints": 1, "webhook-endpoint-deliveries": 2}
# A workspace holds at most MAX_ENDPOINTS endpoints: that is the largest list there can be.
LARGE = {"events": 200, "webhook-endpoints": MAX_ENDPOINTS, "webhook-endpoint-deliveries": 200}


def build(name: str, rows: int):
    workspace = make_workspace(name, limits=10**6)
    endpoints = Endpoint.objects.bulk_create(
        [
            Endpoint(
                workspace=workspace,
                url=f"https://hooks.example.com/{n}",
                event_types=[events.STOCK_ADJUSTED, events.PRODUCT_CREATED],
            )
            for n in range(min(rows, MAX_ENDPOINTS))
        ]
    )
    made = DomainEvent.objects.bulk_create(
        [
            DomainEvent(
                workspace=workspace,
                type=[events.STOCK_ADJUSTED, events.PRODUCT_CREATED][n % 2],
                data={"object": {"id": n, "sku": f"SKU-{n}"}},
            )
            for n in range(rows)
        ]
    )
    statuses = list(DeliveryStatus.values)
    Delivery.objects.bulk_create(
        [
            Delivery(endpoint=endpoints[0], event=event, status=statuses[n % 3], attempts=n % 8)
            for n, event in enumerate(made)
        ]
    )
    raw = api_key_create(workspace=workspace, name="Hooks", created_by=None)[1]
    return raw, endpoints[0]


def path_of(name, endpoint):
    return {
        "events": "events?limit=200",
        "webhook-endpoints": "webhook-endpoints?limit=200",
        "webhook-endpoint-deliveries": f"webhook-endpoints/{endpoint.pk}/deliveries?limit=200",
    }[name]


def get(client, raw, path):
    response = client.get(f"/api/v1/{path}", secure=True, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PINNED))
def test_a_large_page_costs_what_a_small_one_does(client, django_assert_num_queries, name):
    small = build("Small", 2)
    large = build("Large", LARGE[name])
    counts = {}
    for label, (raw, endpoint) in {"small": small, "large": large}.items():
        get(client, raw, "events?limit=1")  # warm: the key's last_used_at, the cache
        with django_assert_num_queries(PINNED[name]):
            counts[label] = len(get(client, raw, path_of(name, endpoint)))

    assert counts == {"small": 2, "large": LARGE[name]}
