"""Rolling a key (a new key of the same name, access and lifetime; the old one works 24 more
hours, then is revoked) and renaming one: the services, the API, the periodic task and the
pages agreeing on what works. Time moves with time-machine."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import Role
from accounts.plans import Plan
from accounts.services import workspace_set_plan
from apikeys import tasks
from apikeys.models import Access, ApiKey
from apikeys.services import (
    api_key_authenticate,
    api_key_create,
    api_key_rename,
    api_key_revoke,
    api_key_roll,
)
from tests.apikeys.conftest import START
from tests.factories import MembershipFactory, UserFactory

LIST = "/settings/api-keys/"
INACTIVE = "/settings/api-keys/?status=inactive"
FULL_KEY = re.compile(r"slk_[A-Za-z0-9]{40}")
GRACE = timedelta(hours=24)


def signed_in(user):
    """A client signed in afresh for each request: a session would not outlive the travel."""

    class FreshlySignedIn(Client):
        def request(self, **request):
            self.force_login(user)
            return super().request(**request)

    return FreshlySignedIn()


@pytest.fixture
def owner_page(growth):
    return signed_in(growth.user)


def create(growth, name="ERP sync", lifetime_days=30, access=Access.READ_ONLY):
    return api_key_create(
        workspace=growth.workspace,
        name=name,
        access=access,
        lifetime_days=lifetime_days,
        created_by=growth.user,
    )


def api_get(raw_key):
    return Client().get("/api/v1/", secure=True, HTTP_AUTHORIZATION=f"Bearer {raw_key}")


def row(html: str, prefix: str) -> str:
    """The table row of the key with this prefix."""
    for candidate in re.findall(r"<tr>.*?</tr>", html, flags=re.S):
        if f"<td><code>{prefix}…</code></td>" in candidate:
            return candidate
    raise AssertionError(f"no row for {prefix!r}")


def roll_url(api_key) -> str:
    return f"/settings/api-keys/{api_key.pk}/roll/"


def rename_url(api_key) -> str:
    return f"/settings/api-keys/{api_key.pk}/rename/"


# --- the service --------------------------------------------------------------------------------


def test_rolling_makes_a_twin_and_gives_the_old_key_24_hours(growth, clock):
    roller = MembershipFactory(workspace=growth.workspace, role=Role.ADMIN, user=UserFactory())
    old, old_raw = create(growth, lifetime_days=90)
    clock.move_to(START + timedelta(days=10))

    new, new_raw = api_key_roll(api_key=old, rolled_by=roller.user)

    rolled_at = START + timedelta(days=10)
    assert new_raw != old_raw
    assert new_raw.startswith(new.prefix)
    assert (new.name, new.access, new.lifetime_days) == ("ERP sync", Access.READ_ONLY, 90)
    assert new.expires_at == rolled_at + timedelta(days=90), "a fresh lifetime of the same length"
    assert new.workspace == growth.workspace
    assert new.created_by == roller.user
    assert new.rolled_from == old
    old.refresh_from_db()
    assert old.expires_at == rolled_at + GRACE
    assert old.revoked_at is None
    assert old.rolled_to == new
    assert api_key_authenticate(old_raw) == old
    assert api_key_authenticate(new_raw) == new

    clock.move_to(rolled_at + GRACE)
    assert api_key_authenticate(old_raw) is None
    assert api_key_authenticate(new_raw) == new


def test_a_key_that_never_expires_rolls_to_one_that_never_expires(growth, clock):
    old, _ = create(growth, lifetime_days=None)

    new, _ = api_key_roll(api_key=old, rolled_by=growth.user)

    assert new.expires_at is None
    assert new.lifetime_days is None
    old.refresh_from_db()
    assert old.expires_at == START + GRACE


def test_rolling_never_lengthens_the_old_keys_life(growth, clock):
    old, old_raw = create(growth, lifetime_days=30)
    clock.move_to(START + timedelta(days=30) - timedelta(hours=3))

    api_key_roll(api_key=old, rolled_by=growth.user)

    old.refresh_from_db()
    assert old.expires_at == START + timedelta(days=30)
    clock.move_to(START + timedelta(days=30))
    assert api_key_authenticate(old_raw) is None


def test_a_warm_copy_learns_of_the_roll_at_once(growth, clock):
    old, old_raw = create(growth, lifetime_days=None)
    assert api_get(old_raw).status_code == 200  # this process now holds the key's copy

    api_key_roll(api_key=old, rolled_by=growth.user)
    clock.move_to(START + GRACE)

    refused = api_get(old_raw)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_api_key"


def test_a_key_is_rolled_once(growth, clock):
    old, _ = create(growth)
    new, _ = api_key_roll(api_key=old, rolled_by=growth.user)

    with pytest.raises(ValidationError) as raised:
        api_key_roll(api_key=old, rolled_by=growth.user)

    assert raised.value.messages == [
        f"“ERP sync” was already rolled: its new key starts {new.prefix}…"
    ]
    assert ApiKey.objects.count() == 2
    old.refresh_from_db()
    assert old.expires_at == START + GRACE, "the refused roll changed nothing"


def test_the_successor_rolls_in_turn(growth, clock):
    first, _ = create(growth)
    second, _ = api_key_roll(api_key=first, rolled_by=growth.user)

    third, third_raw = api_key_roll(api_key=second, rolled_by=growth.user)

    assert third.rolled_from == second
    assert api_key_authenticate(third_raw) == third


def test_revoked_and_expired_keys_cannot_be_rolled(growth, clock):
    revoked, _ = create(growth, name="Revoked")
    api_key_revoke(api_key=revoked, revoked_by=growth.user)
    expired, _ = create(growth, name="Expired")
    clock.move_to(START + timedelta(days=30))

    for api_key, word in [(revoked, "revoked"), (expired, "expired")]:
        with pytest.raises(ValidationError) as raised:
            api_key_roll(api_key=api_key, rolled_by=growth.user)
        assert raised.value.messages == [f"“{api_key.name}” is {word}: generate a new key instead."]
    assert ApiKey.objects.count() == 2


# --- the end of the grace -----------------------------------------------------------------------


def test_the_task_revokes_rolled_keys_once_their_grace_ends(growth, clock):
    roller = MembershipFactory(workspace=growth.workspace, role=Role.ADMIN, user=UserFactory())
    old, old_raw = create(growth)
    new, new_raw = api_key_roll(api_key=old, rolled_by=roller.user)
    plain, _ = create(growth, name="Plain", lifetime_days=30)

    clock.move_to(START + GRACE - timedelta(seconds=1))
    assert tasks.end_rolled_keys() == 0

    clock.move_to(START + GRACE + timedelta(minutes=7))  # beat runs a few minutes late
    assert tasks.end_rolled_keys() == 1
    assert tasks.end_rolled_keys() == 0, "idempotent"

    old.refresh_from_db()
    assert old.revoked_at == START + GRACE, "revoked as of the end of its grace"
    assert old.revoked_by == roller.user
    assert api_key_authenticate(old_raw) is None
    assert api_key_authenticate(new_raw) == new
    clock.move_to(START + timedelta(days=31))
    assert tasks.end_rolled_keys() == 0
    plain.refresh_from_db()
    assert plain.revoked_at is None, "an expired key that was never rolled stays expired"


# --- renaming -----------------------------------------------------------------------------------


def test_renaming_keeps_the_key_and_the_api_says_the_new_name_at_once(growth, clock):
    api_key, raw_key = create(growth)
    assert api_get(raw_key).json()["api_key"]["name"] == "ERP sync"  # a warm copy

    api_key_rename(api_key=api_key, name="  ERP sync (production)  ")

    api_key.refresh_from_db()
    assert api_key.name == "ERP sync (production)"
    answer = api_get(raw_key)
    assert answer.status_code == 200
    assert answer.json()["api_key"]["name"] == "ERP sync (production)"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "Give the key a name, such as “ERP integration”."),
        ("x" * 101, "Ensure this value has at most 100 characters (it has 101)."),
    ],
)
def test_a_rename_needs_a_name_that_fits(growth, name, message):
    api_key, _ = create(growth)

    with pytest.raises(ValidationError) as raised:
        api_key_rename(api_key=api_key, name=name)

    assert raised.value.message_dict == {"name": [message]}
    api_key.refresh_from_db()
    assert api_key.name == "ERP sync"


# --- the pages ----------------------------------------------------------------------------------


def test_the_roll_confirmation_names_the_key_and_the_consequence(owner_page, growth, clock):
    api_key, _ = create(growth)

    html = owner_page.get(roll_url(api_key)).content.decode()

    assert "<h1>Roll “ERP sync”?</h1>" in html
    assert "A new key replaces it; the old one keeps working for 24 hours." in html
    assert "same name and access (Read only) and expires 30 days from now" in html
    assert f"<code>{api_key.prefix}…</code> is then revoked at 2 Dec 2026, 09:30 UTC" in html
    assert ">Roll key</button>" in html
    assert ApiKey.objects.count() == 1, "opening the confirmation rolls nothing"


def test_rolling_through_the_page_shows_the_new_key_once(owner_page, growth, clock):
    old, old_raw = create(growth)

    response = owner_page.post(roll_url(old))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    new = ApiKey.objects.get(rolled_from=old)
    (shown,) = set(FULL_KEY.findall(html))
    assert shown.startswith(new.prefix)
    panel = re.search(r"<section[^>]*data-warn-unload=.*?</section>", html, flags=re.S).group()
    assert "The new key for “ERP sync”" in panel
    assert "this key will only be displayed once" in panel
    assert ">Copy</button>" in panel
    assert (
        ">Done — I&#x27;ve saved it</button>" in panel or ">Done — I've saved it</button>" in panel
    )
    assert f"<code>{old.prefix}…</code> keeps working until 2 Dec 2026, 09:30 UTC" in panel
    assert api_get(old_raw).status_code == 200
    assert api_get(shown).status_code == 200

    again = owner_page.post(roll_url(old))  # "reload" re-POSTs: refused, nothing shown
    assert again.status_code == 302
    followed = owner_page.get(again["Location"]).content.decode()
    assert FULL_KEY.search(followed) is None
    assert f"was already rolled: its new key starts {new.prefix}…" in followed
    assert ApiKey.objects.count() == 2


def test_the_list_and_the_api_agree_through_the_grace(owner_page, growth, clock):
    old, old_raw = create(growth, lifetime_days=None)
    owner_page.post(roll_url(old))
    new = ApiKey.objects.get(rolled_from=old)

    html = owner_page.get(LIST).content.decode()
    during = row(html, old.prefix)
    assert ">Active</span>" in during
    assert 'title="2 Dec 2026, 09:30:00 UTC">Expires in 24 hours</time>' in during
    assert f"Rolled: replaced by <code>{new.prefix}…</code>" in during
    assert ">Roll key</a>" not in during, "rolled once"
    assert ">Revoke</a>" in during, "may still be cut short"
    assert f"Replaces <code>{old.prefix}…</code>" in row(html, new.prefix)
    assert api_get(old_raw).status_code == 200

    clock.move_to(START + GRACE)  # over, and the task has not run yet
    assert api_get(old_raw).status_code == 401
    assert f"<td><code>{old.prefix}…</code></td>" not in owner_page.get(LIST).content.decode()
    after = row(owner_page.get(INACTIVE).content.decode(), old.prefix)
    assert ">Expired</span>" in after

    tasks.end_rolled_keys()
    assert api_get(old_raw).status_code == 401
    revoked = row(owner_page.get(INACTIVE).content.decode(), old.prefix)
    assert ">Revoked</span>" in revoked
    assert f"2 Dec 2026, 09:30 UTC</time> by {growth.user.email}" in revoked


def test_members_cannot_roll_or_rename(growth, clock):
    api_key, raw_key = create(growth)
    member = signed_in(
        MembershipFactory(workspace=growth.workspace, role=Role.MEMBER, user=UserFactory()).user
    )

    for url in (roll_url(api_key), rename_url(api_key)):
        assert member.get(url).status_code == 403
        assert member.post(url, {"name": "Sneaky"}).status_code == 403

    api_key.refresh_from_db()
    assert api_key.name == "ERP sync"
    assert api_key.expires_at == START + timedelta(days=30)
    assert ApiKey.objects.count() == 1
    assert api_key_authenticate(raw_key) == api_key


def test_another_workspaces_key_cannot_be_rolled_or_renamed(owner_page, clock):
    other = MembershipFactory(role=Role.OWNER, workspace__plan=Plan.GROWTH)
    theirs, _ = create(other, name="Theirs")

    for url in (roll_url(theirs), rename_url(theirs)):
        assert owner_page.get(url).status_code == 404
        assert owner_page.post(url, {"name": "Mine now"}).status_code == 404

    theirs.refresh_from_db()
    assert theirs.name == "Theirs"
    assert ApiKey.objects.count() == 1


def test_a_plan_without_the_api_offers_no_roll(owner_page, growth, clock):
    api_key, _ = create(growth)
    workspace_set_plan(workspace=growth.workspace, plan=Plan.FREE)

    assert ">Roll key</a>" not in owner_page.get(LIST).content.decode()
    assert owner_page.get(roll_url(api_key)).status_code == 403
    assert owner_page.post(roll_url(api_key)).status_code == 403
    assert ApiKey.objects.count() == 1


def test_renaming_through_the_page(owner_page, growth, clock):
    api_key, raw_key = create(growth)

    form = owner_page.get(rename_url(api_key)).content.decode()
    assert "<h1>Rename “ERP sync”</h1>" in form
    assert 'value="ERP sync"' in form
    assert ">Save</button>" in form

    response = owner_page.post(rename_url(api_key), {"name": "Warehouse sync"})

    assert response.status_code == 302
    assert response["Location"] == LIST
    html = owner_page.get(LIST).content.decode()
    assert "Renamed “ERP sync” to “Warehouse sync”." in html
    assert '<th scope="row">Warehouse sync' in row(html, api_key.prefix)
    assert api_get(raw_key).json()["api_key"]["name"] == "Warehouse sync"


def test_a_blank_name_is_refused_beside_the_field(owner_page, growth):
    api_key, _ = create(growth)

    html = owner_page.post(rename_url(api_key), {"name": "   "}).content.decode()

    assert 'class="field has-error"' in html
    assert "This field is required." in html
    api_key.refresh_from_db()
    assert api_key.name == "ERP sync"


def test_the_roll_page_of_a_key_that_cannot_be_rolled_says_why(owner_page, growth, clock):
    rolled, _ = create(growth, name="Rolled")
    new, _ = api_key_roll(api_key=rolled, rolled_by=growth.user)
    revoked, _ = create(growth, name="Revoked")
    api_key_revoke(api_key=revoked, revoked_by=growth.user)

    for api_key, why in [
        (rolled, f"“Rolled” was already rolled: its new key starts {new.prefix}…"),
        (revoked, "“Revoked” is revoked: generate a new key instead."),
    ]:
        response = owner_page.get(roll_url(api_key))
        assert response.status_code == 302
        assert response["Location"] == LIST
        assert why in owner_page.get(LIST).content.decode()
    assert ApiKey.objects.count() == 3
