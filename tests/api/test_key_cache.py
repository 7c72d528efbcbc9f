"""The front door's copy of each key in each process, confirmed against generations in the
shared cache (SPEC §5.1, §5.2): a warm request asks the database nothing, and revocation,
plan, limit and name changes are seen on the very next request, through every path that makes
them (services, the admin)."""

import threading

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.test import Client

from accounts.models import User, Workspace
from accounts.plans import Plan
from accounts.services import workspace_rename, workspace_set_plan
from apikeys import services as apikeys_services
from apikeys.models import ApiKey
from apikeys.services import api_key_revoke
from tests.api_client import ApiClient, assert_api_error
from tests.factories import WorkspaceFactory, make_key


def warm(api, key, requests: int = 3) -> None:
    """Requests that fill the cache (the first) and are served from it (the rest)."""
    for _ in range(requests):
        assert api.get(auth=key).status_code == 200


def everything_in_the_cache() -> bytes:
    """Every name and stored value in the shared cache, as bytes."""
    if settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL)
        names = list(client.scan_iter(cache.make_key("*")))
        return b"\n".join(name + b"=" + (client.get(name) or b"") for name in names)
    return b"\n".join(name.encode() + b"=" + value for name, value in cache._cache.items())


def _selects(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]


# --- What a request costs ----------------------------------------------------------------------


def test_a_warm_request_asks_the_database_nothing(api, api_key, django_assert_num_queries):
    warm(api, api_key)

    with django_assert_num_queries(0):
        response = api.get(auth=api_key)

    assert response.status_code == 200
    assert response.json()["api_key"]["prefix"] == api_key.record.prefix


def test_the_first_use_costs_the_lookup_and_the_last_used_write(
    api, api_key, django_assert_num_queries
):
    with django_assert_num_queries(2) as queries:
        assert api.get(auth=api_key).status_code == 200

    assert len(_selects(queries.captured_queries)) == 1


def test_a_cold_cache_costs_one_fixed_query_then_none(
    api, api_key, workspace, django_assert_num_queries
):
    warm(api, api_key)  # its use is recorded: no last_used_at write below
    workspace_rename(workspace=workspace, name="Renamed Shop")

    with django_assert_num_queries(1) as queries:
        assert api.get(auth=api_key).status_code == 200
    [lookup] = _selects(queries.captured_queries)
    assert "apikeys_apikey" in lookup
    assert "accounts_workspace" in lookup  # the workspace comes in the same query
    with django_assert_num_queries(0):
        assert api.get(auth=api_key).status_code == 200


def test_a_revoked_key_is_refused_from_the_cache_too(api, api_key, django_assert_num_queries):
    warm(api, api_key)
    api_key_revoke(api_key=api_key.record, revoked_by=None)
    assert_api_error(api.get(auth=api_key), 401, "invalid_api_key")

    with django_assert_num_queries(0):
        assert_api_error(api.get(auth=api_key), 401, "invalid_api_key")


# --- Changes take effect on the very next request, with a warm cache --------------------------


def test_revocation_is_effective_on_the_next_request_with_a_warm_cache(api, api_key):
    warm(api, api_key)

    api_key_revoke(api_key=ApiKey.objects.get(pk=api_key.record.pk), revoked_by=None)

    assert_api_error(api.get(auth=api_key), 401, "invalid_api_key")


def test_revoking_one_key_leaves_the_others_served(api, api_key, read_only_key):
    warm(api, api_key)
    warm(api, read_only_key)

    api_key_revoke(api_key=api_key.record, revoked_by=None)

    assert_api_error(api.get(auth=api_key), 401, "invalid_api_key")
    assert api.get(auth=read_only_key).status_code == 200


def test_a_wrong_secret_with_a_cached_prefix_is_refused(api, api_key):
    warm(api, api_key)
    last = api_key.raw[-1]
    forged = api_key.raw[:-1] + ("A" if last != "A" else "B")

    assert_api_error(api.get(auth=f"Bearer {forged}"), 401, "invalid_api_key")
    assert api.get(auth=api_key).status_code == 200


def test_downgrade_to_free_is_plan_upgrade_required_on_the_next_request(api, api_key, workspace):
    warm(api, api_key)

    workspace_set_plan(workspace=Workspace.objects.get(pk=workspace.pk), plan=Plan.FREE)

    assert_api_error(api.get(auth=api_key), 403, "plan_upgrade_required")
    workspace_set_plan(workspace=workspace, plan=Plan.PRO)
    assert api.get(auth=api_key).json()["plan"]["name"] == "pro"


def test_a_limit_override_shows_in_the_next_responses_headers(api, api_key, workspace):
    warm(api, api_key)
    assert api.get(auth=api_key)["X-RateLimit-Limit"] == "500"

    workspace_set_plan(workspace=workspace, plan=Plan.GROWTH, daily_limit=777, burst_limit=33)

    response = api.get(auth=api_key)
    assert response["X-RateLimit-Limit"] == "777"
    assert response["RateLimit-Policy"] == '"daily";q=777;w=86400, "burst";q=33;w=60'
    assert response.json()["plan"]["daily_limit"] == 777


def test_a_rename_shows_in_the_index_on_the_next_request(api, api_key, workspace):
    warm(api, api_key)

    workspace_rename(workspace=workspace, name="Renamed Shop")

    assert api.get(auth=api_key).json()["workspace"]["name"] == "Renamed Shop"


