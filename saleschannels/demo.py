"""Channels for the demo workspace (``seed_demo`` calls :func:`demo_channels_seed` after the
catalogue): an Amazon channel selling every location with a buffer and an Etsy shop selling
the retail store, with listings, some of them in error for real reasons. Idempotent."""

from decimal import Decimal

from inventory.models import Location, Variant
from inventory.services import product_create
from saleschannels.models import Channel, Listing
from saleschannels.services import channel_connect, listing_publish
from saleschannels.sync import listings_sync

AMAZON = "Amazon EU"
ETSY = "Etsy shop"
RETAIL_STORE = "Retail store"
LISTED_ON_AMAZON = 8
LISTED_ON_ETSY = 6

# Variants a marketplace refuses, with the reason the sync records.
GIFT_CARD = {"sku": "GIFT-CARD-50", "price": Decimal("50.00"), "barcode": ""}  # no GTIN
SAMPLE_PACK = {"sku": "SAMPLE-PACK", "price": None, "barcode": "4006381333931"}  # no price


def _extra(workspace, name: str, variant: dict) -> Variant:
    existing = Variant.objects.filter(workspace=workspace, sku=variant["sku"]).first()
    if existing is not None:
        return existing
    return product_create(workspace=workspace, name=name, variants=[variant]).variants.get()


def demo_channels_seed(workspace) -> list[Channel]:
    """The demo's two channels with their listings, synced now (simulated connectors only:
    no marketplace is called)."""
    channels = {channel.name: channel for channel in Channel.objects.filter(workspace=workspace)}
    if AMAZON not in channels:
        channels[AMAZON] = channel_connect(
            workspace=workspace, type="amazon", name=AMAZON, stock_buffer=2
        )
    if ETSY not in channels:
        store = Location.objects.filter(workspace=workspace, name=RETAIL_STORE)
        channels[ETSY] = channel_connect(
            workspace=workspace, type="etsy", name=ETSY, locations=list(store)
        )
    amazon, etsy = channels[AMAZON], channels[ETSY]
    variants = list(
        Variant.objects.filter(workspace=workspace, status="active")
        .exclude(sku__in=[GIFT_CARD["sku"], SAMPLE_PACK["sku"]])
        .order_by("id")
    )
    gift_card = _extra(workspace, "Gift card", GIFT_CARD)
    sample_pack = _extra(workspace, "Fabric sample pack", SAMPLE_PACK)
    wanted = [(amazon, v) for v in [*variants[:LISTED_ON_AMAZON], gift_card]]
    wanted += [(etsy, v) for v in [*variants[-LISTED_ON_ETSY:], sample_pack]]
    listed = set(
        Listing.objects.filter(workspace=workspace).values_list("channel_id", "variant_id")
    )
    for channel, variant in wanted:
        if (channel.pk, variant.pk) not in listed:
            listing_publish(channel=channel, variant=variant)
    listings_sync(Listing.objects.filter(workspace=workspace).values_list("pk", flat=True))
    return [amazon, etsy]
