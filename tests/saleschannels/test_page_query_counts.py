"""Query counts pinned for the Channels pages: 200 channels cost `/channels/` (and Settings →
Channels) what 2 do, and 200 listings cost a channel's page and `/channels/listings/` what 2 do
(a page of 50, each listing with its channel, variant, product and available quantity)."""

import pytest
from django.test import Client

from accounts.models import Role
from inventory.models import Product, StockLevel, Variant
from inventory.services import location_create, location_default
from saleschannels.models import Channel, Listing, ListingState
from tests.factories import MembershipFactory, make_workspace
from tests.pages import measure

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 4  # session, user, membership (with its workspace), the workspace switcher
PINNED = {
    "channels": PAGE_QUERIES + 1,  # the channels with their counts
    "settings": PAGE_QUERIES + 3,  # the same, their locations, those of "Connect channel"
    # the channel with its counts, its locations, the listings' count and page, the variants
    # "Publish variant" offers (whether there are any, then the options)
    "channel": PAGE_QUERIES + 6,
    "listings": PAGE_QUERIES + 3,  # the counts per state, the listings' count and page
}
STATES = [ListingState.ACTIVE, ListingState.ERROR, ListingState.PENDING, ListingState.INACTIVE]


def build(name: str, *, channels: int, listings: int):
    """A workspace with ``channels`` channels (every third selling one shop) and ``listings``
    listings spread over the first two, each of its own variant with stock at the default
    location, one unlisted variant left to publish (bulk-made: the page is measured, not the
    services)."""
    workspace = make_workspace(name)
    default = location_default(workspace)
    shop = location_create(workspace=workspace, name="Shop")
    made = Channel.objects.bulk_create(
        [
            Channel(workspace=workspace, type="amazon", name=f"Channel {n:03d}", stock_buffer=n % 3)
            for n in range(channels)
        ]
    )
    for channel in made[::3]:
        channel.locations.set([shop])
    product = Product.objects.create(workspace=workspace, name="Tee")
    variants = Variant.objects.bulk_create(
        [
            Variant(workspace=workspace, product=product, sku=f"TEE-{n:03d}", name=f"Size {n}")
            for n in range(listings + 1)
        ]
    )
    StockLevel.objects.bulk_create(
        [StockLevel(workspace=workspace, variant=v, location=default, on_hand=7) for v in variants]
    )
    Listing.objects.bulk_create(
        [
            Listing(
                workspace=workspace,
                channel=made[n // 4 % 2],
                variant=variant,
                state=STATES[n % 4],
                error_message="Amazon needs a valid GTIN" if STATES[n % 4] == "error" else "",
                published_quantity=5 if STATES[n % 4] == "active" else None,
            )
            for n, variant in enumerate(variants[:-1])
        ]
    )
    client = Client()
    client.force_login(MembershipFactory(workspace=workspace, role=Role.OWNER).user)
    return client, made[0]


@pytest.mark.parametrize(
    ("path", "pin"), [("/channels/", "channels"), ("/settings/channels/", "settings")]
)
def test_a_list_of_200_channels_costs_what_2_do(path, pin):
    small, _ = build("Small", channels=2, listings=2)
    large, _ = build("Large", channels=200, listings=2)

    few, small_sql = measure(small, path)
    many, large_sql = measure(large, path)

    row = '<th scope="row"><a href="/channels/'
    assert few.count(row) == 2
    assert many.count(row) == 200
    if pin == "settings":
        assert many.count("<td>Shop</td>") == 67  # every third channel sells the shop's stock
    assert len(large_sql) == len(small_sql) == PINNED[pin], "\n\n".join(large_sql)


def test_a_channel_page_of_200_listings_costs_what_2_do():
    small, small_channel = build("Small", channels=2, listings=2)
    large, large_channel = build("Large", channels=2, listings=800)

    few, small_sql = measure(small, f"/channels/{small_channel.pk}/")
    many, large_sql = measure(large, f"/channels/{large_channel.pk}/")
    errors, error_sql = measure(large, f"/channels/{large_channel.pk}/?state=error&page=2")

    assert few.count("<code>TEE-") == 2
    assert many.count("<code>TEE-") == 50  # of its 400
    assert "Page 1 of 8" in many
    assert errors.count("Amazon needs a valid GTIN") == 50  # the last page of its 100 in error
    assert "Page 2 of 2" in errors
    # "Choose a variant", the 400 variants listed on the other channel and the unlisted one
    assert many.count("<option ") == 402
    assert len(large_sql) == len(small_sql) == len(error_sql) == PINNED["channel"], "\n\n".join(
        large_sql
    )


def test_a_listings_page_of_200_costs_what_2_do():
    small, _ = build("Small", channels=2, listings=2)
    large, _ = build("Large", channels=2, listings=200)

    few, small_sql = measure(small, "/channels/listings/")
    many, large_sql = measure(large, "/channels/listings/")
    errors, error_sql = measure(large, "/channels/listings/?state=error")

    assert few.count("<code>TEE-") == 2
    assert many.count("<code>TEE-") == 50
    assert "Page 1 of 4" in many
    assert errors.count("Amazon needs a valid GTIN") == 50
    assert many.count('href="/channels/') >= 50  # each listing links to its channel
    assert len(large_sql) == len(small_sql) == len(error_sql) == PINNED["listings"], "\n\n".join(
        large_sql
    )
