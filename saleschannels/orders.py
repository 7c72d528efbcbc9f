"""Orders back from live stores (SPEC §5.4): each order line whose SKU is listed on the channel
becomes one ``sold`` adjustment at the channel's location, with the store's order as its source.

Exactly once per line: the line's :class:`ChannelOrderLine` is inserted first, in the same
transaction as its adjustment, and the unique (channel, external line) makes a second pull of
the same line (a re-run, an overlap window, a pull running at the same time, which waits on
the insert until the first commits) skip it. The cursor moves only over orders fully applied,
so a pull that dies half way is finished by the next one. The stock change is an ordinary
``stock.adjusted`` event: the other channels are synced from it like from any other change.
"""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from inventory.errors import InsufficientStock
from inventory.models import Location, Reason, StockLevel, Variant
from inventory.services import Actor, AdjustmentLine, location_default, stock_apply
from saleschannels.connectors import registry
from saleschannels.connectors.base import ChannelUnavailable, StoreOrder
from saleschannels.limits import ORDERS_OVERLAP
from saleschannels.models import Channel, ChannelOrderLine, ChannelStatus, Listing
from saleschannels.sync import channel_status_record

logger = logging.getLogger("salync.channels")

NOT_LISTED = "Its SKU is not listed on this channel: no stock changed."
NOT_SOLD = "The order was cancelled (or still a draft) when Salync first saw it: no stock changed."


@dataclass
class PullReport:
    orders: int = 0  # orders seen
    applied: int = 0  # lines that changed stock in this pull
    error: str | None = None


def channel_orders_pull(*, channel: Channel) -> PullReport:
    """Apply the store's orders updated since the channel's cursor (less the overlap)."""
    report = PullReport()
    connector = registry.connector_for(channel)
    if not connector.live or channel.status == ChannelStatus.DISCONNECTED:
        return report
    cursor = channel.orders_synced_until or channel.created_at
    newest = cursor
    try:
        for order in connector.orders_since(max(cursor - ORDERS_OVERLAP, channel.created_at)):
            report.orders += 1
            # An order placed before the channel was connected was sold from stock Salync did
            # not offer: its fulfilment, say, must not count it now.
            if order.created_at >= channel.created_at:
                report.applied += _order_apply(channel, order)
            newest = max(newest, order.updated_at)
    except ChannelUnavailable as unavailable:
        report.error = unavailable.reason
    finally:
        if newest != cursor:  # never backwards: two pulls at once may finish in any order
            Channel.objects.filter(
                Q(orders_synced_until__lt=newest) | Q(orders_synced_until__isnull=True),
                pk=channel.pk,
            ).update(orders_synced_until=newest)
    if report.error is not None or channel.status == ChannelStatus.ERROR:
        channel_status_record(channel, report.error, now=timezone.now())
    if report.applied:
        logger.info("channel %s: %d order line(s) applied", channel.pk, report.applied)
    return report


def _order_apply(channel: Channel, order: StoreOrder) -> int:
    """Record every line of ``order`` not recorded yet, in one transaction; how many changed
    stock."""
    skus = {line.sku for line in order.lines if line.sku}
    variants = dict(
        Listing.objects.filter(channel=channel, variant__sku__in=skus).values_list(
            "variant__sku", "variant_id"
        )
    )
    actor = Actor.channel_order(
        channel_id=channel.pk, order_id=order.external_id, name=f"{channel.name} {order.name}"
    )
    applied = 0
    with transaction.atomic():
        for line in order.lines:
            if line.quantity <= 0:
                continue
            record = _line_claim(channel, order, line)
            if record is None:  # counted before
                continue
            variant_id = variants.get(line.sku)
            if order.canceled or variant_id is None:
                record.problem = NOT_SOLD if order.canceled else NOT_LISTED
                record.save(update_fields=["problem"])
                continue
            variant, location = _sell_from(channel, variant_id)
            try:
                with transaction.atomic():
                    [adjusted] = stock_apply(
                        workspace=channel.workspace,
                        lines=[
                            AdjustmentLine(
                                variant=variant,
                                location=location,
                                quantity=-line.quantity,
                                reason=Reason.SOLD,
                                note=f"{channel.name} order {order.name}",
                            )
                        ],
                        actor=actor,
                        batch=False,
                    )
            except InsufficientStock as short:
                record.problem = f"Oversold: {short.message}"[:500]
                record.save(update_fields=["problem"])
                logger.warning("channel %s order %s oversold", channel.pk, order.external_id)
                continue
            record.adjustment = adjusted.adjustment
            record.save(update_fields=["adjustment"])
            applied += 1
    return applied


def _line_claim(channel: Channel, order: StoreOrder, line) -> ChannelOrderLine | None:
    """The line's record, new; ``None`` when it was recorded already (here or by a pull that
    ran at the same time: the insert waits for it, then fails)."""
    try:
        with transaction.atomic():
            return ChannelOrderLine.objects.create(
                channel=channel,
                external_order_id=order.external_id,
                external_line_id=line.external_id,
                order_name=order.name[:200],
                sku=line.sku[:64],
                quantity=line.quantity,
            )
    except IntegrityError:
        return None


def _sell_from(channel: Channel, variant_id: int) -> tuple[Variant, Location]:
    """The variant and the location to sell it from: of the channel's locations (all, when it
    names none), the one holding the most of it; the default location when none holds any."""
    levels = StockLevel.objects.filter(variant_id=variant_id).select_related("variant", "location")
    chosen = list(channel.locations.values_list("pk", flat=True))
    if chosen:
        levels = levels.filter(location_id__in=chosen)
    level = levels.order_by(F("on_hand").desc(), "location_id").first()
    if level is not None:
        return level.variant, level.location
    return Variant.objects.get(pk=variant_id), location_default(channel.workspace)
