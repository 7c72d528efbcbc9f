"""Faults on the real stack (issue 10): a receiver that fails, a worker killed mid-delivery, a
broker outage, two sweeps at once. Each test counts what arrived: a fault may delay a delivery,
never drop or double it. PostgreSQL, Redis brokers and real ``celery worker`` processes."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from core import events
from core.models import DomainEvent
from inventory.services import Actor, location_default, stock_adjust
from tests.concurrency import run_threads
from tests.factories import VariantFactory, make_workspace
from tests.webhooks.worker import environment_for_the_test_database, run_django, wait_until
from webhooks import delivery, tasks
from webhooks.delivery import REQUEUE_GRACE
from webhooks.models import Attempt, Delivery, DeliveryStatus
from webhooks.services import endpoint_create

pytestmark = pytest.mark.postgres

LEASE = 5  # seconds: the workers' lease where a test waits for one to run out


@pytest.fixture
def shop(settings):
    """A Pro workspace with a variant to adjust; the receiver on 127.0.0.1 is allowed."""
    settings.SALYNC_WEBHOOK_ALLOW_PRIVATE = True
    workspace = make_workspace("Hook Co")
    return workspace, VariantFactory(product__workspace=workspace)


def adjust(workspace, variant, quantity=1):
    stock_adjust(
        workspace=workspace,
        variant=variant,
        location=location_default(workspace),
        quantity=quantity,
        reason="received",
        actor=Actor.system(),
    )


def hook(workspace, receiver, path):
    return endpoint_create(
        workspace=workspace, url=receiver.url(path), event_types=[events.STOCK_ADJUSTED]
    )


def settled(*ids):
    """True once none of these deliveries (all, when none given) is pending."""
    rows = Delivery.objects.filter(status=DeliveryStatus.PENDING)
    return not (rows.filter(pk__in=ids) if ids else rows).exists()


def test_a_failing_receiver_gets_the_same_event_until_it_answers(start_worker, receiver, shop):
    workspace, variant = shop
    receiver.flaky_failures = 2  # 500, 500, then 200
    hook(workspace, receiver, "/flaky")
    worker = start_worker(pool="solo")  # one delivery, one attempt at a time

    adjust(workspace, variant)
    # The first retry (5 s) is the worker's own countdown; the second is 5 minutes away.
    row = wait_until(
        lambda: Delivery.objects.filter(attempts=2, status=DeliveryStatus.PENDING).first(),
        "two failed attempts",
        watch=(worker,),
    )
    assert row.next_attempt_at > timezone.now() + timedelta(minutes=4)
    assert tasks.sweep()["queued"] == 0  # not due: nothing to queue

    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=1))
    assert tasks.sweep() == {"fanned_out": 0, "queued": 1}
    wait_until(lambda: settled(row.pk), "the third attempt", watch=(worker,))

    row.refresh_from_db()
    event = DomainEvent.objects.get(type=events.STOCK_ADJUSTED)
    assert (row.status, row.attempts, row.last_status_code) == (DeliveryStatus.SUCCEEDED, 3, 200)
    assert [a.status_code for a in row.attempt_log.all()] == [500, 500, 200]
    requests = receiver.requests_to("/flaky")
    assert [r["headers"]["webhook-id"] for r in requests] == [event.public_id] * 3
    assert Delivery.objects.count() == 1


def test_a_worker_killed_mid_delivery_leaves_it_to_the_next_worker(start_worker, receiver, shop):
    workspace, variant = shop
    release = receiver.hold(1)  # the first request waits, unanswered
    hook(workspace, receiver, "/hold")
    first = start_worker(lease=LEASE)

    adjust(workspace, variant)
    wait_until(lambda: receiver.requests_to("/hold"), "the POST under way", watch=(first,))
    first.kill()  # SIGKILL, mid-request: no attempt recorded, the message never acknowledged
    release.set()

    [row] = Delivery.objects.all()
    assert row.status == DeliveryStatus.PENDING
    assert not Attempt.objects.exists()
    assert tasks.sweep()["queued"] == 0  # the lease still holds it
    second = start_worker(lease=LEASE)
    # Once the lease and the sweep's grace are over, a sweep queues it again.
    wait_until(
        lambda: tasks.sweep()["queued"],
        "the sweep queueing it",
        timeout=LEASE + REQUEUE_GRACE.total_seconds() + 10,
        interval=0.5,
        watch=(second,),
    )
    wait_until(lambda: settled(row.pk), "the delivery", watch=(second,))

    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.SUCCEEDED, 1)
    assert [a.status_code for a in row.attempt_log.all()] == [200]
    event = DomainEvent.objects.get(type=events.STOCK_ADJUSTED)
    requests = receiver.requests_to("/hold")
    assert [r["headers"]["webhook-id"] for r in requests] == [event.public_id] * 2
    assert receiver.hold_answered >= 1


RECORD_EVENTS = """
    import json, logging, time
    from accounts.models import Workspace
    from inventory.models import Variant
    from inventory.services import Actor, location_default, stock_adjust

    warnings = []

    class Keep(logging.Handler):
        def emit(self, record):
            warnings.append(record.getMessage())

    logging.getLogger("salync.webhooks").addHandler(Keep())
    workspace = Workspace.objects.get(pk={workspace})
    variant = Variant.objects.get(pk={variant})
    location = location_default(workspace)
    started, recorded = time.monotonic(), 0
    while recorded < {count} and time.monotonic() - started < {budget}:
        stock_adjust(
            workspace=workspace, variant=variant, location=location, quantity=1,
            reason="received", actor=Actor.system(),
        )
        recorded += 1
    print(json.dumps({{
        "recorded": recorded,
        "seconds": time.monotonic() - started,
        "warnings": sum("could not queue" in w for w in warnings),
    }}))
