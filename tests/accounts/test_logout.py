"""Logging out lands on the login page, which says so."""

import pytest

pytestmark = pytest.mark.django_db

LOGGED_OUT = "You have been logged out."


def test_logging_out_says_so_on_the_login_page(client, owner):
    client.force_login(owner.user)

    response = client.post("/logout/", follow=True)

    assert response.redirect_chain == [("/login/", 302)]
    page = response.content.decode()
    assert LOGGED_OUT in page
    assert '<div class="messages" role="status">' in page
    assert "_auth_user_id" not in client.session


def test_the_logged_out_message_is_shown_once(client, owner):
    client.force_login(owner.user)
    client.post("/logout/", follow=True)

    assert LOGGED_OUT not in client.get("/login/").content.decode()


def test_the_login_page_does_not_say_logged_out_to_a_new_visitor(client):
    assert LOGGED_OUT not in client.get("/login/").content.decode()
