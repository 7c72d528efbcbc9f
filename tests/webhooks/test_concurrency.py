"""Races in the webhooks engine, with real threads on PostgreSQL: two senders of one delivery
make one POST (the lease), an on-commit hand-off and a sweep fanning out the same events make
one delivery per endpoint (SKIP LOCKED and the marker), and two rotations keep a secret that
signs."""

import pytest
from django.db import transaction

from core import events
from tests.concurrency import run_threads
from webhooks import delivery
from webhooks.models import Delivery, Endpoint
from webhooks.services import endpoint_rotate_secret

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def record(workspace, count):
    with transaction.atomic():
        return [
            events.event_record(workspace=workspace, type=events.STOCK_ADJUSTED, obj={"n": n})
            for n in range(count)
        ]


def test_two_senders_of_one_delivery_make_one_post(settings, workspace, make_endpoint, receiver):
    settings.SALYNC_EVENT_CONSUMERS = []
    make_endpoint("/slow")  # two seconds: the second sender arrives while the first waits
    [event] = record(workspace, 1)
    [made] = delivery.fan_out([event.pk]).deliveries

    def send(index, barrier):
        barrier.wait()
        return delivery.send(made)

    results = run_threads(4, send)

    assert sum(result is not None for result in results) == 1
    assert len(receiver.requests) == 1
    assert Delivery.objects.get(pk=made).attempt_log.count() == 1


def test_hand_off_and_sweeps_at_once_fan_each_event_out_once(settings, workspace, make_endpoint):
    settings.SALYNC_EVENT_CONSUMERS = []
    make_endpoint("/ok")
    make_endpoint("/ok?second")
    recorded = record(workspace, 300)
    ids = [event.pk for event in recorded]

    def fan(index, barrier):
        barrier.wait()
        made = []
        while True:  # the hand-off names its events; a sweep takes whatever is left
            batch = delivery.fan_out(ids if index == 0 else None, limit=50)
            if not batch.events:
                return made
            made += batch.deliveries

    results = run_threads(3, fan)

    everything = [delivery_id for result in results for delivery_id in result]
    assert len(everything) == len(set(everything)) == 600
    assert Delivery.objects.count() == 600
    assert Delivery.objects.values("endpoint", "event").distinct().count() == 600


def test_two_rotations_at_once_leave_the_secrets_consistent(workspace, make_endpoint):
    endpoint = make_endpoint("/ok")
    first = endpoint.secret

    def rotate(index, barrier):
        barrier.wait()
        return endpoint_rotate_secret(endpoint=Endpoint.objects.get(pk=endpoint.pk)).secret

    results = run_threads(2, rotate)

    endpoint.refresh_from_db()
    # Serialised by the row lock: the second rotation keeps the first one's new secret as its
    # previous one (without the lock both would keep the original, and one new secret would
    # be lost while a receiver may already have it).
    assert {endpoint.secret, endpoint.previous_secret} == set(results)
    assert first not in results
