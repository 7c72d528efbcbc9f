"""Fixtures for the channels tests: a Pro workspace with a key, and the sync run in process."""

import pytest

from tests.api_client import ApiClient
from tests.factories import make_workspace
from tests.webhooks.worker import Worker, environment_for_the_test_database


@pytest.fixture(autouse=True)
def _forget_flags():
    """Workspace ids repeat between tests: no test sees another's remembered flag."""
    from saleschannels.services import forget_local_flags

    forget_local_flags()
    yield
    forget_local_flags()


@pytest.fixture
def workspace(db):
    return make_workspace("Channel Co")


@pytest.fixture
def api(client, workspace) -> ApiClient:
    return ApiClient.for_workspace(client, workspace, name="ERP sync")


@pytest.fixture
def no_broker(monkeypatch):
    """Scheduling records what it would send instead of reaching the broker: the tests run the
    sync themselves, in process."""
    from saleschannels import tasks

    sent = []
    monkeypatch.setattr(
        tasks.sync_variant, "apply_async", lambda *a, **k: sent.append(("variant", a, k))
    )
    monkeypatch.setattr(
        tasks.sync_listings, "apply_async", lambda *a, **k: sent.append(("listings", a, k))
    )
    monkeypatch.setattr(tasks.sync_listings, "delay", lambda *a, **k: sent.append(("now", a, k)))
    return sent


@pytest.fixture
def worker(tmp_path):
    """A Celery worker (solo pool) on the test database and the suite's Redis, ready; the queue
    is emptied first, so it takes no message an earlier test left. Private stores are allowed
    (the Medusa tests' store is on 127.0.0.1)."""
    from salync.celery import app

    app.control.purge()
    started = Worker(
        tmp_path, environment_for_the_test_database(), name="worker", pool="solo", concurrency=1
    ).wait_ready(timeout=60)
    yield started
    started.stop()
