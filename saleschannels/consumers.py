"""The domain-event consumer (``settings.SALYNC_EVENT_CONSUMERS``): stock and catalogue
changes schedule a coalesced sync of the listings they affect.

It runs after the commit of every event, on the stock hot path: for a workspace without
listings it costs a cache read and no query, and it never raises (a failure to schedule is
logged and left to the scheduled sync).
"""

import logging

from core import events
from saleschannels import services, tasks

logger = logging.getLogger("salync.channels")


def _variant_ids(event) -> list[int]:
    obj = event.data.get("object") or {}
    if event.type == events.STOCK_ADJUSTED:
        return [obj["variant_id"]]
    if event.type in (events.PRODUCT_UPDATED, events.PRODUCT_ARCHIVED):
        return [variant["id"] for variant in obj.get("variants", [])]
    return []


def on_event(event) -> None:
    """Schedule a sync of the variants a stock or catalogue event touched."""
    if event.type not in (events.STOCK_ADJUSTED, events.PRODUCT_UPDATED, events.PRODUCT_ARCHIVED):
        return
    try:
        if not services.workspace_has_listings(event.workspace_id):
            return
        for variant_id in _variant_ids(event):
            tasks.schedule_variant_sync(variant_id)
    except Exception:  # the change is committed; the scheduled sync catches up
        logger.exception("channel sync: could not schedule after event %s", event.public_id)
