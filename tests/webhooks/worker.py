"""Real processes for the webhooks' end-to-end and fault tests: a ``celery -A salync worker`` on
the database under test, a Redis server of the test's own (to stop and start again), Django
code run in a subprocess, and bounded waits.

Every process is started in its own session, so stopping it (or killing it with SIGKILL) takes
its whole process group: a prefork worker's children never outlive their test.

Its fixtures are registered in tests/webhooks/conftest.py.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.core.test_celery_worker import (
    environment_for_the_test_database as test_database_environment,
)
from tests.servers import free_port

REPO = Path(__file__).resolve().parents[2]
WAIT = 30.0  # seconds: the longest any wait in these tests may take
STOP_TIMEOUT = 20.0


def environment_for_the_test_database(**variables: str) -> dict[str, str]:
    """The environment of a process on the database under test (tests.core.test_celery_worker),
    with the receiver on 127.0.0.1 allowed and ``variables`` on top."""
    env = test_database_environment()
    env["SALYNC_WEBHOOK_ALLOW_PRIVATE"] = "1"
    env.update(variables)
    return env


def wait_until(
    condition: Callable[[], object],
    what: str,
    *,
    timeout: float = WAIT,
    interval: float = 0.1,
    watch: tuple["Worker", ...] = (),
):
    """Poll ``condition`` until it gives something truthy, and return that. Fails after
    ``timeout`` seconds, or as soon as a watched worker has died, with the workers' logs."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        dead = [worker for worker in watch if not worker.alive]
        if dead or time.monotonic() > deadline:
            reason = "a worker died" if dead else f"not within {timeout:.0f} s"
            logs = "\n".join(worker.log_tail() for worker in watch)
            raise AssertionError(f"{what}: {reason}\n{logs}")
        time.sleep(interval)


def _stop_group(process: subprocess.Popen, sig: int) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to its process group, then SIGKILL if it is still there after STOP_TIMEOUT."""
    _stop_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        _stop_group(process, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)
    # Children the group leader left behind (prefork's pool processes) go with it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


class Worker:
    """``celery -A salync worker`` in ``folder`` with ``env``; its output in ``folder/name.log``."""

    def __init__(self, folder: Path, env: dict[str, str], *, name: str, pool: str, concurrency):
        self.log_path = folder / f"{name}.log"
        self.name = name
        command = [sys.executable, "-m", "celery", "-A", "salync", "worker", "--pool", pool]
        if pool != "solo":
            command += ["--concurrency", str(concurrency)]
        command += [
            "--hostname",
            f"{name}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                env=env,
                cwd=folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, characters: int = 4000) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return f"--- {self.name} (exit {self.process.poll()}) ---\n{text[-characters:]}"

    def wait_ready(self, timeout: float = WAIT) -> "Worker":
        """Until it consumes from the broker (Celery logs "<name>@<host> ready.")."""
        wait_until(
            lambda: " ready." in self.log_path.read_text(errors="replace"),
            f"worker {self.name} ready",
            timeout=timeout,
            watch=(self,),
        )
        return self

    def kill(self) -> None:
        """SIGKILL to the whole process group, at once: no shutdown, no acknowledgement."""
        _stop_group(self.process, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)

    def stop(self) -> None:
        stop(self.process)


@pytest.fixture
def real_stack(transactional_db):
    """PostgreSQL (committed rows a worker can see) and a Redis broker, or a skip that says so."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a real worker must see the test's committed rows")
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs a Redis broker: set CELERY_BROKER_URL=redis://...")


@pytest.fixture
def start_worker(real_stack, tmp_path):
    """``start_worker(broker_url=..., lease=5)``: a real worker on the test database, ready
    (unless ``ready=False``: the test goes on while it boots);
    every worker started is stopped by process group when the test ends, whatever happened.
    The configured broker's queue is emptied first, so no test takes another's messages."""
    from salync.celery import app

    app.control.purge()
    started: list[Worker] = []

    def start(
        *,
        broker_url: str | None = None,
        lease: int | None = None,
        pool: str = "prefork",
        concurrency: int = 2,
        ready: bool = True,
    ) -> Worker:
        variables = {"CELERY_BROKER_URL": broker_url or settings.CELERY_BROKER_URL}
        if lease is not None:
            variables["SALYNC_WEBHOOK_LEASE_SECONDS"] = str(lease)
        worker = Worker(
            tmp_path,
            environment_for_the_test_database(**variables),
            name=f"worker{len(started) + 1}",
            pool=pool,
            concurrency=concurrency,
        )
        started.append(worker)
        return worker.wait_ready() if ready else worker

    yield start
    for worker in started:
        worker.stop()


def run_django(code: str, env: dict[str, str], *, timeout: float = 120) -> dict:
    """Run ``code`` in a new Python process after ``django.setup()``; the JSON object it prints
    last. A failure or a hang (past ``timeout``) fails the test with the process's output."""
    script = "import django\ndjango.setup()\n" + textwrap.dedent(code)
    try:
        result = subprocess.run(
            [sys.executable, "-c", script],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as hung:
        raise AssertionError(f"the subprocess hung for {timeout:.0f} s:\n{hung.stderr}") from None
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


class RedisServer:
    """A ``redis-server`` of the test's own on 127.0.0.1 (never the machine's), without
    persistence: killed, it loses whatever it held, as a broker outage may."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        """Start it on its port (the same one every time) and wait until it answers PING."""
        import redis

        log = (self.folder / f"redis-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

        def answers():
            try:
                return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
            except redis.ConnectionError:
                assert self.process.poll() is None, "redis-server exited"
                return False

        wait_until(answers, f"redis-server on port {self.port}")
        return self

    def kill(self) -> None:
        if self.process is not None:
            _stop_group(self.process, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)


@pytest.fixture
def own_redis(real_stack, tmp_path):
    """A Redis server the test may stop and start again; killed when the test ends."""
    server = RedisServer(tmp_path)
    yield server.start()
    server.kill()
