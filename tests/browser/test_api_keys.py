"""Settings → API Keys in the browser: generate a key, copy it once, use it, be asked before
leaving until "Done — I've saved it", never see it again, revoke it, and see the API refuse it.
Elements are found by role and label (SPEC §4 copy)."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from accounts.plans import Plan
from apikeys.models import ApiKey
from tests.browser.steps import call_api, log_in
from tests.factories import MembershipFactory

KEY_NAME = "ERP integration"
FULL_KEY = re.compile(r"slk_[A-Za-z0-9]{40}")


@pytest.mark.browser
def test_generate_copy_use_hide_and_revoke_a_key(page: Page, context, live_server, loopback_http):
    owner = MembershipFactory(
        role=Role.OWNER, workspace__plan=Plan.GROWTH, workspace__name="Northwind Supplies"
    )
    workspace = owner.workspace
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)

    log_in(page, owner.user.email)
    expect(page.get_by_role("heading", name="Northwind Supplies", level=1)).to_be_visible()
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("link", name="API Keys", exact=True).click()
    expect(page.get_by_role("heading", name="API Keys", level=1)).to_be_visible()

    page.get_by_label("Name", exact=True).fill(KEY_NAME)
    page.get_by_role("button", name="Generate new API key").click()

    expect(page.get_by_role("alert")).to_contain_text("this key will only be displayed once")
    key_field = page.get_by_label("New API key", exact=True)
    shown_key = key_field.input_value()
    assert FULL_KEY.fullmatch(shown_key)

    page.get_by_role("button", name="Copy", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_have_text(
        "Copied to clipboard."
    )
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == shown_key

    response = call_api(live_server, copied)
    assert response.status_code == 200, response.text
    assert response.json()["workspace"]["slug"] == workspace.slug

    # Until "Done", leaving the page asks first: the key will not be shown again.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Developers").click()
    expect(key_field).to_have_value(shown_key)  # stayed
    assert asked == ["beforeunload"]

    page.get_by_role("button", name="Done — I've saved it").click()
    expect(page.get_by_role("heading", name="API Keys", level=1)).to_be_visible()
    key_row = page.get_by_role("row", name=re.compile(rf"^{KEY_NAME}\b"))
    expect(key_row).to_contain_text(ApiKey.objects.get(workspace=workspace).prefix)
    expect(key_row).to_contain_text("Active")
    expect(page.get_by_label("New API key", exact=True)).to_have_count(0)
    assert shown_key not in page.content()
    assert FULL_KEY.search(page.content()) is None

    # The confirmation opens in a <dialog> on the list; "Cancel" closes it and changes nothing.
    key_row.get_by_role("link", name=re.compile(r"^Revoke")).click()
    confirm = page.get_by_role("dialog", name=f"Revoke “{KEY_NAME}”?")
    expect(confirm.get_by_text("fail at once")).to_be_visible()
    confirm.get_by_role("button", name="Cancel", exact=True).click()
    expect(confirm).to_be_hidden()
    assert call_api(live_server, shown_key).status_code == 200
    key_row.get_by_role("link", name=re.compile(r"^Revoke")).click()
    confirm.get_by_role("button", name="Revoke key", exact=True).click()

    # Revoked keys leave the list for its "Revoked and expired" filter.
    expect(page.get_by_text(f"Revoked “{KEY_NAME}”. Requests with it now fail.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(rf"^{KEY_NAME}\b"))).to_have_count(0)
    page.get_by_role("navigation", name="Key status").get_by_role(
        "link", name=re.compile(r"^Revoked and expired")
    ).click()
    key_row = page.get_by_role("row", name=re.compile(rf"^{KEY_NAME}\b"))
    expect(key_row).to_contain_text("Revoked")
    expect(key_row.get_by_role("link", name=re.compile(r"^Revoke"))).to_have_count(0)

    refused = call_api(live_server, shown_key)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_api_key"
