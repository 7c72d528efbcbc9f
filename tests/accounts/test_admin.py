"""The staff admin site: workspaces (plan, overrides), users, memberships."""

import pytest
from django.test import Client

from accounts.models import Membership, Role, User, Workspace
from accounts.plans import Plan
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


EMPTY_INLINE = {
    "memberships-TOTAL_FORMS": "0",
    "memberships-INITIAL_FORMS": "0",
    "memberships-MIN_NUM_FORMS": "0",
    "memberships-MAX_NUM_FORMS": "1000",
}
NEW_PASSWORD = "another-strong-passphrase"


@pytest.fixture
def staff():
    user = User.objects.create_superuser("staff@salync.example", "staff-passphrase-123")
    client = Client()
    client.force_login(user)
    return client


def workspace_form(workspace, **changes):
    data = {
        "name": workspace.name,
        "plan": workspace.plan,
        "daily_limit_override": workspace.daily_limit_override or "",
        "burst_limit_override": workspace.burst_limit_override or "",
        **EMPTY_INLINE,
    }
    data.update(changes)
    return data


def user_form(email):
    return {
        "email": email,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "usable_password": "true",
        **EMPTY_INLINE,
    }


def change_url(workspace):
    return f"/admin/accounts/workspace/{workspace.pk}/change/"


def test_admin_requires_staff(client, owner):
    assert client.get("/admin/accounts/workspace/").status_code == 302
    client.force_login(owner.user)  # a customer, not staff
    response = client.get("/admin/accounts/workspace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_superuser_opens_every_changelist_and_change_page(staff):
    membership = MembershipFactory(role=Role.ADMIN)
    pages = [
        "/admin/",
        "/admin/accounts/workspace/",
        "/admin/accounts/user/",
        "/admin/accounts/membership/",
        "/admin/accounts/workspace/add/",
        "/admin/accounts/user/add/",
        "/admin/accounts/membership/add/",
        change_url(membership.workspace),
        f"/admin/accounts/user/{membership.user.pk}/change/",
        f"/admin/accounts/membership/{membership.pk}/change/",
        "/admin/accounts/workspace/?plan__exact=free",
        "/admin/accounts/user/?q=example",
        "/admin/accounts/membership/?q=example",
    ]
    for page in pages:
        assert staff.get(page).status_code == 200, page


def test_workspace_changelist_lists_the_workspaces(staff):
    WorkspaceFactory(name="Listed Shop", plan=Plan.PRO)
    response = staff.get("/admin/accounts/workspace/")
    assert "Listed Shop" in response.content.decode()


def test_changing_plan_and_overrides_in_the_admin_shows_in_entitlements(staff):
    workspace = WorkspaceFactory(plan=Plan.FREE, name="Admin Shop")
    response = staff.post(
        change_url(workspace),
        workspace_form(
            workspace, plan="pro", daily_limit_override="50000", burst_limit_override="500"
        ),
    )
    assert response.status_code == 302, response.context["adminform"].errors
    workspace.refresh_from_db()
    ent = workspace.entitlements
    assert (ent.plan, ent.daily_limit, ent.burst_limit, ent.custom_limits) == (
        Plan.PRO,
        50_000,
        500,
        True,
    )

    # Emptying the overrides returns to the plan's own limits.
    response = staff.post(
        change_url(workspace),
        workspace_form(workspace, plan="growth", daily_limit_override="", burst_limit_override=""),
    )
    assert response.status_code == 302
    workspace.refresh_from_db()
    ent = workspace.entitlements
    assert (ent.plan, ent.daily_limit, ent.burst_limit, ent.custom_limits) == (
        Plan.GROWTH,
        500,
        20,
        False,
    )


def test_renaming_in_the_admin_keeps_the_slug(staff):
    workspace = WorkspaceFactory(name="Before", slug="before")
    response = staff.post(change_url(workspace), workspace_form(workspace, name="After"))
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert (workspace.name, workspace.slug) == ("After", "before")


@pytest.mark.parametrize(
    "changes",
    [
        {"plan": "free", "daily_limit_override": "1000"},
        {"plan": "free", "burst_limit_override": "10"},
        {"plan": "growth", "daily_limit_override": "0"},
        {"plan": "growth", "burst_limit_override": "-3"},
        {"plan": "enterprise"},
        {"name": ""},
    ],
)
def test_an_invalid_workspace_change_shows_an_error_and_changes_nothing(staff, changes):
    workspace = WorkspaceFactory(plan=Plan.GROWTH, name="Stable", burst_limit_override=40)

    response = staff.post(change_url(workspace), workspace_form(workspace, **changes))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert "errornote" in response.content.decode()
    workspace.refresh_from_db()
    assert (
        workspace.name,
        workspace.plan,
        workspace.daily_limit_override,
        workspace.burst_limit_override,
    ) == ("Stable", Plan.GROWTH, None, 40)


def test_free_plan_with_a_limit_names_the_reason(staff):
    workspace = WorkspaceFactory(plan=Plan.GROWTH)
    response = staff.post(
        change_url(workspace),
        workspace_form(workspace, plan="free", daily_limit_override="1000"),
    )
    assert "The Free plan has no API, so no limits to set." in response.content.decode()


def test_adding_a_workspace_in_the_admin(staff):
    before = Workspace.objects.count()
    data = workspace_form(
        Workspace(name="Added By Staff", plan=Plan.GROWTH), daily_limit_override="800"
    )
    response = staff.post("/admin/accounts/workspace/add/", data)
    assert response.status_code == 302, response.context["adminform"].errors
    assert Workspace.objects.count() == before + 1
    workspace = Workspace.objects.get(name="Added By Staff")
    assert workspace.slug == "added-by-staff"
    assert (workspace.entitlements.daily_limit, workspace.entitlements.burst_limit) == (800, 20)


def test_adding_a_member_through_the_workspace_inline(staff):
    workspace = WorkspaceFactory()
    user = UserFactory()
    data = workspace_form(workspace)
    data.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-user": str(user.pk),
            "memberships-0-role": Role.ADMIN,
        }
    )
    response = staff.post(change_url(workspace), data)
    assert response.status_code == 302
    assert Membership.objects.get(workspace=workspace).user == user


def test_user_admin_never_shows_the_password_hash(staff):
    user = UserFactory(email="hashed@example.com")
    _algorithm, salt, digest = user.password.split("$", 2)
    assert salt
    assert digest

    for page in [
        f"/admin/accounts/user/{user.pk}/change/",
        "/admin/accounts/user/",
        f"/admin/accounts/membership/?q={user.email}",
    ]:
        html = staff.get(page).content.decode()
        assert user.password not in html, page
        assert digest not in html, page
        assert salt not in html, page
        assert digest[:10] not in html, page


def test_user_admin_normalises_the_email_and_refuses_a_duplicate(staff):
    UserFactory(email="taken@example.com")
    response = staff.post("/admin/accounts/user/add/", user_form("TAKEN@Example.com"))
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1

    response = staff.post("/admin/accounts/user/add/", user_form("  Fresh@Example.com "))
    assert response.status_code == 302
    assert User.objects.filter(email="fresh@example.com").exists()


def test_membership_admin_changes_a_role(staff):
    membership = MembershipFactory(role=Role.MEMBER)
    response = staff.post(
        f"/admin/accounts/membership/{membership.pk}/change/",
        {"user": membership.user.pk, "workspace": membership.workspace.pk, "role": "admin"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN
