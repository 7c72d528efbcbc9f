"""Webhook endpoints over the API (SPEC §5.5, Pro): create, list, retrieve, PATCH, DELETE,
rotate, test, the delivery log with its filters and resend; the URL checks (SSRF, https) as
400s on ``url``; the secret in the create and rotate answers only; a plan without webhooks
refused on every route and a read-only key on every write."""

import pytest
from django.db import transaction
from django.utils import timezone

from apikeys.models import Access
from core import events
from core.models import DomainEvent
from tests.api_client import ApiClient, assert_api_error, assert_fields
from tests.core.unsafe_urls import REFUSED
from tests.factories import make_key, make_workspace
from webhooks import delivery
from webhooks.models import Delivery, DeliveryStatus, Endpoint
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db

PUBLIC_ADDRESS = "93.184.215.14"
HOOK_URL = "https://hooks.example.com/salync"
ENDPOINT_FIELDS = {
    "id", "url", "description", "event_types", "enabled", "disabled_reason", "created_at",
    "updated_at",
}  # fmt: skip
DELIVERY_FIELDS = {
    "id", "event_id", "event_type", "status", "attempts", "last_status_code", "last_error",
    "next_attempt_at", "last_attempt_at", "created_at", "updated_at",
}  # fmt: skip


@pytest.fixture
def public_dns(fake_dns):
    """hooks.example.com resolves to a public address (there is no internet here)."""
    fake_dns.add("hooks.example.com", [PUBLIC_ADDRESS])
    return fake_dns


@pytest.fixture
def api(client, workspace):
    return ApiClient(client, make_key(workspace))


def create(api, **fields):
    body = {"url": HOOK_URL, "event_types": [events.STOCK_ADJUSTED], **fields}
    response = api.post("webhook-endpoints", body)
    assert response.status_code == 201, response.content
    return response.json()


def stock_event(workspace, type=events.STOCK_ADJUSTED):
    with transaction.atomic():
        return events.event_record(workspace=workspace, type=type, obj={"quantity": 5})


# --- CRUD -----------------------------------------------------------------------------------


def test_create_answers_the_endpoint_with_its_secret_once(api, workspace, public_dns):
    response = api.post(
        "webhook-endpoints",
        {
            "url": HOOK_URL,
            "description": "ERP",
            "event_types": [events.PRODUCT_CREATED, events.STOCK_ADJUSTED],
        },
    )

    assert response.status_code == 201, response.content
    made = response.json()
    endpoint = Endpoint.objects.get(workspace=workspace)
    assert set(made) == ENDPOINT_FIELDS | {"secret"}
    assert made["id"] == endpoint.pk
    assert made["secret"] == endpoint.secret
    assert made["secret"].startswith("whsec_")
    assert (made["url"], made["description"], made["enabled"]) == (HOOK_URL, "ERP", True)
    # in the order people read them, as the service stores them
    assert made["event_types"] == [events.STOCK_ADJUSTED, events.PRODUCT_CREATED]
    assert made["disabled_reason"] == ""


def test_create_defaults_and_a_disabled_endpoint(api, public_dns):
    made = create(api, enabled=False)

    assert made["description"] == ""
    assert made["enabled"] is False


