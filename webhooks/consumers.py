"""The domain-event consumer (``settings.SALYNC_EVENT_CONSUMERS``): after an event's commit,
fan it out to the workspace's endpoints and queue the deliveries.

It runs on every write's path, the stock hot path included: for a workspace whose endpoints
do not want the type it costs a cache read and no query (the sweep marks such events later),
and it never raises (whatever it could not do, the sweep does).
"""

import logging

from core import events
from webhooks import delivery, services, tasks

logger = logging.getLogger("salync.webhooks")


def on_event(event) -> None:
    """Create and queue the event's deliveries, if any endpoint wants it."""
    if event.type == events.WEBHOOK_TEST:  # sent to its one endpoint by the service
        return
    try:
        if event.type not in services.subscribed_types(event.workspace_id):
            return
        tasks.queue_deliveries(delivery.fan_out([event.pk]).deliveries)
    except Exception:  # the change is committed; the sweep fans the event out
        logger.exception("webhooks: could not fan out event %s", event.public_id)
