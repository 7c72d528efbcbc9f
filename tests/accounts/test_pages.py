"""The signed-in web app: sign-up, login, switcher, Settings pages, CSRF, role checks."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.middleware import SESSION_KEY
from accounts.models import Membership, Role, User, Workspace
from accounts.plans import Plan
from tests.factories import DEFAULT_PASSWORD, UserFactory, WorkspaceFactory

STRONG = "a-strong-enough-passphrase"
SETTINGS_PAGES = ["/settings/", "/settings/workspace/", "/settings/plan/"]


def counts():
    return (User.objects.count(), Workspace.objects.count(), Membership.objects.count())


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- anonymous visitors -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", *SETTINGS_PAGES, "/workspaces/new/"])
def test_anonymous_visitor_is_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert f"next={path}" in response["Location"]


@pytest.mark.django_db
def test_anonymous_post_to_switcher_is_sent_to_log_in(client):
    response = client.post("/workspaces/switch/", {"workspace": 1})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_login_page_has_the_contract_labels(client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">Email</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert ">Log in</button>" in html


# --- sign-up ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_up_creates_user_and_free_workspace_logs_in_and_redirects_home(client):
    response = client.post(
        "/signup/",
        {"email": "New@Example.com", "password": STRONG, "workspace_name": "New Shop"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get()
    assert user.email == "new@example.com"
    workspace = Workspace.objects.get()
    assert workspace.name == "New Shop"
    assert workspace.plan == Plan.FREE
    assert Membership.objects.get().role == Role.OWNER
    assert client.session["_auth_user_id"] == str(user.pk)

    home = client.get("/")
    assert home.status_code == 200
    assert "New Shop" in home.content.decode()
    assert home.context["workspace"] == workspace


@pytest.mark.django_db
def test_sign_up_with_a_taken_email_shows_the_error_and_creates_nothing(client):
    UserFactory(email="taken@example.com")
    before = counts()

    response = client.post(
        "/signup/",
        {"email": "TAKEN@example.com", "password": STRONG, "workspace_name": "Second"},
    )

    assert response.status_code == 200
    assert "An account with this email already exists." in response.content.decode()
    assert response.context["form"].errors["email"]
    assert counts() == before
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_up_with_a_weak_password_shows_the_error_and_creates_nothing(client):
    response = client.post(
        "/signup/", {"email": "a@example.com", "password": "123", "workspace_name": "A"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_signed_in_user_visiting_sign_up_goes_home(owner_client):
    response = owner_client.get("/signup/")
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_sign_up_is_rate_limited_per_address(client):
    data = {"email": "not-an-email", "password": "x", "workspace_name": "W"}
    for _ in range(20):
        assert client.post("/signup/", data, REMOTE_ADDR="198.51.100.1").status_code == 200
    limited = client.post(
        "/signup/",
        {"email": "real@example.com", "password": STRONG, "workspace_name": "Real"},
        REMOTE_ADDR="198.51.100.1",
    )
    assert limited.status_code == 429
    assert counts() == (0, 0, 0)
    # Another address is not affected.
    other = client.post(
        "/signup/",
        {"email": "real@example.com", "password": STRONG, "workspace_name": "Real"},
        REMOTE_ADDR="198.51.100.2",
    )
    assert other.status_code == 302


# --- login and logout -------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_with_email_and_password_then_logout(client, owner):
    response = client.post(
        "/login/", {"username": owner.user.email.upper(), "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(owner.user.pk)
    assert client.get("/").status_code == 200

    assert client.get("/logout/").status_code == 405  # logging out is a POST
    assert client.session.get("_auth_user_id") == str(owner.user.pk)

    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_login_with_a_wrong_password_fails(client, owner):
    response = client.post("/login/", {"username": owner.user.email, "password": "wrong-one"})
    assert response.status_code == 200
    assert "That email and password do not match an account." in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_does_not_redirect_to_another_site(client, owner):
    response = client.post(
        "/login/",
        {
            "username": owner.user.email,
            "password": DEFAULT_PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_inactive_user_cannot_log_in(client):
    user = UserFactory(is_active=False)
    response = client.post("/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# --- workspace switcher -----------------------------------------------------------------------


@pytest.mark.django_db
def test_switcher_switches_between_the_users_workspaces(owner):
    second = WorkspaceFactory(name="Second Shop")
    Membership.objects.create(user=owner.user, workspace=second, role=Role.MEMBER)
    client = signed_in(owner.user)

    home = client.get("/")
    assert home.context["workspace"] == owner.workspace
    html = home.content.decode()
    assert 'name="workspace"' in html
    assert "Second Shop" in html

    response = client.post("/workspaces/switch/", {"workspace": second.pk})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == second.pk
    assert client.get("/").context["workspace"] == second
    assert client.get("/settings/workspace/").context["workspace"] == second


@pytest.mark.django_db
def test_switcher_refuses_a_workspace_the_user_is_not_in(owner, make_member):
    stranger = make_member(role=Role.OWNER)
    client = signed_in(owner.user)
    client.get("/")
    before = client.session[SESSION_KEY]

    response = client.post("/workspaces/switch/", {"workspace": stranger.workspace.pk})

    assert response.status_code == 404
    assert client.session[SESSION_KEY] == before == owner.workspace.pk
    assert client.get("/").context["workspace"] == owner.workspace


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"workspace": "999999"}])
def test_switcher_with_a_missing_or_unknown_workspace_is_404(owner, data):
    client = signed_in(owner.user)
    response = client.post("/workspaces/switch/", data)
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "abc"])
def test_switcher_with_a_non_numeric_workspace_is_404(owner, value):
    client = Client(raise_request_exception=False)
    client.force_login(owner.user)
    response = client.post("/workspaces/switch/", {"workspace": value})
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_session_pointing_at_a_lost_workspace_falls_back(owner):
    second = WorkspaceFactory()
    membership = Membership.objects.create(user=owner.user, workspace=second)
    client = signed_in(owner.user)
    client.post("/workspaces/switch/", {"workspace": second.pk})
    membership.delete()  # removed from the workspace while signed in

    response = client.get("/settings/workspace/")
    assert response.status_code == 200
    assert response.context["workspace"] == owner.workspace


# --- a user without a workspace ---------------------------------------------------------------


@pytest.mark.django_db
def test_user_without_workspace_is_sent_to_create_one_and_can(client):
    user = UserFactory()
    client.force_login(user)

    for path in ["/", "/settings/workspace/", "/settings/plan/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == "/workspaces/new/"

    assert client.get("/workspaces/new/").status_code == 200
    response = client.post("/workspaces/new/", {"name": "Fresh Start"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    membership = Membership.objects.get(user=user)
    assert membership.workspace.name == "Fresh Start"
    assert membership.role == Role.OWNER
    assert membership.workspace.plan == Plan.FREE
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_creating_another_workspace_switches_to_it(owner_client, owner):
    response = owner_client.post("/workspaces/new/", {"name": "Second"})
    assert response.status_code == 302
    created = Workspace.objects.get(name="Second")
    assert owner_client.get("/").context["workspace"] == created
    assert Membership.objects.get(workspace=created).user == owner.user


@pytest.mark.django_db
def test_creating_a_workspace_with_a_blank_name_shows_an_error(owner_client):
    before = counts()
    response = owner_client.post("/workspaces/new/", {"name": "   "})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert counts() == before


# --- Settings → Workspace ---------------------------------------------------------------------


@pytest.mark.django_db
def test_navigation_has_a_settings_link(owner_client):
    html = owner_client.get("/").content.decode()
    assert '<a href="/settings/"' in html
    assert ">Settings</a>" in html


@pytest.mark.django_db
def test_settings_index_goes_to_workspace_settings(owner_client):
    response = owner_client.get("/settings/")
    assert response.status_code == 302
    assert response["Location"] == "/settings/workspace/"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_owner_and_admin_can_rename_the_workspace(owner, make_member, role):
    membership = owner if role == Role.OWNER else make_member(owner.workspace, Role.ADMIN)
    client = signed_in(membership.user)

    response = client.post("/settings/workspace/", {"name": "  Renamed Shop "})

    assert response.status_code == 302
    assert response["Location"] == "/settings/workspace/"
    owner.workspace.refresh_from_db()
    assert owner.workspace.name == "Renamed Shop"
    assert "Renamed Shop" in client.get("/settings/workspace/").content.decode()


@pytest.mark.django_db
def test_member_cannot_rename_the_workspace(owner, make_member):
    member = make_member(owner.workspace, Role.MEMBER)
    client = signed_in(member.user)
    name = owner.workspace.name

    page = client.get("/settings/workspace/")
    assert page.status_code == 200
    assert "Only owners and admins can rename the workspace." in page.content.decode()
    assert page.context["form"].fields["name"].disabled

    response = client.post("/settings/workspace/", {"name": "Hijacked"})

    assert response.status_code == 403
    owner.workspace.refresh_from_db()
    assert owner.workspace.name == name


@pytest.mark.django_db
def test_admin_of_one_workspace_cannot_rename_another_where_they_are_member(owner, make_member):
    """The role that counts is the one in the current workspace."""
    admin = make_member(owner.workspace, Role.ADMIN)
    other = WorkspaceFactory(name="Other")
    Membership.objects.create(user=admin.user, workspace=other, role=Role.MEMBER)
    client = signed_in(admin.user)
    client.post("/workspaces/switch/", {"workspace": other.pk})

    response = client.post("/settings/workspace/", {"name": "Hijacked"})

    assert response.status_code == 403
    other.refresh_from_db()
    assert other.name == "Other"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_rename_with_a_bad_name_shows_an_error(owner_client, owner, name):
    before = owner.workspace.name
    response = owner_client.post("/settings/workspace/", {"name": name})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    owner.workspace.refresh_from_db()
    assert owner.workspace.name == before


@pytest.mark.django_db
def test_workspace_names_are_escaped(owner_client, owner):
    owner_client.post("/settings/workspace/", {"name": "<script>alert(1)</script>"})
    owner.workspace.refresh_from_db()
    assert owner.workspace.name == "<script>alert(1)</script>"
    for path in ["/", "/settings/workspace/", "/settings/plan/"]:
        html = owner_client.get(path).content.decode()
        assert "<script>alert(1)</script>" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path


@pytest.mark.django_db
def test_workspace_settings_lists_the_members(owner, make_member):
    member = make_member(owner.workspace, Role.MEMBER)
    outsider = make_member(role=Role.OWNER)
    html = signed_in(owner.user).get("/settings/workspace/").content.decode()
    assert owner.user.email in html
    assert member.user.email in html
    assert outsider.user.email not in html


# --- Settings → Plan & usage ------------------------------------------------------------------


@pytest.mark.django_db
def test_plan_page_on_free(owner_client):
    response = owner_client.get("/settings/plan/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Current plan: <strong>Free</strong>" in html
    assert response.context["entitlements"].api is False


@pytest.mark.django_db
def test_plan_page_on_growth_shows_its_limits(owner):
    owner.workspace.plan = Plan.GROWTH
    owner.workspace.save()
    response = signed_in(owner.user).get("/settings/plan/")
    html = response.content.decode()
    assert "Current plan: <strong>Growth</strong>" in html
    assert "<dt>Requests per day</dt>\n      <dd>500</dd>" in html
    assert "<dd>20 requests/minute</dd>" in html


@pytest.mark.django_db
def test_plan_page_with_custom_limits_shows_the_custom_values(owner):
    owner.workspace.plan = Plan.PRO
    owner.workspace.daily_limit_override = 123_456
    owner.workspace.burst_limit_override = 789
    owner.workspace.save()
    response = signed_in(owner.user).get("/settings/plan/")
    html = response.content.decode()
    assert "Current plan: <strong>Pro (custom limits)</strong>" in html
    assert "<dd>123,456</dd>" in html
    assert "<dd>789 requests/minute</dd>" in html
    ent = response.context["entitlements"]
    assert (ent.daily_limit, ent.burst_limit) == (123_456, 789)


@pytest.mark.django_db
def test_member_can_read_the_plan_page(owner, make_member):
    member = make_member(owner.workspace, Role.MEMBER)
    assert signed_in(member.user).get("/settings/plan/").status_code == 200


# --- CSRF -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "data", "signed_in_first"),
    [
        ("/login/", {"username": "x@example.com", "password": DEFAULT_PASSWORD}, False),
        ("/signup/", {"email": "n@example.com", "password": STRONG, "workspace_name": "N"}, False),
        ("/settings/workspace/", {"name": "Renamed"}, True),
        ("/workspaces/switch/", {"workspace": "second"}, True),
        ("/workspaces/new/", {"name": "Via CSRF"}, True),
        ("/logout/", {}, True),
    ],
)
def test_every_form_requires_the_csrf_token(owner, path, data, signed_in_first):
    second = WorkspaceFactory()
    Membership.objects.create(user=owner.user, workspace=second)
    if data.get("workspace") == "second":
        data = {"workspace": second.pk}
    if "username" in data:
        data = {**data, "username": owner.user.email}
    client = Client(enforce_csrf_checks=True)
    if signed_in_first:
        client.force_login(owner.user)
        client.get("/")
    session_before = dict(client.session.items())
    before = counts()
    name = owner.workspace.name

    response = client.post(path, data)

    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert counts() == before
    owner.workspace.refresh_from_db()
    assert owner.workspace.name == name
    assert dict(client.session.items()) == session_before


@pytest.mark.django_db
def test_forms_work_with_the_csrf_token(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    client.get("/settings/workspace/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/settings/workspace/", {"name": "With token", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    owner.workspace.refresh_from_db()
    assert owner.workspace.name == "With token"


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "limit"), [("/settings/workspace/", 5), ("/settings/plan/", 4)])
def test_settings_pages_query_count(owner, path, limit, django_assert_max_num_queries):
    client = signed_in(owner.user)
    client.get(path)  # the session already names the workspace, as in normal use
    with django_assert_max_num_queries(limit):
        assert client.get(path).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/settings/workspace/", "/settings/plan/"])
def test_settings_pages_query_count_does_not_grow_with_members_or_workspaces(
    owner, make_member, path
):
    client = signed_in(owner.user)

    def queries():
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(8):
        make_member(owner.workspace, Role.MEMBER)
        Membership.objects.create(user=owner.user, workspace=WorkspaceFactory())
    assert queries() == few
