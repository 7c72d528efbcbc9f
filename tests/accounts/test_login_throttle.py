"""Failed logins lock an (account, address) pair, and an account failed from anywhere (SPEC §3).

django-axes counts the pairs; accounts.auth adds the account-wide limit. All through the login
view, as a person (or an attacker) meets them.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db.models import F

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PAIR_LIMIT = 5
ACCOUNT_LIMIT = 20
LOCKOUT_TEXT = "Too many failed log-in attempts"
WARNING = "One more failed attempt will pause logging in for this account for 15 minutes."


def log_in(client, email, password, ip, **extra):
    return client.post(
        "/login/", {"username": email, "password": password}, REMOTE_ADDR=ip, **extra
    )


def fail(client, email, ips):
    """One wrong password per address in ``ips``; the last answer."""
    response = None
    for n, ip in enumerate(ips):
        response = log_in(client, email, f"wrong-{n}", ip)
    return response


def assert_logged_in(response, client, user):
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.session["_auth_user_id"] == str(user.pk)
    client.post("/logout/")


def assert_locked(response, client):
    assert response.status_code == 429
    assert LOCKOUT_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session


def age_failures(minutes):
    """Move every recorded failure back in time instead of waiting."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def addresses(count, prefix="10.1"):
    return [f"{prefix}.{n // 250}.{n % 250 + 1}" for n in range(count)]


# --- the (account, address) pair ---------------------------------------------------------------


def test_fewer_failures_than_the_limit_do_not_lock(client):
    user = UserFactory()
    for _ in range(PAIR_LIMIT - 1):
        assert log_in(client, user.email, "wrong", "10.0.0.1").status_code == 200
    assert_logged_in(log_in(client, user.email, DEFAULT_PASSWORD, "10.0.0.1"), client, user)


def test_failures_for_one_account_from_one_address_lock_that_pair(client):
    user = UserFactory()
    fail(client, user.email, ["192.0.2.7"] * PAIR_LIMIT)

    assert_locked(log_in(client, user.email, DEFAULT_PASSWORD, "192.0.2.7"), client)
    # The same account from another address is not locked: the pair is.
    assert_logged_in(log_in(client, user.email, DEFAULT_PASSWORD, "192.0.2.8"), client, user)


def test_a_bystander_at_the_locked_address_logs_in(client):
    """An office behind one NAT: one person's lock is not everyone's."""
    UserFactory(email="victim@example.com")
    bystander = UserFactory(email="bystander@example.com")
    fail(client, "victim@example.com", ["192.0.2.7"] * PAIR_LIMIT)
    assert_locked(log_in(client, "victim@example.com", DEFAULT_PASSWORD, "192.0.2.7"), client)

    response = log_in(client, "bystander@example.com", DEFAULT_PASSWORD, "192.0.2.7")
    assert_logged_in(response, client, bystander)


def test_failures_for_many_accounts_from_one_address_lock_no_one(client):
    user = UserFactory()
    for n in range(PAIR_LIMIT * 2):
        log_in(client, f"nobody{n}@example.com", "wrong", "192.0.2.7")

    assert_logged_in(log_in(client, user.email, DEFAULT_PASSWORD, "192.0.2.7"), client, user)


def test_failures_spelled_in_different_cases_count_for_one_pair(client):
    UserFactory(email="ann@example.com")
    spellings = ["ann@example.com", "ANN@example.com", "Ann@Example.com", " ann@example.com"]
    for n in range(PAIR_LIMIT):
        log_in(client, spellings[n % len(spellings)], "wrong", "10.0.3.1")

    assert_locked(log_in(client, "ann@example.com", DEFAULT_PASSWORD, "10.0.3.1"), client)


def test_a_spoofed_forwarded_for_header_does_not_escape_the_pair_lock(client):
    user = UserFactory()
    for n in range(PAIR_LIMIT):
        log_in(client, user.email, "wrong", "192.0.2.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    response = log_in(
        client, user.email, DEFAULT_PASSWORD, "192.0.2.7", HTTP_X_FORWARDED_FOR="203.0.113.200"
    )
    assert_locked(response, client)


