"""SPEC §5.3: ``Idempotency-Key`` on POST, per API key, for 24 hours, safe under concurrency,
and a claim whose process died does not block retries (on PostgreSQL, not even for a moment)."""

import json
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from django.db import connection, connections
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.plans import Plan
from api.idempotency import claim_lock_id, fingerprint
from api.models import IdempotencyRecord
from tests.api.urls_for_tests import WIDGETS, widget_rows
from tests.api_client import ApiClient, assert_api_error
from tests.factories import WorkspaceFactory, make_key

pytestmark = pytest.mark.urls("tests.api.urls_for_tests")

REPLAYED = "Idempotent-Replayed"


def post(api, key, body, idempotency_key="order-1042", **kwargs):
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key is not None else {}
    return api.post(WIDGETS, body, auth=key, headers=headers, **kwargs)


@contextmanager
def claim_held_elsewhere(api_key, idempotency_key="order-1042"):
    """The claim's holder is alive. On PostgreSQL another connection holds the claim's advisory
    lock, as the process answering it does; on SQLite there is no lock: a young claim is
    taken to be in flight."""
    if connection.vendor != "postgresql":
        yield
        return
    holder = connections.create_connection("default")  # a second, real connection
    try:
        with holder.cursor() as cursor:
            lock_id = claim_lock_id(api_key.record.pk, idempotency_key)
            cursor.execute("SELECT pg_advisory_lock(%s)", [lock_id])
        yield
    finally:
        holder.close()


def test_same_key_and_body_replays_the_first_response(api, api_key):
    body = {"name": "Replayed widget café ✓", "items": [{"sku": "A-1"}]}

    first = post(api, api_key, body)
    second = post(api, api_key, body)

    assert first.status_code == 201
    assert REPLAYED not in first
    assert second.status_code == 201
    assert second[REPLAYED] == "true"
    assert second.json() == first.json()
    assert second.content == first.content
    assert second["Content-Type"].startswith("application/json")
    assert widget_rows("Replayed widget café ✓") == 1


def test_a_replay_is_still_an_authenticated_response(api, api_key):
    body = {"name": "Headers"}
    post(api, api_key, body)

    second = post(api, api_key, body)

    assert second[REPLAYED] == "true"
    assert second["X-Request-Id"].startswith("req_")
    assert "X-RateLimit-Remaining" in second


def test_without_the_header_every_post_runs(api, api_key):
    body = {"name": "No key"}

    first = post(api, api_key, body, idempotency_key=None)
    second = post(api, api_key, body, idempotency_key=None)

    assert first.status_code == second.status_code == 201
    assert REPLAYED not in second
    assert first.json()["id"] != second.json()["id"]
    assert widget_rows("No key") == 2


def test_different_keys_run_separately(api, api_key):
    body = {"name": "Two keys"}

    post(api, api_key, body, idempotency_key="a")
    second = post(api, api_key, body, idempotency_key="b")

    assert REPLAYED not in second
    assert widget_rows("Two keys") == 2


def test_same_key_with_another_body_is_idempotency_key_reused(api, api_key):
    post(api, api_key, {"name": "Original"})

    response = post(api, api_key, {"name": "Changed"})

    assert_api_error(response, 422, "idempotency_key_reused")
    assert REPLAYED not in response
    assert widget_rows("Original") == 1
    assert widget_rows("Changed") == 0


def test_same_key_on_another_endpoint_is_idempotency_key_reused(api, api_key):
    post(api, api_key, {"name": "Original"})

    response = api.post(
        "/api/v1/_test/conflict",
        {"name": "Original"},
        auth=api_key,
        headers={"Idempotency-Key": "order-1042"},
    )

    assert_api_error(response, 422, "idempotency_key_reused")


def test_keys_are_scoped_per_api_key(api, api_key, workspace):
    other_key = make_key(workspace, name="Second integration")
    body = {"name": "Scoped"}

    first = post(api, api_key, body)
    other = post(api, other_key, body)

    assert other.status_code == 201
    assert REPLAYED not in other
    assert other.json()["id"] != first.json()["id"]
    assert widget_rows("Scoped") == 2


def test_keys_are_scoped_across_workspaces(api, api_key):
    stranger = make_key(WorkspaceFactory(plan=Plan.GROWTH))
    body = {"name": "Stranger"}
    post(api, api_key, body)

    response = post(api, stranger, body)

    assert REPLAYED not in response
    assert widget_rows("Stranger") == 2


