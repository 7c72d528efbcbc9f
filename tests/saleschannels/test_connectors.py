"""Each simulated marketplace enforces its real listing rules, through the sync: a refused
listing ends in ``error`` with the marketplace's reason, and the next sync after the fix
brings it to ``active``, with the marketplace showing the title, price and quantity."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from core.models import DomainEvent
from inventory.services import (
    variant_archive,
    variant_unarchive,
    variant_update,
)
from saleschannels.connectors import registry
from saleschannels.connectors.base import Connector, PushResult
from saleschannels.limits import RETRY_FIRST
from saleschannels.models import Listing, SimulatedListing
from saleschannels.sync import listings_sync
from tests.saleschannels.factories import (
    VALID_GTIN,
    make_channel,
    make_listing,
    make_variant,
    receive,
)

pytestmark = pytest.mark.usefixtures("no_broker")


def sync(*listings, force=False):
    return listings_sync([listing.pk for listing in listings], force=force)


def fresh(listing) -> Listing:
    return Listing.objects.get(pk=listing.pk)


def shown(listing) -> SimulatedListing:
    """The simulated marketplace's own record of the listing."""
    listing = fresh(listing)
    return SimulatedListing.objects.get(channel=listing.channel, external_id=listing.external_id)


def test_amazon_refuses_a_variant_without_gtin_until_its_barcode_is_fixed(workspace):
    amazon = make_channel(workspace, "amazon")
    variant = make_variant(workspace, "NO-GTIN", barcode=None)
    receive(workspace, variant, 7)
    listing = make_listing(amazon, variant)

    sync(listing)

    refused = fresh(listing)
    assert refused.state == "error"
    assert "Amazon needs a valid GTIN" in refused.error_message
    assert refused.external_id == ""
    assert not SimulatedListing.objects.filter(channel=amazon).exists()
    [event] = DomainEvent.objects.filter(type="channel_listing.error")
    assert event.data["object"]["id"] == listing.pk
    assert event.data["object"]["state"] == "error"
    assert event.data["object"]["error_message"] == refused.error_message

    variant_update(variant=variant, barcode=VALID_GTIN)
    sync(listing)

    fixed = fresh(listing)
    assert (fixed.state, fixed.error_message) == ("active", "")
    assert fixed.external_id.startswith("AMZ-")
    assert (fixed.published_quantity, fixed.quantity_synced_at is not None) == (7, True)
    record = shown(listing)
    assert (record.sku, record.title, record.price, record.quantity) == (
        "NO-GTIN",
        "Product NO-GTIN",
        Decimal("19.90"),
        7,
    )


def test_a_barcode_with_a_wrong_check_digit_is_no_gtin_for_amazon(workspace):
    variant = make_variant(workspace, "BAD-CHECK", barcode=None)
    variant.barcode = "4006381333932"  # as if stored before validation existed
    variant.save()
    listing = make_listing(make_channel(workspace, "amazon"), variant)

    sync(listing)

    assert "GTIN" in fresh(listing).error_message


def test_a_listing_in_error_records_the_event_once_however_often_it_is_retried(workspace):
    listing = make_listing(
        make_channel(workspace, "amazon"), make_variant(workspace, "X", barcode=None)
    )

    for _ in range(3):
        sync(listing)

    assert fresh(listing).state == "error"
    assert DomainEvent.objects.filter(type="channel_listing.error").count() == 1


@pytest.mark.parametrize(
    ("length", "state"), [(80, "active"), (81, "error")], ids=["80 chars", "81 chars"]
)
def test_ebay_titles_are_at_most_80_characters(workspace, length, state):
    variant = make_variant(workspace, "EB-1", product_name="T" * length)
    listing = make_listing(make_channel(workspace, "ebay"), variant)

    sync(listing)

    assert fresh(listing).state == state
    if state == "error":
        assert fresh(listing).error_message.startswith("eBay titles are at most 80 characters")
    else:
        assert shown(listing).title == "T" * 80


