"""The sweep and the purge (``webhooks.delivery``, ``webhooks.tasks``): events whose on-commit
hand-off never ran are fanned out, deliveries due but never taken are queued again (once per
REQUEUE_AFTER, not on every run), and nothing older than 30 days is kept."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core import events
from core.models import DomainEvent
from webhooks import delivery, tasks
from webhooks.models import Attempt, Delivery, DeliveryStatus

pytestmark = [pytest.mark.django_db]


def record(workspace, type=events.STOCK_ADJUSTED, count=1):
    with transaction.atomic():
        return [
            events.event_record(workspace=workspace, type=type, obj={"n": n}) for n in range(count)
        ]


def test_the_sweep_fans_out_what_the_hand_off_missed(settings, workspace, make_endpoint, queued):
    make_endpoint("/ok")
    settings.SALYNC_EVENT_CONSUMERS = []  # as if every process crashed right after commit
    recorded = record(workspace, count=3)
    record(workspace, type=events.PRODUCT_CREATED)  # nobody wants it

    report = tasks.sweep()

    assert report == {"fanned_out": 4, "queued": 0}
    made = Delivery.objects.filter(event__in=recorded)
    assert made.count() == 3
    assert sorted(queued) == sorted(made.values_list("pk", flat=True))
    assert not DomainEvent.objects.filter(fanned_out_at__isnull=True).exists()
    assert tasks.sweep() == {"fanned_out": 0, "queued": 0}  # each event fans out once


def test_the_sweep_queues_due_deliveries_once_per_requeue_period(
    settings, workspace, make_endpoint, queued
):
    make_endpoint("/ok")
    settings.SALYNC_EVENT_CONSUMERS = []
    record(workspace, count=2)
    [first, second] = delivery.fan_out().deliveries  # fanned out, but the messages were lost
    queued.clear()
    assert tasks.sweep()["queued"] == 0  # just due: the first message may still come

    Delivery.objects.update(next_attempt_at=timezone.now() - delivery.REQUEUE_GRACE * 2)
    assert tasks.sweep()["queued"] == 2
    assert sorted(queued) == [first, second]
    assert tasks.sweep()["queued"] == 0  # queued a moment ago: not again

    Delivery.objects.update(queued_at=timezone.now() - delivery.REQUEUE_AFTER * 2)
    assert tasks.sweep()["queued"] == 2


def test_a_delivery_taken_by_a_worker_is_not_due_until_its_lease_ends(workspace, make_endpoint):
    make_endpoint("/ok")
    [event] = record(workspace)
    [made] = delivery.fan_out([event.pk]).deliveries
    now = timezone.now()
    until = delivery._claim(made, now)  # a worker took it, then died before answering
    assert until == now + delivery.lease()
    assert delivery.send(made) is None  # a second message finds it taken
    assert delivery.due_deliveries() == []
    Delivery.objects.filter(pk=made).update(next_attempt_at=now - timedelta(minutes=1))
    assert delivery.due_deliveries() == [made]  # the lease ran out: the sweep queues it


def test_the_purge_keeps_30_days(workspace, make_endpoint):
    make_endpoint("/ok")
    old, new = record(workspace, count=2)
    made = {e.pk: d for e, d in zip([old, new], delivery.fan_out().deliveries, strict=True)}
    for delivery_id in made.values():
        delivery.send(delivery_id)
    long_ago = timezone.now() - timedelta(days=31)
    DomainEvent.objects.filter(pk=old.pk).update(created_at=long_ago)
    # A newer event's delivery resent many times keeps only its recent attempts.
    Attempt.objects.create(delivery_id=made[new.pk], created_at=long_ago)

    assert tasks.purge_old_events() == 1

    assert list(DomainEvent.objects.values_list("pk", flat=True)) == [new.pk]
    assert list(Delivery.objects.values_list("pk", flat=True)) == [made[new.pk]]
    assert Attempt.objects.filter(created_at__lt=timezone.now() - timedelta(days=30)).count() == 0
    assert Attempt.objects.filter(delivery_id=made[new.pk]).count() == 1
    assert Delivery.objects.get(pk=made[new.pk]).status == DeliveryStatus.SUCCEEDED
