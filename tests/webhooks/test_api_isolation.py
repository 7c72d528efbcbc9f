"""Tenant isolation (SPEC §3) for events and webhook endpoints: with workspace A's key, B's
endpoints, deliveries and events answer exactly as ids that do not exist, on every route, and
nothing of B's changes. The walk is driven by ``webhooks.api_urls``."""

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import reverse

from core import events
from core.models import DomainEvent
from tests.api_client import ApiClient
from tests.factories import make_key, make_workspace
from webhooks import api_urls, delivery
from webhooks.models import Delivery, Endpoint
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db

MISSING = 987_654_321
MISSING_EVENT = "evt_" + "0" * 24


@dataclass
class Tenant:
    workspace: object
    endpoint: Endpoint
    delivery: Delivery
    event: DomainEvent


def populate(name: str) -> Tenant:
    workspace = make_workspace(name, limits=1_000_000)
    endpoint = endpoint_create(
        workspace=workspace,
        url=f"https://hooks.example.com/{name.lower()}",
        event_types=[events.STOCK_ADJUSTED],
    )
    with transaction.atomic():
        event = events.event_record(workspace=workspace, type=events.STOCK_ADJUSTED, obj={})
    [delivery_id] = delivery.fan_out([event.pk]).deliveries
    return Tenant(workspace, endpoint, Delivery.objects.get(pk=delivery_id), event)


@pytest.fixture
def world(fake_dns, queued):
    fake_dns.add("hooks.example.com", ["93.184.215.14"])
    return populate("Alpha"), populate("Bravo")


@pytest.fixture
def api_a(client, world):
    return ApiClient(client, make_key(world[0].workspace, name="A sync"))


def url(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs or None)


def b_state(b: Tenant):
    endpoints = list(Endpoint.objects.filter(workspace=b.workspace).order_by("pk").values())
    deliveries = list(Delivery.objects.filter(endpoint__workspace=b.workspace).values())
    events_ = list(DomainEvent.objects.filter(workspace=b.workspace).values())
    return endpoints, deliveries, events_


def without_request_id(response) -> bytes:
    return response.content.replace(response["X-Request-Id"].encode(), b"")


# (route name, method, body, the kwargs naming B's object or a missing one)
ENDPOINT_CALLS = [
    ("webhook-endpoint", "GET", None),
    ("webhook-endpoint", "PATCH", {"description": "Taken over"}),
    ("webhook-endpoint", "DELETE", None),
    ("webhook-endpoint-rotate-secret", "POST", None),
    ("webhook-endpoint-test", "POST", None),
    ("webhook-endpoint-deliveries", "GET", None),
]
LIST_ROUTES = {"events", "webhook-endpoints"}
OTHER_ROUTES = {"event", "webhook-delivery-resend"}


def test_the_walk_covers_every_route_of_the_webhooks_api():
    routes = {pattern.name for pattern in api_urls.urlpatterns}
    assert routes == {name for name, *_ in ENDPOINT_CALLS} | LIST_ROUTES | OTHER_ROUTES


@pytest.mark.parametrize(("name", "method", "body"), ENDPOINT_CALLS, ids=lambda v: str(v))
def test_another_workspaces_endpoint_is_404_exactly_like_a_missing_one(
    api_a, world, name, method, body
):
    _, b = world
    before = b_state(b)

    response = api_a.request(method, url(name, pk=b.endpoint.pk), body)
    missing = api_a.request(method, url(name, pk=MISSING), body)

    assert response.status_code == missing.status_code == 404
    assert without_request_id(response) == without_request_id(missing)
    assert b_state(b) == before
    assert b.endpoint.secret not in response.content.decode()


@pytest.mark.parametrize(
    "ids",
    [
        lambda a, b: {"pk": b.endpoint.pk, "delivery_id": b.delivery.pk},  # both B's
        lambda a, b: {"pk": a.endpoint.pk, "delivery_id": b.delivery.pk},  # B's delivery
        lambda a, b: {"pk": b.endpoint.pk, "delivery_id": a.delivery.pk},  # B's endpoint
    ],
    ids=["both", "delivery", "endpoint"],
)
def test_another_workspaces_delivery_is_404_on_resend(api_a, world, ids):
    a, b = world
    before = b_state(b)

    response = api_a.post(url("webhook-delivery-resend", **ids(a, b)))
    missing = api_a.post(url("webhook-delivery-resend", pk=a.endpoint.pk, delivery_id=MISSING))

    assert response.status_code == missing.status_code == 404
    assert without_request_id(response) == without_request_id(missing)
    assert b_state(b) == before


def test_another_workspaces_event_is_404_exactly_like_a_missing_one(api_a, world):
    _, b = world

    response = api_a.get(url("event", id=b.event.public_id))
    missing = api_a.get(url("event", id=MISSING_EVENT))

    assert response.status_code == missing.status_code == 404
    assert without_request_id(response) == without_request_id(missing)


def results(api, name, params=None, **kwargs):
    response = api.get(url(name, **kwargs), params)
    assert response.status_code == 200, response.content
    assert response.json()["next"] is None
    return response.json()["results"]


def test_lists_show_only_the_keys_workspace_whatever_the_filter(api_a, world):
    a, _ = world

    assert [row["id"] for row in results(api_a, "events")] == [a.event.public_id]
    assert [row["id"] for row in results(api_a, "events", {"type": events.STOCK_ADJUSTED})] == [
        a.event.public_id
    ]
    assert [row["id"] for row in results(api_a, "webhook-endpoints")] == [a.endpoint.pk]
    assert [row["id"] for row in results(api_a, "webhook-endpoints", {"enabled": "true"})] == [
        a.endpoint.pk
    ]
    deliveries = results(api_a, "webhook-endpoint-deliveries", pk=a.endpoint.pk)
    assert [row["id"] for row in deliveries] == [a.delivery.pk]


def test_the_same_ids_work_for_their_own_workspace(client, world):
    _, b = world
    api_b = ApiClient(client, make_key(b.workspace, name="B sync"))

    assert api_b.get(url("webhook-endpoint", pk=b.endpoint.pk)).status_code == 200
    assert api_b.get(url("event", id=b.event.public_id)).status_code == 200
    resend = api_b.post(url("webhook-delivery-resend", pk=b.endpoint.pk, delivery_id=b.delivery.pk))
    assert resend.status_code == 200
