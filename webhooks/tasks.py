"""The webhooks' Celery tasks. Tasks take ids; every state lives in the database, so a lost
message costs time, never an event (``webhooks.delivery``)."""

import logging

from celery import shared_task

from webhooks import delivery

logger = logging.getLogger("salync.webhooks")

# Retries further away than this wait for the sweep rather than for a message held by a worker
# (Redis hands an unacknowledged message to another worker after its visibility timeout).
COUNTDOWN_MAX = 300
SWEEP_BATCHES = 100  # per run and kind; the next run goes on


def queue_deliveries(delivery_ids: list[int]) -> bool:
    """Queue a send of each delivery; whether all were queued. Never raises: after a commit a
    broker outage must not fail the request, and the sweep queues whatever is left."""
    try:
        for delivery_id in delivery_ids:
            deliver.apply_async((delivery_id,), retry=False)
    except Exception:
        logger.warning(
            "webhooks: could not queue %d delivery(ies); the sweep will", len(delivery_ids)
        )
        return False
    return True


@shared_task
def deliver(delivery_id: int) -> str | None:
    """Make the delivery's next attempt if it is due; schedule a near retry."""
    outcome = delivery.send(delivery_id)
    if outcome is None:
        return None
    if outcome.retry_in is not None and outcome.retry_in <= COUNTDOWN_MAX:
        try:
            deliver.apply_async((delivery_id,), countdown=outcome.retry_in, retry=False)
        except Exception:
            logger.warning("webhooks: could not queue the retry of %s; the sweep will", delivery_id)
    return outcome.status


@shared_task
def sweep() -> dict[str, int]:
    """Fan out events whose hand-off never ran, and queue deliveries due but not taken
    (Celery beat, every few seconds; safe to run twice at once)."""
    fanned = queued = 0
    for _ in range(SWEEP_BATCHES):
        batch = delivery.fan_out()
        if not batch.events:
            break
        fanned += batch.events
        queue_deliveries(batch.deliveries)
    for _ in range(SWEEP_BATCHES):
        ids = delivery.due_deliveries()
        if not ids:
            break
        queued += len(ids)
        if not queue_deliveries(ids):
            break
    return {"fanned_out": fanned, "queued": queued}


@shared_task
def purge_old_events() -> int:
    """Events, deliveries and attempts older than 30 days (SPEC §5.5)."""
    return delivery.purge()
