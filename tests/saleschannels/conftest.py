"""Fixtures for the channels tests: a Pro workspace with a key, and the sync run in process."""

import subprocess
import sys
import time

import pytest

from tests import servers
from tests.api_client import ApiClient
from tests.factories import make_workspace


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
    """A Celery worker on the test database and the suite's Redis; queued messages left by
    earlier runs are purged before it starts taking any. Private stores are allowed (the
    Medusa tests' store is on 127.0.0.1)."""
    log_path = tmp_path / "worker.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "salync",
            "worker",
            "--pool",
            "solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--purge",
            "--loglevel",
            "INFO",
        ],
        env={**servers.test_database_environment(), "SALYNC_WEBHOOK_ALLOW_PRIVATE": "1"},
        cwd=servers.REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while b"ready." not in log_path.read_bytes():
        assert process.poll() is None, log_path.read_text()
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.1)
    process.log_path = log_path
    yield process
    process.terminate()
    process.wait(timeout=20)
    log.close()