def test_the_title_is_the_product_and_variant_name(workspace):
    ebay = make_channel(workspace, "ebay")
    fits = make_variant(workspace, "EB-2", product_name="M" * 71, name="Navy M")
    too_long = make_variant(workspace, "EB-3", product_name="M" * 72, name="Navy M")
    fitting, refused = make_listing(ebay, fits), make_listing(ebay, too_long)

    sync(fitting, refused)

    assert shown(fitting).title == "M" * 71 + " — Navy M"  # 80 characters
    assert fresh(refused).error_message == (
        "eBay titles are at most 80 characters; this one has 81."
    )


@pytest.mark.parametrize(
    ("length", "state"), [(140, "active"), (141, "error")], ids=["140 chars", "141 chars"]
)
def test_etsy_titles_are_at_most_140_characters(workspace, length, state):
    listing = make_listing(
        make_channel(workspace, "etsy"), make_variant(workspace, "ET-1", product_name="E" * length)
    )

    sync(listing)

    assert fresh(listing).state == state
    if state == "error":
        assert "Etsy titles are at most 140 characters" in fresh(listing).error_message


@pytest.mark.parametrize(("tags", "state"), [(13, "active"), (14, "error")])
def test_etsy_listings_have_at_most_13_tags(workspace, tags, state):
    options = {f"option {n}": f"tag {n}" for n in range(tags)}
    listing = make_listing(
        make_channel(workspace, "etsy"), make_variant(workspace, "ET-2", options=options)
    )

    sync(listing)

    assert fresh(listing).state == state
    if state == "error":
        assert "at most 13 tags" in fresh(listing).error_message
    else:
        assert shown(listing).tags == list(options.values())


SIMULATED = [type for type in registry.types() if registry.is_simulated(type)]


@pytest.mark.parametrize("type", SIMULATED)
@pytest.mark.parametrize("price", [None, "0.00"], ids=["no price", "zero"])
def test_every_marketplace_needs_a_positive_price(workspace, type, price):
    listing = make_listing(
        make_channel(workspace, type), make_variant(workspace, "P-1", price=price)
    )

    sync(listing)

    assert fresh(listing).state == "error"
    assert "positive price" in fresh(listing).error_message


@pytest.mark.parametrize("type", SIMULATED)
def test_every_marketplace_lists_a_valid_variant(workspace, type):
    variant = make_variant(workspace, "OK-1", options={"size": "M"})
    receive(workspace, variant, 4)
    listing = make_listing(make_channel(workspace, type), variant)

    sync(listing)

    assert (fresh(listing).state, fresh(listing).published_quantity) == ("active", 4)
    assert shown(listing).quantity == 4


def test_an_archived_variant_does_not_stay_active_and_comes_back_when_unarchived(workspace):
    variant = make_variant(workspace, "ARCH-1")
    receive(workspace, variant, 3)
    listing = make_listing(make_channel(workspace, "shopify"), variant)
    sync(listing)
    assert fresh(listing).state == "active"

    variant_archive(variant=variant)
    sync(listing)

    archived = fresh(listing)
    assert archived.state == "inactive"
    assert "archived" in archived.error_message
    assert shown(listing).state == "inactive"

    variant_unarchive(variant=variant)
    sync(listing)

    assert (fresh(listing).state, fresh(listing).error_message) == ("active", "")
    assert shown(listing).state == "active"


def test_an_archived_variant_cannot_be_published(workspace):
    variant = make_variant(workspace, "ARCH-2")
    variant_archive(variant=variant)
    listing = make_listing(make_channel(workspace, "woocommerce"), variant)

    sync(listing)

    assert fresh(listing).state == "inactive"
    assert not SimulatedListing.objects.exists()


