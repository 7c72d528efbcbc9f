"""Real web processes for the tests that need more than one: gunicorn serving the app on the
database pytest-django created and the suite's Redis, as a separate host would."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection

from tests.core.environment import clean_environment

REPO = Path(__file__).resolve().parents[1]
INDEX = "/api/v1/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_environment() -> dict[str, str]:
    """Test settings on the test database (not the configured one), loopback HTTP allowed."""
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return clean_environment(
        DJANGO_SETTINGS_MODULE="salync.settings.test",
        DEBUG="0",
        DATABASE_URL=f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,  # and settings.test's cache KEY_PREFIX, as here
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        SALYNC_ALLOW_LOOPBACK_HTTP="1",
    )


def gunicorn_start(log_path: Path, *, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    """Start gunicorn (its output to ``log_path``); returns the process and its base URL."""
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "salync.wsgi:application",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--bind",
                f"127.0.0.1:{port}",
                "--no-control-socket",
            ],
            cwd=REPO,
            env=test_database_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return process, f"http://127.0.0.1:{port}"


def wait_until_serving(process: subprocess.Popen, url: str, log_path: Path) -> None:
    """Until the API answers (401 without a key); fails with the log if the server dies."""
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log_path.read_text()
        assert time.monotonic() < deadline, log_path.read_text()
        try:
            if requests.get(url + INDEX, timeout=5).status_code == 401:
                return
        except requests.RequestException:  # not listening yet, or still booting
            pass
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)
