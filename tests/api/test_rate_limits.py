"""Per-key rate limits (SPEC §5.2): the headers on every authenticated response, the burst
limit per minute, the daily quota that resets at 00:00 UTC, refusals that are never counted,
and exactness under real concurrency across processes (gunicorn on PostgreSQL + Redis).

Time is moved with ``unittest.mock`` only where the alternative is waiting for a real minute
or a real midnight: ``api.ratelimit.datetime``, the one clock of both windows.
"""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
import requests
from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.urls import path

from accounts.plans import Plan
from accounts.services import workspace_set_plan
from api.ratelimit import daily_cache_key
from api.views import ApiView
from apikeys.models import Access
from apikeys.services import api_key_create
from salync import urls as salync_urls
from tests.factories import WorkspaceFactory
from tests.servers import gunicorn_start, stop, wait_until_serving

INDEX = "/api/v1/"
MISSING = "/api/v1/_ratelimit-test/missing"

GROWTH_POLICY = '"daily";q=500;w=86400, "burst";q=20;w=60'
PRO_POLICY = '"daily";q=10000;w=86400, "burst";q=200;w=60'
RATELIMIT_HEADER = re.compile(r'^"daily";r=(\d+);t=(\d+), "burst";r=(\d+);t=(\d+)$')
HEADER_NAMES = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "RateLimit-Policy",
    "RateLimit",
)


# --- A test-only URLconf: the real routes plus an API view that answers 404 -------------------
class _MissingView(ApiView):
    def get(self, request):
        raise Http404("Nothing here.")


urlpatterns = [path(MISSING.lstrip("/"), _MissingView.as_view()), *salync_urls.urlpatterns]
handler403 = salync_urls.handler403


# --- Helpers -----------------------------------------------------------------------------------
def next_utc_midnight(now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    return datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)


def seconds_to_next_utc_midnight() -> float:
    return (next_utc_midnight() - datetime.now(UTC)).total_seconds()


def call(client, raw_key: str | None, method: str = "GET", path: str = INDEX, **extra):
    headers = {"Authorization": f"Bearer {raw_key}"} if raw_key else {}
    extra.setdefault("secure", True)
    return client.generic(method, path, headers=headers, **extra)


def rate_limit(response) -> dict[str, int]:
    """The IETF ``RateLimit`` header, parsed (and checked to be well-formed)."""
    match = RATELIMIT_HEADER.match(response.headers["RateLimit"])
    assert match, response.headers["RateLimit"]
    daily_r, daily_t, burst_r, burst_t = map(int, match.groups())
    return {"daily_r": daily_r, "daily_t": daily_t, "burst_r": burst_r, "burst_t": burst_t}


def assert_rate_limited(response, which: str) -> int:
    """A 429 ``rate_limit_exceeded`` naming the window; returns its ``Retry-After``."""
    assert response.status_code == 429, response.content
    error = response.json()["error"]
    assert error["code"] == "rate_limit_exceeded"
    assert which in error["message"], error["message"]
    return int(response["Retry-After"])


def daily_count(api_key) -> int | None:
    return cache.get(daily_cache_key(api_key.pk, datetime.now(UTC)))


class FrozenRatelimitClock:
    """Stands in for ``datetime`` inside ``api.ratelimit`` only.

    The burst window is a real minute: freezing its clock keeps a run of requests inside one
    window (instead of sometimes straddling a boundary), and ``advance`` replaces waiting.
    The instant is half-way through a second, as a real request's would be.
    """

    def __init__(self):
        self.now = datetime.fromtimestamp(int(time.time()) + 0.5, tz=UTC)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def burst_clock():
    clock = FrozenRatelimitClock()

    class _Datetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return clock.now

    with mock.patch("api.ratelimit.datetime", _Datetime):
        yield clock


@pytest.fixture(autouse=True)
def _clear_of_midnight():
    """The daily counter is keyed by the UTC date; a test that straddled 00:00 UTC would see it
    restart. Within a few seconds of midnight, wait for midnight to pass first."""
    left = seconds_to_next_utc_midnight()
    if left < 15:
        time.sleep(left + 0.5)


