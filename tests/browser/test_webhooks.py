"""Settings → Webhooks in the browser, as an owner: add an endpoint on a real local receiver,
send a test event, see it delivered in the log, resend it, rotate the secret and verify that a
request after the rotation carries valid signatures for the old and the new secret. The test
process plays the worker (``webhooks.delivery.send``); the real worker path is tested elsewhere.
Elements are found by role and label (SPEC §4 copy)."""

import re

import pytest
from playwright.sync_api import Page, expect
from standardwebhooks.webhooks import Webhook

from accounts.models import Role
from accounts.plans import Plan
from core import events
from tests.browser.steps import log_in
from tests.factories import MembershipFactory
from webhooks import delivery
from webhooks.models import Delivery, DeliveryStatus, Endpoint

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{32}")


@pytest.fixture
def queued(monkeypatch):
    """The delivery ids the pages queue, instead of messages to the broker."""
    from webhooks import tasks

    sent: list[int] = []
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda args, **kwargs: sent.append(args[0]))
    return sent


def work_the_queue(queued: list[int]) -> None:
    """What the worker would do with each queued delivery."""
    while queued:
        outcome = delivery.send(queued.pop(0))
        assert outcome is not None
        assert outcome.status == DeliveryStatus.SUCCEEDED


def reveal_secret(page: Page) -> str:
    page.get_by_role("button", name="Reveal", exact=True).click()
    secret = page.get_by_label("Signing secret", exact=True).inner_text().strip()
    assert SECRET.fullmatch(secret), secret
    return secret


@pytest.mark.browser
def test_add_send_resend_rotate_and_verify(page: Page, settings, receiver, queued):
    settings.SALYNC_WEBHOOK_ALLOW_PRIVATE = True
    owner = MembershipFactory(role=Role.OWNER, workspace__plan=Plan.PRO, workspace__name="Hook Co")

    log_in(page, owner.user.email)
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("link", name="Webhooks", exact=True).click()
    expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    expect(page.get_by_text("No webhook endpoints yet.")).to_be_visible()

    form = page.get_by_role("form", name="Add endpoint")
    form.get_by_label("Endpoint URL", exact=True).fill(receiver.url("/ok"))
    form.get_by_label("Description", exact=True).fill("Warehouse inbox")
    form.get_by_label(events.STOCK_BELOW_THRESHOLD, exact=True).check()
    form.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_role("heading", name="Warehouse inbox", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Added the endpoint")
    endpoint = Endpoint.objects.get(workspace=owner.workspace)
    assert endpoint.event_types == [events.STOCK_BELOW_THRESHOLD]
    assert SECRET.search(page.content()) is None  # not until asked for

    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_role("status")).to_contain_text("Sent a test event")
    [test_delivery] = Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING)
    assert queued == [test_delivery.pk]
    work_the_queue(queued)

    page.reload()
    log = page.get_by_role("region", name="Deliveries")
    row = log.get_by_role("row").filter(has_text=test_delivery.event.public_id).first
    expect(row).to_contain_text(events.WEBHOOK_TEST)
    expect(row).to_contain_text("Succeeded")
    expect(row).to_contain_text("1/8")
    expect(row).to_contain_text("200")

    row.get_by_role("button", name="Resend", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Resending")
    work_the_queue(queued)
    page.reload()
    assert len(receiver.requests) == 2
    assert test_delivery.attempt_log.count() == 2
    ids = {request["headers"]["webhook-id"] for request in receiver.requests}
    assert ids == {test_delivery.event.public_id}  # the same event, twice
    log.get_by_role("group").filter(has_text="Request and response").first.click()
    expect(log.get_by_text('"type": "webhook.test"').first).to_be_visible()

    old_secret = reveal_secret(page)
    page.get_by_role("link", name="Rotate secret").click()
    expect(page.get_by_text("The current secret keeps signing for 24 hours")).to_be_visible()
    page.get_by_role("button", name="Rotate secret").click()
    expect(page.get_by_role("status")).to_contain_text("Rotated the signing secret")
    new_secret = reveal_secret(page)
    assert new_secret != old_secret

    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_role("status")).to_contain_text("Sent a test event")
    work_the_queue(queued)
    last = receiver.requests[-1]
    for secret in (old_secret, new_secret):
        payload = Webhook(secret).verify(last["body"], last["headers"])
        assert payload["type"] == events.WEBHOOK_TEST
        assert payload["data"]["object"]["id"] == endpoint.pk
