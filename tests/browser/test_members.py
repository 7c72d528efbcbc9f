"""Members through the browser: an owner invites by email, the invitee signs up from the link
and joins, the owner changes their role and removes them after a confirmation step."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import Membership, Role
from tests.browser.steps import log_in
from tests.factories import DEFAULT_PASSWORD, MembershipFactory

LINK = re.compile(r"https?://[^\s]+/invitations/[A-Za-z0-9_-]+/")
INVITEE, INVITEE_PASSWORD = "ann.invited@example.com", "tall-Ocean-lantern-42"


@pytest.mark.browser
def test_owner_invites_the_invitee_joins_then_changes_role_and_is_removed(
    page: Page, browser, live_server
):
    owner = MembershipFactory(role=Role.OWNER, workspace__name="Acme")
    workspace = owner.workspace

    # The owner invites by email from Settings → Workspace.
    log_in(page, owner.user.email, DEFAULT_PASSWORD)
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_label("Email", exact=True).fill(INVITEE)
    page.get_by_label("Role", exact=True).select_option(label="Member")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {INVITEE}.")
    invitations = page.get_by_role("region", name="Invitations")
    expect(invitations.get_by_role("row", name=re.compile(re.escape(INVITEE)))).to_contain_text(
        "Pending"
    )

    (message,) = mail.outbox
    assert message.to == [INVITEE]
    link = LINK.search(message.body).group(0)

    # The invitee opens the link in their own browser, creates an account and joins.
    invitee_context = browser.new_context(base_url=live_server.url)  # no cookies shared
    try:
        invitee = invitee_context.new_page()
        invitee.goto(link)
        expect(invitee.get_by_role("heading", name="Join Acme", level=1)).to_be_visible()
        expect(invitee.get_by_role("link", name="Log in to accept")).to_be_visible()
        invitee.get_by_label("Password", exact=True).fill(INVITEE_PASSWORD)
        invitee.get_by_role("button", name="Create account and join").click()
        expect(invitee.get_by_role("heading", name="Acme", exact=True, level=1)).to_be_visible()
        expect(invitee.get_by_role("status")).to_contain_text("You joined Acme as Member.")

        # The link was for one use only.
        invitee.goto(link)
        expect(
            invitee.get_by_text("This invitation link is not valid or has expired.")
        ).to_be_visible()

        membership = Membership.objects.get(user__email=INVITEE)
        assert (membership.workspace, membership.role) == (workspace, Role.MEMBER)

        # The owner makes them an admin.
        page.reload()
        members = page.get_by_role("region", name="Members")
        row = members.get_by_role("row").filter(has_text=INVITEE)
        row.get_by_label(f"Role for {INVITEE}").select_option(label="Admin")
        row.get_by_role("button", name="Change role").click()
        expect(page.get_by_role("status")).to_contain_text(f"{INVITEE} is now Admin.")
        membership.refresh_from_db()
        assert membership.role == Role.ADMIN

        # ... and removes them, after a confirmation page that says what happens.
        page.get_by_role("link", name=f"Remove {INVITEE}").click()
        expect(
            page.get_by_role("heading", name=f"Remove {INVITEE} from Acme?", level=1)
        ).to_be_visible()
        expect(page.get_by_text("They lose access at once.")).to_be_visible()
        page.get_by_role("button", name="Remove member").click()
        expect(page.get_by_role("status")).to_contain_text(f"Removed {INVITEE} from Acme.")
        expect(page.get_by_role("region", name="Members")).not_to_contain_text(INVITEE)
        assert not Membership.objects.filter(user__email=INVITEE).exists()

        # The removed member loses access at once.
        invitee.goto("/")
        expect(invitee).to_have_url(re.compile(r"/workspaces/new/$"))
    finally:
        invitee_context.close()


@pytest.mark.browser
def test_the_account_area_links_to_a_new_workspace(page: Page):
    owner = MembershipFactory(role=Role.OWNER)
    log_in(page, owner.user.email, DEFAULT_PASSWORD)
    page.get_by_role("link", name="New workspace", exact=True).click()
    expect(page).to_have_url(re.compile(r"/workspaces/new/$"))
    expect(page.get_by_role("heading", name="Create a workspace")).to_be_visible()
