"""Query counts pinned for Settings → Webhooks: the list of 50 endpoints costs what a list of 2
does, and a delivery log page of 50 what a page of 2 does (each delivery with several attempts).
"""

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from core import events
from core.models import DomainEvent
from tests.factories import MembershipFactory, make_workspace
from tests.pages import measure
from webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint

pytestmark = pytest.mark.django_db

# Session, user and membership come first on every page; then what each page reads itself.
PAGE_QUERIES = 4  # session, user, membership (with its workspace), the workspace switcher
PINNED = {
    "list": PAGE_QUERIES + 1,  # the endpoints with their 24 h figures and newest delivery
    "log": PAGE_QUERIES + 4,  # the endpoint, the count, the page, the last attempts
}


def build(name: str, *, endpoints: int, deliveries: int):
    """A Pro workspace with ``endpoints`` endpoints, the first with ``deliveries`` deliveries of
    three attempts each (bulk-made: the endpoint limit is the service's, not the page's)."""
    workspace = make_workspace(name)
    made = Endpoint.objects.bulk_create(
        [
            Endpoint(
                workspace=workspace,
                url=f"https://hooks.example.com/{n}",
                description=f"Receiver {n}",
                event_types=[events.STOCK_ADJUSTED, events.PRODUCT_CREATED],
                enabled=n % 3 != 0,
                disabled_reason="" if n % 3 else "Disabled by a member of the workspace.",
            )
            for n in range(endpoints)
        ]
    )
    DomainEvent.objects.bulk_create(
        [
            DomainEvent(workspace=workspace, type=events.STOCK_ADJUSTED, data={"object": {"n": n}})
            for n in range(deliveries)
        ]
    )
    now = timezone.now()
    sent = Delivery.objects.bulk_create(
        [
            Delivery(
                endpoint=endpoint,
                event=event,
                status=DeliveryStatus.PENDING if n % 2 else DeliveryStatus.SUCCEEDED,
                attempts=3,
                last_status_code=500 if n % 2 else 200,
                next_attempt_at=now,
            )
            for endpoint in made
            for n, event in enumerate(DomainEvent.objects.filter(workspace=workspace))
        ]
    )
    Attempt.objects.bulk_create(
        [
            Attempt(
                delivery=delivery,
                created_at=now,
                request_headers={"webhook-id": "evt_x", "webhook-timestamp": "1"},
                status_code=code,
                duration_ms=12,
                response_excerpt="ok" if code == 200 else "boom",
                error="" if code == 200 else "your server answered 500",
            )
            for delivery in sent
            for code in (500, 500, delivery.last_status_code)
        ]
    )
    client = Client()
    client.force_login(MembershipFactory(workspace=workspace, role=Role.OWNER).user)
    return client, made[0]


def test_a_list_of_50_endpoints_costs_what_2_do():
    small, _ = build("Small", endpoints=2, deliveries=2)
    large, _ = build("Large", endpoints=50, deliveries=2)

    few, small_sql = measure(small, "/settings/webhooks/")
    many, large_sql = measure(large, "/settings/webhooks/")

    assert few.count("Receiver ") == 2
    assert many.count("Receiver ") == 50
    assert many.count("17 %") == 50
    assert "1 of 6 attempts" in many
    assert len(large_sql) == len(small_sql) == PINNED["list"], "\n\n".join(large_sql)


def test_a_log_page_of_50_deliveries_costs_what_2_do():
    small, small_endpoint = build("Small", endpoints=1, deliveries=2)
    large, large_endpoint = build("Large", endpoints=1, deliveries=120)

    few, small_sql = measure(small, f"/settings/webhooks/{small_endpoint.pk}/")
    many, large_sql = measure(large, f"/settings/webhooks/{large_endpoint.pk}/?status=pending")
    last, _ = measure(large, f"/settings/webhooks/{large_endpoint.pk}/?page=3")

    assert few.count("<summary>Request and response") == 2
    assert many.count("<summary>Request and response") == 50  # of the 60 pending
    assert last.count("<summary>Request and response") == 20
    assert many.count("<td>3/8</td>") == 50
    assert "Page 1 of 2" in many
    assert len(large_sql) == len(small_sql) == PINNED["log"], "\n\n".join(large_sql)
