"""Query counts pinned: a page of 200 channels or listings costs exactly what a page of 2 does.
Listings carry ``available`` in the page's own query (an annotation); channels their listing
counts in one grouped query and their locations in one more."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apikeys.services import api_key_create
from inventory.models import Location, Product, StockLevel, Variant
from inventory.services import location_default
from saleschannels.models import Channel, Listing
from tests.factories import make_workspace

# The key comes from the cache once warm; then the page; then one query per nested level.
PINNED = {
    "channels": 3,  # the page, listing counts, locations
    "listings": 1,  # the page, available included
    "channel-listings": 2,  # the channel, the page
}


def build(name: str, *, channels: int, listings_per_channel: int):
    workspace = make_workspace(name, limits=10**6)
    main = location_default(workspace)
    shelf = Location.objects.create(workspace=workspace, name="Shelf")
    product = Product.objects.create(workspace=workspace, name="Tee")
    variants = Variant.objects.bulk_create(
        [
            Variant(workspace=workspace, product=product, sku=f"{name[:3]}-{n}", price="9.90")
            for n in range(listings_per_channel)
        ]
    )
    StockLevel.objects.bulk_create(
        [
            StockLevel(workspace=workspace, variant=v, location=place, on_hand=n % 7)
            for n, v in enumerate(variants)
            for place in (main, shelf)
        ]
    )
    made = Channel.objects.bulk_create(
        [
            Channel(workspace=workspace, type="shopify", name=f"Shop {n}", stock_buffer=n % 3)
            for n in range(channels)
        ]
    )
    for channel in made[::2]:
        channel.locations.set([shelf])
    Listing.objects.bulk_create(
        [
            Listing(workspace=workspace, channel=channel, variant=variant, state=state)
            for channel in made
            for variant, state in zip(
                variants,
                ["pending", "active", "error", "inactive"] * listings_per_channel,
                strict=False,
            )
        ]
    )
    raw = api_key_create(workspace=workspace, name="Sync", created_by=None)[1]
    return workspace, raw, made[0]


def get(client, raw, path):
    response = client.get(f"/api/v1/{path}", secure=True, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]


def measure(client, raw, path):
    get(client, raw, "channels?limit=1")  # warm: the key's last_used_at, the cache
    with CaptureQueriesContext(connection) as queries:
        rows = get(client, raw, path)
    return rows, [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PINNED))
def test_200_rows_cost_what_2_do(client, name):
    small = build("Small", channels=2 if name == "channels" else 1, listings_per_channel=2)
    large = build("Large", channels=200, listings_per_channel=4)
    wide = build("Wide", channels=1, listings_per_channel=200)
    path = {
        "channels": lambda world: "channels?limit=200",
        "listings": lambda world: "listings?limit=200",
        "channel-listings": lambda world: f"channels/{world[2].pk}/listings?limit=200",
    }[name]
    big = large if name != "channel-listings" else wide

    few, small_sql = measure(client, small[1], path(small))
    many, large_sql = measure(client, big[1], path(big))

    assert len(few) == 2
    assert len(many) == 200
    assert len(large_sql) == len(small_sql) == PINNED[name], "\n\n".join(large_sql)


@pytest.mark.django_db
def test_a_large_page_answers_the_right_figures(client):
    _, raw, _ = build("Figures", channels=3, listings_per_channel=4)

    channels = get(client, raw, "channels")
    listings = get(client, raw, "listings?limit=200")

    assert [c["listing_counts"] for c in channels] == [
        {"pending": 1, "active": 1, "inactive": 1, "error": 1}
    ] * 3
    assert [c["location_ids"] != [] for c in channels] == [True, False, True]
    # on hand n % 7 at each of two locations; channel 0 sells the shelf only, buffer n % 3
    by_channel = {}
    for row in listings:
        by_channel.setdefault(row["channel_id"], []).append(row["available"])
    channel_ids = sorted(by_channel)
    assert by_channel[channel_ids[0]] == [0, 1, 2, 3]  # shelf only, buffer 0
    assert by_channel[channel_ids[1]] == [0, 1, 3, 5]  # both, buffer 1
    assert by_channel[channel_ids[2]] == [0, 0, 0, 1]  # shelf only, buffer 2