@pytest.fixture
def growth(db):
    return WorkspaceFactory(plan=Plan.GROWTH)


@pytest.fixture
def key(growth):
    """(record, raw key) for a read & write key on a Growth workspace."""
    return api_key_create(workspace=growth, name="ERP integration", created_by=None)


# --- 1. Headers on every authenticated response ------------------------------------------------
def test_growth_headers_count_down_by_one_per_request(client, key):
    record, raw = key
    for n in range(1, 4):
        response = call(client, raw)
        assert response.status_code == 200
        midnight = next_utc_midnight()
        assert response["X-RateLimit-Limit"] == "500"
        assert response["X-RateLimit-Remaining"] == str(500 - n)
        assert abs(int(response["X-RateLimit-Reset"]) - midnight.timestamp()) <= 2
        assert response["RateLimit-Policy"] == GROWTH_POLICY
        state = rate_limit(response)
        assert state["daily_r"] == 500 - n
        assert abs(state["daily_t"] - seconds_to_next_utc_midnight()) <= 2
        assert state["burst_r"] == 20 - n
        assert 1 <= state["burst_t"] <= 60
    assert daily_count(record) == 3


@pytest.mark.urls(__name__)
def test_headers_on_404_and_405_from_an_api_view(client, key):
    _record, raw = key
    not_found = call(client, raw, path=MISSING)
    assert not_found.status_code == 404
    assert not_found.json()["error"]["code"] == "not_found"
    wrong_method = call(client, raw, method="DELETE")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"

    for response in (not_found, wrong_method):
        assert set(HEADER_NAMES) <= set(response.headers), response.headers
        assert response["X-RateLimit-Limit"] == "500"
        assert response["RateLimit-Policy"] == GROWTH_POLICY
        assert abs(int(response["X-RateLimit-Reset"]) - next_utc_midnight().timestamp()) <= 2
    # Both were served by a view after the key passed: they count like any answered request.
    assert rate_limit(not_found)["daily_r"] == 499
    assert rate_limit(wrong_method)["daily_r"] == 498
    assert rate_limit(wrong_method)["burst_r"] == 18


def test_pro_plan_shows_its_limits(client, db):
    workspace = WorkspaceFactory(plan=Plan.PRO)
    _record, raw = api_key_create(workspace=workspace, name="Shop sync", created_by=None)

    response = call(client, raw)

    assert response.status_code == 200
    assert response["X-RateLimit-Limit"] == "10000"
    assert response["X-RateLimit-Remaining"] == "9999"
    assert response["RateLimit-Policy"] == PRO_POLICY
    assert rate_limit(response)["burst_r"] == 199


