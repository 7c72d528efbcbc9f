"""What happens at send beyond the POST: the URL is checked again (DNS may have changed since
it was saved), a disabled endpoint or a plan without webhooks sends nothing, an endpoint failing
for five days is disabled and its owners told, and the stock hot path pays no query for a
workspace without endpoints."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from core import events
from core.models import DomainEvent
from inventory.services import Actor, AdjustmentLine, location_default, stock_adjust_batch
from tests.factories import MembershipFactory, VariantFactory
from webhooks import delivery
from webhooks.models import Delivery, DeliveryStatus, Endpoint
from webhooks.services import endpoint_create, endpoint_disable

pytestmark = [pytest.mark.django_db]


def one_delivery(workspace, endpoint):
    with transaction.atomic():
        event = events.event_record(workspace=workspace, type=events.STOCK_ADJUSTED, obj={})
    [made] = delivery.fan_out([event.pk]).deliveries
    return made


def test_the_url_is_checked_again_at_send(workspace, fake_dns, receiver):
    """Saved while hooks.example.com was public; it now resolves to 10.0.0.1: refused at send,
    with the reason on the attempt, and nothing reaches anything."""
    fake_dns.add("hooks.example.com", ["93.184.215.14"], ["10.0.0.1"])
    endpoint = endpoint_create(
        workspace=workspace,
        url="https://hooks.example.com/salync",
        event_types=[events.STOCK_ADJUSTED],
    )
    made = one_delivery(workspace, endpoint)

    outcome = delivery.send(made)

    assert outcome.status == DeliveryStatus.PENDING  # it may resolve to a public address later
    [attempt] = Delivery.objects.get(pk=made).attempt_log.all()
    assert attempt.status_code is None
    assert "10.0.0.1 is private" in attempt.error
    assert fake_dns.lookups == ["hooks.example.com", "hooks.example.com"]


@pytest.mark.parametrize("why", ["disabled", "downgraded"])
def test_nothing_is_sent_to_a_disabled_or_paused_endpoint(workspace, make_endpoint, receiver, why):
    endpoint = make_endpoint("/ok")
    made = one_delivery(workspace, endpoint)
    if why == "disabled":
        endpoint_disable(endpoint=endpoint)
    else:
        workspace.plan = "growth"
        workspace.save(update_fields=["plan"])

    outcome = delivery.send(made)

    assert outcome.status == DeliveryStatus.FAILED
    assert receiver.requests == []
    row = Delivery.objects.get(pk=made)
    assert row.attempt_log.count() == 0
    assert row.last_error.startswith("Not sent")


def test_five_days_of_failures_disable_the_endpoint_and_tell_its_owners(
    workspace, make_endpoint, receiver, mailoutbox, django_capture_on_commit_callbacks
):
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER)
    MembershipFactory(workspace=workspace, role=Role.MEMBER)
    endpoint = make_endpoint("/fail")
    delivery.send(one_delivery(workspace, endpoint))
    endpoint.refresh_from_db()
    assert endpoint.enabled
    assert endpoint.failing_since is not None
    Endpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - timedelta(days=5, minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        delivery.send(one_delivery(workspace, endpoint))

    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert "5 days" in endpoint.disabled_reason
    assert "your server answered 500" in endpoint.disabled_reason
    [mail] = mailoutbox
    assert mail.to == [owner.user.email]


def test_a_success_ends_the_failing_spell(workspace, make_endpoint, receiver):
    receiver.flaky_failures = 1
    endpoint = make_endpoint("/flaky")
    made = one_delivery(workspace, endpoint)
    delivery.send(made)
    Delivery.objects.filter(pk=made).update(next_attempt_at=timezone.now())
    delivery.send(made)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_adjustments_without_endpoints_cost_webhooks_no_query(
    workspace, django_capture_on_commit_callbacks, django_assert_num_queries, settings
):
    """The consumer answers from its remembered flag: 100 adjustments with and without it
    take the same queries."""
    variant = VariantFactory(product__workspace=workspace)
    lines = [AdjustmentLine(variant, location_default(workspace), 1, "received")] * 100

    def run():
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            stock_adjust_batch(workspace=workspace, lines=lines, actor=Actor.system())
        return callbacks

    run()  # warm: flags remembered
    settings.SALYNC_EVENT_CONSUMERS = ["saleschannels.consumers.on_event"]
    with CaptureQueriesContext(connection) as without:
        run()
    settings.SALYNC_EVENT_CONSUMERS = [
        "saleschannels.consumers.on_event",
        "webhooks.consumers.on_event",
    ]
    with django_assert_num_queries(len(without.captured_queries)):
        run()
    assert (
        DomainEvent.objects.filter(fanned_out_at__isnull=True, type=events.STOCK_ADJUSTED).count()
        == 300
    )
    assert Delivery.objects.count() == 0