"""

# Beat's part: a sweep every half second until it queued ``count`` deliveries (or 40 s).
SWEEP_LIKE_BEAT = """
    import json, time
    from webhooks.tasks import sweep

    queued, started = 0, time.monotonic()
    while queued < {count} and time.monotonic() - started < 40:
        queued += sweep()["queued"]
        time.sleep(0.5)
    print(json.dumps({{"queued": queued}}))
"""

OUTAGE_EVENTS = 100
# Seconds the web side may spend recording them with the broker down: a request must not wait
# on a broker it cannot reach (0.2 s per event, well above what a stock change costs).
OUTAGE_BUDGET = 20


def test_a_broker_outage_delays_deliveries_and_drops_none(start_worker, own_redis, receiver, shop):
    workspace, variant = shop
    endpoint = hook(workspace, receiver, "/ok")
    env = environment_for_the_test_database(CELERY_BROKER_URL=own_redis.url)

    own_redis.kill()
    script = RECORD_EVENTS.format(
        workspace=workspace.pk, variant=variant.pk, count=OUTAGE_EVENTS, budget=OUTAGE_BUDGET
    )
    web = run_django(script, env, timeout=OUTAGE_BUDGET + 60)
    recorded = web["recorded"]
    assert recorded >= 1
    assert web["warnings"] == recorded  # each event's queueing failed, quietly, and was logged
    events_ = DomainEvent.objects.filter(type=events.STOCK_ADJUSTED)
    assert events_.count() == recorded
    assert Delivery.objects.filter(endpoint=endpoint).count() == recorded  # fanned out, unsent

    own_redis.start()  # on the same port, empty
    worker = start_worker(broker_url=own_redis.url, ready=False)  # it boots while beat sweeps
    beat = run_django(SWEEP_LIKE_BEAT.format(count=recorded), env, timeout=60)
    assert beat["queued"] == recorded
    wait_until(
        lambda: len(receiver.requests_to("/ok")) >= recorded and settled(),
        f"{recorded} deliveries",
        watch=(worker,),
    )

    received = Counter(r["headers"]["webhook-id"] for r in receiver.requests_to("/ok"))
    assert received == {event.public_id: 1 for event in events_}
    assert Delivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == recorded
    # Last, so the deliveries above are shown whatever this says: the web side did not wait.
    assert recorded == OUTAGE_EVENTS, (
        f"only {recorded} of {OUTAGE_EVENTS} events recorded in {web['seconds']:.1f} s with the "
        "broker down: each failed publish waits on the broker connection's retries"
    )


SWEPT_EVENTS = 40  # recorded with no consumer: never fanned out
DUE_EVENTS = 20  # fanned out, never queued, and overdue


def test_two_sweeps_at_once_share_the_work_and_double_nothing(
    start_worker, receiver, shop, settings
):
    workspace, variant = shop
    endpoints = [hook(workspace, receiver, "/ok?a"), hook(workspace, receiver, "/ok?b")]
    worker = start_worker()
    delivery.fan_out()  # the set-up's own events, which nobody wants
    settings.SALYNC_EVENT_CONSUMERS = []  # no fan-out after commit: only the sweeps
    for _ in range(DUE_EVENTS):
        adjust(workspace, variant)
    assert delivery.fan_out().events == DUE_EVENTS  # deliveries made, no message sent
    overdue = timezone.now() - REQUEUE_GRACE - timedelta(minutes=1)
    Delivery.objects.update(next_attempt_at=overdue)
    # Recorded just now, so their deliveries are not overdue yet: the fan-out queues them.
    for _ in range(SWEPT_EVENTS):
        adjust(workspace, variant)

    def sweep(index, barrier):
        barrier.wait()
        return tasks.sweep()

    results = run_threads(2, sweep)

    assert all(isinstance(result, dict) for result in results), results
    assert sum(result["fanned_out"] for result in results) == SWEPT_EVENTS
    assert sum(result["queued"] for result in results) == DUE_EVENTS * len(endpoints)
    total = (SWEPT_EVENTS + DUE_EVENTS) * len(endpoints)
    wait_until(
        lambda: len(receiver.requests) >= total and settled(),
        f"{total} deliveries",
        watch=(worker,),
    )
    recorded = set(
        DomainEvent.objects.filter(type=events.STOCK_ADJUSTED).values_list("public_id", flat=True)
    )
    assert len(recorded) == SWEPT_EVENTS + DUE_EVENTS
    for endpoint in endpoints:
        path = endpoint.url.removeprefix(receiver.url(""))
        received = Counter(r["headers"]["webhook-id"] for r in receiver.requests_to(path))
        assert received == dict.fromkeys(recorded, 1)
        assert endpoint.deliveries.filter(status=DeliveryStatus.SUCCEEDED).count() == len(recorded)
    assert Delivery.objects.count() == total
    assert not DomainEvent.objects.filter(fanned_out_at__isnull=True).exists()
