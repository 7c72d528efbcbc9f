"""The channels API (SPEC §5.4): channels listed and retrieved with exactly the documented
fields, a channel's listings and listings across channels with their filters, and publishing
a variant by id or SKU."""

import pytest

from inventory.services import location_create, variant_archive
from saleschannels.models import Listing
from saleschannels.sync import listings_sync
from tests.api_client import assert_api_error, assert_fields
from tests.saleschannels.factories import make_channel, make_listing, make_variant

pytestmark = pytest.mark.usefixtures("no_broker")

CHANNEL_FIELDS = {
    "id", "type", "name", "status", "status_message", "last_synced_at", "simulated",
    "listing_counts", "location_ids", "stock_buffer", "created_at", "updated_at",
}  # fmt: skip
LISTING_FIELDS = {
    "id", "channel_id", "variant_id", "sku", "external_id", "state", "error_message",
    "available", "published_quantity", "quantity_synced_at", "created_at", "updated_at",
}  # fmt: skip


def test_a_channel_has_exactly_the_documented_fields(api, workspace):
    shop = location_create(workspace=workspace, name="Shop")
    channel = make_channel(workspace, "amazon", "Amazon EU", locations=[shop], stock_buffer=2)

    listed = api.get("channels").json()["results"]
    one = api.get(f"channels/{channel.pk}").json()

    assert listed == [one]
    assert set(one) == CHANNEL_FIELDS
    assert one["type"] == "amazon"
    assert one["name"] == "Amazon EU"
    assert (one["status"], one["status_message"], one["last_synced_at"]) == ("connected", "", None)
    assert one["simulated"] is True
    assert one["listing_counts"] == {"pending": 0, "active": 0, "inactive": 0, "error": 0}
    assert one["location_ids"] == [shop.pk]
    assert one["stock_buffer"] == 2


def test_listing_counts_count_every_state(api, workspace):
    channel = make_channel(workspace, "amazon")
    good = make_listing(channel, make_variant(workspace, "G-1"))
    bad = make_listing(channel, make_variant(workspace, "B-1", barcode=None))
    archived = make_variant(workspace, "A-1")
    variant_archive(variant=archived)
    off = make_listing(channel, archived)
    make_listing(channel, make_variant(workspace, "P-1"))
    listings_sync([good.pk, bad.pk, off.pk])

    counts = api.get(f"channels/{channel.pk}").json()["listing_counts"]

    assert counts == {"pending": 1, "active": 1, "inactive": 1, "error": 1}


def test_publishing_by_sku_or_id_answers_the_pending_listing(api, workspace, no_broker):
    channel = make_channel(workspace, "shopify")
    by_sku, by_id = make_variant(workspace, "PUB-1"), make_variant(workspace, "PUB-2")
    api.adjust(5, sku="PUB-1")

    first = api.post(f"channels/{channel.pk}/listings", {"sku": "PUB-1"})
    second = api.post(f"channels/{channel.pk}/listings/", {"variant_id": by_id.pk})

    assert first.status_code == 201, first.content
    body = first.json()
    assert set(body) == LISTING_FIELDS
    assert body["channel_id"] == channel.pk
    assert (body["variant_id"], body["sku"]) == (by_sku.pk, "PUB-1")
    assert (body["state"], body["external_id"], body["error_message"]) == ("pending", None, "")
    assert (body["available"], body["published_quantity"], body["quantity_synced_at"]) == (
        5,
        None,
        None,
    )
    assert second.status_code == 201
    assert second.json()["variant_id"] == by_id.pk


def test_publishing_the_same_variant_twice_is_409_already_listed(api, workspace):
    channel = make_channel(workspace, "shopify")
    variant = make_variant(workspace, "TWICE")
    assert api.post(f"channels/{channel.pk}/listings", {"sku": "TWICE"}).status_code == 201

    again = api.post(f"channels/{channel.pk}/listings", {"variant_id": variant.pk})

    error = assert_api_error(again, 409, "already_listed")
    assert error["message"] == f"TWICE is already listed on {channel.name}."
    assert Listing.objects.count() == 1
    other = make_channel(workspace, "ebay")
    assert api.post(f"channels/{other.pk}/listings", {"sku": "TWICE"}).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "variant_id"),
        ({"sku": "X", "variant_id": 1}, "variant_id"),
        ({"sku": "NO-SUCH"}, "sku"),
        ({"variant_id": 987654321}, "variant_id"),
        ({"variant_id": "1"}, "variant_id"),
        ({"sku": "BODY-1", "quantity": 3}, "quantity"),
        ({"sku": "BODY-1", "state": "active"}, "state"),
    ],
    ids=["neither", "both", "unknown sku", "unknown id", "id as string", "unknown", "read-only"],
)
def test_a_bad_publish_body_is_400_naming_the_field(api, workspace, body, field):
    make_variant(workspace, "BODY-1")
    channel = make_channel(workspace, "shopify")

    response = api.post(f"channels/{channel.pk}/listings", body)

    assert_fields(response, field)
    assert not Listing.objects.exists()


def test_publishing_on_an_unknown_channel_is_404(api, workspace):
    make_variant(workspace, "NOCH-1")
    assert_api_error(api.post("channels/987654321/listings", {"sku": "NOCH-1"}), 404, "not_found")


def test_a_read_only_key_cannot_publish(client, workspace):
    from apikeys.models import Access
    from tests.api_client import ApiClient

    reader = ApiClient.for_workspace(client, workspace, access=Access.READ_ONLY)
    channel = make_channel(workspace, "shopify")
    make_variant(workspace, "RO-1")

    response = reader.post(f"channels/{channel.pk}/listings", {"sku": "RO-1"})

    assert_api_error(response, 403, "insufficient_scope")
    assert reader.get(f"channels/{channel.pk}/listings").status_code == 200


