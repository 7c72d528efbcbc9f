"""Stock sync under concurrency, on PostgreSQL with real threads, and with a real Celery worker
process on the suite's Redis broker: many concurrent stock changes reach the simulated
marketplace as on hand minus buffer within seconds, in a few coalesced pushes; the scheduled
sync run twice at once pushes each listing once; a variant cannot be listed twice."""

import logging
import time
from collections import Counter

import pytest
from django.conf import settings
from django.test import Client

from inventory.models import StockLevel
from inventory.services import Actor, location_default, stock_adjust
from saleschannels import tasks
from saleschannels.errors import AlreadyListed
from saleschannels.models import Listing, SimulatedListing
from saleschannels.services import listing_publish
from saleschannels.sync import listings_sync
from tests.api_client import ApiClient
from tests.concurrency import run_threads
from tests.factories import make_key, make_workspace
from tests.saleschannels.factories import make_channel, make_listing, make_variant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

VARIANTS = 5
THREADS = 20
ADJUSTMENTS_PER_THREAD = 10  # 200 in all
BUFFER = 3
WITHIN_SECONDS = 10


def expected(variant_ids) -> dict[int, int]:
    on_hand = Counter()
    for variant_id, quantity in StockLevel.objects.filter(variant_id__in=variant_ids).values_list(
        "variant_id", "on_hand"
    ):
        on_hand[variant_id] += quantity
    return {pk: max(on_hand[pk] - BUFFER, 0) for pk in variant_ids}


def shown(listings) -> dict[int, int]:
    """What the simulated marketplace shows, by variant id."""
    by_external = {
        record.external_id: record
        for record in SimulatedListing.objects.filter(channel_id=listings[0].channel_id)
    }
    return {
        listing.variant_id: by_external[listing.external_id].quantity
        for listing in Listing.objects.filter(pk__in=[li.pk for li in listings])
        if listing.external_id in by_external
    }


def pushes(listings) -> dict[int, int]:
    records = {r.external_id: r.pushes for r in SimulatedListing.objects.all()}
    return {
        listing.variant_id: records.get(listing.external_id, 0)
        for listing in Listing.objects.filter(pk__in=[li.pk for li in listings])
    }


