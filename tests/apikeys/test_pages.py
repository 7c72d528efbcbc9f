"""Settings → API Keys and Plan & usage, through the Django test client: what owners, admins
and members see and may do, the key shown exactly once until "Done", revocation, the filter
that hides revoked keys, plans without the API. Expiry, rolling and renaming: test_expiry.py
and test_roll.py."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from accounts.plans import Plan
from apikeys.models import Access, ApiKey
from apikeys.services import api_key_authenticate, api_key_revoke
from tests.factories import MembershipFactory, UserFactory, make_key

LIST = "/settings/api-keys/"
INACTIVE = "/settings/api-keys/?status=inactive"
PLAN = "/settings/plan/"
FULL_KEY = re.compile(r"slk_[A-Za-z0-9]{40}")
ONCE_WARNING = "this key will only be displayed once"
GENERATE_BUTTON = ">Generate new API key</button>"
DONE_BUTTON = ">Done — I've saved it</button>"


def revoke_url(api_key) -> str:
    return f"/settings/api-keys/{api_key.pk}/revoke/"


def signed_in(user, **client_kwargs) -> Client:
    client = Client(**client_kwargs)
    client.force_login(user)
    return client


def member_of(workspace, role):
    return MembershipFactory(workspace=workspace, user=UserFactory(), role=role).user


def form_token(html: str) -> str:
    match = re.search(r'<input type="hidden" name="form_token" value="([^"]+)"', html)
    assert match, "the generate form has no form_token"
    return match.group(1)


def generate(client, name="ERP integration", access=Access.READ_WRITE, token=None, expires="never"):
    """GET the page, then POST its form back as a browser would."""
    if token is None:
        token = form_token(client.get(LIST).content.decode())
    data = {"name": name, "access": access, "expires": expires, "form_token": token}
    return client.post(LIST, data), token


def row(html: str, name: str) -> str:
    """The table row whose header cell is ``name``."""
    for candidate in re.findall(r"<tr>.*?</tr>", html, flags=re.S):
        if f'<th scope="row">{name}' in candidate:
            return candidate
    raise AssertionError(f"no row for {name!r}")


def has_row(html: str, name: str) -> bool:
    return f'<th scope="row">{name}' in html


def api_get(client, raw_key):
    return client.get("/api/v1/", secure=True, HTTP_AUTHORIZATION=f"Bearer {raw_key}")


@pytest.fixture
def owner_page(growth):
    return signed_in(growth.user)


# --- the list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_managers_see_every_key_with_its_details(growth, role):
    workspace = growth.workspace
    user = growth.user if role == Role.OWNER else member_of(workspace, role)
    active, _ = make_key(workspace, name="ERP sync", created_by=growth.user)
    reader, _ = make_key(workspace, name="Warehouse reader", access=Access.READ_ONLY)
    old, _ = make_key(workspace, name="Old shop", created_by=growth.user)
    api_key_revoke(api_key=old, revoked_by=user)

    client = signed_in(user)
    response = client.get(LIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert GENERATE_BUTTON in html
    erp = row(html, "ERP sync")
    assert f"<code>{active.prefix}…</code>" in erp
    assert "Read &amp; write" in erp
    assert f"by {growth.user.email}" in erp
    assert re.search(r"<time datetime=[^>]*>\d+ \w+ \d{4}, \d\d:\d\d UTC</time>", erp)  # created
    assert "Never" in erp  # last used
    assert ">No expiry</span>" in erp
    assert ">Active</span>" in erp
    assert 'aria-label="Revoke ERP sync">Revoke</a>' in erp
    assert 'aria-label="Roll key ERP sync">Roll key</a>' in erp
    assert 'aria-label="Rename ERP sync">Rename</a>' in erp
    assert "Read only" in row(html, "Warehouse reader")
    assert not has_row(html, "Old shop"), "revoked keys wait behind the filter"
    assert re.search(r'aria-current="page">Active <span class="badge">2</span>', html)
    assert 'status=inactive">Revoked and expired <span class="badge">1</span>' in html
    assert reader.key_hash not in html
    assert active.key_hash not in html

    html = client.get(INACTIVE).content.decode()
    revoked = row(html, "Old shop")
    assert f"<code>{old.prefix}…</code>" in revoked
    assert ">Revoked</span>" in revoked
    assert f"by {user.email}" in revoked
    assert ">Revoke</a>" not in revoked  # revocation is final: nothing to revoke again
    assert ">Roll key</a>" not in revoked
    assert not has_row(html, "ERP sync")
    assert 'aria-current="page">Revoked and expired' in html


def test_keys_of_other_workspaces_never_appear(owner_page, growth):
    elsewhere = MembershipFactory(role=Role.OWNER, workspace__plan=Plan.GROWTH).workspace
    theirs, _ = make_key(elsewhere, name="Their secret integration")
    mine, _ = make_key(growth.workspace, name="Mine")

    html = owner_page.get(LIST).content.decode()

    assert mine.prefix in html
    assert "Their secret integration" not in html
    assert theirs.prefix not in html


def test_a_used_key_shows_when_it_was_last_used(owner_page, growth):
    _api_key, raw_key = make_key(growth.workspace, name="ERP sync")
    assert api_get(Client(), raw_key).status_code == 200

    erp = row(owner_page.get(LIST).content.decode(), "ERP sync")

    assert "Never" not in erp
    # "x minutes ago", the exact time (with its zone) a hover away.
    assert re.search(
        r'<time datetime="[^"]+" title="\d+ \w+ \d{4}, [\d:]+ UTC">just now</time>', erp
    )


# --- generating: the key shown exactly once ---------------------------------------------------


@pytest.mark.parametrize("access", [Access.READ_WRITE, Access.READ_ONLY])
def test_generate_shows_the_full_key_once_with_copy_and_warning(owner_page, growth, access):
    response, _ = generate(owner_page, name="ERP integration", access=access)

    assert response.status_code == 200
    html = response.content.decode()
    shown = FULL_KEY.findall(html)
    assert len(set(shown)) == 1, "exactly one full key on the page"
    raw_key = shown[0]
    assert len(raw_key) == 44
    assert re.search(rf'value="{raw_key}"', html)
    assert ONCE_WARNING in html
    assert 'data-copy-target="new-api-key"' in html
    assert ">Copy</button>" in html
    assert 'class="mono"' in html
    # Leaving warns until "Done" (a submit inside the panel, to the plain list) is pressed.
    panel = re.search(r"<section[^>]*data-warn-unload=.*?</section>", html, flags=re.S).group()
    assert raw_key in panel
    assert f'<form method="get" action="{LIST}">' in panel
    assert DONE_BUTTON in panel
    assert GENERATE_BUTTON not in html, "the next key waits until this one is saved"

    api_key = ApiKey.objects.get()
    assert api_key.name == "ERP integration"
    assert api_key.access == access
    assert api_key.workspace == growth.workspace
    assert api_key.created_by == growth.user
    assert raw_key.startswith(api_key.prefix)
    assert api_key_authenticate(raw_key) == api_key


def test_the_list_never_shows_the_full_key_again(owner_page):
    response, _ = generate(owner_page)
    raw_key = FULL_KEY.search(response.content.decode()).group()
    api_key = ApiKey.objects.get()

    html = owner_page.get(LIST).content.decode()

    assert raw_key not in html
    assert raw_key[len(api_key.prefix) :] not in html
    assert FULL_KEY.search(html) is None
    assert ONCE_WARNING not in html
    assert f"<code>{api_key.prefix}…</code>" in html


def test_resubmitting_the_form_creates_no_second_key_and_shows_none(owner_page):
    first, token = generate(owner_page)
    assert FULL_KEY.search(first.content.decode())

    again, _ = generate(owner_page, token=token)  # the browser's "reload" re-POSTs the form

    assert ApiKey.objects.count() == 1
    assert again.status_code == 302
    followed = owner_page.get(again["Location"])
    html = followed.content.decode()
    assert FULL_KEY.search(html) is None
    assert "already created; it is not shown again" in html


def test_after_done_the_form_offers_a_fresh_token(owner_page):
    first, token = generate(owner_page, name="First")
    assert 'name="form_token"' not in first.content.decode()
    done = owner_page.get(LIST)  # "Done — I've saved it"
    assert DONE_BUTTON not in done.content.decode()
    fresh = form_token(done.content.decode())
    assert fresh != token

    second, _ = generate(owner_page, name="Second", token=fresh)

    assert FULL_KEY.search(second.content.decode())
    assert sorted(ApiKey.objects.values_list("name", flat=True)) == ["First", "Second"]


def test_key_pages_are_never_cached(owner_page):
    get_response = owner_page.get(LIST)
    post_response, _ = generate(owner_page)

    for response in (get_response, post_response):
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control
        assert "no-cache" in cache_control


@pytest.mark.parametrize("name", ["", "   "])
def test_a_key_needs_a_name(owner_page, name):
    response, _ = generate(owner_page, name=name)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="field has-error"' in html
    assert "This field is required." in html
    assert FULL_KEY.search(html) is None
    assert ApiKey.objects.count() == 0


def test_an_unknown_access_level_is_refused(owner_page):
    response, _ = generate(owner_page, access="admin")

    assert "Select a valid choice." in response.content.decode()
    assert ApiKey.objects.count() == 0


# --- members: read-only -----------------------------------------------------------------------


def test_member_sees_the_list_read_only(growth):
    api_key, _ = make_key(growth.workspace, name="ERP sync")
    member = signed_in(member_of(growth.workspace, Role.MEMBER))

    response = member.get(LIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert api_key.prefix in row(html, "ERP sync")
    assert GENERATE_BUTTON not in html
    assert 'name="form_token"' not in html
    assert ">Revoke</a>" not in html
    assert revoke_url(api_key) not in html
    assert ">Roll key</a>" not in html
    assert ">Rename</a>" not in html
    assert "Only owners and admins can generate, rename, roll or revoke keys." in html


def test_member_cannot_generate_by_direct_post(growth):
    member = signed_in(member_of(growth.workspace, Role.MEMBER))

    response = member.post(
        LIST,
        {"name": "Sneaky", "access": Access.READ_WRITE, "expires": "never", "form_token": "x"},
    )

    assert response.status_code == 403
    assert FULL_KEY.search(response.content.decode()) is None
    assert ApiKey.objects.count() == 0


def test_member_cannot_open_or_post_the_revoke_page(growth):
    api_key, raw_key = make_key(growth.workspace, name="ERP sync")
    member = signed_in(member_of(growth.workspace, Role.MEMBER))

    assert member.get(revoke_url(api_key)).status_code == 403
    assert member.post(revoke_url(api_key)).status_code == 403

    api_key.refresh_from_db()
    assert api_key.revoked_at is None
    assert api_key_authenticate(raw_key) == api_key


# --- revoking ---------------------------------------------------------------------------------


def test_revoke_confirmation_names_the_key_and_the_consequence(owner_page, growth):
    api_key, _ = make_key(growth.workspace, name="ERP sync")

    response = owner_page.get(revoke_url(api_key))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Revoke “ERP sync”?" in html
    assert f"<code>{api_key.prefix}…</code> fail at once" in html
    assert "cannot be undone" in html
    assert ">Revoke key</button>" in html
    api_key.refresh_from_db()
    assert api_key.revoked_at is None, "opening the confirmation revokes nothing"


def test_revoking_one_key_leaves_the_others_working(owner_page, growth):
    doomed, doomed_raw = make_key(growth.workspace, name="ERP sync")
    kept, kept_raw = make_key(growth.workspace, name="Warehouse")

    response = owner_page.post(revoke_url(doomed))

    assert response.status_code == 302
    assert response["Location"] == LIST
    doomed.refresh_from_db()
    kept.refresh_from_db()
    assert doomed.revoked_at is not None
    assert doomed.revoked_by == growth.user
    assert kept.revoked_at is None
    assert api_key_authenticate(doomed_raw) is None
    assert api_key_authenticate(kept_raw) == kept
    assert api_get(Client(), doomed_raw).status_code == 401
    assert api_get(Client(), kept_raw).status_code == 200

    html = owner_page.get(LIST).content.decode()
    assert "Revoked “ERP sync”. Requests with it now fail." in html
    assert ">Active</span>" in row(html, "Warehouse")
    assert not has_row(html, "ERP sync")
    assert ">Revoked</span>" in row(owner_page.get(INACTIVE).content.decode(), "ERP sync")


def test_revoking_twice_keeps_the_first_revocation(owner_page, growth):
    api_key, _ = make_key(growth.workspace, name="ERP sync")
    first_by = member_of(growth.workspace, Role.ADMIN)
    api_key_revoke(api_key=api_key, revoked_by=first_by)
    revoked_at = api_key.revoked_at

    owner_page.post(revoke_url(api_key))

    api_key.refresh_from_db()
    assert api_key.revoked_at == revoked_at
    assert api_key.revoked_by == first_by


def test_another_workspaces_key_is_not_found(owner_page):
    elsewhere = MembershipFactory(role=Role.OWNER, workspace__plan=Plan.GROWTH).workspace
    theirs, raw_key = make_key(elsewhere, name="Theirs")
    missing = theirs.pk + 1000

    assert owner_page.get(revoke_url(theirs)).status_code == 404
    assert owner_page.post(revoke_url(theirs)).status_code == 404
    assert owner_page.post(f"/settings/api-keys/{missing}/revoke/").status_code == 404

    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert api_key_authenticate(raw_key) == theirs


# --- plans without the API --------------------------------------------------------------------


def test_free_workspace_is_told_why_and_which_plans_include_the_api(db):
    owner = MembershipFactory(role=Role.OWNER, workspace__plan=Plan.FREE).user
    client = signed_in(owner)

    response = client.get(LIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert "The API is not available on the Free plan." in html
    assert "included in the Growth and Pro plans" in html
    assert GENERATE_BUTTON not in html
    assert 'name="form_token"' not in html

    posted = client.post(
        LIST, {"name": "ERP", "access": Access.READ_WRITE, "expires": "never", "form_token": "t"}
    )
    assert FULL_KEY.search(posted.content.decode()) is None
    assert ApiKey.objects.count() == 0


# --- CSRF -------------------------------------------------------------------------------------


def test_forms_are_csrf_protected(growth):
    api_key, _ = make_key(growth.workspace, name="ERP sync")
    client = signed_in(growth.user, enforce_csrf_checks=True)
    token = form_token(client.get(LIST).content.decode())
    data = {"name": "Forged", "access": Access.READ_WRITE, "expires": "never", "form_token": token}

    assert client.post(LIST, data).status_code == 403
    assert client.post(revoke_url(api_key)).status_code == 403
    assert ApiKey.objects.count() == 1
    api_key.refresh_from_db()
    assert api_key.revoked_at is None

    # The same requests with the page's CSRF token go through: the 403s were CSRF, not roles.
    csrf = {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    created = client.post(LIST, {**data, **csrf})
    assert FULL_KEY.search(created.content.decode())
    assert client.post(revoke_url(api_key), csrf).status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None


# --- Plan & usage -----------------------------------------------------------------------------


def test_plan_page_shows_todays_requests_per_working_key(owner_page, growth):
    busy, busy_raw = make_key(growth.workspace, name="ERP sync")
    idle, _ = make_key(growth.workspace, name="Warehouse")
    gone, gone_raw = make_key(growth.workspace, name="Old shop")
    lapsed, _ = make_key(growth.workspace, name="Trial integration")
    api = Client()
    assert api_get(api, gone_raw).status_code == 200
    api_key_revoke(api_key=gone, revoked_by=growth.user)
    ApiKey.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now())
    for _ in range(3):
        assert api_get(api, busy_raw).status_code == 200

    html = owner_page.get(PLAN).content.decode()

    # Today's table only: the 7-day history below it may still show a key revoked today.
    today = html[html.index("Today's API usage") :].split("</table>")[0]
    busy_row = row(today, "ERP sync")
    assert f"<code>{busy.prefix}…</code>" in busy_row
    assert "<td>3</td><td>497</td>" in busy_row
    idle_row = row(today, "Warehouse")
    assert f"<code>{idle.prefix}…</code>" in idle_row
    assert "<td>0</td><td>500</td>" in idle_row
    assert gone.prefix not in today
    assert lapsed.prefix not in today
