"""Failed logins are throttled per account and per address (django-axes), via the login view."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 5
LOCKOUT_TEXT = "Too many failed log-in attempts"


def log_in(client, email, password, ip, **extra):
    return client.post(
        "/login/", {"username": email, "password": password}, REMOTE_ADDR=ip, **extra
    )


def assert_logged_in(response, client, user):
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.session["_auth_user_id"] == str(user.pk)


def assert_locked(response, client):
    assert response.status_code == 429
    assert LOCKOUT_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_fewer_failures_than_the_limit_do_not_lock(client):
    user = UserFactory()
    for _ in range(LIMIT - 1):
        assert log_in(client, user.email, "wrong", "10.0.0.1").status_code == 200
    assert_logged_in(log_in(client, user.email, DEFAULT_PASSWORD, "10.0.0.1"), client, user)


def test_failures_for_one_account_lock_it_even_from_other_addresses(client):
    UserFactory(email="victim@example.com")
    bystander = UserFactory(email="bystander@example.com")

    # Spread over addresses, so what locks is the account, not an address.
    for n in range(LIMIT):
        log_in(client, "victim@example.com", f"guess-{n}", f"10.0.1.{n}")

    assert_locked(log_in(client, "victim@example.com", DEFAULT_PASSWORD, "10.0.9.9"), client)
    assert_locked(log_in(client, "VICTIM@Example.COM", DEFAULT_PASSWORD, "10.0.9.8"), client)

    # Another account, from another address, is not affected.
    assert_logged_in(
        log_in(client, "bystander@example.com", DEFAULT_PASSWORD, "10.0.2.1"), client, bystander
    )


def test_failures_spelled_in_different_cases_count_for_one_account(client):
    UserFactory(email="ann@example.com")
    spellings = ["ann@example.com", "ANN@example.com", "Ann@Example.com", " ann@example.com"]
    for n in range(LIMIT):
        log_in(client, spellings[n % len(spellings)], "wrong", f"10.0.3.{n}")

    assert_locked(log_in(client, "ann@example.com", DEFAULT_PASSWORD, "10.0.3.99"), client)


def test_failures_from_one_address_lock_that_address_for_every_account(client):
    user = UserFactory()
    for n in range(LIMIT):
        log_in(client, f"nobody{n}@example.com", "wrong", "192.0.2.7")

    assert_locked(log_in(client, user.email, DEFAULT_PASSWORD, "192.0.2.7"), client)
    # The same account from another address still logs in: the address is locked, not it.
    assert_logged_in(log_in(client, user.email, DEFAULT_PASSWORD, "192.0.2.8"), client, user)


def test_a_spoofed_forwarded_for_header_does_not_escape_the_address_lock(client):
    user = UserFactory()
    for n in range(LIMIT):
        log_in(
            client,
            f"nobody{n}@example.com",
            "wrong",
            "192.0.2.7",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )

    response = log_in(
        client, user.email, DEFAULT_PASSWORD, "192.0.2.7", HTTP_X_FORWARDED_FOR="203.0.113.200"
    )
    assert_locked(response, client)


def test_the_locked_page_is_shown_before_checking_the_password(client):
    """A locked account answers the same for right and wrong passwords: no oracle."""
    user = UserFactory()
    for n in range(LIMIT):
        log_in(client, user.email, "wrong", f"10.0.4.{n}")

    right = log_in(client, user.email, DEFAULT_PASSWORD, "10.0.4.50")
    wrong = log_in(client, user.email, "still-wrong", "10.0.4.51")
    assert right.status_code == wrong.status_code == 429
    assert right.content == wrong.content


def test_a_success_resets_the_account_counter(client):
    user = UserFactory()
    for n in range(LIMIT - 1):
        log_in(client, user.email, "wrong", f"10.0.5.{n}")
    assert_logged_in(log_in(client, user.email, DEFAULT_PASSWORD, "10.0.5.10"), client, user)
    client.post("/logout/")

    for n in range(LIMIT - 1):
        log_in(client, user.email, "wrong", f"10.0.6.{n}")
    assert_logged_in(log_in(client, user.email, DEFAULT_PASSWORD, "10.0.6.10"), client, user)


def test_the_lock_lifts_after_fifteen_minutes(client):
    user = UserFactory()
    for n in range(LIMIT):
        log_in(client, user.email, "wrong", f"10.0.7.{n}")
    assert_locked(log_in(client, user.email, DEFAULT_PASSWORD, "10.0.7.50"), client)

    # Age the recorded failures instead of waiting.
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=14)
        attempt.save()
    assert_locked(log_in(client, user.email, DEFAULT_PASSWORD, "10.0.7.51"), client)

    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=2)
        attempt.save()
    assert_logged_in(log_in(client, user.email, DEFAULT_PASSWORD, "10.0.7.52"), client, user)