def test_list_retrieve_patch_and_delete(api, workspace, public_dns):
    first, second = create(api), create(api, description="Second")

    listed = api.get("webhook-endpoints").json()
    one = api.get(f"webhook-endpoints/{second['id']}").json()
    assert [row["id"] for row in listed["results"]] == [first["id"], second["id"]]
    assert listed["results"][1] == one
    assert set(one) == ENDPOINT_FIELDS

    patched = api.patch(
        f"webhook-endpoints/{second['id']}",
        {
            "url": "https://hooks.example.com/v2",
            "description": "Renamed",
            "event_types": [events.PURCHASE_ORDER_RECEIVED],
            "enabled": False,
        },
    )
    assert patched.status_code == 200, patched.content
    assert patched.json() == api.get(f"webhook-endpoints/{second['id']}").json()
    changed = patched.json()
    assert changed["url"] == "https://hooks.example.com/v2"
    assert changed["description"] == "Renamed"
    assert changed["event_types"] == [events.PURCHASE_ORDER_RECEIVED]
    assert changed["enabled"] is False
    assert changed["disabled_reason"]

    enabled = api.patch(f"webhook-endpoints/{second['id']}", {"enabled": True}).json()
    assert (enabled["enabled"], enabled["disabled_reason"]) == (True, "")
    assert enabled["url"] == "https://hooks.example.com/v2"  # what was not sent stays

    deleted = api.delete(f"webhook-endpoints/{second['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_api_error(api.get(f"webhook-endpoints/{second['id']}"), 404, "not_found")
    assert list(Endpoint.objects.values_list("pk", flat=True)) == [first["id"]]


def test_list_filters(api, public_dns):
    on, off = create(api), create(api, enabled=False)

    def listed(params):
        response = api.get("webhook-endpoints", params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert listed({"enabled": "true"}) == [on["id"]]
    assert listed({"enabled": "false"}) == [off["id"]]
    assert listed({"updated_since": off["updated_at"]}) == [off["id"]]
    assert_fields(api.get("webhook-endpoints", {"enabled": "yes"}), "enabled")
    assert_fields(api.get("webhook-endpoints", {"updated_since": "soon"}), "updated_since")


def test_deleting_keeps_the_events(api, workspace, public_dns, queued):
    made = create(api)
    api.post(f"webhook-endpoints/{made['id']}/test")

    assert api.delete(f"webhook-endpoints/{made['id']}").status_code == 204

    assert Delivery.objects.count() == 0
    assert DomainEvent.objects.filter(workspace=workspace, type=events.WEBHOOK_TEST).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"event_types": [events.STOCK_ADJUSTED]}, "url"),
        ({"url": HOOK_URL}, "event_types"),
        ({"url": HOOK_URL, "event_types": []}, "event_types"),
        ({"url": HOOK_URL, "event_types": ["stock.nothing"]}, "event_types.0"),
        ({"url": HOOK_URL, "event_types": events.STOCK_ADJUSTED}, "event_types"),
        ({"url": HOOK_URL, "event_types": [events.STOCK_ADJUSTED], "enabled": "yes"}, "enabled"),
        ({"url": 5, "event_types": [events.STOCK_ADJUSTED]}, "url"),
        ({"url": HOOK_URL, "event_types": [events.STOCK_ADJUSTED], "secret": "x"}, "secret"),
        ({"url": "not a url", "event_types": [events.STOCK_ADJUSTED]}, "url"),
    ],
    ids=[
        "no-url", "no-types", "empty-types", "unknown-type", "types-not-a-list",
        "enabled-not-bool", "url-not-string", "unknown-field", "not-a-url",
    ],
)  # fmt: skip
def test_invalid_bodies_are_400_naming_the_field(api, public_dns, body, field):
    assert_fields(api.post("webhook-endpoints", body), field)
    assert not Endpoint.objects.exists()


def test_an_invalid_patch_changes_nothing(api, public_dns):
    made = create(api)

    assert_fields(api.patch(f"webhook-endpoints/{made['id']}", {"event_types": []}), "event_types")
    assert_fields(api.patch(f"webhook-endpoints/{made['id']}", {"url": None}), "url")
    assert api.get(f"webhook-endpoints/{made['id']}").json() == {
        k: v for k, v in made.items() if k != "secret"
    }


# --- URL checks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "phrase"),
    [case for case in REFUSED if "127.0.0.1 is loopback" in case[1] or case[0] in {
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://10.0.0.1/hook",
        "https://0x7f000001/hook",
        "https://localhost/hook",
    }],
    ids=lambda v: v if v.startswith("https") else "",
)  # fmt: skip
def test_unsafe_urls_are_400_on_url(api, url, phrase):
    response = api.post("webhook-endpoints", {"url": url, "event_types": [events.STOCK_ADJUSTED]})

    fields = assert_fields(response, "url")
    assert phrase in fields["url"][0]
    assert not Endpoint.objects.exists()


