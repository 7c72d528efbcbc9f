"""create_workspace, set_plan and seed_demo: output, effects, and clean refusals."""

import contextlib
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import RequestFactory, override_settings

from accounts.models import Membership, Role, User, Workspace
from accounts.plans import Plan
from portal.services import account_sign_up
from tests.factories import UserFactory, WorkspaceFactory

REPO = Path(__file__).resolve().parents[2]
STRONG = "a-strong-enough-passphrase"


def run(*args):
    """call_command with captured output; returns (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args):
    """Run a command that must fail: returns the message it fails with."""
    out, err = StringIO(), StringIO()
    with pytest.raises((CommandError, SystemExit)) as excinfo:
        call_command(*args, stdout=out, stderr=err)
    assert out.getvalue() == ""
    if isinstance(excinfo.value, SystemExit):
        assert excinfo.value.code not in (0, None)
        return err.getvalue()
    return str(excinfo.value)


def can_log_in(email, password):
    """authenticate() as the login view calls it (django-axes needs the request)."""
    return authenticate(RequestFactory().post("/login/"), username=email, password=password)


def counts():
    return (User.objects.count(), Workspace.objects.count(), Membership.objects.count())


def subprocess_env() -> dict[str, str]:
    """The environment for `manage.py` on the test database pytest-django created."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="salync.settings.test")
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        env["DATABASE_URL"] = f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"
    return env


