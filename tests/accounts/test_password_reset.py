"""Password reset by email (SPEC §4): Django's views, our pages, rate-limited, no enumeration."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-Passphrase-9"
LINK = re.compile(r"https?://testserver(/password-reset/[^/\s]+/[^/\s]+/)")


def ask_for_reset(client, email, ip="10.3.0.1"):
    return client.post("/password-reset/", {"email": email}, REMOTE_ADDR=ip)


def reset_link(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def set_password(client, link, password=NEW_PASSWORD):
    """Follow the emailed link and choose a password; the last response."""
    response = client.get(link)
    assert response.status_code == 302  # the token moves to the session, out of the URL
    form_url = response["Location"]
    assert client.get(form_url).status_code == 200
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def logs_in(email, password, ip="10.3.9.9") -> bool:
    response = Client().post("/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)
    return response.status_code == 302


def test_the_login_page_links_to_the_reset_page(client):
    page = client.get("/login/").content.decode()
    assert '<a href="/password-reset/">Forgot your password?</a>' in page


def test_the_reset_page_asks_for_an_email(client):
    page = client.get("/password-reset/").content.decode()
    assert '<label for="id_email">Email</label>' in page
    assert '<button type="submit" class="button">Send reset link</button>' in page


def test_a_known_address_gets_a_link_that_sets_a_new_password(client):
    user = UserFactory(email="ann@example.com")

    response = ask_for_reset(client, "Ann@Example.com")
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert "Check your email" in client.get(response["Location"]).content.decode()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ann@example.com"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Reset your Salync password"

    done = set_password(client, reset_link(message))
    assert done.status_code == 302
    assert done["Location"] == "/password-reset/done/"
    assert "Your password is changed" in client.get(done["Location"]).content.decode()

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert logs_in("ann@example.com", NEW_PASSWORD)
    assert not logs_in("ann@example.com", DEFAULT_PASSWORD)


def test_the_link_works_once(client):
    UserFactory(email="ann@example.com")
    ask_for_reset(client, "ann@example.com")
    link = reset_link(mail.outbox[0])
    assert set_password(client, link).status_code == 302

    again = client.get(link)
    assert again.status_code == 200
    assert "This link no longer works" in again.content.decode()
    assert "new_password1" not in again.content.decode()


def test_a_forged_link_does_not_work(client):
    user = UserFactory(email="ann@example.com")
    ask_for_reset(client, "ann@example.com")
    forged = re.sub(
        r"/[^/]+/$", "/abc123-0123456789abcdef0123456789abcdef/", reset_link(mail.outbox[0])
    )

    response = client.get(forged)
    assert "This link no longer works" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_a_weak_new_password_is_refused(client):
    user = UserFactory(email="ann@example.com")
    ask_for_reset(client, "ann@example.com")
    response = set_password(client, reset_link(mail.outbox[0]), password="password")
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    UserFactory(email="known@example.com")

    known = ask_for_reset(client, "known@example.com", ip="10.3.1.1")
    known_page = client.get(known["Location"]).content
    mail.outbox.clear()
    unknown = ask_for_reset(client, "nobody@example.com", ip="10.3.1.2")
    unknown_page = client.get(unknown["Location"]).content

    assert mail.outbox == []
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert unknown_page == known_page


def test_resets_are_limited_per_client_address(client):
    for n in range(5):
        assert ask_for_reset(client, f"someone{n}@example.com", ip="10.3.2.1").status_code == 302

    assert ask_for_reset(client, "someone9@example.com", ip="10.3.2.1").status_code == 429
    assert ask_for_reset(client, "someone9@example.com", ip="10.3.2.2").status_code == 302


@pytest.mark.parametrize("has_account", [True, False])
def test_resets_are_limited_per_email_alike_for_known_and_unknown(client, has_account):
    """The per-email limit answers the same whether or not an account has the address."""
    if has_account:
        UserFactory(email="target@example.com")
    spellings = ["target@example.com", "TARGET@example.com", " Target@Example.com"]
    for n in range(5):
        response = ask_for_reset(client, spellings[n % 3], ip=f"10.3.3.{n + 1}")
        assert response.status_code == 302

    refused = ask_for_reset(client, "target@example.com", ip="10.3.3.99")
    assert refused.status_code == 429
    assert len(mail.outbox) == (5 if has_account else 0)
    # Other addresses are not held back by it.
    assert ask_for_reset(client, "other@example.com", ip="10.3.3.98").status_code == 302


def test_a_reset_lifts_login_locks_on_the_account(client):
    UserFactory(email="ann@example.com")
    for n in range(20):
        client.post(
            "/login/",
            {"username": "ann@example.com", "password": f"guess-{n}"},
            REMOTE_ADDR=f"10.3.4.{n + 1}" if n >= 5 else "10.3.4.1",
        )
    assert not logs_in("ann@example.com", DEFAULT_PASSWORD, ip="10.3.4.1")
    assert not logs_in("ann@example.com", DEFAULT_PASSWORD, ip="10.3.4.200")

    ask_for_reset(client, "ann@example.com")
    set_password(client, reset_link(mail.outbox[0]))

    assert logs_in("ann@example.com", NEW_PASSWORD, ip="10.3.4.1")
    assert logs_in("ann@example.com", NEW_PASSWORD, ip="10.3.4.200")
