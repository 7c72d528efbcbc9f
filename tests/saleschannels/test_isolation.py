"""Tenant isolation (SPEC §3): with workspace A's key, B's channels and listings are exactly as
unknown as ids that do not exist, no list or filter shows B's data, and A cannot list B's
variants. The walk is driven by ``saleschannels.api_urls``."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from inventory.services import location_create
from saleschannels import api_urls
from saleschannels.models import Channel, Listing
from saleschannels.sync import listings_sync
from tests.api_client import ApiClient
from tests.factories import make_key, make_workspace
from tests.saleschannels.factories import make_channel, make_listing, make_variant

pytestmark = pytest.mark.usefixtures("no_broker")

MISSING = 987_654_321


@dataclass
class Tenant:
    workspace: object
    channel: Channel
    listing: Listing
    variant: object
    unlisted: object


def populate(name: str, prefix: str) -> Tenant:
    workspace = make_workspace(name, limits=1_000_000)
    shop = location_create(workspace=workspace, name=f"{prefix} shop")
    channel = make_channel(workspace, "amazon", f"{prefix} Amazon", locations=[shop])
    variant = make_variant(workspace, f"{prefix}-LISTED", barcode=None)
    listing = make_listing(channel, variant)
    listings_sync([listing.pk])  # in error: no GTIN
    return Tenant(workspace, channel, listing, variant, make_variant(workspace, f"{prefix}-FREE"))


@pytest.fixture
def a(db):
    return populate("Alpha", "A")


@pytest.fixture
def b(db):
    return populate("Bravo", "B")


@pytest.fixture
def api_a(client, a):
    return ApiClient(client, make_key(a.workspace, name="A sync"))


def url(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs or None)


def b_state(b: Tenant):
    return sorted(Listing.objects.filter(workspace=b.workspace).values_list("id", "state")), sorted(
        Channel.objects.filter(workspace=b.workspace).values_list("id", "updated_at")
    )


def without_request_id(response) -> bytes:
    return response.content.replace(response["X-Request-Id"].encode(), b"")


DETAIL_CALLS = [
    ("channel", "GET", None),
    ("channel-listings", "GET", None),
    ("channel-listings", "POST", {"sku": "A-FREE"}),
]
LIST_ROUTES = {"channels", "listings"}


def test_the_walk_covers_every_route_of_the_channels_api():
    routes = {pattern.name for pattern in api_urls.urlpatterns}
    assert routes == {name for name, *_ in DETAIL_CALLS} | LIST_ROUTES


@pytest.mark.parametrize(("name", "method", "body"), DETAIL_CALLS, ids=lambda v: str(v))
def test_another_workspaces_channel_is_404_exactly_like_a_missing_one(
    api_a, a, b, name, method, body
):
    before = b_state(b)

    response = api_a.request(method, url(name, pk=b.channel.pk), body)
    missing = api_a.request(method, url(name, pk=MISSING), body)

    assert response.status_code == missing.status_code == 404
    assert without_request_id(response) == without_request_id(missing)
    assert b_state(b) == before
    assert not Listing.objects.filter(workspace=a.workspace, variant=a.unlisted).exists()


@pytest.mark.parametrize(
    "body",
    [lambda b: {"variant_id": b.unlisted.pk}, lambda b: {"sku": b.unlisted.sku}],
    ids=["variant_id", "sku"],
)
def test_publishing_another_workspaces_variant_is_unknown(api_a, a, b, body):
    missing = {"variant_id": MISSING} if "variant_id" in body(b) else {"sku": "NO-SUCH"}

    response = api_a.post(url("channel-listings", pk=a.channel.pk), body(b))
    unknown = api_a.post(url("channel-listings", pk=a.channel.pk), missing)

    assert response.status_code == unknown.status_code == 400
    assert response.json()["error"]["fields"] == unknown.json()["error"]["fields"]
    assert not Listing.objects.filter(variant=b.unlisted).exists()


def results(api, name, params=None, **kwargs):
    response = api.get(url(name, **kwargs), params)
    assert response.status_code == 200, response.content
    assert response.json()["next"] is None
    return response.json()["results"]


def test_lists_show_only_the_keys_workspace_whatever_the_filter(api_a, a, b):
    assert [row["id"] for row in results(api_a, "channels")] == [a.channel.pk]
    assert [row["id"] for row in results(api_a, "listings")] == [a.listing.pk]
    assert [row["id"] for row in results(api_a, "listings", {"state": "error"})] == [a.listing.pk]
    for params in (
        {"channel_id": b.channel.pk},
        {"variant_id": b.variant.pk},
        {"channel_id": b.channel.pk, "state": "error"},
    ):
        assert results(api_a, "listings", params) == [], params
    [channel] = results(api_a, "channels")
    assert channel["listing_counts"] == {"pending": 0, "active": 0, "inactive": 0, "error": 1}
    assert channel["location_ids"] == list(a.channel.locations.values_list("pk", flat=True))


def test_the_same_ids_work_for_their_own_workspace(client, b):
    api_b = ApiClient(client, make_key(b.workspace, name="B sync"))
    assert api_b.get(url("channel", pk=b.channel.pk)).status_code == 200
    assert [row["id"] for row in results(api_b, "channel-listings", pk=b.channel.pk)] == [
        b.listing.pk
    ]
