"""Domain events: the one door through which apps announce what happened.

``event_record`` must be called inside the transaction of the change it reports, so an event
exists exactly when its change does. Apps that react (webhooks) read the outbox; the apps
that emit never import them.
"""

from django.db import transaction

from core.models import DomainEvent

PRODUCT_CREATED = "product.created"
PRODUCT_UPDATED = "product.updated"
PRODUCT_ARCHIVED = "product.archived"
STOCK_ADJUSTED = "stock.adjusted"
STOCK_BELOW_THRESHOLD = "stock.below_threshold"


def event_record(*, workspace, type: str, obj: dict) -> DomainEvent:
    """Record ``type`` with ``obj`` (the API representation now) in the current transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must run inside the transaction of the change.")
    return DomainEvent.objects.create(workspace=workspace, type=type, data={"object": obj})