def test_a_host_resolving_to_a_private_address_is_refused(api, fake_dns):
    fake_dns.add("hooks.example.com", [PUBLIC_ADDRESS, "10.1.2.3"])

    fields = assert_fields(
        api.post("webhook-endpoints", {"url": HOOK_URL, "event_types": [events.STOCK_ADJUSTED]}),
        "url",
    )
    assert "10.1.2.3" in fields["url"][0]


def test_plain_http_is_refused_when_debug_is_off(api, public_dns, settings):
    settings.DEBUG = False

    assert_fields(
        api.post(
            "webhook-endpoints",
            {"url": "http://hooks.example.com/x", "event_types": [events.STOCK_ADJUSTED]},
        ),
        "url",
    )


def test_patching_to_an_unsafe_url_is_refused(api, public_dns):
    made = create(api)

    assert_fields(
        api.patch(f"webhook-endpoints/{made['id']}", {"url": "https://127.0.0.1/hook"}), "url"
    )
    assert Endpoint.objects.get(pk=made["id"]).url == HOOK_URL


def test_a_local_receiver_is_allowed_with_allow_private(api, allow_private, receiver):
    made = create(api, url=receiver.url("/ok"))

    assert made["url"] == receiver.url("/ok")


# --- Rotate, test, deliveries, resend ---------------------------------------------------------


def test_rotate_answers_the_new_secret_once(api, public_dns):
    made = create(api)

    response = api.post(f"webhook-endpoints/{made['id']}/rotate-secret")

    assert response.status_code == 200, response.content
    rotated = response.json()
    endpoint = Endpoint.objects.get(pk=made["id"])
    assert set(rotated) == ENDPOINT_FIELDS | {"secret"}
    assert rotated["secret"] == endpoint.secret != made["secret"]
    assert endpoint.previous_secret == made["secret"]  # still signing for the grace period


def test_test_queues_a_webhook_test_delivery(
    api, workspace, public_dns, queued, django_capture_on_commit_callbacks
):
    made = create(api)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"webhook-endpoints/{made['id']}/test")

    assert response.status_code == 202, response.content
    answer = response.json()
    sent = Delivery.objects.select_related("event").get()
    assert queued == [sent.pk]
    assert set(answer) == DELIVERY_FIELDS
    assert answer["id"] == sent.pk
    assert answer["event_id"] == sent.event.public_id
    assert (answer["event_type"], answer["status"], answer["attempts"]) == (
        events.WEBHOOK_TEST,
        "pending",
        0,
    )
    # the event's object is the endpoint, as the API shows it; readable in the events API
    event = api.get(f"events/{answer['event_id']}").json()
    assert event["data"]["object"] == api.get(f"webhook-endpoints/{made['id']}").json()


@pytest.fixture
def log(api, workspace, allow_private, receiver, queued):
    """An endpoint on the receiver's /flaky (500 twice, then 200) with three deliveries, oldest
    first: failed (given up), succeeded (on its second attempt) and pending (one attempt made,
    retries left)."""
    receiver.flaky_failures = 2
    made = create(
        api,
        url=receiver.url("/flaky"),
        event_types=[events.STOCK_ADJUSTED, events.PRODUCT_CREATED],
    )
    recorded = [
        stock_event(workspace),
        stock_event(workspace, events.PRODUCT_CREATED),
        stock_event(workspace),
    ]
    given_up, succeeded, pending = delivery.fan_out().deliveries
    assert delivery.send(pending).status == DeliveryStatus.PENDING  # 500
    assert delivery.send(succeeded).status == DeliveryStatus.PENDING  # 500
    Delivery.objects.filter(pk=succeeded).update(next_attempt_at=timezone.now())
    assert delivery.send(succeeded).status == DeliveryStatus.SUCCEEDED  # 200
    # What the end of the schedule leaves (arranged, not waited for).
    Delivery.objects.filter(pk=given_up).update(
        status=DeliveryStatus.FAILED, attempts=8, next_attempt_at=None, last_status_code=500
    )
    names = ["failed", "succeeded", "pending"]
    ids = dict(zip(names, [given_up, succeeded, pending], strict=True))
    return made, ids, dict(zip(names, recorded, strict=True))