def test_a_record_older_than_24_hours_is_not_replayed(api, api_key):
    body = {"name": "Expired"}
    first = post(api, api_key, body)
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=24, minutes=1))

    second = post(api, api_key, body)

    assert second.status_code == 201
    assert REPLAYED not in second
    assert second.json()["id"] != first.json()["id"]
    assert widget_rows("Expired") == 2


def test_a_record_within_24_hours_is_replayed(api, api_key):
    body = {"name": "Not yet expired"}
    post(api, api_key, body)
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=23, minutes=59))

    second = post(api, api_key, body)

    assert second[REPLAYED] == "true"
    assert widget_rows("Not yet expired") == 1


def test_a_validation_error_is_stored_and_replayed(api, api_key):
    body = {"name": "Bad", "items": [{}]}

    first = post(api, api_key, body)
    second = post(api, api_key, body)

    first_error = assert_api_error(first, 400, "validation_error")
    assert second.status_code == 400
    assert second[REPLAYED] == "true"
    second_error = second.json()["error"]
    assert second_error["code"] == "validation_error"
    assert (
        second_error["fields"]
        == first_error["fields"]
        == {"items.0.sku": ["This field is required."]}
    )
    assert widget_rows("Bad") == 0


def test_a_replayed_error_quotes_its_own_request_id(api, api_key):
    body = {"name": "Bad", "items": [{}]}
    post(api, api_key, body)

    second = post(api, api_key, body)

    assert second[REPLAYED] == "true"
    assert_api_error(second, 400, "validation_error")


def test_refusals_before_the_view_are_not_stored(api, api_key, read_only_key):
    """A request refused by authentication or scope never claims the key."""
    assert post(api, read_only_key, {"name": "Refused"}).status_code == 403
    assert post(api, "Bearer slk_unknown", {"name": "Refused"}).status_code == 401

    assert not IdempotencyRecord.objects.exists()
    # The same Idempotency-Key is still free for the real key's first use.
    response = post(api, api_key, {"name": "Refused"})
    assert response.status_code == 201
    assert REPLAYED not in response


def test_idempotency_key_must_be_sensible(api, api_key):
    empty = post(api, api_key, {"name": "Empty key"}, idempotency_key="")
    too_long = post(api, api_key, {"name": "Long key"}, idempotency_key="k" * 256)
    longest = post(api, api_key, {"name": "Longest key"}, idempotency_key="k" * 255)

    assert "Idempotency-Key" in assert_api_error(empty, 400, "validation_error")["fields"]
    assert "Idempotency-Key" in assert_api_error(too_long, 400, "validation_error")["fields"]
    assert longest.status_code == 201
    assert widget_rows("Empty key") == widget_rows("Long key") == 0


def test_a_crash_writes_nothing_and_releases_the_key_for_a_retry(api, api_key, monkeypatch):
    body = {"name": "Crashed"}
    monkeypatch.setattr("tests.api.urls_for_tests.FAIL_AFTER_WRITE", True)
    assert_api_error(post(api, api_key, body), 500, "internal_error")
    assert widget_rows("Crashed") == 0
    assert not IdempotencyRecord.objects.exists()  # a 500 is not stored: the retry runs
    monkeypatch.setattr("tests.api.urls_for_tests.FAIL_AFTER_WRITE", False)

    retry = post(api, api_key, body)

    assert retry.status_code == 201
    assert REPLAYED not in retry
    assert widget_rows("Crashed") == 1


def test_an_abandoned_claim_is_taken_over(api, api_key, on_postgres):
    """A claim left by a killed process (no response stored, no process holding it) blocks
    retries: on PostgreSQL not at all, as its lock died with the process's connection; on
    SQLite, with no lock to ask, until it is older than any request may run."""
    body = {"name": "Abandoned"}
    post(api, api_key, body)
    IdempotencyRecord.objects.update(completed_at=None, response_status=None, response_body=None)
    if not on_postgres:
        assert_api_error(post(api, api_key, body), 409, "idempotency_conflict")
        IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(minutes=6))

    retry = post(api, api_key, body)

    assert retry.status_code == 201
    assert REPLAYED not in retry


