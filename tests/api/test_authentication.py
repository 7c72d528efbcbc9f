"""SPEC §5.1: Bearer keys, and every outcome of checking one."""

import secrets
import string
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.plans import Plan
from accounts.services import workspace_set_plan
from api.models import IdempotencyRecord
from apikeys.models import ApiKey
from apikeys.services import api_key_revoke
from tests.api.urls_for_tests import WIDGETS, widget_rows
from tests.api_client import assert_api_error
from tests.factories import WorkspaceFactory, make_key

BASE62 = string.ascii_letters + string.digits


def random_key() -> str:
    return "slk_" + "".join(secrets.choice(BASE62) for _ in range(40))


# --- No usable credentials: 401 authentication_required -----------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Basic dXNlcjpwYXNzd29yZA==",
        "Token slk_abcdefghijklmnopqrstuvwxyz0123456789ABCD",
        "slk_abcdefghijklmnopqrstuvwxyz0123456789ABCD",  # a key without the scheme
    ],
)
def test_missing_or_non_bearer_header_is_authentication_required(api, db, authorization):
    response = api.get(auth=authorization)

    error = assert_api_error(response, 401, "authentication_required")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Bearer" in error["message"]
    assert "X-RateLimit-Remaining" not in response


def test_a_signed_in_session_is_not_an_api_credential(api, owner_client, owner):
    workspace_set_plan(workspace=owner.workspace, plan=Plan.GROWTH)

    response = api.get()

    assert_api_error(response, 401, "authentication_required")


def test_a_key_in_the_query_string_is_not_accepted(api, api_key):
    response = api.get(f"/api/v1/?api_key={api_key.raw}")

    assert_api_error(response, 401, "authentication_required")


# --- A Bearer key that is not valid: 401 invalid_api_key ------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "not-a-key",
        "slk_",
        "slk_short",
        "SLK_abcdefghijklmnopqrstuvwxyz0123456789ABCD",
        "slk_abcdefghijklmnopqrstuvwxyz0123456789ABCD extra",
        "slk_abcdéfghijklmnopqrstuvwxyz0123456789ABCD",  # not ASCII
    ],
)
def test_malformed_key_is_invalid_api_key(api, api_key, raw):
    response = api.get(auth=f"Bearer {raw}")

    assert_api_error(response, 401, "invalid_api_key")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_bearer_without_a_key_is_refused(api, db):
    response = api.get(auth="Bearer")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_key_is_invalid_api_key(api, api_key):
    raw = random_key()

    response = api.get(auth=f"Bearer {raw}")

    error = assert_api_error(response, 401, "invalid_api_key")
    assert raw not in response.content.decode()
    assert raw[4:] not in error["message"]


def test_known_prefix_with_a_wrong_secret_is_refused(api, api_key):
    """The visible prefix finds the row; only the full key's hash lets it in."""
    forged = api_key.record.prefix + random_key()[len(api_key.record.prefix) :]
    assert forged != api_key.raw
    assert forged.startswith(api_key.record.prefix)

    response = api.get(auth=f"Bearer {forged}")

    assert_api_error(response, 401, "invalid_api_key")


def test_revoked_key_is_refused_with_the_same_message_as_an_unknown_key(api, api_key):
    unknown = assert_api_error(api.get(auth=f"Bearer {random_key()}"), 401, "invalid_api_key")
    api_key_revoke(api_key=api_key.record, revoked_by=None)

    revoked = assert_api_error(api.get(auth=api_key), 401, "invalid_api_key")

    assert revoked["message"] == unknown["message"]
    assert api_key.raw not in str(revoked)


def test_valid_key_is_let_in(api, api_key, workspace):
    response = api.get(auth=api_key)

    assert response.status_code == 200
    body = response.json()
    assert body["workspace"]["slug"] == workspace.slug
    assert body["api_key"] == {
        "name": "ERP integration",
        "prefix": api_key.record.prefix,
        "access": "read_write",
    }
    assert body["plan"]["name"] == "growth"
    assert api_key.raw not in response.content.decode()


def test_the_scheme_name_is_case_insensitive(api, api_key):
    assert api.get(auth=f"bearer {api_key.raw}").status_code == 200
    assert api.get(auth=f"BEARER {api_key.raw}").status_code == 200


# --- Plans --------------------------------------------------------------------------------------


def test_free_plan_key_is_plan_upgrade_required(api, free_key):
    response = api.get(auth=free_key)

    error = assert_api_error(response, 403, "plan_upgrade_required")
    assert "Growth" in error["message"]
    assert "WWW-Authenticate" not in response