def test_a_failed_push_puts_the_listing_in_error_and_the_next_sync_retries_it(workspace):
    variant = make_variant(workspace, "GONE-1")
    receive(workspace, variant, 5)
    listing = make_listing(make_channel(workspace, "ebay"), variant)
    sync(listing)
    external_id = fresh(listing).external_id
    SimulatedListing.objects.all().delete()  # removed on the marketplace's side
    receive(workspace, variant, 1)

    sync(listing)

    failed = fresh(listing)
    assert failed.state == "error"
    assert failed.error_message == f"eBay has no listing {external_id!r} any more."
    assert failed.published_quantity == 5  # what the channel was last told
    assert DomainEvent.objects.filter(type="channel_listing.error").count() == 1

    sync(listing)

    retried = fresh(listing)
    assert (retried.state, retried.published_quantity, retried.error_message) == ("active", 6, "")
    assert shown(listing).quantity == 6


def test_a_channel_that_cannot_be_reached_is_in_error_with_its_listings(workspace, monkeypatch):
    from saleschannels.connectors.base import ChannelUnavailable
    from saleschannels.connectors.shopify import ShopifyConnector

    variant = make_variant(workspace, "DOWN-1")
    channel = make_channel(workspace, "shopify")
    listing = make_listing(channel, variant)

    def down(self, items):
        raise ChannelUnavailable("Shopify answered 503: try again later.")

    monkeypatch.setattr(ShopifyConnector, "push_quantities", down)
    sync(listing)

    channel.refresh_from_db()
    assert (channel.status, channel.status_message) == (
        "error",
        "Shopify answered 503: try again later.",
    )
    assert fresh(listing).state == "error"
    assert (channel.failures, channel.retry_after - channel.last_synced_at) == (1, RETRY_FIRST)

    monkeypatch.undo()
    sync(listing)  # within the backoff: the store is left alone
    channel.refresh_from_db()
    assert (channel.status, fresh(listing).state) == ("error", "error")

    with time_machine.travel(channel.retry_after + timedelta(seconds=1)):
        sync(listing)

    channel.refresh_from_db()
    assert (channel.status, channel.status_message) == ("connected", "")
    assert (channel.failures, channel.retry_after) == (0, None)
    assert fresh(listing).state == "active"


def test_each_failure_in_a_row_doubles_the_backoff_up_to_its_ceiling(workspace, monkeypatch):
    from saleschannels.connectors.base import ChannelUnavailable
    from saleschannels.connectors.shopify import ShopifyConnector

    def down(self, items):
        raise ChannelUnavailable("Shopify answered 503.")

    monkeypatch.setattr(ShopifyConnector, "push_quantities", down)
    channel = make_channel(workspace, "shopify")
    listing = make_listing(channel, make_variant(workspace, "DOWN-2"))
    waits = []
    for _ in range(7):
        sync(listing, force=True)  # "Sync now" does not wait for the backoff
        channel.refresh_from_db()
        waits.append(int((channel.retry_after - channel.last_synced_at).total_seconds() // 60))

    assert waits == [1, 2, 4, 8, 16, 30, 30]


def test_a_live_connector_replaces_a_simulated_one_through_the_registry(workspace, monkeypatch):
    """Registered for a type, a connector serves every channel of it: nothing else changes."""
    calls = []

    class Live(Connector):
        type = "shopify"
        label = "Shopify"
        simulated = False

        def publish(self, listing, variant):
            calls.append(("publish", variant.sku))
            return "gid://shopify/ProductVariant/1"

        def push_quantities(self, items):
            calls.append(("push", [quantity for _, quantity in items]))
            return {listing.pk: PushResult(ok=True) for listing, _ in items}

        def unpublish(self, listing):
            calls.append(("unpublish", listing.pk))

    monkeypatch.setitem(registry._CONNECTORS, "shopify", Live)
    variant = make_variant(workspace, "LIVE-1")
    receive(workspace, variant, 2)
    channel = make_channel(workspace, "shopify")
    listing = make_listing(channel, variant)

    sync(listing)

    assert calls == [("publish", "LIVE-1"), ("push", [2])]
    assert fresh(listing).external_id == "gid://shopify/ProductVariant/1"
    assert not registry.is_simulated("shopify")
    assert not SimulatedListing.objects.exists()
