"""What a channel is offered (``available``), and how stock changes reach the sync: after
commit, coalesced per variant, and at no query's cost for a workspace without listings."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.services import Actor, location_create, location_default, stock_adjust
from saleschannels import tasks
from saleschannels.models import Listing, SimulatedListing
from saleschannels.services import channel_update
from saleschannels.sync import listings_sync
from tests.factories import make_workspace
from tests.saleschannels.factories import make_channel, make_listing, make_variant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_broker")]


def adjust(workspace, variant, quantity, location=None):
    stock_adjust(
        workspace=workspace,
        variant=variant,
        location=location or location_default(workspace),
        quantity=quantity,
        reason="received",
        actor=Actor.system(),
    )


def available(listing) -> int:
    return listing_row(listing)["available"]


def listing_row(listing):
    from saleschannels.queries import listing_queryset

    return listing_queryset(listing.workspace).values("available").get(pk=listing.pk)


@pytest.fixture
def shelves(workspace):
    main = location_default(workspace)
    return (
        main,
        location_create(workspace=workspace, name="Shop"),
        location_create(workspace=workspace, name="Overflow"),
    )


def test_available_sums_the_channels_locations_minus_the_buffer_never_below_zero(
    workspace, shelves
):
    main, shop, overflow = shelves
    variant = make_variant(workspace, "AV-1")
    adjust(workspace, variant, 10, main)
    adjust(workspace, variant, 4, shop)
    adjust(workspace, variant, 1, overflow)
    everywhere = make_listing(make_channel(workspace, "shopify", "All"), variant)
    shop_only = make_listing(
        make_channel(workspace, "ebay", "Shop", locations=[shop, overflow], stock_buffer=2), variant
    )
    buffered = make_listing(
        make_channel(workspace, "etsy", "Buffered", locations=[shop], stock_buffer=9), variant
    )

    assert available(everywhere) == 15
    assert available(shop_only) == 3
    assert available(buffered) == 0


def test_the_sync_pushes_available_and_a_second_run_has_nothing_to_do(workspace, shelves):
    main, shop, _ = shelves
    variant = make_variant(workspace, "AV-2")
    adjust(workspace, variant, 6, main)
    adjust(workspace, variant, 5, shop)
    listing = make_listing(
        make_channel(workspace, "shopify", locations=[shop], stock_buffer=1), variant
    )

    first = listings_sync([listing.pk])
    second = listings_sync([listing.pk])

    stored = Listing.objects.get(pk=listing.pk)
    assert (stored.state, stored.published_quantity) == ("active", 4)
    assert first.pushes == {variant.pk: 1}
    assert second.handled == []
    assert not second.pushes
    assert SimulatedListing.objects.get().pushes == 1


def test_changing_a_channels_buffer_or_locations_syncs_its_listings(
    workspace, shelves, no_broker, django_capture_on_commit_callbacks
):
    main, _, _ = shelves
    variant = make_variant(workspace, "AV-3")
    adjust(workspace, variant, 8, main)
    channel = make_channel(workspace, "shopify")
    listing = make_listing(channel, variant)
    listings_sync([listing.pk])
    no_broker.clear()

    with pytest.raises(ValidationError, match="stock buffer"):
        channel_update(channel=channel, stock_buffer=-1)
    with django_capture_on_commit_callbacks(execute=True):
        channel_update(channel=channel, stock_buffer=3, locations=[main])

    assert no_broker == [("now", ([listing.pk],), {"force": False})]

    assert available(listing) == 5
    listings_sync([listing.pk])
    assert Listing.objects.get(pk=listing.pk).published_quantity == 5


def test_a_stock_change_schedules_one_coalesced_sync_of_its_variant(
    workspace, no_broker, django_capture_on_commit_callbacks
):
    variant = make_variant(workspace, "CO-1")
    make_listing(make_channel(workspace, "shopify"), variant)
    no_broker.clear()

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            adjust(workspace, variant, 1)

    assert [kind for kind, *_ in no_broker] == ["variant"]
    [(_, args, kwargs)] = no_broker
    assert args == ((variant.pk,),)
    assert kwargs == {"countdown": tasks.COALESCE_SECONDS}


def test_the_coalesced_task_clears_its_mark_first_so_the_next_change_schedules_again(
    workspace, no_broker, django_capture_on_commit_callbacks
):
    variant = make_variant(workspace, "CO-2")
    listing = make_listing(make_channel(workspace, "shopify"), variant)
    with django_capture_on_commit_callbacks(execute=True):
        adjust(workspace, variant, 2)
    no_broker.clear()

    tasks.sync_variant(variant.pk)  # as the worker runs it
    with django_capture_on_commit_callbacks(execute=True):
        adjust(workspace, variant, 3)

    assert Listing.objects.get(pk=listing.pk).published_quantity == 2
    assert [kind for kind, *_ in no_broker] == ["variant"]
    tasks.sync_variant(variant.pk)
    assert Listing.objects.get(pk=listing.pk).published_quantity == 5


def test_a_workspace_without_listings_pays_no_query_for_its_stock_changes(
    no_broker, django_capture_on_commit_callbacks
):
    workspace = make_workspace("No channels")
    variant = make_variant(workspace, "NC-1")
    with django_capture_on_commit_callbacks(execute=True):
        adjust(workspace, variant, 1)  # the flag is cold: one query, then cached

    with django_capture_on_commit_callbacks() as callbacks:
        adjust(workspace, variant, 1)
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()

    assert callbacks  # the consumer was called
    assert queries.captured_queries == []
    assert no_broker == []


def test_listing_a_first_variant_turns_the_cached_flag_on_at_once(
    no_broker, django_capture_on_commit_callbacks
):
    workspace = make_workspace("Late lister")
    variant = make_variant(workspace, "LL-1")
    with django_capture_on_commit_callbacks(execute=True):
        adjust(workspace, variant, 1)  # caches "no listings"
    assert no_broker == []
    make_listing(make_channel(workspace, "shopify"), variant)

    with django_capture_on_commit_callbacks(execute=True):
        adjust(workspace, variant, 1)

    assert [kind for kind, *_ in no_broker] == ["variant"]


def test_a_catalogue_change_schedules_the_sync_of_its_variants(
    workspace, no_broker, django_capture_on_commit_callbacks
):
    from inventory.services import variant_update

    variant = make_variant(workspace, "CAT-1")
    make_listing(make_channel(workspace, "amazon"), variant)
    no_broker.clear()

    with django_capture_on_commit_callbacks(execute=True):
        variant_update(variant=variant, price="25.00")

    assert [(kind, args) for kind, args, _ in no_broker] == [("variant", ((variant.pk,),))]


def test_a_failing_broker_never_fails_the_stock_change(
    workspace, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    variant = make_variant(workspace, "BRK-1")
    make_listing(make_channel(workspace, "shopify"), variant)

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.sync_variant, "apply_async", down)
    with (
        caplog.at_level(logging.ERROR, "salync.channels"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        adjust(workspace, variant, 1)

    assert "could not schedule" in caplog.text


def test_the_scheduled_sync_catches_what_was_missed(workspace):
    variant = make_variant(workspace, "SCH-1")
    listing = make_listing(make_channel(workspace, "shopify"), variant)
    listings_sync([listing.pk])
    adjust(workspace, variant, 9)  # no commit hook ran: as if the message were lost

    assert tasks.sync_all_listings() == 1
    assert Listing.objects.get(pk=listing.pk).published_quantity == 9
    assert tasks.sync_all_listings() == 0


def test_pushes_per_variant_are_logged(workspace, caplog):
    variant = make_variant(workspace, "LOG-1")
    listing = make_listing(make_channel(workspace, "shopify"), variant)

    with caplog.at_level(logging.INFO, "salync.channels"):
        listings_sync([listing.pk])

    assert f"variant {variant.pk} pushed to 1 listing(s)" in caplog.text


def test_a_listing_another_sync_holds_is_skipped_and_reported_busy(workspace):
    from django.core.cache import cache

    variant = make_variant(workspace, "BUSY-1")
    listing = make_listing(make_channel(workspace, "shopify"), variant)
    cache.add(f"saleschannels:listing-lock:{listing.pk}", "someone", 60)

    report = listings_sync([listing.pk])

    assert report.busy == [listing.pk]
    assert Listing.objects.get(pk=listing.pk).state == "pending"


def test_a_batch_of_100_adjustments_asks_the_shared_cache_once(
    no_broker, django_capture_on_commit_callbacks, monkeypatch
):
    from inventory.services import AdjustmentLine, stock_adjust_batch
    from saleschannels import services

    workspace = make_workspace("Batch Co")
    variant = make_variant(workspace, "BAT-1")
    location = location_default(workspace)
    reads = []
    real_get = services.cache.get
    monkeypatch.setattr(
        services.cache, "get", lambda key, *a: reads.append(key) or real_get(key, *a)
    )
    lines = [AdjustmentLine(variant, location, 1, "received") for _ in range(100)]

    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust_batch(workspace=workspace, lines=lines, actor=Actor.system())

    # The cache is shared: the webhooks consumer asks once too, for its own flag.
    assert [key for key in reads if key.startswith("saleschannels:")] == [
        f"saleschannels:has-listings:{workspace.pk}"
    ]
    assert no_broker == []
