"""Accounts services and plan entitlements, through their public functions."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Membership, Role, User, Workspace
from accounts.plans import Plan, entitlements_for
from accounts.services import (
    membership_create,
    user_create,
    workspace_create,
    workspace_rename,
    workspace_set_plan,
)
from portal.services import account_sign_up
from tests.factories import UserFactory, WorkspaceFactory

STRONG = "a-strong-enough-passphrase"

pytestmark = pytest.mark.django_db


def counts():
    return (User.objects.count(), Workspace.objects.count(), Membership.objects.count())


# --- account_sign_up---------------------------------------------------------------------------


def test_account_sign_up_makes_user_workspace_and_owner_membership():
    user, workspace = account_sign_up(
        email="  Ann@Example.COM ", password=STRONG, workspace_name="Ann's Shop"
    )

    user.refresh_from_db()
    workspace.refresh_from_db()
    assert user.email == "ann@example.com"
    assert user.check_password(STRONG)
    assert workspace.name == "Ann's Shop"
    assert workspace.slug == "anns-shop"
    assert workspace.plan == Plan.FREE
    membership = Membership.objects.get()
    assert (membership.user, membership.workspace, membership.role) == (
        user,
        workspace,
        Role.OWNER,
    )


def test_account_sign_up_on_a_given_plan():
    _user, workspace = account_sign_up(
        email="bo@example.com", password=STRONG, workspace_name="Bo", plan=Plan.GROWTH
    )
    workspace.refresh_from_db()
    assert workspace.plan == Plan.GROWTH
    assert workspace.entitlements.daily_limit == 500


@pytest.mark.parametrize("email", ["ann@example.com", "ANN@example.com", " Ann@Example.Com "])
def test_account_sign_up_duplicate_email_is_refused_case_insensitively(email):
    account_sign_up(email="ann@example.com", password=STRONG, workspace_name="First")
    before = counts()

    with pytest.raises(ValidationError) as excinfo:
        account_sign_up(email=email, password=STRONG, workspace_name="Second")

    assert "email" in excinfo.value.message_dict
    assert counts() == before
    assert not Workspace.objects.filter(name="Second").exists()


@pytest.mark.parametrize(
    "password", ["short", "password123", "12345678901234", "", "ann@example.com"]
)
def test_account_sign_up_weak_password_is_refused_and_creates_nothing(password):
    with pytest.raises(ValidationError):
        account_sign_up(email="ann@example.com", password=password, workspace_name="Ann")
    assert counts() == (0, 0, 0)


def test_account_sign_up_blank_workspace_name_rolls_back_the_user():
    with pytest.raises(ValidationError) as excinfo:
        account_sign_up(email="ann@example.com", password=STRONG, workspace_name="   ")
    assert "name" in excinfo.value.message_dict
    assert counts() == (0, 0, 0)


def test_account_sign_up_unknown_plan_rolls_back_the_user():
    with pytest.raises(ValidationError) as excinfo:
        account_sign_up(
            email="ann@example.com", password=STRONG, workspace_name="Ann", plan="enterprise"
        )
    assert "plan" in excinfo.value.message_dict
    assert counts() == (0, 0, 0)


def test_user_create_refuses_an_invalid_email():
    with pytest.raises(ValidationError):
        user_create(email="not-an-email", password=STRONG)
    assert User.objects.count() == 0


# --- workspace_create -------------------------------------------------------------------------


def test_workspaces_with_the_same_name_get_different_slugs():
    owner = UserFactory()
    first = workspace_create(name="Acme Outdoor", owner=owner)
    second = workspace_create(name="Acme Outdoor", owner=owner)
    third = workspace_create(name="acme   outdoor!", owner=None)

    slugs = {first.slug, second.slug, third.slug}
    assert len(slugs) == 3
    assert first.slug == "acme-outdoor"
    assert all(slug.startswith("acme-outdoor") for slug in slugs)
    assert Membership.objects.filter(user=owner, role=Role.OWNER).count() == 2
    assert not Membership.objects.filter(workspace=third).exists()


def test_workspace_slug_for_a_name_without_ascii_letters():
    workspace = workspace_create(name="日本の店", owner=None)
    assert workspace.slug
    assert Workspace.objects.get(pk=workspace.pk).slug == workspace.slug


def test_workspace_slug_of_a_very_long_name_fits():
    workspace = workspace_create(name="x" * 100, owner=None)
    again = workspace_create(name="x" * 100, owner=None)
    assert workspace.slug != again.slug
    assert len(again.slug) <= Workspace._meta.get_field("slug").max_length


def test_workspace_create_with_a_taken_slug_is_refused():
    WorkspaceFactory(slug="taken")
    with pytest.raises(ValidationError) as excinfo:
        workspace_create(name="Other", owner=None, slug="taken")
    assert "slug" in excinfo.value.message_dict
    assert Workspace.objects.count() == 1


# --- workspace_rename -------------------------------------------------------------------------


def test_workspace_rename_changes_name_and_keeps_slug():
    workspace = WorkspaceFactory(name="Old", slug="old-slug")
    workspace_rename(workspace=workspace, name="  New name  ")
    workspace.refresh_from_db()
    assert workspace.name == "New name"
    assert workspace.slug == "old-slug"


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_workspace_rename_refuses_bad_names_and_changes_nothing(name):
    workspace = WorkspaceFactory(name="Old")
    with pytest.raises(ValidationError):
        workspace_rename(workspace=workspace, name=name)
    workspace.refresh_from_db()
    assert workspace.name == "Old"


# --- workspace_set_plan -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "api", "webhooks", "daily", "burst"),
    [
        (Plan.FREE, False, False, 0, 0),
        (Plan.GROWTH, True, False, 500, 20),
        (Plan.PRO, True, True, 10_000, 200),
    ],
)
def test_workspace_set_plan_sets_the_plans_limits(plan, api, webhooks, daily, burst):
    workspace = WorkspaceFactory(plan=Plan.FREE)
    workspace_set_plan(workspace=workspace, plan=plan)
    workspace.refresh_from_db()
    ent = entitlements_for(workspace)
    assert workspace.plan == plan
    assert (ent.api, ent.webhooks, ent.daily_limit, ent.burst_limit) == (
        api,
        webhooks,
        daily,
        burst,
    )
    assert ent.custom_limits is False


def test_workspace_set_plan_with_overrides_then_without_clears_them():
    workspace = WorkspaceFactory(plan=Plan.FREE)
    workspace_set_plan(workspace=workspace, plan=Plan.GROWTH, daily_limit=2000, burst_limit=50)
    workspace.refresh_from_db()
    assert (workspace.daily_limit_override, workspace.burst_limit_override) == (2000, 50)
    ent = workspace.entitlements
    assert (ent.daily_limit, ent.burst_limit, ent.custom_limits) == (2000, 50, True)

    workspace_set_plan(workspace=workspace, plan=Plan.PRO)
    workspace.refresh_from_db()
    assert (workspace.daily_limit_override, workspace.burst_limit_override) == (None, None)
    ent = workspace.entitlements
    assert (ent.daily_limit, ent.burst_limit, ent.custom_limits) == (10_000, 200, False)


def test_workspace_set_plan_with_one_override_keeps_the_other_plan_limit():
    workspace = WorkspaceFactory(plan=Plan.PRO)
    workspace_set_plan(workspace=workspace, plan=Plan.PRO, burst_limit=5)
    workspace.refresh_from_db()
    ent = workspace.entitlements
    assert (ent.daily_limit, ent.burst_limit, ent.custom_limits) == (10_000, 5, True)


@pytest.mark.parametrize(
    ("plan", "daily", "burst", "field"),
    [
        (Plan.FREE, 100, None, "plan"),
        (Plan.FREE, None, 5, "plan"),
        (Plan.GROWTH, 0, None, "daily_limit_override"),
        (Plan.GROWTH, -5, None, "daily_limit_override"),
        (Plan.PRO, None, 0, "burst_limit_override"),
        (Plan.PRO, None, -1, "burst_limit_override"),
        ("enterprise", None, None, "plan"),
        ("", None, None, "plan"),
    ],
)
def test_workspace_set_plan_refusals_leave_the_row_unchanged(plan, daily, burst, field):
    workspace = WorkspaceFactory(plan=Plan.GROWTH, daily_limit_override=900)
    with pytest.raises(ValidationError) as excinfo:
        workspace_set_plan(workspace=workspace, plan=plan, daily_limit=daily, burst_limit=burst)
    assert field in excinfo.value.message_dict
    workspace.refresh_from_db()
    assert (workspace.plan, workspace.daily_limit_override, workspace.burst_limit_override) == (
        Plan.GROWTH,
        900,
        None,
    )


# --- entitlements_for -------------------------------------------------------------------------


def test_entitlements_free_has_no_api_and_no_webhooks():
    ent = entitlements_for(WorkspaceFactory(plan=Plan.FREE))
    assert ent.plan == Plan.FREE
    assert ent.api is False
    assert ent.webhooks is False
    assert ent.custom_limits is False
    assert ent.plan_label == "Free"


def test_entitlements_growth():
    ent = entitlements_for(WorkspaceFactory(plan=Plan.GROWTH))
    assert (ent.api, ent.webhooks, ent.daily_limit, ent.burst_limit) == (True, False, 500, 20)
    assert ent.plan_label == "Growth"


def test_entitlements_pro():
    ent = entitlements_for(WorkspaceFactory(plan=Plan.PRO))
    assert (ent.api, ent.webhooks, ent.daily_limit, ent.burst_limit) == (True, True, 10_000, 200)


def test_entitlements_override_replaces_the_limits_and_marks_custom():
    ent = entitlements_for(
        WorkspaceFactory(plan=Plan.GROWTH, daily_limit_override=7500, burst_limit_override=75)
    )
    assert (ent.api, ent.webhooks) == (True, False)
    assert (ent.daily_limit, ent.burst_limit) == (7500, 75)
    assert ent.custom_limits is True
    assert ent.plan_label == "Growth (custom limits)"


# --- membership_create ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.MEMBER])
def test_membership_create(role):
    workspace, user = WorkspaceFactory(), UserFactory()
    membership = membership_create(workspace=workspace, user=user, role=role)
    membership.refresh_from_db()
    assert (membership.workspace, membership.user, membership.role) == (workspace, user, role)
    assert membership.can_manage is (role != Role.MEMBER)


def test_membership_create_defaults_to_member():
    membership = membership_create(workspace=WorkspaceFactory(), user=UserFactory())
    assert Membership.objects.get(pk=membership.pk).role == Role.MEMBER


def test_membership_create_refuses_a_duplicate():
    workspace, user = WorkspaceFactory(), UserFactory()
    membership_create(workspace=workspace, user=user, role=Role.ADMIN)
    with pytest.raises(ValidationError):
        membership_create(workspace=workspace, user=user, role=Role.MEMBER)
    assert Membership.objects.get(workspace=workspace, user=user).role == Role.ADMIN


def test_membership_create_refuses_an_unknown_role():
    workspace, user = WorkspaceFactory(), UserFactory()
    with pytest.raises(ValidationError):
        membership_create(workspace=workspace, user=user, role="superadmin")
    assert Membership.objects.count() == 0


def test_user_in_several_workspaces():
    user = UserFactory()
    for name in ("One", "Two"):
        workspace_create(name=name, owner=user)
    assert set(Membership.objects.filter(user=user).values_list("workspace__name", flat=True)) == {
        "One",
        "Two",
    }