def manage(*args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# --- create_workspace -------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_workspace_prints_the_slug_alone_and_creates_the_owner():
    out, err = run(
        "create_workspace",
        "--name",
        "Nordic Gear",
        "--plan",
        "growth",
        "--owner-email",
        "Owner@Nordic.example",
        "--owner-password",
        STRONG,
    )

    assert out == "nordic-gear\n"
    assert err == ""
    workspace = Workspace.objects.get(slug="nordic-gear")
    assert workspace.name == "Nordic Gear"
    assert workspace.plan == Plan.GROWTH
    membership = Membership.objects.get(workspace=workspace)
    assert membership.role == Role.OWNER
    assert membership.user.email == "owner@nordic.example"
    assert can_log_in("owner@nordic.example", STRONG) == membership.user


@pytest.mark.django_db
def test_create_workspace_twice_with_one_name_prints_different_slugs():
    first, _ = run(
        "create_workspace",
        "--name=Acme",
        "--plan=free",
        "--owner-email=a@example.com",
        f"--owner-password={STRONG}",
    )
    second, _ = run(
        "create_workspace",
        "--name=Acme",
        "--plan=pro",
        "--owner-email=b@example.com",
        f"--owner-password={STRONG}",
    )
    assert first.strip() != second.strip()
    assert Workspace.objects.get(slug=second.strip()).plan == Plan.PRO


CREATE_BAD = [
    pytest.param(["--plan", "enterprise"], "enterprise", id="unknown-plan"),
    pytest.param(["--owner-email", "TAKEN@example.com"], "already exists", id="duplicate-email"),
    pytest.param(["--owner-password", "123"], "password", id="weak-password"),
    pytest.param(["--owner-password", "password"], "common", id="common-password"),
    pytest.param(["--owner-email", "not-an-email"], "email", id="invalid-email"),
    pytest.param(["--name", "   "], "name", id="blank-name"),
]


def create_args(overrides):
    args = {
        "--name": "New Shop",
        "--plan": "growth",
        "--owner-email": "new@example.com",
        "--owner-password": STRONG,
    }
    args.update(zip(overrides[::2], overrides[1::2], strict=True))
    return [item for pair in args.items() for item in pair]


@pytest.mark.django_db
@pytest.mark.parametrize(("overrides", "message"), CREATE_BAD)
def test_create_workspace_bad_arguments_fail_and_create_nothing(overrides, message):
    UserFactory(email="taken@example.com")
    before = counts()

    error = refused("create_workspace", *create_args(overrides))

    assert message.lower() in error.lower()
    assert counts() == before


@pytest.mark.django_db
def test_create_workspace_missing_argument_fails():
    before = counts()
    error = refused("create_workspace", "--name", "X", "--plan", "free")
    assert "--owner-email" in error
    assert counts() == before


# --- set_plan ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_set_plan_changes_the_plan_and_limits():
    workspace = WorkspaceFactory(slug="acme", plan=Plan.FREE)

    out, _ = run("set_plan", "acme", "--plan", "growth")
    workspace.refresh_from_db()
    assert workspace.plan == Plan.GROWTH
    assert (workspace.entitlements.daily_limit, workspace.entitlements.burst_limit) == (500, 20)
    assert "acme" in out
    assert "500" in out

    out, _ = run(
        "set_plan", "acme", "--plan", "pro", "--daily-limit", "25000", "--burst-limit", "9"
    )
    workspace.refresh_from_db()
    assert workspace.plan == Plan.PRO
    assert (workspace.daily_limit_override, workspace.burst_limit_override) == (25000, 9)
    assert workspace.entitlements.custom_limits
    assert "25,000" in out or "25000" in out

    run("set_plan", "acme", "--plan", "pro")
    workspace.refresh_from_db()
    assert (workspace.daily_limit_override, workspace.burst_limit_override) == (None, None)

    run("set_plan", "acme", "--plan", "free")
    workspace.refresh_from_db()
    assert workspace.plan == Plan.FREE
    assert not workspace.entitlements.api


SET_PLAN_BAD = [
    pytest.param(["acme", "--plan", "enterprise"], "enterprise", id="unknown-plan"),
    pytest.param(["nope", "--plan", "pro"], "nope", id="unknown-workspace"),
    pytest.param(["acme", "--plan", "pro", "--daily-limit", "-5"], "-5", id="negative-daily"),
    pytest.param(["acme", "--plan", "pro", "--daily-limit", "0"], "0", id="zero-daily"),
    pytest.param(["acme", "--plan", "pro", "--daily-limit", "abc"], "abc", id="text-daily"),
    pytest.param(["acme", "--plan", "pro", "--burst-limit", "-1"], "-1", id="negative-burst"),
    pytest.param(["acme", "--plan", "pro", "--burst-limit", "2.5"], "2.5", id="fraction-burst"),
    pytest.param(["acme", "--plan", "free", "--daily-limit", "100"], "free", id="free-limits"),
    pytest.param(["acme", "--plan", "free", "--burst-limit", "10"], "free", id="free-burst"),
    pytest.param(["acme"], "--plan", id="missing-plan"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "message"), SET_PLAN_BAD)
def test_set_plan_bad_arguments_fail_and_change_nothing(args, message):
    workspace = WorkspaceFactory(slug="acme", plan=Plan.GROWTH, burst_limit_override=30)
    before = counts()

    error = refused("set_plan", *args)

    assert message.lower() in error.lower()
    assert counts() == before
    workspace.refresh_from_db()
    assert (workspace.plan, workspace.daily_limit_override, workspace.burst_limit_override) == (
        Plan.GROWTH,
        None,
        30,
    )


@pytest.mark.django_db
def test_set_plan_limit_beyond_the_column_fails_cleanly():
    """A limit the database column cannot hold is a bad argument, not a crash."""
    workspace = WorkspaceFactory(slug="acme", plan=Plan.GROWTH)
    error = refused("set_plan", "acme", "--plan", "pro", "--daily-limit", "99999999999999999999999")
    assert "daily" in error
    workspace.refresh_from_db()
    assert (workspace.plan, workspace.daily_limit_override) == (Plan.GROWTH, None)


# --- seed_demo --------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_prints_slug_then_login_that_works_and_is_idempotent():
    first, _ = run("seed_demo")
    second, _ = run("seed_demo")

    assert first == second
    lines = first.splitlines()
    assert len(lines) == 3
    slug = lines[0]
    assert lines[1].startswith("Email: ")
    assert lines[2].startswith("Password: ")
    email = lines[1].removeprefix("Email: ")
    password = lines[2].removeprefix("Password: ")

    assert counts() == (1, 1, 1)
    workspace = Workspace.objects.get(slug=slug)
    assert workspace.plan == Plan.PRO
    membership = Membership.objects.get()
    assert (membership.workspace, membership.role) == (workspace, Role.OWNER)
    user = can_log_in(email, password)
    assert user == membership.user


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_repairs_a_changed_demo():
    out, _ = run("seed_demo")
    slug = out.splitlines()[0]
    workspace = Workspace.objects.get(slug=slug)
    workspace.plan = Plan.FREE
    workspace.save()
    Membership.objects.update(role=Role.MEMBER)

    run("seed_demo")

    workspace.refresh_from_db()
    assert workspace.plan == Plan.PRO
    assert Membership.objects.get().role == Role.OWNER
    assert counts() == (1, 1, 1)


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_refuses_without_password_when_debug_is_off():
    error = refused("seed_demo")
    assert "--password" in error
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_with_a_password_when_debug_is_off():
    out, _ = run("seed_demo", "--password", STRONG)
    lines = out.splitlines()
    assert lines[2] == f"Password: {STRONG}"
    assert can_log_in(lines[1].removeprefix("Email: "), STRONG)


@pytest.mark.django_db
def test_seed_demo_refuses_a_weak_password_on_first_run():
    error = refused("seed_demo", "--password", "123")
    assert "password" in error.lower()
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_refuses_a_weak_password_when_the_demo_exists():
    out, _ = run("seed_demo")
    password = out.splitlines()[2].removeprefix("Password: ")
    email = out.splitlines()[1].removeprefix("Email: ")

    with pytest.raises(CommandError):
        call_command("seed_demo", "--password", "123", stdout=StringIO(), stderr=StringIO())

    assert can_log_in(email, password)


# --- as a real process: exit code and stderr --------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["set_plan", "acme", "--plan", "pro", "--daily-limit", "-5"], "at least 1"),
        (["set_plan", "missing", "--plan", "pro"], "missing"),
        (["set_plan", "acme", "--plan", "enterprise"], "invalid choice"),
        (
            [
                "create_workspace",
                "--name",
                "Dup",
                "--plan",
                "free",
                "--owner-email",
                "taken@example.com",
                "--owner-password",
                STRONG,
            ],
            "already exists",
        ),
    ],
)
def test_manage_py_bad_arguments_exit_non_zero_with_a_message(transactional_db, args, message):
    UserFactory(email="taken@example.com")
    workspace = WorkspaceFactory(slug="acme", plan=Plan.GROWTH)
    before = counts()

    result = manage(*args)

    assert result.returncode != 0
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert counts() == before
    workspace.refresh_from_db()
    assert (workspace.plan, workspace.daily_limit_override) == (Plan.GROWTH, None)


def test_manage_py_create_workspace_prints_the_slug(transactional_db):
    result = manage(
        "create_workspace",
        "--name",
        "Proc Shop",
        "--plan",
        "pro",
        "--owner-email",
        "proc@example.com",
        "--owner-password",
        STRONG,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "proc-shop\n"
    assert Workspace.objects.get(slug="proc-shop").plan == Plan.PRO


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_never_takes_over_a_customer_workspace_named_demo():
    customer, workspace = account_sign_up(
        email="customer@shop.example", password=STRONG, workspace_name="Demo"
    )
    assert workspace.slug != "demo"  # the demo's slug is reserved for it
    # A workspace holding the slug anyway (made before the reservation) is still not taken over.
    Workspace.objects.filter(pk=workspace.pk).update(slug="demo")

    with contextlib.suppress(CommandError):  # refusing is fine; taking it over is not
        run("seed_demo")

    workspace.refresh_from_db()
    assert workspace.plan == Plan.FREE
    assert list(workspace.memberships.values_list("user__email", flat=True)) == [customer.email]