def test_pro_plan_key_is_let_in_with_pro_limits(api, db):
    key = make_key(WorkspaceFactory(plan=Plan.PRO))

    response = api.get(auth=key)

    assert response.status_code == 200
    assert response.json()["plan"]["daily_limit"] == 10_000
    assert response["X-RateLimit-Limit"] == "10000"


def test_plan_change_takes_effect_on_the_next_request(api, api_key, workspace):
    assert api.get(auth=api_key).status_code == 200

    workspace_set_plan(workspace=workspace, plan=Plan.FREE)
    assert_api_error(api.get(auth=api_key), 403, "plan_upgrade_required")

    workspace_set_plan(workspace=workspace, plan=Plan.GROWTH)
    assert api.get(auth=api_key).status_code == 200


# --- Access levels ------------------------------------------------------------------------------


def test_read_only_key_may_read(api, read_only_key):
    response = api.get(auth=read_only_key)

    assert response.status_code == 200
    assert response.json()["api_key"]["access"] == "read_only"


@pytest.mark.urls("tests.api.urls_for_tests")
def test_read_only_key_may_not_write_and_nothing_is_written(api, read_only_key):
    response = api.post(
        WIDGETS,
        {"name": "Read-only attempt"},
        auth=read_only_key,
        headers={"Idempotency-Key": "ro-1"},
    )

    assert_api_error(response, 403, "insufficient_scope")
    assert widget_rows("Read-only attempt") == 0
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.urls("tests.api.urls_for_tests")
def test_read_write_key_may_write(api, api_key):
    response = api.post(WIDGETS, {"name": "Written"}, auth=api_key)

    assert response.status_code == 201
    assert widget_rows("Written") == 1


# --- Revocation ---------------------------------------------------------------------------------


def test_revocation_is_effective_on_the_very_next_request(api, api_key):
    assert api.get(auth=api_key).status_code == 200

    api_key_revoke(api_key=ApiKey.objects.get(pk=api_key.record.pk), revoked_by=None)

    assert_api_error(api.get(auth=api_key), 401, "invalid_api_key")


def test_revoking_one_key_leaves_the_others_working(api, api_key, read_only_key):
    api_key_revoke(api_key=api_key.record, revoked_by=None)

    assert_api_error(api.get(auth=api_key), 401, "invalid_api_key")
    assert api.get(auth=read_only_key).status_code == 200


# --- Workspaces ---------------------------------------------------------------------------------


def test_a_key_sees_only_its_own_workspace(api, api_key, workspace):
    other_workspace = WorkspaceFactory(plan=Plan.GROWTH)
    other_key = make_key(other_workspace)

    mine = api.get(auth=api_key).json()
    theirs = api.get(auth=other_key).json()

    assert mine["workspace"]["slug"] == workspace.slug
    assert theirs["workspace"]["slug"] == other_workspace.slug
    assert mine["api_key"]["prefix"] != theirs["api_key"]["prefix"]


# --- last_used_at -------------------------------------------------------------------------------


def _key_updates(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith("UPDATE") and "apikeys_apikey" in q["sql"]
    ]


def test_last_used_at_is_written_on_first_use(api, api_key):
    assert api_key.record.last_used_at is None
    before = timezone.now()

    with CaptureQueriesContext(connection) as queries:
        assert api.get(auth=api_key).status_code == 200

    api_key.record.refresh_from_db()
    assert api_key.record.last_used_at is not None
    assert before <= api_key.record.last_used_at <= timezone.now()
    assert len(_key_updates(queries.captured_queries)) == 1


def test_last_used_at_is_not_rewritten_within_a_minute(api, api_key):
    assert api.get(auth=api_key).status_code == 200
    api_key.record.refresh_from_db()
    first = api_key.record.last_used_at

    with CaptureQueriesContext(connection) as queries:
        assert api.get(auth=api_key).status_code == 200
        assert api.get(auth=api_key).status_code == 200

    api_key.record.refresh_from_db()
    assert api_key.record.last_used_at == first
    assert _key_updates(queries.captured_queries) == []


def test_last_used_at_is_rewritten_once_older_than_a_minute(api, api_key):
    old = timezone.now() - timedelta(minutes=2)
    ApiKey.objects.filter(pk=api_key.record.pk).update(last_used_at=old)

    assert api.get(auth=api_key).status_code == 200

    api_key.record.refresh_from_db()
    assert api_key.record.last_used_at > old + timedelta(minutes=1)


def test_a_refused_key_is_not_marked_used(api, api_key):
    api_key_revoke(api_key=api_key.record, revoked_by=None)

    api.get(auth=api_key)

    api_key.record.refresh_from_db()
    assert api_key.record.last_used_at is None
