"""Settings → Webhooks (SPEC §4, §5.5) through its pages: owners and admins add, edit, enable,
disable, delete endpoints, reveal and rotate the secret, send a test event, resend and retry;
members read and are refused every write; a plan without webhooks shows why and adds nothing."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from core import events
from core.models import DomainEvent
from tests.factories import MembershipFactory, make_workspace
from webhooks import delivery
from webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint
from webhooks.services import endpoint_create, endpoint_send_test

pytestmark = pytest.mark.django_db

LIST = "/settings/webhooks/"
PUBLIC_HOST = "hooks.example.com"
SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{32}")


def client_for(workspace, role) -> Client:
    client = Client()
    client.force_login(MembershipFactory(workspace=workspace, role=role).user)
    return client


@pytest.fixture
def public_dns(fake_dns):
    fake_dns.add(PUBLIC_HOST, ["93.184.216.34"])
    fake_dns.add("internal.example.com", ["10.1.2.3"])
    return fake_dns


@pytest.fixture
def manager(workspace):
    return client_for(workspace, Role.OWNER)


@pytest.fixture
def member(workspace):
    return client_for(workspace, Role.MEMBER)


@pytest.fixture
def endpoint(workspace, public_dns):
    return endpoint_create(
        workspace=workspace,
        url=f"https://{PUBLIC_HOST}/salync",
        description="ERP inbox",
        event_types=[events.STOCK_ADJUSTED],
    )


def detail(endpoint) -> str:
    return f"{LIST}{endpoint.pk}/"


def error_beside(page: str, field: str) -> str:
    found = re.search(rf'<div class="error" id="id_{field}_error">(.*?)</div>', page, re.S)
    assert found, page
    return found.group(1)


def add(client, **fields):
    body = {
        "url": f"https://{PUBLIC_HOST}/salync",
        "description": "ERP inbox",
        "event_types": [events.STOCK_BELOW_THRESHOLD, events.PURCHASE_ORDER_RECEIVED],
        **fields,
    }
    return client.post(LIST, body)


# --- The list and "Add endpoint" -------------------------------------------------------------


def test_the_form_labels_the_url_and_one_checkbox_per_event_type(manager, workspace):
    page = manager.get(LIST).content.decode()

    assert 'href="/settings/webhooks/" aria-current="page">Webhooks</a>' in page
    assert '<h2 id="add-endpoint-title">Add endpoint</h2>' in page
    assert '<label for="id_url">Endpoint URL</label>' in page
    assert "No webhook endpoints yet." in page
    for index, (name, hint) in enumerate(events.EVENT_TYPES.items()):
        assert f'<label for="id_event_types_{index}"><code>{name}</code></label>' in page
        assert f'<p class="help" id="id_event_types_{index}_hint">{hint}</p>' in page
    assert ">Save</button>" in page


def test_a_manager_adds_an_endpoint(manager, workspace, public_dns):
    response = add(manager)

    endpoint = Endpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(endpoint)
    assert endpoint.workspace == workspace
    assert endpoint.url == f"https://{PUBLIC_HOST}/salync"
    assert endpoint.event_types == [events.STOCK_BELOW_THRESHOLD, events.PURCHASE_ORDER_RECEIVED]
    assert (
        f"Added the endpoint https://{PUBLIC_HOST}/salync."
        in manager.get(detail(endpoint)).content.decode()
    )

    listing = manager.get(LIST).content.decode()
    row = re.search(r"<tbody>(.*?)</tbody>", listing, re.S).group(1)
    assert f"https://{PUBLIC_HOST}/salync" in row
    assert "ERP inbox" in row
    assert ">Enabled</span>" in row
    assert "<td>—</td>" in row  # no attempts in the last 24 hours
    assert "Never" in row
    assert endpoint.secret not in listing


def test_an_unsafe_url_shows_the_services_message_beside_the_url(manager, public_dns):
    response = add(manager, url="https://internal.example.com/hook")

    assert response.status_code == 200
    message = error_beside(response.content.decode(), "url")
    assert "This URL cannot receive webhooks:" in message
    assert "10.1.2.3" in message or "private" in message
    assert not Endpoint.objects.exists()


def test_no_event_type_chosen_is_an_error_beside_the_types(manager, public_dns):
    response = add(manager, event_types=[])

    assert "Choose at least one event type." in error_beside(
        response.content.decode(), "event_types"
    )
    assert not Endpoint.objects.exists()


def test_the_list_shows_success_over_24_hours_and_the_last_delivery(
    manager, workspace, make_endpoint, receiver, queued
):
    ok = make_endpoint("/ok")
    failing = make_endpoint("/fail")
    for endpoint in (ok, ok, failing):
        delivery.send(endpoint_send_test(endpoint=endpoint, object={}).pk)
    old = Attempt.objects.filter(delivery__endpoint=ok).first()
    Attempt.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))

    page = manager.get(LIST).content.decode()
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", page, re.S)
    assert len(rows) == 2
    assert "100 %" in rows[0]
    assert "1 of 1 attempts" in rows[0]
    assert "0 %" in rows[1]
    assert "0 of 1 attempts" in rows[1]
    assert "Succeeded" in rows[0]
    assert " UTC</time>" in rows[0]
    assert "Pending" in rows[1]  # it retries


# --- The endpoint page: edit, enable/disable, delete ----------------------------------------


def test_a_manager_edits_an_endpoint(manager, endpoint, public_dns):
    path = f"{detail(endpoint)}edit/"
    form = manager.get(path).content.decode()
    assert f'value="https://{PUBLIC_HOST}/salync"' in form
    assert re.search(rf'value="{events.STOCK_ADJUSTED}"[^>]*checked', form)

    unsafe = manager.post(
        path, {"url": "https://internal.example.com/", "event_types": [events.STOCK_ADJUSTED]}
    )
    assert "This URL cannot receive webhooks:" in error_beside(unsafe.content.decode(), "url")
    unknown = manager.post(path, {"url": endpoint.url, "event_types": ["stock.vanished"]})
    assert "Select a valid choice." in error_beside(unknown.content.decode(), "event_types")
    endpoint.refresh_from_db()
    assert endpoint.event_types == [events.STOCK_ADJUSTED]

    saved = manager.post(
        path,
        {
            "url": f"https://{PUBLIC_HOST}/v2",
            "description": "",
            "event_types": [events.PRODUCT_CREATED, events.STOCK_ADJUSTED],
        },
    )
    assert saved.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == f"https://{PUBLIC_HOST}/v2"
    assert endpoint.description == ""
    assert endpoint.event_types == [events.STOCK_ADJUSTED, events.PRODUCT_CREATED]


def test_a_manager_disables_and_enables_an_endpoint(manager, endpoint):
    manager.post(f"{detail(endpoint)}disable/")
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    page = manager.get(detail(endpoint)).content.decode()
    assert ">Disabled</span>" in page
    assert "Disabled by a member of the workspace." in page
    assert ">Enable</button>" in page

    manager.post(f"{detail(endpoint)}enable/")
    endpoint.refresh_from_db()
    assert endpoint.enabled
    assert ">Enabled</span>" in manager.get(LIST).content.decode()


def test_delete_asks_first_naming_the_endpoint_and_the_consequence(manager, endpoint, queued):
    endpoint_send_test(endpoint=endpoint, object={})
    confirm = manager.get(f"{detail(endpoint)}delete/").content.decode()
    assert "Delete the endpoint ERP inbox?" in confirm
    assert "Its deliveries and their log are deleted" in confirm
    assert "GET /api/v1/events" in confirm
    assert Endpoint.objects.exists()

    response = manager.post(f"{detail(endpoint)}delete/")
    assert response.status_code == 302
    assert not Endpoint.objects.exists()
    assert not Delivery.objects.exists()
    assert DomainEvent.objects.filter(type=events.WEBHOOK_TEST).exists()  # events stay
    assert "Deleted the endpoint" in manager.get(LIST).content.decode()


def test_another_workspaces_endpoint_is_404(manager, public_dns):
    theirs = endpoint_create(
        workspace=make_workspace("Other Co"),
        url=f"https://{PUBLIC_HOST}/theirs",
        event_types=[events.STOCK_ADJUSTED],
    )
    assert manager.get(detail(theirs)).status_code == 404
    assert manager.post(f"{detail(theirs)}delete/").status_code == 404
    assert manager.post(f"{detail(theirs)}secret/").status_code == 404
    assert Endpoint.objects.filter(pk=theirs.pk).exists()


# --- The secret --------------------------------------------------------------------------------


def test_the_secret_is_shown_only_when_a_manager_asks(manager, endpoint):
    page = manager.get(detail(endpoint)).content.decode()
    assert endpoint.secret not in page
    assert SECRET.search(page) is None
    assert ">Reveal</button>" in page

    revealed = manager.post(f"{detail(endpoint)}secret/")
    assert revealed.status_code == 200
    assert "no-store" in revealed["Cache-Control"]
    body = revealed.content.decode()
    shown = '<code id="signing-secret" class="mono secret" aria-label="Signing secret">'
    assert f"{shown}{endpoint.secret}</code>" in body
    assert 'data-copy-target="signing-secret"' in body
    assert manager.get(f"{detail(endpoint)}secret/").status_code == 405


def test_rotate_asks_first_then_the_old_secret_keeps_signing(manager, endpoint):
    old = endpoint.secret
    confirm = manager.get(f"{detail(endpoint)}rotate-secret/").content.decode()
    assert "The current secret keeps signing for 24 hours" in confirm
    endpoint.refresh_from_db()
    assert endpoint.secret == old

    manager.post(f"{detail(endpoint)}rotate-secret/")
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.previous_secret == old
    page = manager.get(detail(endpoint)).content.decode()
    assert "The previous secret keeps signing beside it until" in page
    assert old not in page
    assert endpoint.secret not in page
    assert endpoint.secret in manager.post(f"{detail(endpoint)}secret/").content.decode()


# --- Sending -----------------------------------------------------------------------------------


def test_send_test_event_creates_and_queues_a_delivery(
    manager, endpoint, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"{detail(endpoint)}test/")

    assert response.status_code == 302
    sent = Delivery.objects.get(endpoint=endpoint)
    assert sent.event.type == events.WEBHOOK_TEST
    assert sent.event.data["object"]["id"] == endpoint.pk
    assert queued == [sent.pk]
    page = manager.get(detail(endpoint)).content.decode()
    assert "Sent a test event" in page
    assert sent.event.public_id in page
    assert "0/8" in page


def test_the_log_shows_attempts_codes_hints_and_the_request(
    manager, workspace, make_endpoint, receiver, queued
):
    endpoint = make_endpoint("/fail")
    sent = endpoint_send_test(endpoint=endpoint, object={"id": 7})
    delivery.send(sent.pk)
    attempt = Attempt.objects.get()

    page = manager.get(detail(endpoint)).content.decode()
    row = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    assert sent.event.public_id in row
    assert "<td>1/8</td>" in row
    assert "<td>500</td>" in row
    assert f"<td>{attempt.duration_ms} ms</td>" in row
    assert "Why it failed: your server answered 500." in row
    assert "Pending" in row
    assert " UTC</time>" in row
    assert "<summary>Request and response" in row
    assert f"<dd><code>{sent.event.public_id}</code></dd>" in row  # webhook-id
    assert "<dt><code>webhook-signature</code></dt>" in row
    assert "&quot;type&quot;: &quot;webhook.test&quot;" in row  # the body, pretty-printed
    assert "boom" in row  # the response excerpt
    assert endpoint.secret not in page


def test_resend_sends_a_delivery_again(
    manager, make_endpoint, receiver, queued, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint("/ok")
    sent = endpoint_send_test(endpoint=endpoint, object={})
    delivery.send(sent.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"{detail(endpoint)}deliveries/{sent.pk}/resend/")

    assert response.status_code == 302
    assert queued == [sent.pk]
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == (DeliveryStatus.PENDING, 0)
    delivery.send(sent.pk)
    assert len(receiver.requests) == 2


def test_resend_of_another_endpoints_delivery_is_404(manager, make_endpoint, receiver, queued):
    mine, other = make_endpoint("/ok"), make_endpoint("/ok?other")
    theirs = endpoint_send_test(endpoint=other, object={})
    queued.clear()
    assert manager.post(f"{detail(mine)}deliveries/{theirs.pk}/resend/").status_code == 404
    assert queued == []


def test_retry_all_failed_since_resends_only_failures_since_then(
    manager, make_endpoint, receiver, queued, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint("/fail")
    early, late, fine = (endpoint_send_test(endpoint=endpoint, object={}) for _ in range(3))
    Delivery.objects.filter(pk__in=[early.pk, late.pk]).update(status=DeliveryStatus.FAILED)
    Delivery.objects.filter(pk=fine.pk).update(status=DeliveryStatus.SUCCEEDED)
    DomainEvent.objects.filter(pk=early.event_id).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"{detail(endpoint)}retry-failed/", {"since": since})

    assert response.status_code == 302
    assert queued == [late.pk]
    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert statuses == {
        early.pk: DeliveryStatus.FAILED,
        late.pk: DeliveryStatus.PENDING,
        fine.pk: DeliveryStatus.SUCCEEDED,
    }
    assert "Resending 1 failed delivery." in manager.get(detail(endpoint)).content.decode()

    invalid = manager.post(f"{detail(endpoint)}retry-failed/", {"since": "yesterday"})
    assert "Enter a valid date/time." in error_beside(invalid.content.decode(), "since")


def test_the_log_filters_by_status_and_event_type_and_pages_by_50(
    manager, make_endpoint, receiver, queued
):
    endpoint = make_endpoint("/ok")
    tests = [endpoint_send_test(endpoint=endpoint, object={}) for _ in range(52)]
    Delivery.objects.filter(pk=tests[0].pk).update(status=DeliveryStatus.FAILED)
    DomainEvent.objects.filter(pk=tests[1].event_id).update(type=events.STOCK_ADJUSTED)

    def ids(query):
        page = manager.get(detail(endpoint) + query).content.decode()
        return re.findall(r'<code class="note">(evt_\w+)</code>', page)

    first = ids("")
    assert len(first) == 50
    assert first[0] == tests[-1].event.public_id  # newest first
    assert ids("?page=2") == [tests[1].event.public_id, tests[0].event.public_id]
    assert ids("?status=failed") == [tests[0].event.public_id]
    assert ids(f"?event_type={events.STOCK_ADJUSTED}") == [tests[1].event.public_id]
    assert ids(f"?status=failed&event_type={events.STOCK_ADJUSTED}") == []
    assert (
        "No deliveries match these filters."
        in manager.get(detail(endpoint) + "?status=succeeded").content.decode()
    )


# --- Members and plans -------------------------------------------------------------------------


def test_a_member_reads_without_forms_or_the_secret(member, endpoint, queued):
    endpoint_send_test(endpoint=endpoint, object={})
    for path in (LIST, detail(endpoint)):
        page = member.get(path).content.decode()
        assert "ERP inbox" in page
        assert endpoint.secret not in page
        assert SECRET.search(page) is None
        assert 'method="post"' not in page.split('id="main"')[1].split("</main>")[0].replace(
            'method="post" action="/logout/"', ""
        )
        for command in ("Add endpoint", "Reveal", "Resend", "Send test event", "Delete"):
            assert f">{command}</" not in page
    assert member.get(f"{detail(endpoint)}edit/").status_code == 403
    assert member.get(f"{detail(endpoint)}delete/").status_code == 403
    assert member.get(f"{detail(endpoint)}rotate-secret/").status_code == 403


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("", {"url": "https://hooks.example.com/x", "event_types": ["stock.adjusted"]}),
        ("{pk}/edit/", {"url": "https://hooks.example.com/x", "event_types": ["stock.adjusted"]}),
        ("{pk}/disable/", {}),
        ("{pk}/enable/", {}),
        ("{pk}/delete/", {}),
        ("{pk}/secret/", {}),
        ("{pk}/rotate-secret/", {}),
        ("{pk}/test/", {}),
        ("{pk}/deliveries/{delivery}/resend/", {}),
        ("{pk}/retry-failed/", {"since": "2020-01-01T00:00"}),
    ],
)
def test_a_members_forged_post_is_refused_and_changes_nothing(
    member, endpoint, queued, path, data, django_capture_on_commit_callbacks
):
    sent = endpoint_send_test(endpoint=endpoint, object={})
    Delivery.objects.filter(pk=sent.pk).update(status=DeliveryStatus.FAILED)
    queued.clear()
    before = list(Endpoint.objects.values())
    deliveries = list(Delivery.objects.values())

    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(LIST + path.format(pk=endpoint.pk, delivery=sent.pk), data)

    assert response.status_code == 403
    assert endpoint.secret not in response.content.decode()
    assert list(Endpoint.objects.values()) == before
    assert list(Delivery.objects.values()) == deliveries
    assert queued == []


def test_an_admin_may_add(workspace, public_dns):
    assert add(client_for(workspace, Role.ADMIN)).status_code == 302


@pytest.mark.parametrize("plan", ["growth", "free"])
def test_a_plan_without_webhooks_explains_and_cannot_add(
    plan, public_dns, queued, django_capture_on_commit_callbacks
):
    workspace = make_workspace("Small Co", plan=plan, limits=None)
    kept = endpoint_create(
        workspace=workspace, url=f"https://{PUBLIC_HOST}/old", event_types=[events.STOCK_ADJUSTED]
    )
    owner = client_for(workspace, Role.OWNER)

    page = owner.get(LIST).content.decode()
    assert "Webhooks are not included in the" in page
    assert "part of the Pro plan" in page
    assert '<a href="/settings/plan/">Plan &amp; usage</a>' in page
    assert "Endpoint URL" not in page
    assert ">Paused</span>" in page

    with django_capture_on_commit_callbacks(execute=True):
        assert add(owner).status_code == 403
        assert owner.post(f"{detail(kept)}test/").status_code == 403
    assert list(Endpoint.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Delivery.objects.exists()
    assert queued == []
    assert ">Send test event</button>" not in owner.get(detail(kept)).content.decode()


def test_the_forms_need_csrf(workspace, endpoint):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(MembershipFactory(workspace=workspace, role=Role.OWNER).user)
    assert strict.post(f"{detail(endpoint)}secret/").status_code == 403
    assert strict.post(f"{detail(endpoint)}delete/").status_code == 403
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()
