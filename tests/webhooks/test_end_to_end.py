"""Webhooks on the real stack (issue 10): PostgreSQL, the Redis broker, a real ``celery worker``
process and a real HTTP receiver on 127.0.0.1. Events recorded by the product's own services
reach each subscribed endpoint once, signed, and nothing else reaches anyone."""

from collections import Counter

import pytest
from standardwebhooks.webhooks import Webhook

from core import events
from core.models import DomainEvent
from inventory.services import Actor, location_default, product_create, stock_adjust
from purchasing.models import OrderStatus
from purchasing.services import purchase_order_place, purchase_order_receive
from saleschannels.models import Listing, ListingState
from saleschannels.services import listing_publish
from saleschannels.sync import listings_sync
from tests.factories import make_workspace
from tests.purchasing.factories import make_order
from tests.saleschannels.factories import make_channel, make_variant
from tests.webhooks.worker import wait_until
from webhooks.models import Delivery, DeliveryStatus
from webhooks.services import endpoint_create

pytestmark = pytest.mark.postgres

THE_THREE = [
    events.STOCK_BELOW_THRESHOLD,
    events.PURCHASE_ORDER_RECEIVED,
    events.CHANNEL_LISTING_ERROR,
]


def adjust(workspace, variant, quantity):
    stock_adjust(
        workspace=workspace,
        variant=variant,
        location=location_default(workspace),
        quantity=quantity,
        reason="received" if quantity > 0 else "sold",
        actor=Actor.system(),
    )


def stocked_variant(workspace, sku):
    """A variant with a reorder point of 5 and 10 on hand: at or above it."""
    product = product_create(
        workspace=workspace, name=f"Product {sku}", variants=[{"sku": sku, "reorder_point": 5}]
    )
    variant = product.variants.get()
    adjust(workspace, variant, 10)
    return variant


def test_three_events_reach_each_subscribed_endpoint_once_and_signed(
    start_worker, receiver, settings
):
    settings.SALYNC_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1, over http
    # Everything is set up before the endpoints exist, so only what follows can reach them.
    shop, other = make_workspace("Hook Co"), make_workspace("Other Co")
    wool = stocked_variant(shop, "WOOL-1")
    order = make_order(shop, [(wool, 12)], status=OrderStatus.DRAFT)
    purchase_order_place(order=order)
    amazon = make_channel(shop, "amazon")
    no_gtin = make_variant(shop, "NO-GTIN", barcode="")
    elsewhere_wool = stocked_variant(other, "WOOL-2")

    def endpoint(workspace, name, types):
        url = receiver.url(f"/ok?{name}")
        return endpoint_create(workspace=workspace, url=url, event_types=types)

    endpoints = {
        "all": endpoint(shop, "all", THE_THREE),
        "two": endpoint(shop, "two", THE_THREE[:2]),
        "unrelated": endpoint(shop, "unrelated", [events.PRODUCT_ARCHIVED]),
        "elsewhere": endpoint(other, "elsewhere", THE_THREE),
    }
    worker = start_worker()

    adjust(shop, wool, -6)  # 10 → 4: below the reorder point of 5
    purchase_order_receive(order=order, actor=Actor.system())  # in full
    listing = listing_publish(channel=amazon, variant=no_gtin)  # the worker syncs it too
    listings_sync([listing.pk])  # Amazon refuses a variant without a GTIN
    adjust(other, elsewhere_wool, -6)

    wait_until(
        lambda: Listing.objects.filter(pk=listing.pk, state=ListingState.ERROR).exists(),
        "the listing in error",
        watch=(worker,),
    )
    expected = {"/ok?all": 3, "/ok?two": 2, "/ok?elsewhere": 1}
    wait_until(
        lambda: (
            len(receiver.requests) >= sum(expected.values())
            and not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists()
        ),
        "every delivery made",
        watch=(worker,),
    )

    assert Counter(receiver.paths()) == expected
    ids = {
        (event.workspace_id, event.type): event.public_id
        for event in DomainEvent.objects.filter(type__in=THE_THREE)
    }
    assert len(ids) == DomainEvent.objects.filter(type__in=THE_THREE).count() == 4
    for name, types in [("all", THE_THREE), ("two", THE_THREE[:2]), ("elsewhere", THE_THREE[:1])]:
        endpoint_ = endpoints[name]
        received = {}
        for request in receiver.requests_to(f"/ok?{name}"):
            payload = Webhook(endpoint_.secret).verify(request["body"], request["headers"])
            assert payload["id"] == request["headers"]["webhook-id"]
            received[payload["type"]] = payload["id"]
        assert received == {t: ids[(endpoint_.workspace_id, t)] for t in types}
    by_endpoint = Counter(
        Delivery.objects.filter(status=DeliveryStatus.SUCCEEDED).values_list(
            "endpoint__url", flat=True
        )
    )
    assert by_endpoint == {receiver.url(path): count for path, count in expected.items()}
    assert not Delivery.objects.filter(endpoint=endpoints["unrelated"]).exists()
