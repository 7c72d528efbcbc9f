"""Keys that expire: the "Expires" choice, the API refusing a key past its expiry exactly like a
revoked one (also from a warm cached copy), the list's expiry badge and filter, and the owners'
email 7 days before, once per key. Time moves with time-machine, never with sleeps."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import Role
from accounts.plans import Plan
from apikeys import tasks
from apikeys.models import Access, ApiKey
from apikeys.selectors import api_keys_active
from apikeys.services import (
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
    api_key_roll,
)
from tests.apikeys.conftest import START
from tests.factories import MembershipFactory, UserFactory

LIST = "/settings/api-keys/"
INACTIVE = "/settings/api-keys/?status=inactive"


@pytest.fixture
def owner_page(growth):
    """The owner's client, signed in afresh for each request: a session would not outlive a
    month of travelling."""

    class FreshlySignedIn(Client):
        def request(self, **request):
            self.force_login(growth.user)
            return super().request(**request)

    return FreshlySignedIn()


def create(growth, name="ERP sync", lifetime_days=30):
    return api_key_create(
        workspace=growth.workspace, name=name, lifetime_days=lifetime_days, created_by=growth.user
    )


def api_get(raw_key):
    return Client().get("/api/v1/", secure=True, HTTP_AUTHORIZATION=f"Bearer {raw_key}")


def row(html: str, name: str) -> str:
    for candidate in re.findall(r"<tr>.*?</tr>", html, flags=re.S):
        if f'<th scope="row">{name}' in candidate:
            return candidate
    raise AssertionError(f"no row for {name!r}")


# --- creating -----------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [30, 90, 365])
def test_a_key_expires_after_its_lifetime(growth, clock, days):
    api_key, _ = create(growth, lifetime_days=days)

    assert api_key.lifetime_days == days
    assert api_key.expires_at == START + timedelta(days=days)
    assert api_key.is_active


def test_a_key_without_a_lifetime_never_expires(growth, clock):
    api_key, raw_key = create(growth, lifetime_days=None)
    clock.move_to(START + timedelta(days=3650))

    assert api_key.expires_at is None
    assert api_key_authenticate(raw_key) == api_key


@pytest.mark.parametrize("days", [0, 7, 31, -30])
def test_only_the_offered_lifetimes_are_accepted(growth, days):
    with pytest.raises(ValidationError) as raised:
        create(growth, lifetime_days=days)

    assert raised.value.message_dict == {
        "lifetime_days": ["A key expires after 30, 90, 365 days, or never."]
    }
    assert not ApiKey.objects.exists()


def test_the_form_offers_read_only_and_never_by_default_in_fieldsets(owner_page):
    html = owner_page.get(LIST).content.decode()

    for legend, checked, others in [
        ("Access", "Read only", ["Read &amp; write"]),
        ("Expires", "Never", ["30 days", "90 days", "365 days"]),
    ]:
        fieldset = re.search(
            rf"<fieldset[^>]*>\s*<legend>{legend}</legend>.*?</fieldset>", html, re.S
        )
        assert fieldset, f"no fieldset with the legend {legend!r}"
        radios = re.findall(
            r"(<input[^>]*>)\s*<label[^>]*>\s*([^<]+?)\s*</label>", fieldset.group()
        )
        labels = {text: tag for tag, text in radios}
        assert set(labels) == {checked, *others}
        assert "checked" in labels[checked]
        assert all("checked" not in labels[other] for other in others)
        assert all('type="radio"' in tag for tag in labels.values())


def test_generating_with_an_expiry_through_the_page(owner_page, growth, clock):
    html = owner_page.get(LIST).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    data = {"name": "ERP sync", "access": Access.READ_ONLY, "expires": "90", "form_token": token}

    response = owner_page.post(LIST, data)

    assert response.status_code == 200
    api_key = ApiKey.objects.get()
    assert api_key.access == Access.READ_ONLY
    assert api_key.expires_at == START + timedelta(days=90)


def test_an_unknown_expiry_is_refused_beside_its_field(owner_page):
    html = owner_page.get(LIST).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    data = {"name": "ERP", "access": Access.READ_ONLY, "expires": "7", "form_token": token}

    html = owner_page.post(LIST, data).content.decode()

    assert re.search(r'<fieldset class="field choices has-error"[^>]*>\s*<legend>Expires', html)
    assert "Select a valid choice." in html
    assert not ApiKey.objects.exists()


# --- the API at and after the expiry ------------------------------------------------------------


def test_the_api_refuses_an_expired_key_like_a_revoked_one(growth, clock):
    _expiring, expiring_raw = create(growth, name="Expiring")
    revoked, revoked_raw = create(growth, name="Revoked")
    api_key_revoke(api_key=revoked, revoked_by=growth.user)
    assert api_get(expiring_raw).status_code == 200  # and this process now holds its copy

    clock.move_to(START + timedelta(days=30) - timedelta(seconds=1))
    assert api_get(expiring_raw).status_code == 200, "still works its last second"

    clock.move_to(START + timedelta(days=30))
    expired = api_get(expiring_raw)
    refused = api_get(revoked_raw)

    assert expired.status_code == refused.status_code == 401
    assert expired.json()["error"]["code"] == refused.json()["error"]["code"] == "invalid_api_key"
    assert expired.json()["error"]["message"] == refused.json()["error"]["message"]
    assert expired["WWW-Authenticate"] == refused["WWW-Authenticate"]


def test_a_warm_copy_stops_at_the_expiry_without_a_query(growth, clock, django_assert_num_queries):
    api_key, raw_key = create(growth)
    assert api_key_authenticate(raw_key, confirmed=False) == api_key  # the copy is filled

    clock.move_to(START + timedelta(days=30))
    with django_assert_num_queries(0):
        assert api_key_authenticate(raw_key, confirmed=False) is None
        assert api_key_authenticate(raw_key) is None


def test_expired_keys_are_not_among_the_active_ones(growth, clock):
    lasting, _ = create(growth, name="Lasting", lifetime_days=None)
    create(growth, name="Short")

    clock.move_to(START + timedelta(days=30))

    assert api_keys_active(growth.workspace) == [lasting]


# --- the list -----------------------------------------------------------------------------------


def test_the_list_shows_an_expiry_badge_with_the_exact_time(owner_page, growth, clock):
    create(growth, name="Monthly", lifetime_days=30)
    create(growth, name="Forever", lifetime_days=None)

    html = owner_page.get(LIST).content.decode()
    assert (
        '<span class="badge badge-ok"><time datetime="2026-12-31T09:30:00+00:00" '
        'title="31 Dec 2026, 09:30:00 UTC">Expires in 30 days</time></span>'
    ) in row(html, "Monthly")
    assert '<span class="badge">No expiry</span>' in row(html, "Forever")

    clock.move_to(START + timedelta(days=25))
    assert "Expires in 5 days</time>" in row(owner_page.get(LIST).content.decode(), "Monthly")
    assert 'class="badge badge-warn"' in row(owner_page.get(LIST).content.decode(), "Monthly")

    clock.move_to(START + timedelta(days=29, hours=21))
    assert "Expires in 3 hours</time>" in row(owner_page.get(LIST).content.decode(), "Monthly")


def test_an_expired_key_leaves_the_list_for_the_filter(owner_page, growth, clock):
    create(growth, name="Monthly")
    clock.move_to(START + timedelta(days=30))

    html = owner_page.get(LIST).content.decode()
    assert '<th scope="row">Monthly' not in html
    assert "No active API keys. Revoked and expired ones are under" in html

    expired = row(owner_page.get(INACTIVE).content.decode(), "Monthly")
    assert ">Expired</span>" in expired  # the status
    assert 'title="31 Dec 2026, 09:30:00 UTC">Expired</time>' in expired  # the expiry badge
    assert ">Roll key</a>" not in expired
    assert ">Revoke</a>" not in expired


@pytest.mark.parametrize(
    ("left", "words"),
    [
        (timedelta(days=365), "Expires in 365 days"),
        (timedelta(days=2), "Expires in 2 days"),
        (timedelta(days=1, hours=23, minutes=59), "Expires in 48 hours"),
        (timedelta(hours=24), "Expires in 24 hours"),
        (timedelta(hours=2), "Expires in 2 hours"),
        (timedelta(hours=1, minutes=59), "Expires in 119 minutes"),
        (timedelta(minutes=1), "Expires in 1 minute"),
        (timedelta(seconds=59), "Expires in less than a minute"),
    ],
)
def test_the_badge_says_what_is_left_in_one_unit(growth, clock, left, words):
    from apikeys.templatetags.api_keys import expiry_badge

    api_key, _ = create(growth)
    api_key.expires_at = START + left

    assert f">{words}</time>" in expiry_badge(api_key)


# --- the owners' warning ------------------------------------------------------------------------


@pytest.fixture
def warn(django_capture_on_commit_callbacks, mailoutbox):
    """Run the periodic task (its emails go once its transaction commits); the outbox."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.warn_expiring_keys()

    return run


