"""The channels' Celery tasks and how they are scheduled. Tasks take ids.

Coalescing (SPEC §5.4): a stock change marks its variant in the shared cache for
``COALESCE_SECONDS`` and, if the mark was not there yet, schedules one sync of the variant that
many seconds later. The task clears the mark *before* it reads stock, so every change either
found the mark of a task that has not read yet, or sets a new mark and schedules the next
task: the last change always reaches the channel, however many there were. A lost message
is caught by the scheduled sync.
"""

import logging

from celery import shared_task
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from saleschannels import orders, sync
from saleschannels.connectors import registry
from saleschannels.limits import COALESCE_SECONDS, RETRY_BUSY_SECONDS, SYNC_BATCH
from saleschannels.models import Channel, ChannelStatus, Listing
from saleschannels.queries import listings_needing_sync, with_available

logger = logging.getLogger("salync.channels")

MAX_BUSY_RETRIES = 30  # then the scheduled sync takes over


def _variant_mark(variant_id: int) -> str:
    return f"saleschannels:variant-sync:{variant_id}"


def schedule_variant_sync(variant_id: int) -> bool:
    """Sync the variant's listings in a few seconds, unless a sync is already due; whether
    one was scheduled."""
    if not cache.add(_variant_mark(variant_id), 1, COALESCE_SECONDS):
        return False
    sync_variant.apply_async((variant_id,), countdown=COALESCE_SECONDS)
    return True


def schedule_listings_sync(listing_ids: list[int], *, force: bool = False) -> bool:
    """Sync these listings as soon as a worker can; whether it could be queued. Called after
    commit, so it never raises: an unreachable broker leaves them to the scheduled sync."""
    try:
        for start in range(0, len(listing_ids), SYNC_BATCH):
            sync_listings.delay(listing_ids[start : start + SYNC_BATCH], force=force)
    except Exception:
        logger.exception("channel sync: could not queue a sync of %d listing(s)", len(listing_ids))
        return False
    return True


def _retry_busy(report: sync.SyncReport, attempt: int, force: bool = False) -> None:
    if report.busy and attempt < MAX_BUSY_RETRIES:
        sync_listings.apply_async(
            (report.busy,), {"force": force, "attempt": attempt + 1}, countdown=RETRY_BUSY_SECONDS
        )


@shared_task
def sync_variant(variant_id: int) -> int:
    """The coalesced sync of one variant's listings; the number handled."""
    cache.delete(_variant_mark(variant_id))  # first: see the module's docstring
    ids = list(Listing.objects.filter(variant_id=variant_id).values_list("pk", flat=True))
    report = sync.listings_sync(ids)
    _retry_busy(report, 0)
    return len(report.handled)


@shared_task
def sync_listings(listing_ids: list[int], force: bool = False, attempt: int = 0) -> int:
    """Sync these listings now (after publishing, a channel change, "Sync now")."""
    report = sync.listings_sync(listing_ids, force=force)
    _retry_busy(report, attempt, force)
    return len(report.handled)


@shared_task
def sync_all_listings() -> int:
    """The scheduled sync (Celery beat): every listing with work to do, in batches by id. Any
    listing another sync holds is left to it."""
    handled, last = 0, 0
    candidates = listings_needing_sync(
        with_available(Listing.objects.exclude(channel__status=ChannelStatus.DISCONNECTED))
    )
    while True:
        ids = list(
            candidates.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:SYNC_BATCH]
        )
        if not ids:
            return handled
        handled += len(sync.listings_sync(ids).handled)
        last = ids[-1]


def schedule_orders_pull(channel_id: int) -> bool:
    """Pull a live channel's orders as soon as a worker can ("Sync now"); whether it could be
    queued (never raises: the scheduled pull comes anyway)."""
    try:
        pull_channel_orders.delay(channel_id)
    except Exception:
        logger.exception("channel sync: could not queue an order pull of channel %s", channel_id)
        return False
    return True


@shared_task
def pull_channel_orders(channel_id: int) -> int:
    """Apply a live channel's new orders; the order lines that changed stock."""
    channel = Channel.objects.select_related("workspace").filter(pk=channel_id).first()
    if channel is None:
        return 0
    return orders.channel_orders_pull(channel=channel).applied


@shared_task
def pull_all_orders() -> int:
    """The scheduled pull (Celery beat): every live channel not waiting out a backoff."""
    due = (
        Channel.objects.filter(type__in=registry.live_types())
        .exclude(status=ChannelStatus.DISCONNECTED)
        .filter(Q(retry_after__isnull=True) | Q(retry_after__lte=timezone.now()))
        .select_related("workspace")
        .order_by("pk")
    )
    return sum(orders.channel_orders_pull(channel=channel).applied for channel in due)
