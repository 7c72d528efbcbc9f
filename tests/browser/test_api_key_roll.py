"""Settings → API Keys in the browser: generate a key that expires in 30 days, roll it, and see
both keys work, then, a day later, only the new one (SPEC §4, issue 11).

Time travels with time-machine, not with sleeps: the live server runs in a thread of this
process, so it and the test share the one (travelling) clock.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import Page, expect

from accounts.models import Role
from accounts.plans import Plan
from apikeys import tasks
from apikeys.models import Access, ApiKey
from tests.browser.a11y import assert_no_serious_violations
from tests.browser.steps import call_api
from tests.factories import DEFAULT_PASSWORD, MembershipFactory

KEY_NAME = "ERP sync"
FULL_KEY = re.compile(r"slk_[A-Za-z0-9]{40}")
DONE = "Done — I've saved it"


def key_row(page: Page):
    return page.get_by_role("row", name=re.compile(rf"^{KEY_NAME}\b"))


@pytest.mark.browser
def test_roll_a_key_and_only_the_new_one_works_after_24_hours(
    page: Page, live_server, loopback_http
):
    owner = MembershipFactory(
        role=Role.OWNER, workspace__plan=Plan.GROWTH, workspace__name="Northwind Supplies"
    )
    page.goto("/login/")
    page.get_by_label("Email", exact=True).fill(owner.user.email)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="API Keys", exact=True).click()

    # Generate: least privilege and no expiry unless chosen; this one expires in 30 days.
    access = page.get_by_role("group", name="Access")
    expect(access.get_by_role("radio", name="Read only")).to_be_checked()
    expires = page.get_by_role("group", name="Expires")
    expect(expires.get_by_role("radio", name="Never")).to_be_checked()
    page.get_by_label("Name", exact=True).fill(KEY_NAME)
    expires.get_by_role("radio", name="30 days").check()
    page.get_by_role("button", name="Generate new API key").click()
    first_key = page.get_by_label("New API key", exact=True).input_value()
    assert FULL_KEY.fullmatch(first_key)
    assert_no_serious_violations(page, "the new key")
    page.get_by_role("button", name=DONE).click()

    expect(key_row(page)).to_contain_text("Expires in 30 days")
    expect(key_row(page)).to_contain_text("Read only")
    first = ApiKey.objects.get(workspace=owner.workspace)
    assert first.access == Access.READ_ONLY

    # Roll: a confirmation that names the key and the consequence, then the new key once.
    key_row(page).get_by_role("link", name=re.compile(r"^Roll key")).click()
    expect(page.get_by_role("heading", name=f"Roll “{KEY_NAME}”?", level=1)).to_be_visible()
    expect(
        page.get_by_text("A new key replaces it; the old one keeps working for 24 hours.")
    ).to_be_visible()
    assert_no_serious_violations(page, "the roll confirmation")
    page.get_by_role("button", name="Roll key", exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text("this key will only be displayed once")
    second_key = page.get_by_label("New API key", exact=True).input_value()
    assert FULL_KEY.fullmatch(second_key)
    assert second_key != first_key
    expect(page.get_by_text(f"The old key {first.prefix}… keeps working until")).to_be_visible()
    page.get_by_role("button", name=DONE).click()

    second = ApiKey.objects.get(rolled_from=first)
    old_row = page.get_by_role("row", name=re.compile(rf"^{KEY_NAME} Rolled"))
    expect(old_row).to_contain_text(first.prefix)
    expect(old_row).to_contain_text("Expires in 24 hours")
    new_row = page.get_by_role("row", name=re.compile(rf"^{KEY_NAME} Replaces"))
    expect(new_row).to_contain_text(second.prefix)
    expect(new_row).to_contain_text("Expires in 30 days")

    for raw_key, prefix in [(first_key, first.prefix), (second_key, second.prefix)]:
        answer = call_api(live_server, raw_key)
        assert answer.status_code == 200, answer.text
        assert answer.json()["api_key"]["prefix"] == prefix

    # A day and a minute later, for this process and its live server thread alike.
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=24, minutes=1), tick=True):
        refused = call_api(live_server, first_key)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "invalid_api_key"
        assert call_api(live_server, second_key).status_code == 200

        page.reload()
        expect(page.get_by_role("row", name=re.compile(rf"^{KEY_NAME}\b"))).to_have_count(1)
        expect(key_row(page)).to_contain_text(second.prefix)

        assert tasks.end_rolled_keys() == 1  # beat's run: the record says revoked
        page.get_by_role("link", name=re.compile(r"^Revoked and expired")).click()
        expect(key_row(page)).to_contain_text(first.prefix)
        expect(key_row(page)).to_contain_text("Revoked")
        assert call_api(live_server, first_key).status_code == 401
        assert call_api(live_server, second_key).status_code == 200
