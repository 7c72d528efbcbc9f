"""Endpoint URLs that point inside (SPEC §5.5, issue 10's list) are refused both at save, with
a clear error on ``url``, and at send, where the refusal is logged on the attempt and nothing
is connected to. The resolver is faked only for the one name that must map to 10.0.0.1."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from core import events
from tests.core.unsafe_urls import REFUSED
from webhooks import delivery
from webhooks.models import Delivery, Endpoint
from webhooks.services import endpoint_create

pytestmark = [pytest.mark.django_db]

# The issue's cases (tests.core.unsafe_urls holds them with many more encodings), and a name
# only the faked resolver knows.
ISSUE_URLS = {
    "https://127.0.0.1/hook", "https://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/hook", "https://[::1]/hook", "https://[::ffff:127.0.0.1]/hook",
    "https://0.0.0.0/hook", "https://2130706433/hook", "https://localhost/hook",
}  # fmt: skip
INSIDE = [case for case in REFUSED if case[0] in ISSUE_URLS]
assert len(INSIDE) == len(ISSUE_URLS)  # each case still listed there
INSIDE += [
    ("https://internal.example.com/hook", "10.0.0.1 is private (internal.example.com resolves"),
]


@pytest.fixture(autouse=True)
def _internal_name(fake_dns):
    fake_dns.add("internal.example.com", ["10.0.0.1"])


@pytest.mark.parametrize(("url", "reason"), INSIDE)
def test_refused_at_save(workspace, url, reason):
    with pytest.raises(ValidationError) as refused:
        endpoint_create(workspace=workspace, url=url, event_types=[events.STOCK_ADJUSTED])
    [message] = refused.value.message_dict["url"]
    assert reason in message
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(("url", "reason"), INSIDE)
def test_refused_at_send(workspace, url, reason):
    """An endpoint saved before the rules changed (written directly: the service refuses it)."""
    Endpoint.objects.create(workspace=workspace, url=url, event_types=[events.STOCK_ADJUSTED])
    with transaction.atomic():
        event = events.event_record(workspace=workspace, type=events.STOCK_ADJUSTED, obj={})
    [made] = delivery.fan_out([event.pk]).deliveries

    delivery.send(made)

    [attempt] = Delivery.objects.get(pk=made).attempt_log.all()
    assert attempt.status_code is None
    assert reason in attempt.error
