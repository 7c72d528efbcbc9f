"""The events API (SPEC §5.5): the workspace's events newest first, cursor pages that neither
skip nor repeat, the ``type`` and ``created_since`` filters, and each item exactly the payload
a delivery sends. Open to every plan with the API."""

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core import events
from core.models import DomainEvent
from inventory.services import product_create
from tests.api_client import ApiClient, assert_api_error, assert_fields
from tests.factories import make_key, make_workspace
from webhooks import delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, workspace):
    return ApiClient(client, make_key(workspace))


def record(workspace, type=events.STOCK_ADJUSTED, obj=None):
    with transaction.atomic():
        return events.event_record(workspace=workspace, type=type, obj=obj or {"n": 1})


def record_many(workspace, count, type=events.STOCK_ADJUSTED):
    return [record(workspace, type, {"n": n}) for n in range(count)]


def ids(response):
    assert response.status_code == 200, response.content[:500]
    return [item["id"] for item in response.json()["results"]]


def test_events_are_listed_newest_first(api, workspace):
    made = record_many(workspace, 3)

    assert ids(api.get("events")) == [event.public_id for event in reversed(made)]


def test_an_item_is_exactly_the_delivered_body(api, workspace):
    with transaction.atomic():
        product = product_create(
            workspace=workspace, name="Merino crew", variants=[{"sku": "MER-1", "price": "9.90"}]
        )
    event = DomainEvent.objects.get(workspace=workspace, type=events.PRODUCT_CREATED)

    [item] = api.get("events").json()["results"]
    one = api.get(f"events/{event.public_id}").json()

    assert item == one == json.loads(delivery.body_of(event))
    assert set(item) == {"id", "type", "created_at", "data"}
    assert item["type"] == events.PRODUCT_CREATED
    assert item["data"]["object"]["id"] == product.pk
    assert item["created_at"].endswith("Z")


def test_cursor_pages_neither_skip_nor_repeat_while_events_arrive(api, workspace):
    made = record_many(workspace, 7)
    seen, url = [], "events?limit=3"
    while url:
        page = api.get(url).json()
        seen += [item["id"] for item in page["results"]]
        record(workspace)  # newer events must not shift the pages being read
        url = page["next"]

    assert seen == [event.public_id for event in reversed(made)]


def test_the_previous_link_goes_back_to_the_newer_page(api, workspace):
    made = [event.public_id for event in reversed(record_many(workspace, 4))]
    first = api.get("events?limit=2").json()
    second = api.get(first["next"]).json()

    assert [item["id"] for item in second["results"]] == made[2:]
    assert ids(api.get(second["previous"])) == made[:2]


def test_the_type_filter(api, workspace):
    adjusted = record(workspace, events.STOCK_ADJUSTED)
    received = record(workspace, events.PURCHASE_ORDER_RECEIVED)

    assert ids(api.get("events", {"type": events.PURCHASE_ORDER_RECEIVED})) == [received.public_id]
    assert ids(api.get("events", {"type": events.STOCK_ADJUSTED})) == [adjusted.public_id]
    assert ids(api.get("events", {"type": events.WEBHOOK_TEST})) == []


@pytest.mark.parametrize("value", ["stock.nothing", "", "STOCK.ADJUSTED"])
def test_an_unknown_type_is_400_naming_it(api, workspace, value):
    assert_fields(api.get("events", {"type": value}), "type")


def test_created_since_is_inclusive(api, workspace):
    old, edge, new = record_many(workspace, 3)
    moment = timezone.now().replace(microsecond=123456) - timedelta(hours=1)
    DomainEvent.objects.filter(pk=old.pk).update(created_at=moment - timedelta(microseconds=1))
    DomainEvent.objects.filter(pk=edge.pk).update(created_at=moment)
    DomainEvent.objects.filter(pk=new.pk).update(created_at=moment + timedelta(minutes=5))

    at = api.get("events", {"created_since": moment.isoformat()})
    in_paris = api.get("events", {"created_since": moment.astimezone(_paris()).isoformat()})
    after = api.get("events", {"created_since": (moment + timedelta(microseconds=1)).isoformat()})

    assert ids(at) == ids(in_paris) == [new.public_id, edge.public_id]
    assert ids(after) == [new.public_id]


def _paris():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Paris")


@pytest.mark.parametrize("value", ["yesterday", "", "2026-13-01T00:00:00Z", "10000-01-01"])
def test_a_bad_created_since_is_400_naming_it(api, workspace, value):
    assert_fields(api.get("events", {"created_since": value}), "created_since")


def test_filters_combine(api, workspace):
    record(workspace, events.STOCK_ADJUSTED)
    wanted = record(workspace, events.PRODUCT_CREATED)
    DomainEvent.objects.filter(workspace=workspace).exclude(pk=wanted.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    since = (timezone.now() - timedelta(days=1)).isoformat()

    assert ids(api.get("events", {"type": events.PRODUCT_CREATED, "created_since": since})) == [
        wanted.public_id
    ]
    assert ids(api.get("events", {"type": events.STOCK_ADJUSTED, "created_since": since})) == []


def test_an_unknown_event_is_404(api, workspace):
    record(workspace)

    assert_api_error(api.get("events/evt_" + "0" * 24), 404, "not_found")
    assert_api_error(api.get("events/evt_nothex"), 404, "not_found")
    assert_api_error(api.get("events/123"), 404, "not_found")


def test_a_growth_key_reads_events(client):
    growth = make_workspace("Growth Co", plan="growth")
    event = record(growth)
    api = ApiClient(client, make_key(growth))

    assert ids(api.get("events")) == [event.public_id]
    assert api.get(f"events/{event.public_id}").status_code == 200


def test_a_free_key_is_refused(client):
    free = make_workspace("Free Co", plan="free", limits=None)

    response = ApiClient(client, make_key(free)).get("events")

    assert_api_error(response, 403, "plan_upgrade_required")


def test_another_workspaces_events_are_invisible(api, workspace):
    ours = record(workspace)
    theirs = record(make_workspace("Other Co"))

    assert ids(api.get("events")) == [ours.public_id]
    assert ids(api.get("events", {"type": events.STOCK_ADJUSTED})) == [ours.public_id]
    hidden = api.get(f"events/{theirs.public_id}")
    missing = api.get("events/evt_" + "f" * 24)
    assert_api_error(hidden, 404, "not_found")
    assert hidden.json()["error"]["message"] == missing.json()["error"]["message"]


def test_events_refuse_writes(api, workspace):
    event = record(workspace)

    assert_api_error(api.post("events", {}), 405, "method_not_allowed")
    assert_api_error(api.delete(f"events/{event.public_id}"), 405, "method_not_allowed")
