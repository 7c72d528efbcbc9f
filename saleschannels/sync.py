"""Stock sync to channels (SPEC §5.4): publish what is not published yet, take archived
variants off sale, and push each listing's ``available`` through its channel's connector.

Safe to run several times at once (a coalesced sync, the scheduled one, "Sync now"): each
listing is held by one sync at a time with a lock in the shared cache (never a database
transaction around a marketplace call), and a sync re-reads what it holds after taking the
lock, so a second run finds the work done and pushes nothing. The results are written in one
short transaction per channel; a listing *entering* ``error`` records
``channel_listing.error`` in it.
"""

import logging
import secrets
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core import events
from saleschannels.connectors import registry
from saleschannels.connectors.base import (
    ChannelUnavailable,
    ListingRejected,
    Published,
    PushResult,
)
from saleschannels.limits import LOCK_SECONDS, SYNC_BATCH, retry_delay
from saleschannels.models import Channel, ChannelStatus, Listing, ListingState
from saleschannels.queries import listings_needing_sync, with_available
from saleschannels.representations import LISTINGS

logger = logging.getLogger("salync.channels")

ARCHIVED = "The variant is archived: its listing is off sale until it is unarchived."
NO_ANSWER = "The marketplace gave no answer for this listing."


@dataclass
class SyncReport:
    """What one sync did: the listings it handled, those another sync held (``busy``), and
    the quantity pushes per variant id."""

    handled: list[int] = field(default_factory=list)
    busy: list[int] = field(default_factory=list)
    pushes: Counter = field(default_factory=Counter)


@dataclass
class _Outcome:
    state: str
    error_message: str = ""
    external_id: str | None = None
    external_item_id: str | None = None
    published_quantity: int | None = None
    pushed: bool = False


def _lock_key(listing_id: int) -> str:
    return f"saleschannels:listing-lock:{listing_id}"


def _claim(ids: list[int], token: str) -> tuple[list[int], list[int]]:
    held, busy = [], []
    for pk in ids:
        (held if cache.add(_lock_key(pk), token, LOCK_SECONDS) else busy).append(pk)
    return held, busy


def _release(ids: list[int], token: str) -> None:
    for pk in ids:
        if cache.get(_lock_key(pk)) == token:  # not one that expired and was taken since
            cache.delete(_lock_key(pk))


def listings_sync(listing_ids, *, force: bool = False) -> SyncReport:
    """Sync these listings (those another sync holds are skipped and reported ``busy``).
    Without ``force`` only listings with work to do are touched; with it every held listing's
    quantity is pushed again."""
    report = SyncReport()
    ids = sorted(set(listing_ids))
    token = secrets.token_hex(8)
    for start in range(0, len(ids), SYNC_BATCH):
        held, busy = _claim(ids[start : start + SYNC_BATCH], token)
        report.busy.extend(busy)
        try:
            _sync_held(held, force=force, report=report)
        finally:
            _release(held, token)
    for variant_id, count in sorted(report.pushes.items()):
        logger.info("channel sync: variant %s pushed to %d listing(s)", variant_id, count)
    return report


def _sync_held(ids: list[int], *, force: bool, report: SyncReport) -> None:
    if not ids:
        return
    listings = with_available(Listing.objects.filter(pk__in=ids)).exclude(
        channel__status=ChannelStatus.DISCONNECTED
    )
    if not force:  # only work to do, and a store that failed is left alone until its backoff
        listings = listings_needing_sync(listings).exclude(channel__retry_after__gt=timezone.now())
    listings = list(
        listings.select_related("channel", "variant__product").order_by("channel_id", "pk")
    )
    for _, group in groupby(listings, key=lambda listing: listing.channel_id):
        group = list(group)
        _sync_channel(group[0].channel, group, force=force, report=report)


def _sync_channel(channel: Channel, listings: list[Listing], *, force, report) -> None:
    connector = registry.connector_for(channel)
    outcomes: dict[int, _Outcome] = {}
    channel_error = None
    to_push = []
    for listing in listings:
        variant = listing.variant
        try:
            if variant.status == "archived":
                if listing.state != ListingState.INACTIVE:
                    connector.unpublish(listing)
                    outcomes[listing.pk] = _Outcome(ListingState.INACTIVE, ARCHIVED)
                continue
            if listing.state != ListingState.ACTIVE:
                published = connector.publish(listing, variant)
                if isinstance(published, str):
                    published = Published(published)
                listing.external_id = published.external_id
                listing.external_item_id = published.item_id or listing.external_item_id
            elif not force and listing.published_quantity == listing.available:
                continue
        except ListingRejected as rejected:
            outcomes[listing.pk] = _Outcome(ListingState.ERROR, rejected.reason)
            continue
        except ChannelUnavailable as unavailable:
            channel_error = unavailable.reason
            outcomes[listing.pk] = _Outcome(ListingState.ERROR, unavailable.reason)
            continue
        to_push.append((listing, listing.available))
    if to_push and channel_error is None:
        results = _push(connector, to_push)
        if isinstance(results, str):
            channel_error, results = results, {}
        for listing, quantity in to_push:
            result = results.get(listing.pk) or PushResult(
                ok=False, error=channel_error or NO_ANSWER
            )
            if result.ok:
                outcomes[listing.pk] = _Outcome(
                    ListingState.ACTIVE,
                    "",
                    listing.external_id,
                    listing.external_item_id,
                    published_quantity=result.quantity if result.quantity is not None else quantity,
                    pushed=True,
                )
                report.pushes[listing.variant_id] += 1
            else:
                outcomes[listing.pk] = _Outcome(
                    ListingState.ERROR, result.error, listing.external_id, listing.external_item_id
                )
    elif to_push:
        for listing, _ in to_push:
            outcomes[listing.pk] = _Outcome(
                ListingState.ERROR, channel_error, listing.external_id, listing.external_item_id
            )
    _record(channel, listings, outcomes, channel_error)
    report.handled.extend(listing.pk for listing in listings)


def _push(connector, items) -> dict[int, PushResult] | str:
    """The connector's results, or the reason nothing could be pushed."""
    try:
        return connector.push_quantities(items)
    except ChannelUnavailable as unavailable:
        return unavailable.reason
    except Exception as error:  # a connector's bug or a network failure: the listings wait
        logger.exception("channel sync: pushing to channel %s failed", connector.channel.pk)
        return f"The channel could not be reached ({type(error).__name__}); it is retried."


def _record(channel: Channel, listings: list[Listing], outcomes, channel_error) -> None:
    now = timezone.now()
    by_pk = {listing.pk: listing for listing in listings}
    with transaction.atomic():
        current = {
            row["pk"]: row
            for row in Listing.objects.select_for_update()
            .filter(pk__in=list(outcomes))
            .values(
                "pk",
                "state",
                "error_message",
                "external_id",
                "external_item_id",
                "published_quantity",
            )
        }
        for pk, outcome in outcomes.items():
            row = current.get(pk)
            if row is None:  # removed meanwhile
                continue
            changes = {"state": outcome.state, "error_message": outcome.error_message[:500]}
            if outcome.external_id is not None:
                changes["external_id"] = outcome.external_id
            if outcome.external_item_id is not None:
                changes["external_item_id"] = outcome.external_item_id
            if outcome.pushed:
                changes["published_quantity"] = outcome.published_quantity
                changes["quantity_synced_at"] = now
            elif all(row[name] == value for name, value in changes.items()):
                continue  # nothing new to say: the listing keeps its updated_at
            Listing.objects.filter(pk=pk).update(**changes, updated_at=now)
            listing = by_pk[pk]
            for name, value in changes.items():
                setattr(listing, name, value)
            listing.updated_at = now
            if outcome.state == ListingState.ERROR and row["state"] != ListingState.ERROR:
                events.event_record(
                    workspace=channel.workspace,
                    type=events.CHANNEL_LISTING_ERROR,
                    obj=LISTINGS.of([listing])[0],
                )
        channel_status_record(channel, channel_error, now=now)


def channel_status_record(channel: Channel, error: str | None, *, now) -> None:
    """After a sync or an order pull: the channel's error and its backoff, or its recovery."""
    status = {"last_synced_at": now, "updated_at": now}
    if error is not None:
        failures = channel.failures + 1
        status.update(
            status=ChannelStatus.ERROR,
            status_message=error[:500],
            failures=failures,
            retry_after=now + retry_delay(failures),
        )
    elif channel.status == ChannelStatus.ERROR or channel.failures:
        status.update(
            status=ChannelStatus.CONNECTED, status_message="", failures=0, retry_after=None
        )
    Channel.objects.filter(pk=channel.pk).update(**status)
    for name, value in status.items():
        setattr(channel, name, value)