def test_workspace_override_shows_on_the_very_next_request(client, growth, key):
    _record, raw = key
    assert call(client, raw)["RateLimit-Policy"] == GROWTH_POLICY

    workspace_set_plan(workspace=growth, plan="growth", daily_limit=1200, burst_limit=45)
    response = call(client, raw)

    assert response.status_code == 200
    assert response["RateLimit-Policy"] == '"daily";q=1200;w=86400, "burst";q=45;w=60'
    assert response["X-RateLimit-Limit"] == "1200"
    # The day's count carries on under the new limit: 2 used of 1200.
    assert response["X-RateLimit-Remaining"] == "1198"
    assert rate_limit(response)["daily_r"] == 1198
    assert rate_limit(response)["burst_r"] < 45

    workspace_set_plan(workspace=growth, plan="pro")  # overrides dropped: Pro's own limits
    assert call(client, raw)["RateLimit-Policy"] == PRO_POLICY


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer slk_" + "x" * 40, "Basic dXNlcjpwYXNz"],
    ids=["no-key", "unknown-key", "not-bearer"],
)
def test_no_rate_limit_headers_on_401(client, key, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get(INDEX, secure=True, headers=headers)

    assert response.status_code == 401
    for name in HEADER_NAMES:
        assert name not in response.headers, name


# --- 2. Burst -----------------------------------------------------------------------------------
def test_21st_request_in_the_burst_window_is_refused_and_not_counted_today(
    client, key, burst_clock
):
    record, raw = key
    for n in range(1, 21):
        response = call(client, raw)
        assert response.status_code == 200, n
        assert rate_limit(response)["burst_r"] == 20 - n

    refused = call(client, raw)

    retry_after = assert_rate_limited(refused, "burst limit")
    assert 1 <= retry_after <= 60
    state = rate_limit(refused)
    assert state["burst_r"] == 0
    assert state["burst_t"] == retry_after
    # The 429 carries the headers, and the daily quota did not count the refused request.
    assert refused["RateLimit-Policy"] == GROWTH_POLICY
    assert refused["X-RateLimit-Remaining"] == "480"
    assert state["daily_r"] == 480
    assert daily_count(record) == 20
    assert call(client, raw).status_code == 429
    assert daily_count(record) == 20


def test_burst_window_frees_after_its_minute(client, key, burst_clock):
    record, raw = key
    for _ in range(20):
        assert call(client, raw).status_code == 200
    assert_rate_limited(call(client, raw), "burst limit")

    burst_clock.advance(61)  # instead of waiting a real minute
    response = call(client, raw)

    assert response.status_code == 200
    assert rate_limit(response)["burst_r"] == 19
    assert response["X-RateLimit-Remaining"] == "479"
    assert daily_count(record) == 21


def test_waiting_exactly_retry_after_frees_the_burst_window(client, key, burst_clock):
    _record, raw = key
    for _ in range(20):
        assert call(client, raw).status_code == 200
    retry_after = assert_rate_limited(call(client, raw), "burst limit")

    # SPEC §5.2: Retry-After = whole seconds until the window frees: not a second less.
    # (django-ratelimit's window still holds at its time_left == 0, so this is time_left + 1.)
    burst_clock.advance(retry_after - 1)
    assert_rate_limited(call(client, raw), "burst limit")
    burst_clock.advance(1)
    assert call(client, raw).status_code == 200


def test_burst_is_per_key(client, growth, key, burst_clock):
    _record, raw = key
    for _ in range(20):
        assert call(client, raw).status_code == 200
    assert call(client, raw).status_code == 429

    _other, other_raw = api_key_create(workspace=growth, name="Shop", created_by=None)
    response = call(client, other_raw)

    assert response.status_code == 200
    assert rate_limit(response)["burst_r"] == 19


# --- 3. Daily quota -----------------------------------------------------------------------------
def test_daily_quota_refuses_until_next_utc_midnight_without_counting(client, growth, key):
    record, raw = key
    workspace_set_plan(workspace=growth, plan="growth", daily_limit=3, burst_limit=100)
    for n in range(1, 4):
        response = call(client, raw)
        assert response.status_code == 200
        assert response["X-RateLimit-Remaining"] == str(3 - n)

    for _ in range(3):
        refused = call(client, raw)
        retry_after = assert_rate_limited(refused, "daily quota")
        assert abs(retry_after - seconds_to_next_utc_midnight()) <= 2
        assert refused["X-RateLimit-Limit"] == "3"
        assert refused["X-RateLimit-Remaining"] == "0"
        assert abs(int(refused["X-RateLimit-Reset"]) - next_utc_midnight().timestamp()) <= 2
        assert refused["RateLimit-Policy"] == '"daily";q=3;w=86400, "burst";q=100;w=60'
        assert rate_limit(refused)["daily_r"] == 0
        assert abs(rate_limit(refused)["daily_t"] - retry_after) <= 1

    assert daily_count(record) == 3  # the three refusals were taken back off

    workspace_set_plan(workspace=growth, plan="growth", daily_limit=5, burst_limit=100)
    assert call(client, raw).status_code == 200
    assert call(client, raw).status_code == 200
    assert_rate_limited(call(client, raw), "daily quota")
    assert daily_count(record) == 5


def test_daily_quota_is_per_key(client, growth, key):
    record, raw = key
    workspace_set_plan(workspace=growth, plan="growth", daily_limit=3, burst_limit=100)
    for _ in range(3):
        assert call(client, raw).status_code == 200
    assert_rate_limited(call(client, raw), "daily quota")

    other, other_raw = api_key_create(workspace=growth, name="Warehouse", created_by=None)
    for n in range(1, 4):
        response = call(client, other_raw)
        assert response.status_code == 200
        assert response["X-RateLimit-Remaining"] == str(3 - n)
    assert_rate_limited(call(client, other_raw), "daily quota")
    assert daily_count(record) == 3
    assert daily_count(other) == 3


def test_daily_quota_resets_at_midnight_utc(client, growth, key):
    _record, raw = key
    workspace_set_plan(workspace=growth, plan="growth", daily_limit=2, burst_limit=100)
    clock = SimpleNamespace(now=datetime(2031, 3, 14, 23, 59, 57, 500_000, tzinfo=UTC))

    class _Datetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return clock.now

    # Instead of waiting for a real midnight: api.ratelimit reads the UTC day from here.
    with mock.patch("api.ratelimit.datetime", _Datetime):
        assert call(client, raw).status_code == 200
        assert call(client, raw).status_code == 200
        refused = call(client, raw)
        assert assert_rate_limited(refused, "daily quota") == 3  # 2.5 s, in whole seconds
        assert int(refused["X-RateLimit-Reset"]) == int(
            datetime(2031, 3, 15, tzinfo=UTC).timestamp()
        )

        clock.now = datetime(2031, 3, 15, 0, 0, 0, 100_000, tzinfo=UTC)
        response = call(client, raw)

    assert response.status_code == 200
    assert response["X-RateLimit-Remaining"] == "1"


def test_request_refused_by_daily_quota_does_not_use_burst(client, growth, key, burst_clock):
    _record, raw = key
    workspace_set_plan(workspace=growth, plan="growth", daily_limit=3, burst_limit=5)
    for _ in range(3):
        assert call(client, raw).status_code == 200
    for _ in range(2):
        assert_rate_limited(call(client, raw), "daily quota")

    # Staff raise the daily quota; the burst limit (5 a minute) is unchanged. Only three
    # requests were counted this minute, so two more must go through.
    workspace_set_plan(workspace=growth, plan="growth", daily_limit=10, burst_limit=5)

    assert call(client, raw).status_code == 200
    assert call(client, raw).status_code == 200


@pytest.mark.parametrize(
    ("limits", "window", "limit"),
    [
        ({"daily_limit": 100, "burst_limit": 2}, "burst limit (per minute)", 2),
        ({"daily_limit": 2, "burst_limit": 100}, "daily quota", 2),
    ],
)
def test_the_429_message_names_its_window_and_the_wait_once(
    client, growth, key, burst_clock, limits, window, limit
):
    """DRF's Throttled appended "Expected available in N seconds." to our own "Retry in N"."""
    _record, raw = key
    workspace_set_plan(workspace=growth, plan="growth", **limits)
    for _ in range(limit):
        assert call(client, raw).status_code == 200

    refused = call(client, raw)

    retry_after = assert_rate_limited(refused, window)
    message = refused.json()["error"]["message"]
    assert message == (
        f"Rate limit exceeded: the {window} of {limit} requests is used up. "
        f"Retry in {retry_after} seconds."
    )
    assert message.count("second") == 1


# --- 5. Refusals before counting ---------------------------------------------------------------
def test_plan_without_api_refusal_is_not_counted(client, db):
    workspace = WorkspaceFactory(plan=Plan.FREE)
    record, raw = api_key_create(workspace=workspace, name="Old integration", created_by=None)
    for _ in range(3):
        response = call(client, raw)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "plan_upgrade_required"
    assert not daily_count(record)

    workspace_set_plan(workspace=workspace, plan="growth")
    response = call(client, raw)

    assert response.status_code == 200
    assert response["X-RateLimit-Remaining"] == "499"
    assert rate_limit(response)["burst_r"] == 19


def test_read_only_write_refusal_shows_headers_and_is_not_counted(client, growth):
    record, raw = api_key_create(
        workspace=growth, name="Reporting", access=Access.READ_ONLY, created_by=None
    )
    for _ in range(3):
        response = call(client, raw, method="POST", data=b"{}", content_type="application/json")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "insufficient_scope"
        assert response["X-RateLimit-Remaining"] == "500"
        assert rate_limit(response)["burst_r"] == 20
        assert response["RateLimit-Policy"] == GROWTH_POLICY
    assert not daily_count(record)

    response = call(client, raw)
    assert response.status_code == 200
    assert response["X-RateLimit-Remaining"] == "499"


def test_plain_http_refusal_is_not_counted(client, key):
    record, raw = key
    for _ in range(25):  # more than the burst limit: none of them may count
        response = call(client, raw, secure=False, REMOTE_ADDR="203.0.113.9")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "https_required"
    assert not daily_count(record)

    response = call(client, raw, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert response["X-RateLimit-Remaining"] == "499"
    assert rate_limit(response)["burst_r"] == 19


# --- 4. Exact under concurrency, across processes (gunicorn on PostgreSQL + Redis) -------------


@pytest.fixture(scope="module")
def gunicorn_server(django_db_setup, tmp_path_factory):
    """gunicorn with 4 worker processes (4 threads each) on the test database and Redis."""
    if not settings.REDIS_URL:
        pytest.skip("needs Redis as the shared cache (REDIS_URL) for counters across processes")
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    process, base_url = gunicorn_start(log_path, workers=4, threads=4)
    try:
        wait_until_serving(process, base_url, log_path)
        yield SimpleNamespace(url=base_url + INDEX, log=log_path)
    finally:
        stop(process)


def _fire(url: str, raw_key: str, count: int) -> list[int]:
    """``count`` GETs released together from ``count`` threads; their status codes."""
    start = threading.Barrier(count)

    def one(_):
        start.wait()
        return requests.get(url, headers={"Authorization": f"Bearer {raw_key}"}, timeout=60)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return [response.status_code for response in pool.map(one, range(count))]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_50_concurrent_requests_with_20_left_today_exactly_20_succeed(gunicorn_server):
    workspace = WorkspaceFactory(plan=Plan.GROWTH)
    workspace_set_plan(workspace=workspace, plan="growth", daily_limit=20, burst_limit=1000)
    record, raw = api_key_create(workspace=workspace, name="ERP integration", created_by=None)

    statuses = _fire(gunicorn_server.url, raw, 50)

    assert statuses.count(200) == 20, (statuses, gunicorn_server.log.read_text()[-3000:])
    assert statuses.count(429) == 30, statuses
    assert daily_count(record) == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_50_concurrent_requests_with_19_left_this_minute_exactly_19_succeed(gunicorn_server):
    workspace = WorkspaceFactory(plan=Plan.GROWTH)
    workspace_set_plan(workspace=workspace, plan="growth", daily_limit=1000, burst_limit=20)
    record, raw = api_key_create(workspace=workspace, name="ERP integration", created_by=None)
    headers = {"Authorization": f"Bearer {raw}"}
    first = requests.get(gunicorn_server.url, headers=headers, timeout=10)
    assert first.status_code == 200
    if rate_limit(first)["burst_t"] < 8:  # keep the burst inside this minute's window
        time.sleep(rate_limit(first)["burst_t"] + 1.5)
        first = requests.get(gunicorn_server.url, headers=headers, timeout=10)
        assert first.status_code == 200
    assert rate_limit(first)["burst_r"] == 19
    counted_before = daily_count(record)

    statuses = _fire(gunicorn_server.url, raw, 50)

    assert statuses.count(200) == 19, (statuses, gunicorn_server.log.read_text()[-3000:])
    assert statuses.count(429) == 31, statuses
    assert daily_count(record) == counted_before + 19  # burst refusals never reach the day
