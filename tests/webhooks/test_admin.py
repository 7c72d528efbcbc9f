"""The staff admin for endpoints, events, deliveries and attempts: it shows them, never a
secret, edits nothing directly, and its enable/disable and resend actions use the services."""

import pytest
from django.db import transaction
from django.urls import reverse

from webhooks import delivery
from webhooks.models import Delivery, DeliveryStatus
from webhooks.services import endpoint_rotate_secret, endpoint_send_test

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def sent(make_endpoint, queued):
    """An endpoint, rotated (two secrets), with a test delivery made and answered 500."""
    endpoint = endpoint_rotate_secret(endpoint=make_endpoint("/fail"))
    with transaction.atomic():
        made = endpoint_send_test(endpoint=endpoint, object={"id": endpoint.pk})
    delivery.send(made.pk)
    return endpoint, Delivery.objects.get(pk=made.pk)


MODELS = [("webhooks", "endpoint"), ("core", "domainevent"), ("webhooks", "delivery"),
          ("webhooks", "attempt")]  # fmt: skip


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_every_list_and_page_shows_no_secret_and_adds_nothing(staff_client, sent, app, model):
    endpoint, made = sent
    objects = {
        "endpoint": endpoint.pk,
        "domainevent": made.event_id,
        "delivery": made.pk,
        "attempt": made.attempt_log.get().pk,
    }
    pages = [
        staff_client.get(reverse(f"admin:{app}_{model}_changelist")),
        staff_client.get(reverse(f"admin:{app}_{model}_change", args=[objects[model]])),
    ]
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        assert endpoint.secret not in text
        assert endpoint.previous_secret not in text
        assert "whsec_" not in text
    assert staff_client.get(reverse(f"admin:{app}_{model}_add")).status_code == 403


def test_a_change_post_changes_nothing(staff_client, sent):
    endpoint, _ = sent
    staff_client.post(
        reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]),
        {"url": "https://evil.example/", "enabled": ""},
    )
    endpoint.refresh_from_db()
    assert endpoint.enabled
    assert endpoint.url.endswith("/fail")


def test_disable_and_enable_go_through_the_services(staff_client, sent):
    endpoint, _ = sent
    url = reverse("admin:webhooks_endpoint_changelist")
    staff_client.post(url, {"action": "disable", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert endpoint.disabled_reason
    staff_client.post(url, {"action": "enable", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.enabled
    assert endpoint.disabled_reason == ""


def test_resend_queues_the_delivery_with_a_fresh_schedule(
    staff_client, sent, queued, django_capture_on_commit_callbacks
):
    _, made = sent
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:webhooks_delivery_changelist"),
            {"action": "resend", "_selected_action": [made.pk]},
        )
    assert response.status_code == 302
    assert queued == [made.pk]
    made.refresh_from_db()
    assert (made.status, made.attempts) == (DeliveryStatus.PENDING, 0)
