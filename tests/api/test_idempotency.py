"""SPEC §5.3: ``Idempotency-Key`` on POST, per API key, for 24 hours, safe under concurrency."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.plans import Plan
from api.models import IdempotencyRecord
from tests.api.urls_for_tests import WIDGETS, widget_rows
from tests.api_client import ApiClient, assert_api_error
from tests.factories import WorkspaceFactory, make_key

pytestmark = pytest.mark.urls("tests.api.urls_for_tests")

REPLAYED = "Idempotent-Replayed"


def post(api, key, body, idempotency_key="order-1042", **kwargs):
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key is not None else {}
    return api.post(WIDGETS, body, auth=key, headers=headers, **kwargs)


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


def test_an_abandoned_claim_is_taken_over_once_stale(api, api_key):
    """A claim left by a killed process (no response stored) blocks retries only for a while."""
    body = {"name": "Abandoned"}
    post(api, api_key, body)
    IdempotencyRecord.objects.update(completed_at=None, response_status=None, response_body=None)
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

    response = post(api, api_key, body)

    assert_api_error(response, 409, "idempotency_conflict")
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