def test_owners_are_emailed_once_7_days_before(growth, clock, warn, mailoutbox):
    workspace = growth.workspace
    second_owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    for role in (Role.ADMIN, Role.MEMBER):
        MembershipFactory(workspace=workspace, role=role, user=UserFactory())
    api_key, _ = create(growth, name="ERP sync")

    clock.move_to(START + timedelta(days=23) - timedelta(seconds=1))
    assert warn() == 0
    assert mailoutbox == []

    clock.move_to(START + timedelta(days=23))
    assert warn() == 1
    (message,) = mailoutbox
    assert sorted(message.to) == sorted([growth.user.email, second_owner.email])
    assert message.subject == f"An API key of {workspace.name} expires on 31 Dec 2026"
    assert f"“ERP sync” ({api_key.prefix}…)" in message.body
    assert "31 Dec 2026 at 09:30 UTC" in message.body
    assert "“Roll key”" in message.body
    api_key.refresh_from_db()
    assert api_key.expiry_warned_at == START + timedelta(days=23)

    clock.move_to(START + timedelta(days=26))
    assert warn() == 0
    assert len(mailoutbox) == 1, "once per key"


def test_keys_that_need_no_warning_get_none(growth, clock, warn, mailoutbox):
    create(growth, name="Forever", lifetime_days=None)
    create(growth, name="Later", lifetime_days=90)
    revoked, _ = create(growth, name="Revoked")
    api_key_revoke(api_key=revoked, revoked_by=growth.user)
    rolled, _ = create(growth, name="Rolled")
    successor, _ = api_key_roll(api_key=rolled, rolled_by=growth.user)
    lapsed, _ = create(growth, name="Lapsed")
    ApiKey.objects.filter(pk=lapsed.pk).update(expires_at=START)

    clock.move_to(START + timedelta(days=23))
    assert warn() == 1  # the rolled key's successor, 30 days from its roll at START
    (message,) = mailoutbox
    assert successor.prefix in message.body
    for quiet in ("Forever", "Later", "Revoked", "Lapsed"):
        assert quiet not in message.body
    assert rolled.prefix not in message.body


def test_each_workspace_hears_only_of_its_own_keys(growth, clock, warn, mailoutbox):
    other = MembershipFactory(role=Role.OWNER, workspace__plan=Plan.GROWTH)
    mine, _ = create(growth, name="Mine")
    theirs, _ = create(other, name="Theirs")

    clock.move_to(START + timedelta(days=24))
    assert warn() == 2

    sent = {tuple(message.to): message.body for message in mailoutbox}
    assert set(sent) == {(growth.user.email,), (other.user.email,)}
    assert mine.prefix in sent[(growth.user.email,)]
    assert theirs.prefix not in sent[(growth.user.email,)]
    assert theirs.prefix in sent[(other.user.email,)]