def test_a_request_in_flight_is_an_idempotency_conflict(api, api_key):
    """A claim without a response (the first request still running) refuses a retry."""
    body = {"name": "In flight"}
    post(api, api_key, body)
    IdempotencyRecord.objects.update(completed_at=None, response_status=None, response_body=None)

    with claim_held_elsewhere(api_key):
        response = post(api, api_key, body)
        other_body = post(api, api_key, {"name": "Other"})

    assert_api_error(response, 409, "idempotency_conflict")
    assert_api_error(other_body, 422, "idempotency_key_reused")
    assert widget_rows("In flight") == 1


# --- Concurrency (PostgreSQL) -------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_execute_once(api_key):
    threads_count = 8
    body = {"name": "Concurrent widget", "slow": 0.5}
    barrier = threading.Barrier(threads_count)
    responses = [None] * threads_count
    errors = []

    def worker(index):
        try:
            client = ApiClient(Client())
            barrier.wait(timeout=10)
            responses[index] = post(client, api_key, body, idempotency_key="concurrent-1")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    executed = [r for r in responses if r.status_code == 201 and REPLAYED not in r]
    replayed = [r for r in responses if r.status_code == 201 and REPLAYED in r]
    conflicts = [r for r in responses if r.status_code == 409]
    assert len(executed) == 1
    assert len(executed) + len(replayed) + len(conflicts) == threads_count
    assert conflicts, "the others arrived while the first was sleeping"
    for response in conflicts:
        assert_api_error(response, 409, "idempotency_conflict")
    for response in replayed:
        assert response.json() == executed[0].json()
    assert widget_rows("Concurrent widget") == 1
    assert IdempotencyRecord.objects.filter(key="concurrent-1").count() == 1

    # Once the first is done, a retry is a replay of it.
    retry = post(ApiClient(Client()), api_key, body, idempotency_key="concurrent-1")
    assert retry[REPLAYED] == "true"
    assert retry.json() == executed[0].json()


# --- A dead claim's lock (PostgreSQL) ----------------------------------------------------------

# A worker of ours in the middle of a request, as the database sees it: a connection holding
# the claim's advisory lock, the claim committed, no response yet.
_WORKER_MID_REQUEST = """
import os, sys, time
import psycopg

table, lock_id, api_key_id, key, request_fingerprint = sys.argv[1:]
with psycopg.connect(os.environ["SALYNC_TEST_CONNINFO"], autocommit=True) as conn:
    assert conn.execute("SELECT pg_try_advisory_lock(%s)", [int(lock_id)]).fetchone()[0]
    conn.execute(
        f"INSERT INTO {table} (api_key_id, key, request_fingerprint, created_at)"
        " VALUES (%s, %s, %s, now())",
        [int(api_key_id), key, request_fingerprint],
    )
    print(conn.info.backend_pid, flush=True)
    time.sleep(600)
"""


def _conninfo() -> str:
    params = connection.get_connection_params()
    return psycopg.conninfo.make_conninfo(
        **{name: value for name, value in params.items() if isinstance(value, str | int)}
    )


