"""Fixtures for the webhooks tests: a Pro workspace, endpoints on a real local receiver, and
queueing recorded instead of reaching the broker (the tests send in process)."""

import pytest

from tests.factories import make_workspace
from tests.webhooks.worker import own_redis, real_stack, start_worker  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def _forget_subscriptions():
    """Workspace ids repeat between tests: no test sees another's remembered answer."""
    from webhooks.services import forget_local_subscriptions

    forget_local_subscriptions()
    yield
    forget_local_subscriptions()


@pytest.fixture
def workspace(db):
    return make_workspace("Hook Co")


@pytest.fixture
def allow_private(settings):
    """A receiver on 127.0.0.1 over plain http, as SALYNC_WEBHOOK_ALLOW_PRIVATE=1 allows."""
    settings.SALYNC_WEBHOOK_ALLOW_PRIVATE = True
    return settings


@pytest.fixture
def queued(monkeypatch):
    """The delivery ids queued, in order, instead of messages to the broker."""
    from webhooks import tasks

    sent: list[int] = []
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda args, **kwargs: sent.append(args[0]))
    return sent


@pytest.fixture
def make_endpoint(workspace, receiver, allow_private):
    """An endpoint of ``workspace`` on the receiver's ``path``, subscribed to ``types``."""
    from core import events
    from webhooks.services import endpoint_create

    def make(path="/ok", types=(events.STOCK_ADJUSTED,), ws=None):
        return endpoint_create(
            workspace=ws or workspace, url=receiver.url(path), event_types=list(types)
        )

    return make