def test_a_change_to_one_workspace_leaves_anothers_key_correct(api, api_key, workspace):
    other = make_key(WorkspaceFactory(plan=Plan.PRO))
    warm(api, api_key)
    warm(api, other)

    workspace_set_plan(workspace=workspace, plan=Plan.FREE)

    assert_api_error(api.get(auth=api_key), 403, "plan_upgrade_required")
    assert api.get(auth=other).json()["plan"]["name"] == "pro"


def test_a_cleared_cache_still_answers_from_the_database(api, api_key, workspace):
    warm(api, api_key)
    cache.clear()  # a restarted or flushed Redis

    workspace_set_plan(workspace=workspace, plan=Plan.PRO)

    assert api.get(auth=api_key).json()["plan"]["name"] == "pro"
    assert api.get(auth=api_key).json()["plan"]["name"] == "pro"


# --- The admin's paths --------------------------------------------------------------------------


@pytest.fixture
def staff_client(db):
    user = User.objects.create_superuser("staff@salync.example", "staff-passphrase-123")
    staff = Client()
    staff.force_login(user)
    return staff


def _workspace_form(workspace, **changes) -> dict:
    return {
        "name": workspace.name,
        "plan": workspace.plan,
        "daily_limit_override": workspace.daily_limit_override or "",
        "burst_limit_override": workspace.burst_limit_override or "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        **changes,
    }


def test_an_admin_plan_and_name_change_shows_on_the_next_request(
    api, api_key, workspace, staff_client
):
    warm(api, api_key)

    response = staff_client.post(
        f"/admin/accounts/workspace/{workspace.pk}/change/",
        _workspace_form(workspace, name="Admin Renamed", plan="pro", daily_limit_override="4321"),
    )
    assert response.status_code == 302

    response = api.get(auth=api_key)
    assert response.json()["workspace"]["name"] == "Admin Renamed"
    assert response.json()["plan"]["name"] == "pro"
    assert response["X-RateLimit-Limit"] == "4321"


def test_an_admin_revocation_is_effective_on_the_next_request(api, api_key, staff_client):
    warm(api, api_key)

    response = staff_client.post(
        "/admin/apikeys/apikey/",
        {"action": "revoke_keys", "_selected_action": [api_key.record.pk]},
    )
    assert response.status_code == 302

    assert_api_error(api.get(auth=api_key), 401, "invalid_api_key")


@pytest.mark.parametrize("how", ["delete_view", "delete_selected"])
def test_the_admin_cannot_delete_a_workspace_that_has_keys(
    api, api_key, workspace, staff_client, how
):
    """Keys are never deleted (ApiKeyAdmin), so neither is their workspace: no path removes
    a key's row behind its cached copy."""
    warm(api, api_key)

    if how == "delete_view":
        url = f"/admin/accounts/workspace/{workspace.pk}/delete/"
        response = staff_client.post(url, {"post": "yes"})
    else:
        response = staff_client.post(
            "/admin/accounts/workspace/",
            {"action": "delete_selected", "_selected_action": [workspace.pk], "post": "yes"},
        )
    assert response.status_code == 403
    assert Workspace.objects.filter(pk=workspace.pk).exists()
    assert api.get(auth=api_key).status_code == 200


# --- What the cache holds -----------------------------------------------------------------------


def test_the_copies_hold_the_keys_hash_never_the_key(api, api_key, read_only_key):
    warm(api, api_key)
    warm(api, read_only_key)
    api_key_revoke(api_key=read_only_key.record, revoked_by=None)
    api.get(auth=read_only_key)

    shared = everything_in_the_cache()
    copies = repr(apikeys_services._copies).encode()

    assert api_key.record.key_hash.encode() in copies  # the process's copy is there
    for key in (api_key, read_only_key):
        for stored in (shared, copies):
            assert key.raw.encode() not in stored
            assert key.raw[len(key.record.prefix) :].encode() not in stored


# --- A change committing while another host refills its copy -------------------------------------


def _request_on_another_connection(raw_key: str) -> int:
    """A request served meanwhile by another thread, with its own database connection."""
    statuses = []

    def serve():
        try:
            response = ApiClient(Client()).get(auth=f"Bearer {raw_key}")
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    thread = threading.Thread(target=serve)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    return statuses[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["downgrade", "revoke"])
def test_a_copy_refilled_before_the_change_commits_is_not_served_after(client, change):
    """The other request reads the committed rows (still Growth, still active) and refills the
    cache while the change is uncommitted; once it commits, that copy must not be served."""
    workspace = WorkspaceFactory(plan=Plan.GROWTH)
    key = make_key(workspace)
    api = ApiClient(client)
    warm(api, key)

    with transaction.atomic():
        if change == "downgrade":
            workspace_set_plan(workspace=workspace, plan=Plan.FREE)
        else:
            api_key_revoke(api_key=key.record, revoked_by=None)
        assert _request_on_another_connection(key.raw) == 200  # not committed yet

    if change == "downgrade":
        assert_api_error(api.get(auth=key), 403, "plan_upgrade_required")
    else:
        assert_api_error(api.get(auth=key), 401, "invalid_api_key")
