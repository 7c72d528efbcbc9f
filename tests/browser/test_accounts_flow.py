"""Accounts through the browser: sign-up, log in and out, roles on Settings, the switcher.

Elements are found by role and label, with the copy from SPEC §4.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Membership, Role, User
from accounts.plans import Plan
from tests.browser.steps import log_in
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory

LOGIN_PATH = re.compile(r"/login/(\?.*)?$")


def workspace_heading(page: Page, name: str):
    return page.get_by_role("heading", name=name, exact=True, level=1)


@pytest.mark.browser
def test_sign_up_see_free_plan_log_out_and_log_back_in(page: Page):
    email, password, name = "new.seller@example.com", "tall-Ocean-lantern-42", "Acme Widgets"

    page.goto("/signup/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Workspace name", exact=True).fill(name)
    page.get_by_role("button", name="Sign up").click()

    expect(workspace_heading(page, name)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"Welcome to Salync. {name} is ready.")

    user = User.objects.get(email=email)
    membership = Membership.objects.select_related("workspace").get(user=user)
    assert membership.role == Role.OWNER
    assert membership.workspace.name == name
    assert membership.workspace.plan == Plan.FREE

    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page).to_have_url(re.compile(r"/settings/workspace/$"))
    page.get_by_role("link", name="Plan & usage", exact=True).click()
    expect(page).to_have_url(re.compile(r"/settings/plan/$"))
    expect(page.get_by_role("heading", name="Plan & usage", level=1)).to_be_visible()
    expect(page.get_by_text("Current plan: Free", exact=True)).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"^Free Current"))).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(LOGIN_PATH)
    expect(page.get_by_role("heading", name="Log in to Salync")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    log_in(page, email, password)
    expect(workspace_heading(page, name)).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest.mark.browser
def test_member_cannot_rename_workspace_in_page_or_by_direct_post(page: Page):
    owner = MembershipFactory(role=Role.OWNER, workspace__name="Northwind Supplies")
    workspace = owner.workspace
    member = MembershipFactory(workspace=workspace, role=Role.MEMBER).user

    log_in(page, member.email, DEFAULT_PASSWORD)
    expect(workspace_heading(page, "Northwind Supplies")).to_be_visible()
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_role("link", name="Workspace", exact=True)).to_have_attribute(
        "aria-current", "page"
    )

    name_field = page.get_by_label("Workspace name", exact=True)
    expect(name_field).to_be_disabled()
    expect(name_field).to_have_value("Northwind Supplies")
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    expect(page.get_by_text("Only owners and admins can rename the workspace.")).to_be_visible()

    # Attack 1: a hand-made POST with the member's own session and a valid CSRF token.
    token = page.locator("form:has(#id_name) input[name=csrfmiddlewaretoken]").input_value()
    response = page.request.post(
        "/settings/workspace/",
        form={"csrfmiddlewaretoken": token, "name": "Taken over"},
        max_redirects=0,
    )
    assert response.status == 403
    # The role check refused it, not the CSRF check (which would also answer 403).
    assert "Only owners and admins can change this." in response.text()

    # Attack 2: re-enable the field in the page and submit the form.
    name_field.evaluate("field => field.removeAttribute('disabled')")
    name_field.fill("Taken over again")
    with page.expect_navigation() as navigation:
        name_field.evaluate("field => field.form.requestSubmit()")
    assert navigation.value.status == 403
    expect(page.get_by_role("heading", name="You can't do that here")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text("Only owners and admins can change this.")

    workspace.refresh_from_db()
    assert workspace.name == "Northwind Supplies"


@pytest.mark.browser
def test_owner_renames_workspace(page: Page):
    owner = MembershipFactory(role=Role.OWNER, workspace__name="Northwind Supplies")
    workspace = owner.workspace

    log_in(page, owner.user.email, DEFAULT_PASSWORD)
    page.get_by_role("link", name="Settings", exact=True).click()
    name_field = page.get_by_label("Workspace name", exact=True)
    expect(name_field).to_be_enabled()
    expect(page.get_by_text("Only owners and admins can rename the workspace.")).to_have_count(0)

    name_field.fill("Northwind Trading")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("Workspace renamed.")
    expect(page.get_by_label("Workspace name", exact=True)).to_have_value("Northwind Trading")
    workspace.refresh_from_db()
    assert workspace.name == "Northwind Trading"

    page.reload()
    expect(page.get_by_label("Workspace name", exact=True)).to_have_value("Northwind Trading")
    page.get_by_role("link", name="Overview", exact=True).click()
    expect(workspace_heading(page, "Northwind Trading")).to_be_visible()


@pytest.mark.browser
def test_wrong_password_shows_error_and_stays_logged_out(page: Page):
    user = MembershipFactory(role=Role.OWNER).user

    log_in(page, user.email, "not-the-password")

    expect(page).to_have_url(LOGIN_PATH)
    expect(page.get_by_role("alert")).to_have_text(
        "That email and password do not match an account."
    )
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    assert not any(cookie["name"] == "sessionid" for cookie in page.context.cookies())

    page.goto("/settings/workspace/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/settings/workspace/$"))
    expect(page.get_by_role("heading", name="Log in to Salync")).to_be_visible()


@pytest.mark.browser
def test_user_in_two_workspaces_switches_between_them(page: Page):
    user = UserFactory()
    first = MembershipFactory(user=user, role=Role.OWNER, workspace__name="Alpha Goods").workspace
    second = WorkspaceFactory(name="Beta Outlet")
    MembershipFactory(user=user, workspace=second, role=Role.MEMBER)
    # A workspace the user is not in must not be offered.
    WorkspaceFactory(name="Gamma Elsewhere")

    log_in(page, user.email, DEFAULT_PASSWORD)
    expect(workspace_heading(page, "Alpha Goods")).to_be_visible()

    switcher = page.get_by_label("Workspace", exact=True)
    expect(switcher.locator("option")).to_have_text(["Alpha Goods", "Beta Outlet"])
    expect(switcher).to_have_value(str(first.pk))

    switcher.select_option(label="Beta Outlet")
    page.get_by_role("button", name="Switch").click()
    expect(workspace_heading(page, "Beta Outlet")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Switched to Beta Outlet.")
    expect(page.get_by_text("as member of this workspace")).to_be_visible()

    # The choice sticks for the session: Settings now shows the other workspace.
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_label("Workspace name", exact=True)).to_have_value("Beta Outlet")
    expect(page.get_by_label("Workspace", exact=True)).to_have_value(str(second.pk))

    page.get_by_label("Workspace", exact=True).select_option(label="Alpha Goods")
    page.get_by_role("button", name="Switch").click()
    expect(workspace_heading(page, "Alpha Goods")).to_be_visible()