def test_deliveries_newest_first_with_their_fields(api, log):
    made, ids, evts = log

    response = api.get(f"webhook-endpoints/{made['id']}/deliveries")

    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [ids["pending"], ids["succeeded"], ids["failed"]]
    assert all(set(row) == DELIVERY_FIELDS for row in rows)
    pending, succeeded, failed = rows
    assert (pending["status"], pending["attempts"], pending["last_status_code"]) == (
        "pending",
        1,
        500,
    )
    assert pending["next_attempt_at"] is not None
    assert pending["event_id"] == evts["pending"].public_id
    assert (succeeded["status"], succeeded["attempts"], succeeded["last_status_code"]) == (
        "succeeded",
        2,
        200,
    )
    assert succeeded["event_type"] == events.PRODUCT_CREATED
    assert succeeded["next_attempt_at"] is None
    assert (failed["status"], failed["next_attempt_at"]) == ("failed", None)


def test_deliveries_filters(api, log):
    made, ids, _ = log
    path = f"webhook-endpoints/{made['id']}/deliveries"

    def listed(params):
        response = api.get(path, params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    for status in ("pending", "succeeded", "failed"):
        assert listed({"status": status}) == [ids[status]]
    assert listed({"event_type": events.PRODUCT_CREATED}) == [ids["succeeded"]]
    assert listed({"event_type": events.STOCK_ADJUSTED}) == [ids["pending"], ids["failed"]]
    assert listed({"event_type": events.STOCK_ADJUSTED, "status": "failed"}) == [ids["failed"]]
    assert listed({"event_type": events.WEBHOOK_TEST}) == []
    assert_fields(api.get(path, {"status": "lost"}), "status")
    assert_fields(api.get(path, {"status": ""}), "status")
    assert_fields(api.get(path, {"event_type": "stock"}), "event_type")
    assert_fields(api.get(path, {"updated_since": "yesterday"}), "updated_since")


def test_deliveries_updated_since_finds_a_resent_one(api, log):
    made, ids, _ = log
    path = f"webhook-endpoints/{made['id']}/deliveries"
    cutoff = timezone.now().isoformat()
    assert api.get(path, {"updated_since": cutoff}).json()["results"] == []

    api.post(f"{path}/{ids['failed']}/resend")

    listed = api.get(path, {"updated_since": cutoff}).json()["results"]
    assert [row["id"] for row in listed] == [ids["failed"]]


def test_deliveries_pages_neither_skip_nor_repeat(api, log):
    made, ids, _ = log
    seen, url = [], f"webhook-endpoints/{made['id']}/deliveries?limit=2"
    while url:
        page = api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]

    assert seen == [ids["pending"], ids["succeeded"], ids["failed"]]


def test_resend_restarts_a_failed_delivery(api, log, queued, django_capture_on_commit_callbacks):
    made, ids, _ = log
    queued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"webhook-endpoints/{made['id']}/deliveries/{ids['failed']}/resend")

    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["id"], answer["status"], answer["attempts"]) == (ids["failed"], "pending", 0)
    assert (
        answer
        == api.get(f"webhook-endpoints/{made['id']}/deliveries", {"status": "pending"}).json()[
            "results"
        ][1]
    )
    assert queued == [ids["failed"]]


def test_a_delivery_of_another_endpoint_is_404_on_resend(api, log, public_dns):
    _, ids, _ = log
    other = create(api)

    response = api.post(f"webhook-endpoints/{other['id']}/deliveries/{ids['failed']}/resend")

    assert_api_error(response, 404, "not_found")
    assert Delivery.objects.get(pk=ids["failed"]).status == DeliveryStatus.FAILED


# --- The secret -------------------------------------------------------------------------------