def test_listings_across_channels_filter_by_state_channel_and_variant(api, workspace):
    amazon, ebay = make_channel(workspace, "amazon"), make_channel(workspace, "ebay")
    ok, no_gtin = make_variant(workspace, "F-1"), make_variant(workspace, "F-2", barcode=None)
    listings = [
        make_listing(amazon, ok),
        make_listing(amazon, no_gtin),
        make_listing(ebay, no_gtin),
    ]
    listings_sync([listing.pk for listing in listings])

    def ids(params):
        response = api.get("listings", params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids({}) == [listing.pk for listing in listings]
    [in_error] = api.get("listings", {"state": "error"}).json()["results"]
    assert (in_error["id"], in_error["sku"]) == (listings[1].pk, "F-2")
    assert "GTIN" in in_error["error_message"]
    assert ids({"channel_id": ebay.pk}) == [listings[2].pk]
    assert ids({"variant_id": no_gtin.pk}) == [listings[1].pk, listings[2].pk]
    assert ids({"state": "active", "channel_id": amazon.pk}) == [listings[0].pk]
    assert ids({"updated_since": "2000-01-01T00:00:00Z"}) == [listing.pk for listing in listings]
    assert ids({"updated_since": "2999-01-01T00:00:00Z"}) == []
    assert [row["id"] for row in api.get(f"channels/{ebay.pk}/listings").json()["results"]] == [
        listings[2].pk
    ]
    assert (
        api.get(f"channels/{amazon.pk}/listings", {"state": "active"}).json()["results"][0]["id"]
        == listings[0].pk
    )


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        ("listings", {"state": "broken"}, "state"),
        ("listings", {"state": ""}, "state"),
        ("listings", {"channel_id": "x"}, "channel_id"),
        ("listings", {"variant_id": "-1"}, "variant_id"),
        ("listings", {"updated_since": "yesterday"}, "updated_since"),
        ("channels", {"updated_since": ""}, "updated_since"),
        ("listings", {"limit": "0"}, "limit"),
    ],
)
def test_an_invalid_filter_is_400_naming_it(api, path, params, name):
    assert_fields(api.get(path, params), name)


def test_channels_list_newest_changes_with_updated_since(api, workspace):
    make_channel(workspace, "shopify")
    assert (
        len(api.get("channels", {"updated_since": "2000-01-01T00:00:00Z"}).json()["results"]) == 1
    )
    assert api.get("channels", {"updated_since": "2999-01-01T00:00:00Z"}).json()["results"] == []


def test_channels_are_read_only_over_the_api(api, workspace):
    channel = make_channel(workspace, "shopify")
    assert_api_error(api.post("channels", {"type": "ebay", "name": "X"}), 405, "method_not_allowed")
    assert_api_error(
        api.patch(f"channels/{channel.pk}", {"stock_buffer": 3}), 405, "method_not_allowed"
    )
    assert_api_error(api.delete(f"channels/{channel.pk}"), 405, "method_not_allowed")


def test_the_api_index_lists_the_channel_collections(api):
    resources = api.get().json()["resources"]
    assert resources["channels"] == "https://testserver/api/v1/channels"
    assert resources["listings"] == "https://testserver/api/v1/listings"


def test_the_listing_representation_is_the_events_object(api, workspace):
    """channel_listing.error carries the listing as the API answers it."""
    from core.models import DomainEvent

    channel = make_channel(workspace, "amazon")
    listing = make_listing(channel, make_variant(workspace, "EV-1", barcode=None))
    listings_sync([listing.pk])

    [event] = DomainEvent.objects.filter(type="channel_listing.error")

    assert event.data["object"] == api.get(f"channels/{channel.pk}/listings").json()["results"][0]


def test_the_schema_documents_exactly_the_fields_answered(api, workspace):
    schema = api.get("schema", {"format": "json"}).json()["components"]["schemas"]

    assert set(schema["Channel"]["properties"]) == CHANNEL_FIELDS
    assert set(schema["Listing"]["properties"]) == LISTING_FIELDS
    assert set(schema["ListingCounts"]["properties"]) == {"pending", "active", "inactive", "error"}
    assert set(schema["ListingPublishRequest"]["properties"]) == {"variant_id", "sku"}


def test_publishing_replays_with_the_same_idempotency_key(api, workspace):
    channel = make_channel(workspace, "shopify")
    make_variant(workspace, "IDEM-1")
    path = f"channels/{channel.pk}/listings"

    first = api.post(path, {"sku": "IDEM-1"}, HTTP_IDEMPOTENCY_KEY="publish-1")
    again = api.post(path, {"sku": "IDEM-1"}, HTTP_IDEMPOTENCY_KEY="publish-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Listing.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_never_fails_the_publish(client, monkeypatch, caplog):
    from saleschannels import tasks
    from tests.api_client import ApiClient
    from tests.factories import make_workspace

    workspace = make_workspace("Broker down")
    api = ApiClient.for_workspace(client, workspace)
    channel = make_channel(workspace, "shopify")
    make_variant(workspace, "DOWN-1")

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.sync_listings, "delay", down)
    response = api.post(f"channels/{channel.pk}/listings", {"sku": "DOWN-1"})

    assert response.status_code == 201
    assert "could not queue a sync" in caplog.text
    assert Listing.objects.get().state == "pending"  # the scheduled sync takes it from here
