"""Domain events: the one door through which apps announce what happened.

``event_record`` must be called inside the transaction of the change it reports, so an event
exists exactly when its change does. After that transaction commits, the event is handed
to each consumer named in ``settings.SALYNC_EVENT_CONSUMERS`` (dotted paths of functions of
the event; webhooks and channels plug in there). The apps that emit never import who listens,
and neither does core.
"""

from functools import cache as memoize
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from core.models import DomainEvent

PRODUCT_CREATED = "product.created"
PRODUCT_UPDATED = "product.updated"
PRODUCT_ARCHIVED = "product.archived"
STOCK_ADJUSTED = "stock.adjusted"
STOCK_BELOW_THRESHOLD = "stock.below_threshold"
PURCHASE_ORDER_CREATED = "purchase_order.created"
PURCHASE_ORDER_PARTIALLY_RECEIVED = "purchase_order.partially_received"
PURCHASE_ORDER_RECEIVED = "purchase_order.received"
CHANNEL_LISTING_ERROR = "channel_listing.error"
WEBHOOK_TEST = "webhook.test"

# Every event type (SPEC §5.5), in the order people read them, with what it means.
EVENT_TYPES: dict[str, str] = {
    STOCK_BELOW_THRESHOLD: "A stock level falls from at or above its reorder point to below it.",
    STOCK_ADJUSTED: "Stock is adjusted: the ledger entry.",
    PURCHASE_ORDER_CREATED: "A purchase order is created.",
    PURCHASE_ORDER_PARTIALLY_RECEIVED: "Part of a purchase order is received.",
    PURCHASE_ORDER_RECEIVED: "A purchase order is received in full.",
    CHANNEL_LISTING_ERROR: "A channel listing enters the error state.",
    PRODUCT_CREATED: "A product is created.",
    PRODUCT_UPDATED: "A product or one of its variants changes.",
    PRODUCT_ARCHIVED: "A product is archived.",
    WEBHOOK_TEST: "A test event sent from Settings → Webhooks.",
}


def event_record(*, workspace, type: str, obj: dict) -> DomainEvent:
    """Record ``type`` with ``obj`` (the API representation now) in the current transaction;
    each consumer gets the event once that transaction commits, and never if it rolls back."""
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {type!r}: add it to core.events.EVENT_TYPES.")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must run inside the transaction of the change.")
    event = DomainEvent.objects.create(workspace=workspace, type=type, data={"object": obj})
    for consumer in _consumers(tuple(settings.SALYNC_EVENT_CONSUMERS)):
        transaction.on_commit(partial(consumer, event))
    return event


@memoize
def _consumers(paths: tuple[str, ...]) -> list:
    return [import_string(path) for path in paths]