def test_the_secret_is_in_no_other_answer(api, workspace, public_dns, queued):
    made = create(api)
    rotated = api.post(f"webhook-endpoints/{made['id']}/rotate-secret").json()
    secrets = [made["secret"], rotated["secret"]]
    base = f"webhook-endpoints/{made['id']}"
    tested = api.post(f"{base}/test")
    delivery_id = tested.json()["id"]

    answers = [
        api.get("webhook-endpoints"),
        api.get(base),
        api.patch(base, {"description": "Still secret"}),
        tested,
        api.get(f"{base}/deliveries"),
        api.post(f"{base}/deliveries/{delivery_id}/resend"),
        api.get("events"),
        api.get(f"events/{tested.json()['event_id']}"),
    ]

    for response in answers:
        assert response.status_code in (200, 202), response.content
        body = response.content.decode()
        assert '"secret"' not in body
        for secret in secrets:
            assert secret not in body
            assert secret.removeprefix("whsec_") not in body


def test_a_replayed_create_answers_the_first_response_and_creates_nothing(api, public_dns):
    body = {"url": HOOK_URL, "event_types": [events.STOCK_ADJUSTED]}
    headers = {"Idempotency-Key": "create-1"}

    first = api.post("webhook-endpoints", body, headers=headers)
    again = api.post("webhook-endpoints", body, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Endpoint.objects.count() == 1


# --- Who may ---------------------------------------------------------------------------------


def routes(endpoint_id, delivery_id):
    base = f"webhook-endpoints/{endpoint_id}"
    body = {"url": HOOK_URL, "event_types": [events.STOCK_ADJUSTED]}
    return [
        ("GET", "webhook-endpoints", None),
        ("POST", "webhook-endpoints", body),
        ("GET", base, None),
        ("PATCH", base, {"description": "x"}),
        ("DELETE", base, None),
        ("POST", f"{base}/rotate-secret", None),
        ("POST", f"{base}/test", None),
        ("GET", f"{base}/deliveries", None),
        ("POST", f"{base}/deliveries/{delivery_id}/resend", None),
    ]


WRITES = {"POST", "PATCH", "DELETE"}


@pytest.fixture
def growth(client, public_dns, queued):
    workspace = make_workspace("Growth Co", plan="growth")
    # Kept from a Pro past (SPEC §5.5: endpoints are kept but paused).
    endpoint = endpoint_create(
        workspace=workspace, url=HOOK_URL, event_types=[events.STOCK_ADJUSTED]
    )
    stock_event(workspace)
    made = Delivery.objects.create(
        endpoint=endpoint, event=DomainEvent.objects.get(workspace=workspace)
    )
    return workspace, endpoint, made


@pytest.mark.parametrize("access", [Access.READ_WRITE, Access.READ_ONLY])
def test_a_plan_without_webhooks_is_refused_on_every_route(client, growth, access):
    workspace, endpoint, made = growth
    api = ApiClient(client, make_key(workspace, access=access))
    before = list(Endpoint.objects.values())

    for method, path, body in routes(endpoint.pk, made.pk):
        response = api.request(method, path, body)
        error = assert_api_error(response, 403, "plan_upgrade_required")
        assert error["message"]
    assert list(Endpoint.objects.values()) == before
    assert Delivery.objects.count() == 1
    assert api.get("events").status_code == 200  # the events API is every paid plan's


def test_a_read_only_key_reads_but_never_writes(client, workspace, public_dns, queued):
    endpoint = endpoint_create(
        workspace=workspace, url=HOOK_URL, event_types=[events.STOCK_ADJUSTED]
    )
    stock_event(workspace)
    [made] = Delivery.objects.bulk_create(
        [Delivery(endpoint=endpoint, event=DomainEvent.objects.get(workspace=workspace))]
    )
    api = ApiClient(client, make_key(workspace, access=Access.READ_ONLY))
    before = list(Endpoint.objects.values())

    for method, path, body in routes(endpoint.pk, made.pk):
        response = api.request(method, path, body)
        if method in WRITES:
            assert_api_error(response, 403, "insufficient_scope")
        else:
            assert response.status_code == 200, (path, response.content)
            assert endpoint.secret not in response.content.decode()
    assert list(Endpoint.objects.values()) == before
    assert queued == []