def _advisory_locks_held() -> int:
    """Advisory locks this test's own connection (the one its requests used) still holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _wait_until_gone(backend_pid: int) -> None:
    """Until PostgreSQL has ended the dead worker's session (and with it its locks)."""
    for _attempt in range(400):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM pg_stat_activity WHERE pid = %s)"
                " + (SELECT count(*) FROM pg_locks WHERE pid = %s)",
                [backend_pid, backend_pid],
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"PostgreSQL kept the session of backend {backend_pid}")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_claim_whose_worker_was_killed_is_taken_over_at_once(api, api_key):
    body = {"name": "Killed worker"}
    request = RequestFactory().post(WIDGETS, data=json.dumps(body), content_type="application/json")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _WORKER_MID_REQUEST,
            IdempotencyRecord._meta.db_table,
            str(claim_lock_id(api_key.record.pk, "killed-1")),
            str(api_key.record.pk),
            "killed-1",
            fingerprint(request),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SALYNC_TEST_CONNINFO": _conninfo()},
    )
    try:
        line = worker.stdout.readline()
        assert line.strip().isdigit(), worker.stderr.read() if worker.poll() is not None else line
        backend_pid = int(line)
        # While the worker lives, its claim is in flight.
        assert_api_error(post(api, api_key, body, "killed-1"), 409, "idempotency_conflict")
    finally:
        worker.kill()  # SIGKILL: no clean-up of any kind; its connection just drops
        worker.wait(timeout=30)
    _wait_until_gone(backend_pid)
    dead_claim = IdempotencyRecord.objects.get(key="killed-1")
    assert dead_claim.completed_at is None
    assert dead_claim.created_at > timezone.now() - timedelta(minutes=1)  # far from stale

    retry = post(api, api_key, body, "killed-1")

    assert retry.status_code == 201, retry.content
    assert REPLAYED not in retry
    assert widget_rows("Killed worker") == 1
    record = IdempotencyRecord.objects.get(key="killed-1")
    assert record.completed_at is not None
    assert post(api, api_key, body, "killed-1")[REPLAYED] == "true"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_claim_whose_holder_is_alive_is_a_conflict(api, api_key, monkeypatch):
    """A real first request, held inside its view on its own thread and connection."""
    body = {"name": "Held"}
    entered, release = threading.Event(), threading.Event()
    first = {}

    def hold():
        if threading.current_thread() is holder:  # only the first request waits
            entered.set()
            release.wait(timeout=30)

    def first_request():
        try:
            first["response"] = post(ApiClient(Client()), api_key, body, "held-1")
        finally:
            connection.close()

    monkeypatch.setattr("tests.api.urls_for_tests.HOLD", hold)
    holder = threading.Thread(target=first_request)
    holder.start()
    try:
        assert entered.wait(timeout=30)
        retry = post(api, api_key, body, "held-1")
    finally:
        release.set()
        holder.join(timeout=30)

    assert_api_error(retry, 409, "idempotency_conflict")
    assert first["response"].status_code == 201
    assert post(api, api_key, body, "held-1")[REPLAYED] == "true"
    assert widget_rows("Held") == 1


@pytest.mark.postgres
def test_on_postgres_a_live_claim_never_goes_stale(api, api_key):
    """The lock, not the claim's age, tells: a holder still running after 6 minutes keeps it."""
    body = {"name": "Slow"}
    post(api, api_key, body)
    IdempotencyRecord.objects.update(
        completed_at=None,
        response_status=None,
        response_body=None,
        created_at=timezone.now() - timedelta(minutes=6),
    )

    with claim_held_elsewhere(api_key):
        response = post(api, api_key, body)

    assert_api_error(response, 409, "idempotency_conflict")
    assert widget_rows("Slow") == 1


@pytest.mark.postgres
def test_no_request_leaves_an_advisory_lock_held(api, api_key, monkeypatch):
    """The connection persists between requests (CONN_MAX_AGE): every path unlocks."""
    session = _backend_pid()
    assert _advisory_locks_held() == 0

    assert post(api, api_key, {"name": "Locks"}).status_code == 201
    assert _advisory_locks_held() == 0, "after a success"
    assert post(api, api_key, {"name": "Locks"})[REPLAYED] == "true"
    assert _advisory_locks_held() == 0, "after a replay"
    assert_api_error(post(api, api_key, {"name": "Other"}), 422, "idempotency_key_reused")
    assert _advisory_locks_held() == 0, "after idempotency_key_reused"
    assert_api_error(post(api, api_key, {"items": [{}]}, "bad"), 400, "validation_error")
    assert _advisory_locks_held() == 0, "after a stored 400"
    assert_api_error(post(api, api_key, {}, "k" * 256), 400, "validation_error")
    assert _advisory_locks_held() == 0, "after a refused key"
    assert post(api, api_key, {"name": "No key"}, idempotency_key=None).status_code == 201
    assert _advisory_locks_held() == 0, "without a key"

    IdempotencyRecord.objects.filter(key="order-1042").update(completed_at=None)
    with claim_held_elsewhere(api_key):
        assert_api_error(post(api, api_key, {"name": "Locks"}), 409, "idempotency_conflict")
    assert _advisory_locks_held() == 0, "after idempotency_conflict"

    monkeypatch.setattr("tests.api.urls_for_tests.FAIL_AFTER_WRITE", True)
    assert_api_error(post(api, api_key, {"name": "Crash"}, "crash"), 500, "internal_error")
    assert _advisory_locks_held() == 0, "after a crash"
    assert _backend_pid() == session  # one session throughout, as a worker's would be
