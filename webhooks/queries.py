"""One queryset builder per resource, scoped to the workspace (a Workspace or its id), as
``inventory.queries``: the rows the API filters, paginates and looks objects up in. They load
no relations; ``webhooks.representations`` reads what each row shows through its columns."""

from django.db.models import QuerySet

from core.models import DomainEvent
from webhooks.models import Delivery, Endpoint


def event_queryset(workspace) -> QuerySet:
    """The workspace's events (core's outbox), read through its (workspace, …, id) indexes."""
    return DomainEvent.objects.filter(workspace=workspace)


def endpoint_queryset(workspace) -> QuerySet:
    return Endpoint.objects.filter(workspace=workspace)


def delivery_queryset(workspace) -> QuerySet:
    """Deliveries have no workspace of their own: their endpoint's is theirs."""
    return Delivery.objects.filter(endpoint__workspace=workspace)
