"""A real Celery worker, on the configured broker, runs a task against the real database."""

import json
import os
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from accounts.tasks import clear_expired_sessions
from salync.celery import app
from salync.settings.base import VAR_DIR, file_broker_options

REPO = Path(__file__).resolve().parents[2]


def environment_for_the_test_database() -> dict[str, str]:
    """This process's environment, pointing another process at the database under test."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="salync.settings.test", PYTHONPATH=str(REPO))
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:  # the test database pytest-django created, not the configured one
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        env["DATABASE_URL"] = f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"
    return env


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A worker started in an empty folder: whatever it writes outside var/ shows up there.

    The queue is emptied first: on the file broker, every task the suite queued before this
    test is still waiting, and the worker would work through all of them first."""
    app.control.purge()
    log = (tmp_path / "worker.log").open("wb")
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
            "--loglevel",
            "INFO",
        ],
        env=environment_for_the_test_database(),
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    process.wait(timeout=20)
    log.close()


def test_worker_runs_the_session_cleanup_task(worker, tmp_path):
    expired = SessionStore()
    expired.create()
    Session.objects.filter(pk=expired.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    live = SessionStore()
    live.create()

    clear_expired_sessions.delay()

    deadline = time.monotonic() + 60
    while Session.objects.filter(pk=expired.session_key).exists():
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
        time.sleep(0.2)
    assert Session.objects.filter(pk=live.session_key).exists()
    assert not (tmp_path / "control").exists()


def test_file_broker_keeps_its_exchange_tables_in_its_own_folder(tmp_path):
    options = file_broker_options(tmp_path / "broker")
    assert Path(options["control_folder"]) == tmp_path / "broker" / "control"
    assert Path(options["control_folder"]).is_dir()


DECLARE_THE_QUEUE = textwrap.dedent(
    """
    import json
    from salync.celery import app
    with app.connection_for_write() as connection:
        app.amqp.queues[app.conf.task_default_queue].bind(connection.default_channel).declare()
    print(json.dumps(app.conf.broker_transport_options))
    """
)


def test_file_broker_writes_nothing_into_the_working_directory(tmp_path):
    """Binding the queue writes kombu's exchange table: under var/, not ./control/."""
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    env.update(DJANGO_SETTINGS_MODULE="salync.settings.local", PYTHONPATH=str(REPO))
    result = subprocess.run(
        [sys.executable, "-c", DECLARE_THE_QUEUE],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    control = Path(json.loads(result.stdout.splitlines()[-1])["control_folder"])
    assert control.is_relative_to(VAR_DIR)
    assert (control / "celery.exchange").is_file()
    assert list(tmp_path.iterdir()) == []
