"""The staff admin: keys are visible and revocable, their secret never is; no add or delete."""

import pytest
from django.test import Client

from accounts.models import Role
from accounts.plans import Plan
from apikeys.models import ApiKey
from apikeys.services import api_key_authenticate, api_key_revoke
from tests.factories import MembershipFactory, UserFactory, make_key

CHANGELIST = "/admin/apikeys/apikey/"


@pytest.fixture
def staff(db):
    user = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture
def workspace(db):
    return MembershipFactory(role=Role.OWNER, workspace__plan=Plan.GROWTH).workspace


def assert_no_secret(html, api_key, raw_key):
    assert api_key.key_hash not in html
    assert raw_key not in html
    assert raw_key[len(api_key.prefix) :] not in html


def test_changelist_shows_keys_but_no_secret(staff, workspace):
    _, client = staff
    api_key, raw_key = make_key(workspace, name="ERP sync")
    revoked, revoked_raw = make_key(workspace, name="Old shop")
    api_key_revoke(api_key=revoked, revoked_by=None)

    response = client.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert "ERP sync" in html
    assert api_key.prefix in html
    assert "Old shop" in html
    assert revoked.prefix in html
    assert ">Active<" in html
    assert ">Revoked<" in html
    assert_no_secret(html, api_key, raw_key)
    assert_no_secret(html, revoked, revoked_raw)


def test_change_page_shows_the_prefix_but_no_secret(staff, workspace):
    _, client = staff
    api_key, raw_key = make_key(workspace, name="ERP sync")

    response = client.get(f"{CHANGELIST}{api_key.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert api_key.prefix in html
    assert "ERP sync" in html
    assert_no_secret(html, api_key, raw_key)
    assert "key_hash" not in html.lower().replace("-", "_")


def test_search_finds_a_key_by_its_prefix(staff, workspace):
    _, client = staff
    api_key, _ = make_key(workspace, name="ERP sync")
    make_key(workspace, name="Warehouse")

    html = client.get(CHANGELIST, {"q": api_key.prefix}).content.decode()

    assert "ERP sync" in html
    assert "Warehouse" not in html


def test_revoke_action_revokes_the_selected_keys_only(staff, workspace):
    user, client = staff
    first, first_raw = make_key(workspace, name="First")
    second, second_raw = make_key(workspace, name="Second")
    kept, kept_raw = make_key(workspace, name="Kept")
    earlier_by = UserFactory()
    already, _ = make_key(workspace, name="Already")
    api_key_revoke(api_key=already, revoked_by=earlier_by)
    revoked_at = already.revoked_at

    response = client.post(
        CHANGELIST,
        {"action": "revoke_keys", "_selected_action": [first.pk, second.pk, already.pk]},
    )

    assert response.status_code == 302
    for api_key, raw_key in ((first, first_raw), (second, second_raw)):
        api_key.refresh_from_db()
        assert api_key.revoked_at is not None
        assert api_key.revoked_by == user
        assert api_key_authenticate(raw_key) is None
    kept.refresh_from_db()
    assert kept.revoked_at is None
    assert api_key_authenticate(kept_raw) == kept
    already.refresh_from_db()
    assert (already.revoked_at, already.revoked_by) == (revoked_at, earlier_by)
    assert "Revoked 2 API key(s)." in client.get(CHANGELIST).content.decode()


def test_the_action_is_offered_by_name(staff, workspace):
    _, client = staff
    make_key(workspace, name="ERP sync")

    html = client.get(CHANGELIST).content.decode()

    assert "Revoke selected API keys" in html
    assert "delete_selected" not in html


def test_keys_cannot_be_added_changed_or_deleted_in_the_admin(staff, workspace):
    _, client = staff
    api_key, raw_key = make_key(workspace, name="ERP sync")

    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}add/", {"name": "Staff key"}).status_code == 403
    assert client.get(f"{CHANGELIST}{api_key.pk}/delete/").status_code == 403
    assert client.post(f"{CHANGELIST}{api_key.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"{CHANGELIST}{api_key.pk}/change/", {"name": "X"}).status_code == 403

    api_key.refresh_from_db()
    assert ApiKey.objects.count() == 1
    assert api_key.name == "ERP sync"
    assert api_key_authenticate(raw_key) == api_key
