"""Fan-out and sending in process (``webhooks.delivery``) against a real receiver on 127.0.0.1:
who gets what, the signature, the schedule, 410 and the lease."""

import json
from datetime import timedelta

from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from accounts.models import Role
from core import events
from core.models import DomainEvent
from inventory.services import Actor, stock_adjust
from tests.factories import LocationFactory, MembershipFactory, VariantFactory, make_workspace
from webhooks import delivery
from webhooks.models import Delivery, DeliveryStatus
from webhooks.services import endpoint_rotate_secret


def adjust(workspace, quantity=5):
    variant = VariantFactory(product__workspace=workspace)
    location = LocationFactory(workspace=workspace)
    return stock_adjust(
        workspace=workspace,
        variant=variant,
        location=location,
        quantity=quantity,
        reason="received",
        actor=Actor.system(),
    )


def test_an_event_reaches_each_subscribed_endpoint_once_signed(
    workspace, make_endpoint, receiver, queued, django_capture_on_commit_callbacks
):
    first, second = make_endpoint("/ok"), make_endpoint("/ok?second")
    make_endpoint("/ok?other", types=[events.PURCHASE_ORDER_RECEIVED])
    with django_capture_on_commit_callbacks(execute=True):
        adjust(workspace)
    assert len(queued) == 2
    for delivery_id in queued:
        assert delivery.send(delivery_id).status == DeliveryStatus.SUCCEEDED
    assert sorted(r["path"] for r in receiver.requests) == ["/ok", "/ok?second"]
    event = DomainEvent.objects.get(workspace=workspace, type=events.STOCK_ADJUSTED)
    for request, endpoint in zip(receiver.requests, [first, second], strict=True):
        payload = Webhook(endpoint.secret).verify(request["body"], request["headers"])
        assert payload["id"] == event.public_id == request["headers"]["webhook-id"]
        assert payload["type"] == events.STOCK_ADJUSTED
        assert payload["data"]["object"]["quantity"] == 5


def test_nothing_goes_to_other_workspaces_or_before_an_endpoint_existed(
    workspace, make_endpoint, receiver, queued, django_capture_on_commit_callbacks
):
    other = make_workspace("Other Co")
    with django_capture_on_commit_callbacks(execute=True):
        adjust(workspace)  # before any endpoint: nobody wants it
    make_endpoint(ws=other)
    with django_capture_on_commit_callbacks(execute=True):
        adjust(workspace)
    assert queued == []
    assert delivery.fan_out().deliveries == []  # the sweep finds nothing to send either
    assert not DomainEvent.objects.filter(fanned_out_at__isnull=True).exists()


def test_growth_workspaces_get_no_deliveries(
    make_endpoint, receiver, queued, django_capture_on_commit_callbacks
):
    growth = make_workspace("Growth Co", plan="growth")
    make_endpoint(ws=growth)
    with django_capture_on_commit_callbacks(execute=True):
        adjust(growth)
    assert queued == []
    assert Delivery.objects.count() == 0


def test_the_retry_schedule_keeps_the_same_webhook_id(workspace, make_endpoint, receiver, queued):
    receiver.flaky_failures = 2
    make_endpoint("/flaky")
    from django.db import transaction

    with transaction.atomic():
        adjust(workspace)
    [delivery_id] = delivery.fan_out().deliveries
    outcome = delivery.send(delivery_id)
    assert outcome.status == DeliveryStatus.PENDING
    assert 4.5 <= outcome.retry_in <= 5.5
    assert delivery.send(delivery_id) is None  # not due yet: nothing is sent
    for _ in range(2):
        Delivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now())
        outcome = delivery.send(delivery_id)
    assert outcome.status == DeliveryStatus.SUCCEEDED
    row = Delivery.objects.get(pk=delivery_id)
    assert (row.attempts, row.last_status_code, row.next_attempt_at) == (3, 200, None)
    ids = {r["headers"]["webhook-id"] for r in receiver.requests}
    assert len(receiver.requests) == 3
    assert len(ids) == 1
    assert [a.status_code for a in row.attempt_log.all()] == [500, 500, 200]


def test_410_disables_the_endpoint_and_tells_its_owners(
    workspace, make_endpoint, receiver, mailoutbox, django_capture_on_commit_callbacks
):
    from django.db import transaction

    owner = MembershipFactory(workspace=workspace, role=Role.OWNER)
    endpoint = make_endpoint("/gone")
    with transaction.atomic():
        adjust(workspace)
    [delivery_id] = delivery.fan_out().deliveries
    with django_capture_on_commit_callbacks(execute=True):
        outcome = delivery.send(delivery_id)
    assert outcome.status == DeliveryStatus.FAILED
    assert outcome.retry_in is None
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert "410" in endpoint.disabled_reason
    [mail] = mailoutbox
    assert mail.to == [owner.user.email]
    assert endpoint.url in mail.body


def test_rotation_signs_with_both_secrets_for_a_day(workspace, make_endpoint, receiver):
    from django.db import transaction

    endpoint = make_endpoint("/ok")
    old = endpoint.secret
    endpoint = endpoint_rotate_secret(endpoint=endpoint)
    with transaction.atomic():
        adjust(workspace)
    [delivery_id] = delivery.fan_out().deliveries
    delivery.send(delivery_id)
    [request] = receiver.requests
    for secret in (old, endpoint.secret):
        Webhook(secret).verify(request["body"], request["headers"])
    assert len(request["headers"]["webhook-signature"].split(" ")) == 2
    assert endpoint.signing_secrets(timezone.now() + timedelta(hours=25)) == [endpoint.secret]


def test_the_body_is_what_the_events_api_answers(workspace, make_endpoint, receiver):
    from django.db import transaction

    make_endpoint("/ok")
    with transaction.atomic():
        adjust(workspace)
    [delivery_id] = delivery.fan_out().deliveries
    delivery.send(delivery_id)
    event = DomainEvent.objects.get(type=events.STOCK_ADJUSTED)
    body = json.loads(receiver.requests[0]["body"])
    assert body == event.payload
    assert set(body) == {"id", "type", "created_at", "data"}
