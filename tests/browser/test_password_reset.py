"""Forgot the password: the reset link by email, a new password, and back in (SPEC §4)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.factories import UserFactory

LINK = re.compile(r"https?://[^/\s]+(/password-reset/[^/\s]+/[^/\s]+/)")


@pytest.mark.browser
def test_forgot_password_reset_by_email_and_log_in(page: Page):
    UserFactory(email="forgetful@example.com")
    new_password = "brand-New-lantern-77"

    page.goto("/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email", exact=True).fill("Forgetful@Example.com")
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", name="Check your email", level=1)).to_be_visible()

    # The live server runs in this process: its mail lands in the test outbox.
    assert [message.to for message in mail.outbox] == [["forgetful@example.com"]]
    link = LINK.search(mail.outbox[0].body).group(1)

    page.goto(link)
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("New password confirmation", exact=True).fill(new_password)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="Your password is changed", level=1)).to_be_visible()

    page.get_by_role("link", name="Log in", exact=True).click()
    page.get_by_label("Email", exact=True).fill("forgetful@example.com")
    page.get_by_label("Password", exact=True).fill(new_password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