@pytest.mark.skipif(
    not settings.REDIS_URL or not settings.CELERY_BROKER_URL.startswith("redis"),
    reason="needs the shared Redis cache and broker, as on the real stack",
)
def test_200_concurrent_adjustments_reach_the_channel_within_seconds_in_few_pushes(worker, caplog):
    workspace = make_workspace("Sync Co", limits=1_000_000)
    raw_key = make_key(workspace, name="ERP sync").raw
    location = location_default(workspace)
    channel = make_channel(workspace, "shopify", stock_buffer=BUFFER)
    variants = [make_variant(workspace, f"SYNC-{n}") for n in range(VARIANTS)]
    for variant in variants:
        stock_adjust(
            workspace=workspace, variant=variant, location=location, quantity=500,
            reason="received", actor=Actor.system(),
        )  # fmt: skip
    listings = [make_listing(channel, variant) for variant in variants]
    ids = [variant.pk for variant in variants]
    deadline = time.monotonic() + 30
    while shown(listings) != expected(ids):  # the worker publishes them first
        assert time.monotonic() < deadline, (shown(listings), worker.log_path.read_text()[-3000:])
        time.sleep(0.1)
    before = pushes(listings)

    def work(index, barrier):
        post = ApiClient(Client(), f"Bearer {raw_key}").post
        barrier.wait()
        statuses = []
        for n in range(ADJUSTMENTS_PER_THREAD):
            sku = variants[(index + n) % VARIANTS].sku
            quantity = -1 if (index + n) % 3 else 2
            response = post(
                "stock/adjustments",
                {
                    "sku": sku,
                    "quantity": quantity,
                    "reason": "sold" if quantity < 0 else "returned",
                },
            )
            statuses.append(response.status_code)
        return statuses

    results = run_threads(THREADS, work)
    last_commit = time.monotonic()

    assert [s for r in results for s in (r if isinstance(r, list) else [r])] == [201] * (
        THREADS * ADJUSTMENTS_PER_THREAD
    )
    target = expected(ids)
    while shown(listings) != target:
        elapsed = time.monotonic() - last_commit
        assert elapsed < WITHIN_SECONDS, (
            shown(listings),
            target,
            worker.log_path.read_text()[-3000:],
        )
        time.sleep(0.1)
    settled = time.monotonic() - last_commit
    for listing in Listing.objects.filter(pk__in=[li.pk for li in listings]):
        assert (listing.state, listing.published_quantity) == ("active", target[listing.variant_id])

    made = {pk: pushes(listings)[pk] - before[pk] for pk in ids}
    per_variant = THREADS * ADJUSTMENTS_PER_THREAD // VARIANTS
    logging.getLogger("salync.channels").info(
        "200 adjustments over %d variants: pushes per variant %s (of %d adjustments each), "
        "settled %.1f s after the last commit",
        VARIANTS, made, per_variant, settled,
    )  # fmt: skip
    assert all(1 <= count <= per_variant // 4 for count in made.values()), made
    log = worker.log_path.read_text()
    assert "channel sync: variant" in log


def test_the_scheduled_sync_run_twice_at_once_pushes_each_listing_once(no_broker):
    workspace = make_workspace("Twice Co")
    location = location_default(workspace)
    channel = make_channel(workspace, "ebay", stock_buffer=1)
    listings = []
    for n in range(40):
        variant = make_variant(workspace, f"TW-{n}")
        stock_adjust(
            workspace=workspace, variant=variant, location=location, quantity=n + 1,
            reason="received", actor=Actor.system(),
        )  # fmt: skip
        listings.append(make_listing(channel, variant))

    def work(index, barrier):
        barrier.wait()
        return tasks.sync_all_listings()

    handled = run_threads(2, work)

    assert all(isinstance(count, int) for count in handled), handled
    assert sum(handled) == 40
    for listing in Listing.objects.filter(channel=channel).select_related("variant"):
        n = int(listing.variant.sku.split("-")[1])
        assert (listing.state, listing.published_quantity) == ("active", n)
    assert set(SimulatedListing.objects.values_list("pushes", flat=True)) == {1}
    assert tasks.sync_all_listings() == 0  # and a third run finds nothing to do


def test_a_coalesced_sync_and_the_scheduled_one_at_once_leave_the_right_quantities(no_broker):
    workspace = make_workspace("Race Co")
    location = location_default(workspace)
    channel = make_channel(workspace, "shopify")
    variant = make_variant(workspace, "RACE-1")
    listing = make_listing(channel, variant)
    listings_sync([listing.pk])
    stock_adjust(
        workspace=workspace, variant=variant, location=location, quantity=7,
        reason="received", actor=Actor.system(),
    )  # fmt: skip

    def work(index, barrier):
        barrier.wait()
        return tasks.sync_variant(variant.pk) if index else tasks.sync_all_listings()

    results = run_threads(2, work)

    assert not [r for r in results if isinstance(r, BaseException)], results
    # Whichever lost the race for the listing left it to the other (or retries it, queued).
    assert Listing.objects.get(pk=listing.pk).published_quantity == 7
    assert SimulatedListing.objects.get().pushes == 2  # the first publish, then one push


def test_a_variant_published_twice_at_once_is_listed_once(no_broker):
    workspace = make_workspace("Double Co")
    channel = make_channel(workspace, "etsy")
    variant = make_variant(workspace, "DBL-1")

    def work(index, barrier):
        barrier.wait()
        return listing_publish(channel=channel, variant=variant)

    results = run_threads(8, work)

    assert sum(isinstance(r, Listing) for r in results) == 1
    assert sum(isinstance(r, AlreadyListed) for r in results) == 7
    assert Listing.objects.filter(channel=channel, variant=variant).count() == 1
