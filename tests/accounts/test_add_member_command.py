"""add_member (SPEC §3): adds an existing user, or creates one with --password, with a role.

Bad arguments print one line on stderr, exit non-zero and change nothing.
"""

import pytest

from accounts.models import Membership, Role, User
from tests.accounts.test_commands import STRONG, can_log_in, counts, manage, refused, run
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory


@pytest.fixture
def workspace(db):
    return MembershipFactory(role=Role.OWNER, workspace__slug="acme").workspace


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.MEMBER])
def test_adds_an_existing_user_with_the_role_and_keeps_their_password(workspace, role):
    ann = UserFactory(email="ann@example.com")

    out, err = run("add_member", "acme", "--email", "ANN@example.com", "--role", role)

    assert err == ""
    assert out == f"ann@example.com is now {Role(role).label} of acme\n"
    assert Membership.objects.get(user=ann, workspace=workspace).role == role
    assert can_log_in("ann@example.com", DEFAULT_PASSWORD) == ann


@pytest.mark.django_db
def test_an_existing_user_keeps_their_password_even_when_one_is_given(workspace):
    ann = UserFactory(email="ann@example.com")
    run(
        "add_member", "acme", "--email", "ann@example.com", "--role", "member", "--password", STRONG
    )
    assert can_log_in("ann@example.com", DEFAULT_PASSWORD) == ann
    assert can_log_in("ann@example.com", STRONG) is None


@pytest.mark.django_db
def test_creates_a_new_user_with_the_password(workspace):
    users = User.objects.count()

    out, _ = run(
        "add_member", "acme", "--email", "New@Example.com", "--role", "admin", "--password", STRONG
    )

    assert out == "new@example.com (new user) is now Admin of acme\n"
    assert User.objects.count() == users + 1
    new = can_log_in("new@example.com", STRONG)
    assert new is not None
    assert Membership.objects.get(user=new).workspace == workspace
    assert Membership.objects.get(user=new).role == Role.ADMIN


@pytest.mark.django_db
def test_a_user_may_be_added_to_a_second_workspace(workspace):
    ann = MembershipFactory(role=Role.OWNER, user__email="ann@example.com").user
    run("add_member", "acme", "--email", "ann@example.com", "--role", "member")
    assert ann.memberships.count() == 2


BAD = [
    pytest.param(["nope", "--email", "ann@example.com", "--role", "member"], "nope", id="slug"),
    pytest.param(
        ["acme", "--email", "ghost@example.com", "--role", "member"], "--password", id="no-user"
    ),
    pytest.param(["acme", "--email", "ann@example.com", "--role", "boss"], "boss", id="role"),
    pytest.param(["acme", "--email", "ann@example.com"], "--role", id="missing-role"),
    pytest.param(["acme", "--role", "member"], "--email", id="missing-email"),
    pytest.param(
        ["acme", "--email", "owner@example.com", "--role", "admin"],
        "already a member",
        id="already-member",
    ),
    pytest.param(
        ["acme", "--email", "new@example.com", "--role", "member", "--password", "123"],
        "password",
        id="weak-password",
    ),
    pytest.param(
        ["acme", "--email", "not-an-email", "--role", "member", "--password", STRONG],
        "email",
        id="invalid-email",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_arguments_fail_and_change_nothing(args, message):
    owner = MembershipFactory(
        role=Role.OWNER, workspace__slug="acme", user__email="owner@example.com"
    )
    UserFactory(email="ann@example.com")
    before = counts()

    error = refused("add_member", *args)

    assert message.lower() in error.lower()
    assert counts() == before
    assert Membership.objects.get(user=owner.user).role == Role.OWNER


# --- as a real process: exit code and one line on stderr ---------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing", "--email", "ann@example.com", "--role", "member"], "missing"),
        (["acme", "--email", "ghost@example.com", "--role", "member"], "--password"),
        (["acme", "--email", "ann@example.com", "--role", "boss"], "invalid choice"),
        (["acme", "--email", "x@example.com", "--role", "member", "--password", "1"], "password"),
    ],
)
def test_manage_py_bad_arguments_exit_non_zero_with_one_line(transactional_db, args, message):
    WorkspaceFactory(slug="acme")
    UserFactory(email="ann@example.com")
    before = counts()

    result = manage("add_member", *args)

    assert result.returncode != 0
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    if "invalid choice" not in message:  # argparse prints its usage line first
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert counts() == before


def test_manage_py_add_member_creates_and_adds(transactional_db):
    workspace = WorkspaceFactory(slug="acme")

    result = manage(
        "add_member", "acme", "--email", "proc@example.com", "--role", "owner", "--password", STRONG
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "proc@example.com (new user) is now Owner of acme\n"
    membership = Membership.objects.get(user__email="proc@example.com")
    assert (membership.workspace, membership.role) == (workspace, Role.OWNER)
