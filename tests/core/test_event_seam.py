"""``event_record`` hands each event to the consumers named in settings, after commit only."""

import pytest
from django.db import transaction

from core import events
from core.models import DomainEvent
from tests.core import event_consumers
from tests.factories import WorkspaceFactory

CONSUMER = "tests.core.event_consumers.remember"


@pytest.fixture(autouse=True)
def consumer(settings):
    settings.SALYNC_EVENT_CONSUMERS = [CONSUMER]
    event_consumers.received.clear()
    yield event_consumers.received
    event_consumers.received.clear()


@pytest.mark.django_db(transaction=True)
def test_the_consumer_gets_each_event_after_commit_and_not_before(consumer):
    workspace = WorkspaceFactory()
    with transaction.atomic():
        first = events.event_record(workspace=workspace, type=events.PRODUCT_CREATED, obj={})
        second = events.event_record(workspace=workspace, type=events.STOCK_ADJUSTED, obj={})
        assert consumer == []  # nothing leaves before the change is durable
    assert consumer == [first.pk, second.pk]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_event_never_reaches_the_consumer(consumer):
    workspace = WorkspaceFactory()
    with transaction.atomic():
        kept = events.event_record(workspace=workspace, type=events.PRODUCT_CREATED, obj={})
        try:
            with transaction.atomic():
                events.event_record(workspace=workspace, type=events.PRODUCT_UPDATED, obj={})
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
    assert consumer == [kept.pk]
    assert list(DomainEvent.objects.values_list("pk", flat=True)) == [kept.pk]


@pytest.mark.django_db(transaction=True)
def test_a_real_change_hands_its_events_to_the_consumer(consumer):
    from inventory.services import product_create
    from portal.services import workspace_setup

    workspace = workspace_setup(name="Seam", owner=None)
    product_create(workspace=workspace, name="Tee", variants=[{"sku": "TEE-1"}])
    created = DomainEvent.objects.get(workspace=workspace, type=events.PRODUCT_CREATED)
    assert consumer == [created.pk]


@pytest.mark.django_db
def test_without_a_consumer_events_are_only_stored(settings, django_capture_on_commit_callbacks):
    settings.SALYNC_EVENT_CONSUMERS = []
    workspace = WorkspaceFactory()
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        events.event_record(workspace=workspace, type=events.PRODUCT_CREATED, obj={})
    assert callbacks == []
    assert DomainEvent.objects.count() == 1


@pytest.mark.django_db
def test_an_unknown_event_type_is_refused():
    workspace = WorkspaceFactory()
    with transaction.atomic(), pytest.raises(ValueError, match="Unknown event type"):
        events.event_record(workspace=workspace, type="product.exploded", obj={})


def test_event_types_are_one_list_with_every_contract_type():
    assert list(events.EVENT_TYPES) == [
        "stock.below_threshold",
        "stock.adjusted",
        "purchase_order.created",
        "purchase_order.partially_received",
        "purchase_order.received",
        "channel_listing.error",
        "product.created",
        "product.updated",
        "product.archived",
        "webhook.test",
    ]
    assert all(description.endswith(".") for description in events.EVENT_TYPES.values())