def test_behind_the_trusted_proxy_the_pair_is_the_forwarded_client(client, settings):
    settings.SALYNC_TRUST_X_FORWARDED_PROTO = True
    user = UserFactory()
    proxy = "10.9.9.9"
    for n in range(PAIR_LIMIT):
        log_in(client, user.email, f"wrong-{n}", proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")

    locked = log_in(client, user.email, DEFAULT_PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert_locked(locked, client)
    # Another client through the same proxy is another address.
    other = log_in(client, user.email, DEFAULT_PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert_logged_in(other, client, user)


def test_the_locked_page_is_shown_before_checking_the_password(client):
    """A locked account answers the same for right and wrong passwords: no oracle."""
    user = UserFactory()
    fail(client, user.email, ["10.0.4.1"] * PAIR_LIMIT)

    right = log_in(client, user.email, DEFAULT_PASSWORD, "10.0.4.1")
    wrong = log_in(client, user.email, "still-wrong", "10.0.4.1")
    assert right.status_code == wrong.status_code == 429
    assert right.content == wrong.content


def test_a_success_resets_the_pair_counter(client):
    user = UserFactory()
    fail(client, user.email, ["10.0.5.1"] * (PAIR_LIMIT - 1))
    assert_logged_in(log_in(client, user.email, DEFAULT_PASSWORD, "10.0.5.1"), client, user)

    fail(client, user.email, ["10.0.5.1"] * (PAIR_LIMIT - 1))
    assert_logged_in(log_in(client, user.email, DEFAULT_PASSWORD, "10.0.5.1"), client, user)


def test_the_pair_lock_lifts_after_fifteen_minutes(client):
    user = UserFactory()
    fail(client, user.email, ["10.0.7.1"] * PAIR_LIMIT)
    assert_locked(log_in(client, user.email, DEFAULT_PASSWORD, "10.0.7.1"), client)

    age_failures(14)
    # Trying again while locked does not restart the 15 minutes.
    assert_locked(log_in(client, user.email, "impatient", "10.0.7.1"), client)
    assert_locked(log_in(client, user.email, DEFAULT_PASSWORD, "10.0.7.1"), client)

    age_failures(2)
    assert_logged_in(log_in(client, user.email, DEFAULT_PASSWORD, "10.0.7.1"), client, user)


# --- the account, from anywhere ----------------------------------------------------------------


def test_failures_for_one_account_from_many_addresses_lock_the_account(client):
    UserFactory(email="victim@example.com")
    bystander = UserFactory(email="bystander@example.com")
    spread = addresses(ACCOUNT_LIMIT)

    # One short of the account limit, and no address near its own: the owner still logs in.
    fail(client, "victim@example.com", spread[:-1])
    response = log_in(client, "victim@example.com", DEFAULT_PASSWORD, "10.2.0.1")
    assert response.status_code == 302
    client.post("/logout/")

    fail(client, "victim@example.com", spread[-1:])
    # The owner's success cleared only the owner's pair: the guesses from elsewhere still count.
    assert_locked(log_in(client, "victim@example.com", DEFAULT_PASSWORD, "10.2.0.2"), client)
    assert_locked(log_in(client, "VICTIM@Example.COM", DEFAULT_PASSWORD, "10.2.0.3"), client)

    # Another account, from one of the attacker's addresses, is not affected.
    response = log_in(client, "bystander@example.com", DEFAULT_PASSWORD, spread[0])
    assert_logged_in(response, client, bystander)


def test_the_account_lock_lifts_after_fifteen_minutes(client):
    user = UserFactory()
    fail(client, user.email, addresses(ACCOUNT_LIMIT))
    assert_locked(log_in(client, user.email, DEFAULT_PASSWORD, "10.2.0.1"), client)

    age_failures(14)
    assert_locked(log_in(client, user.email, DEFAULT_PASSWORD, "10.2.0.1"), client)

    age_failures(2)
    assert_logged_in(log_in(client, user.email, DEFAULT_PASSWORD, "10.2.0.1"), client, user)


# --- the warning ------------------------------------------------------------------------------


def test_the_warning_comes_exactly_before_the_last_attempt_of_the_pair(client):
    user = UserFactory()
    for _ in range(PAIR_LIMIT - 2):
        response = log_in(client, user.email, "wrong", "10.0.8.1")
        assert response.status_code == 200
        assert WARNING not in response.content.decode()

    last_but_one = log_in(client, user.email, "wrong", "10.0.8.1")
    assert last_but_one.status_code == 200
    assert WARNING in last_but_one.content.decode()
    assert "That email and password do not match an account." in last_but_one.content.decode()

    assert_locked(log_in(client, user.email, "wrong", "10.0.8.1"), client)


def test_the_warning_comes_exactly_before_the_last_attempt_of_the_account(client):
    user = UserFactory()
    spread = addresses(ACCOUNT_LIMIT)
    response = fail(client, user.email, spread[: ACCOUNT_LIMIT - 2])
    assert WARNING not in response.content.decode()

    response = fail(client, user.email, spread[ACCOUNT_LIMIT - 2 : ACCOUNT_LIMIT - 1])
    assert response.status_code == 200
    assert WARNING in response.content.decode()

    assert_locked(fail(client, user.email, spread[ACCOUNT_LIMIT - 1 :]), client)


@pytest.mark.parametrize("has_account", [True, False])
def test_an_unknown_email_is_warned_and_locked_like_a_known_one(client, has_account):
    """Throttling says nothing about which emails have an account."""
    if has_account:
        UserFactory(email="someone@example.com")
    response = fail(client, "someone@example.com", ["10.0.9.1"] * (PAIR_LIMIT - 1))
    assert WARNING in response.content.decode()
    assert_locked(log_in(client, "someone@example.com", "wrong", "10.0.9.1"), client)


# --- staff unlock -----------------------------------------------------------------------------


def test_axes_reset_unlocks_pairs_and_accounts(client):
    paired = UserFactory()
    everywhere = UserFactory()
    fail(client, paired.email, ["10.0.10.1"] * PAIR_LIMIT)
    fail(client, everywhere.email, addresses(ACCOUNT_LIMIT))
    assert_locked(log_in(client, paired.email, DEFAULT_PASSWORD, "10.0.10.1"), client)
    assert_locked(log_in(client, everywhere.email, DEFAULT_PASSWORD, "10.0.10.2"), client)

    call_command("axes_reset")

    assert_logged_in(log_in(client, paired.email, DEFAULT_PASSWORD, "10.0.10.1"), client, paired)
    response = log_in(client, everywhere.email, DEFAULT_PASSWORD, "10.0.10.2")
    assert_logged_in(response, client, everywhere)


def test_axes_reset_username_unlocks_that_account_only(client):
    one = UserFactory(email="one@example.com")
    other = UserFactory(email="other@example.com")
    fail(client, "one@example.com", addresses(ACCOUNT_LIMIT))
    fail(client, "other@example.com", ["10.0.11.1"] * PAIR_LIMIT)

    call_command("axes_reset_username", "one@example.com")

    assert_logged_in(log_in(client, "one@example.com", DEFAULT_PASSWORD, "10.0.11.9"), client, one)
    assert_locked(log_in(client, other.email, DEFAULT_PASSWORD, "10.0.11.1"), client)
