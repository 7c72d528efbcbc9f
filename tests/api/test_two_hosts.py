"""Two web hosts behind one load balancer: two gunicorn processes on different ports, sharing
the PostgreSQL database under test and Redis, as two machines would. Rate limits stay exact,
an idempotency key is used once, and revocation and plan changes are seen by both at once
(each keeps its copy of a key in the shared cache: ``apikeys.services``)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import requests
from django.conf import settings

from accounts.plans import Plan
from accounts.services import workspace_set_plan
from apikeys.services import api_key_create, api_key_revoke
from inventory.models import Location
from portal.services import workspace_setup
from tests.servers import gunicorn_start, stop, wait_until_serving

INDEX = "/api/v1/"
LOCATIONS = "/api/v1/locations"
pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def hosts(django_db_setup, tmp_path_factory):
    """Hosts A and B: one gunicorn worker each, on their own ports."""
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL): two hosts share their counters and keys there")
    folder = tmp_path_factory.mktemp("hosts")
    started = []
    try:
        for name in ("a", "b"):
            log_path = folder / f"host-{name}.log"
            process, url = gunicorn_start(log_path, workers=1, threads=8)
            started.append(SimpleNamespace(process=process, url=url, log=log_path))
        for host in started:
            wait_until_serving(host.process, host.url, host.log)
        yield SimpleNamespace(a=started[0], b=started[1])
    finally:
        for host in started:
            stop(host.process)


def _logs(hosts) -> str:
    return "\n".join(host.log.read_text()[-3000:] for host in (hosts.a, hosts.b))


def _workspace_and_key(*, daily_limit: int = 10_000, burst_limit: int = 1_000):
    workspace = workspace_setup(name="Two hosts", owner=None, plan=Plan.GROWTH)
    workspace_set_plan(
        workspace=workspace, plan=Plan.GROWTH, daily_limit=daily_limit, burst_limit=burst_limit
    )
    record, raw = api_key_create(workspace=workspace, name="ERP integration", created_by=None)
    return workspace, record, raw


def _together(calls) -> list:
    """Run each call in its own thread, released at the same moment; their results."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _get(url: str, raw: str) -> requests.Response:
    return requests.get(url + INDEX, headers={"Authorization": f"Bearer {raw}"}, timeout=60)


def _code(response: requests.Response) -> str | None:
    return response.json().get("error", {}).get("code")


@pytest.mark.django_db(transaction=True)
def test_rate_limits_are_exact_across_the_two_hosts(hosts):
    _workspace, _record, raw = _workspace_and_key(daily_limit=15)

    responses = _together(
        [lambda url=(hosts.a, hosts.b)[n % 2].url: _get(url, raw) for n in range(40)]
    )

    statuses = [response.status_code for response in responses]
    assert statuses.count(200) == 15, (statuses, _logs(hosts))
    assert statuses.count(429) == 25, statuses
    assert {_code(r) for r in responses if r.status_code == 429} == {"rate_limit_exceeded"}
    assert _get(hosts.b.url, raw).status_code == 429  # and neither host has quota of its own
    assert _get(hosts.a.url, raw).status_code == 429


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_one_idempotency_key_posted_to_both_hosts_at_once_writes_once(hosts, attempt):
    workspace, _record, raw = _workspace_and_key()
    name = f"Overflow store {attempt}"
    headers = {"Authorization": f"Bearer {raw}", "Idempotency-Key": f"two-hosts-{attempt}"}

    def post(url):
        return lambda: requests.post(
            url + LOCATIONS, json={"name": name}, headers=headers, timeout=60
        )

    first, second = _together([post(hosts.a.url), post(hosts.b.url)])

    outcomes = sorted(
        (
            r.status_code,
            r.headers.get("Idempotent-Replayed") == "true",
            _code(r) if r.status_code >= 400 else None,
        )
        for r in (first, second)
    )
    assert outcomes in (
        [(201, False, None), (201, True, None)],  # the second waited, then got the replay
        [(201, False, None), (409, False, "idempotency_conflict")],  # or it met the claim
    ), (outcomes, first.content, second.content, _logs(hosts))
    assert Location.objects.filter(workspace=workspace, name=name).count() == 1


@pytest.mark.django_db(transaction=True)
def test_revocation_on_one_host_is_effective_on_the_other_at_once(hosts):
    _workspace, record, raw = _workspace_and_key()
    for host in (hosts.a, hosts.b, hosts.a, hosts.b):  # both hosts serve from a warm cache
        assert _get(host.url, raw).status_code == 200, _logs(hosts)

    api_key_revoke(api_key=record, revoked_by=None)

    refused = _get(hosts.b.url, raw)
    assert refused.status_code == 401, (refused.content, _logs(hosts))
    assert _code(refused) == "invalid_api_key"
    assert _code(_get(hosts.a.url, raw)) == "invalid_api_key"


@pytest.mark.django_db(transaction=True)
def test_a_plan_change_is_seen_by_both_hosts_on_their_next_request(hosts):
    workspace, _record, raw = _workspace_and_key(daily_limit=300)
    for host in (hosts.a, hosts.b, hosts.a, hosts.b):
        response = _get(host.url, raw)
        assert response.headers["X-RateLimit-Limit"] == "300", _logs(hosts)

    workspace_set_plan(workspace=workspace, plan=Plan.GROWTH, daily_limit=400)
    assert _get(hosts.b.url, raw).headers["X-RateLimit-Limit"] == "400"
    assert _get(hosts.a.url, raw).headers["X-RateLimit-Limit"] == "400"

    workspace_set_plan(workspace=workspace, plan=Plan.FREE)
    for host in (hosts.a, hosts.b):
        refused = _get(host.url, raw)
        assert (refused.status_code, _code(refused)) == (403, "plan_upgrade_required")
