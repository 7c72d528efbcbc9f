"""Members: invitations by email with a one-time link, role changes and removal by owners.

Services first, then the pages (including forged POSTs by admins and members), then the
last-owner rule and one-time acceptance under real concurrency on PostgreSQL.
"""

import hashlib
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.middleware import SESSION_KEY
from accounts.models import Invitation, Membership, Role, User, Workspace
from accounts.services import (
    INVALID_INVITATION,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
    invitation_send,
    invitation_sign_up,
    membership_remove,
    membership_set_role,
)
from tests.concurrency import run_threads
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory

STRONG = "a-strong-enough-passphrase"
LINK = re.compile(r"https?://[^/\s]+/invitations/([A-Za-z0-9_-]+)/")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def invite(owner, email="ann@example.com", role=Role.MEMBER):
    return invitation_create(
        workspace=owner.workspace, email=email, role=role, invited_by=owner.user
    )


def expire(invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )


def role_of(membership) -> str | None:
    found = Membership.objects.filter(pk=membership.pk).first()
    return found.role if found else None


# --- invitation_create --------------------------------------------------------------------------


@pytest.mark.django_db
def test_invitation_create_stores_only_the_tokens_hash(owner):
    invitation, token = invite(owner, email="  Ann@Example.COM ")

    assert len(token) >= 40
    invitation.refresh_from_db()
    assert invitation.email == "ann@example.com"
    assert invitation.role == Role.MEMBER
    assert invitation.invited_by == owner.user
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in Invitation.objects.values().get().values()]
    assert token not in stored
    assert token not in str(invitation)
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert invitation.is_pending


@pytest.mark.django_db
def test_every_invitation_gets_its_own_token(owner):
    tokens = {invite(owner, email=f"p{n}@example.com")[1] for n in range(5)}
    assert len(tokens) == 5


@pytest.mark.django_db
def test_inviting_an_existing_member_is_refused(owner, make_member):
    member = make_member(owner.workspace, Role.MEMBER, email="bob@example.com")

    with pytest.raises(ValidationError) as excinfo:
        invite(owner, email="BOB@example.com")

    assert "bob@example.com is already a member" in str(excinfo.value)
    assert not Invitation.objects.exists()
    assert role_of(member) == Role.MEMBER


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("not-an-email", Role.MEMBER, "valid email"),
        ("", Role.MEMBER, "valid email"),
        ("ann@example.com", "superuser", "Unknown role"),
    ],
)
def test_invitation_create_refuses_bad_input(owner, email, role, message):
    with pytest.raises(ValidationError) as excinfo:
        invite(owner, email=email, role=role)
    assert message in str(excinfo.value)
    assert not Invitation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ADMIN, Role.MEMBER])
def test_only_owners_can_invite(owner, make_member, role):
    other = make_member(owner.workspace, role)
    with pytest.raises(PermissionDenied):
        invitation_create(
            workspace=owner.workspace,
            email="x@example.com",
            role=Role.MEMBER,
            invited_by=other.user,
        )
    stranger = MembershipFactory(role=Role.OWNER)  # an owner, but of another workspace
    with pytest.raises(PermissionDenied):
        invitation_create(
            workspace=owner.workspace,
            email="x@example.com",
            role=Role.MEMBER,
            invited_by=stranger.user,
        )
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_reinviting_an_address_revokes_the_older_link(owner):
    first, first_token = invite(owner, role=Role.MEMBER)
    second, second_token = invite(owner, email="ANN@example.com", role=Role.ADMIN)

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert invitation_for_token(first_token) is None
    assert invitation_for_token(second_token) == second
    ann = UserFactory(email="ann@example.com")
    with pytest.raises(ValidationError, match=INVALID_INVITATION):
        invitation_accept(token=first_token, user=ann)
    assert invitation_accept(token=second_token, user=ann).role == Role.ADMIN


@pytest.mark.django_db
def test_the_same_address_may_be_invited_to_two_workspaces(owner):
    other = MembershipFactory(role=Role.OWNER)
    _, token_a = invite(owner)
    _, token_b = invite(other)
    ann = UserFactory(email="ann@example.com")
    invitation_accept(token=token_a, user=ann)
    invitation_accept(token=token_b, user=ann)
    assert set(ann.memberships.values_list("workspace_id", flat=True)) == {
        owner.workspace_id,
        other.workspace_id,
    }


# --- the email ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_email_is_sent_after_commit_with_the_link(owner, django_capture_on_commit_callbacks):
    invitation, token = invite(owner, role=Role.ADMIN)
    link = f"https://salync.example/invitations/{token}/"

    with django_capture_on_commit_callbacks() as callbacks:
        invitation_send(invitation=invitation, link=link)
        assert mail.outbox == []  # nothing leaves while the transaction is open

    assert len(callbacks) == 1
    callbacks[0]()
    (message,) = mail.outbox
    assert message.to == ["ann@example.com"]
    assert owner.workspace.name in message.subject
    assert link in message.body
    assert owner.user.email in message.body
    assert "Admin" in message.body


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_invitation_sends_no_email():
    owner = MembershipFactory(role=Role.OWNER)

    class Abort(Exception):
        pass

    @transaction.atomic
    def invite_then_fail():
        invitation, token = invite(owner)
        invitation_send(invitation=invitation, link=f"https://x.example/invitations/{token}/")
        raise Abort

    with pytest.raises(Abort):
        invite_then_fail()

    assert mail.outbox == []
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_a_newline_in_the_workspace_name_does_not_break_the_subject(
    owner, django_capture_on_commit_callbacks
):
    Workspace.objects.filter(pk=owner.workspace_id).update(name="Acme\nBcc: x@evil.example")
    owner.workspace.refresh_from_db()
    invitation, token = invite(owner)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_send(invitation=invitation, link=f"https://x.example/invitations/{token}/")
    (message,) = mail.outbox
    assert "\n" not in message.subject
    assert message.to == ["ann@example.com"]
    assert message.bcc == []


# --- invitation_accept --------------------------------------------------------------------------


@pytest.mark.django_db
def test_accepting_joins_with_the_invited_role_once(owner):
    invitation, token = invite(owner, role=Role.ADMIN)
    ann = UserFactory(email="Ann@example.com")

    membership = invitation_accept(token=token, user=ann)

    assert (membership.user, membership.workspace, membership.role) == (
        ann,
        owner.workspace,
        Role.ADMIN,
    )
    invitation.refresh_from_db()
    assert invitation.accepted_by == ann
    assert invitation.accepted_at is not None
    assert invitation_for_token(token) is None
    with pytest.raises(ValidationError, match=INVALID_INVITATION):
        invitation_accept(token=token, user=ann)
    assert Membership.objects.filter(user=ann).count() == 1


@pytest.mark.django_db
def test_accepting_as_another_user_is_refused(owner):
    _, token = invite(owner)
    bob = UserFactory(email="bob@example.com")

    with pytest.raises(ValidationError) as excinfo:
        invitation_accept(token=token, user=bob)

    assert "ann@example.com" in str(excinfo.value)
    assert not Membership.objects.filter(user=bob).exists()
    assert invitation_for_token(token) is not None  # still there for Ann


@pytest.mark.django_db
@pytest.mark.parametrize("fate", ["expired", "revoked", "unknown", "empty", "huge"])
def test_a_dead_link_cannot_be_accepted(owner, fate):
    invitation, token = invite(owner)
    ann = UserFactory(email="ann@example.com")
    if fate == "expired":
        expire(invitation)
    elif fate == "revoked":
        invitation_revoke(invitation=invitation, actor=owner.user)
    else:
        token = {"unknown": token[:-2] + "xx", "empty": "", "huge": "a" * 5000}[fate]

    assert invitation_for_token(token) is None
    with pytest.raises(ValidationError) as excinfo:
        invitation_accept(token=token, user=ann)
    assert excinfo.value.messages == [INVALID_INVITATION]
    assert not Membership.objects.filter(user=ann).exists()


@pytest.mark.django_db
def test_someone_already_in_the_workspace_keeps_their_role(owner, make_member):
    _, token = invite(owner, role=Role.OWNER)
    ann = make_member(owner.workspace, Role.MEMBER, email="ann@example.com")  # joined otherwise

    membership = invitation_accept(token=token, user=ann.user)

    assert membership.pk == ann.pk
    assert role_of(ann) == Role.MEMBER
    assert invitation_for_token(token) is None


@pytest.mark.django_db
def test_signing_up_through_an_invitation_creates_the_account_and_joins(owner):
    _, token = invite(owner, role=Role.ADMIN)
    workspaces = Workspace.objects.count()

    membership = invitation_sign_up(token=token, password=STRONG)

    assert membership.user.email == "ann@example.com"
    assert membership.role == Role.ADMIN
    assert Workspace.objects.count() == workspaces  # joins; makes no workspace of its own
    user = authenticate(
        RequestFactory().post("/login/"), username="ann@example.com", password=STRONG
    )
    assert user == membership.user
    with pytest.raises(ValidationError, match=INVALID_INVITATION):
        invitation_sign_up(token=token, password=STRONG)


@pytest.mark.django_db
def test_signing_up_with_a_weak_password_creates_nothing(owner):
    _, token = invite(owner)
    with pytest.raises(ValidationError):
        invitation_sign_up(token=token, password="123")
    assert not User.objects.filter(email="ann@example.com").exists()
    assert invitation_for_token(token) is not None


@pytest.mark.django_db
def test_signing_up_when_the_account_exists_is_refused(owner):
    UserFactory(email="ann@example.com")
    _, token = invite(owner)
    with pytest.raises(ValidationError, match="already exists"):
        invitation_sign_up(token=token, password=STRONG)
    assert invitation_for_token(token) is not None


# --- invitation_revoke --------------------------------------------------------------------------


@pytest.mark.django_db
def test_revoking_kills_the_link_and_only_owners_may(owner, make_member):
    invitation, token = invite(owner)
    admin = make_member(owner.workspace, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        invitation_revoke(invitation=invitation, actor=admin.user)
    assert invitation_for_token(token) is not None

    invitation_revoke(invitation=invitation, actor=owner.user)

    assert invitation_for_token(token) is None
    with pytest.raises(ValidationError, match="no longer open"):
        invitation_revoke(invitation=invitation, actor=owner.user)


@pytest.mark.django_db
def test_an_accepted_invitation_cannot_be_revoked(owner):
    invitation, token = invite(owner)
    invitation_accept(token=token, user=UserFactory(email="ann@example.com"))
    with pytest.raises(ValidationError, match="no longer open"):
        invitation_revoke(invitation=invitation, actor=owner.user)
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- roles and removal --------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_owner_changes_roles(owner, make_member):
    member = make_member(owner.workspace, Role.MEMBER)
    membership_set_role(membership=member, role=Role.ADMIN, actor=owner.user)
    assert role_of(member) == Role.ADMIN
    membership_set_role(membership=member, role=Role.OWNER, actor=owner.user)
    assert role_of(member) == Role.OWNER
    with pytest.raises(ValidationError, match="Unknown role"):
        membership_set_role(membership=member, role="god", actor=owner.user)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ADMIN, Role.MEMBER])
def test_admins_and_members_cannot_change_roles_or_remove(owner, make_member, role):
    actor = make_member(owner.workspace, role)
    target = make_member(owner.workspace, Role.MEMBER)
    with pytest.raises(PermissionDenied):
        membership_set_role(membership=target, role=Role.OWNER, actor=actor.user)
    with pytest.raises(PermissionDenied):
        membership_set_role(membership=actor, role=Role.OWNER, actor=actor.user)
    with pytest.raises(PermissionDenied):
        membership_remove(membership=owner, actor=actor.user)
    assert (role_of(actor), role_of(target), role_of(owner)) == (role, Role.MEMBER, Role.OWNER)


@pytest.mark.django_db
def test_an_owner_of_another_workspace_cannot_touch_this_one(owner, make_member):
    target = make_member(owner.workspace, Role.MEMBER)
    stranger = MembershipFactory(role=Role.OWNER)
    with pytest.raises(PermissionDenied):
        membership_set_role(membership=target, role=Role.ADMIN, actor=stranger.user)
    with pytest.raises(PermissionDenied):
        membership_remove(membership=target, actor=stranger.user)
    assert role_of(target) == Role.MEMBER


@pytest.mark.django_db
def test_the_last_owner_cannot_be_demoted_or_removed(owner):
    for role in (Role.ADMIN, Role.MEMBER):
        with pytest.raises(ValidationError, match="last owner"):
            membership_set_role(membership=owner, role=role, actor=owner.user)
    with pytest.raises(ValidationError, match="last owner"):
        membership_remove(membership=owner, actor=owner.user)
    assert role_of(owner) == Role.OWNER
    membership_set_role(membership=owner, role=Role.OWNER, actor=owner.user)  # a no-op is fine


@pytest.mark.django_db
def test_with_two_owners_one_may_step_down_or_leave(owner, make_member):
    second = make_member(owner.workspace, Role.OWNER)
    membership_set_role(membership=owner, role=Role.ADMIN, actor=owner.user)
    assert role_of(owner) == Role.ADMIN
    with pytest.raises(ValidationError, match="last owner"):
        membership_remove(membership=second, actor=second.user)
    membership_set_role(membership=owner, role=Role.OWNER, actor=second.user)
    membership_remove(membership=second, actor=second.user)
    assert role_of(second) is None
    assert role_of(owner) == Role.OWNER


@pytest.mark.django_db
def test_removing_a_member_twice_says_they_are_gone(owner, make_member):
    member = make_member(owner.workspace, Role.MEMBER)
    membership_remove(membership=member, actor=owner.user)
    assert role_of(member) is None
    with pytest.raises(ValidationError, match="no longer a member"):
        membership_remove(membership=member, actor=owner.user)


# --- Settings → Workspace ----------------------------------------------------------------------


@pytest.mark.django_db
def test_owners_see_the_member_controls(owner, make_member):
    member = make_member(owner.workspace, Role.MEMBER, email="bob@example.com")
    invite(owner, email="ann@example.com")

    html = signed_in(owner.user).get("/settings/workspace/").content.decode()

    assert "Invite member" in html
    assert "Send invitation" in html
    assert f'action="/settings/workspace/members/{member.pk}/role/"' in html
    assert f'href="/settings/workspace/members/{member.pk}/remove/"' in html
    assert "Role for bob@example.com" in html
    assert "ann@example.com" in html
    assert "Pending" in html
    assert "Revoke the invitation for ann@example.com" in html
    assert 'href="/workspaces/new/"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ADMIN, Role.MEMBER])
def test_admins_and_members_see_the_list_read_only(owner, make_member, role):
    viewer = make_member(owner.workspace, role)
    invite(owner, email="ann@example.com")

    html = signed_in(viewer.user).get("/settings/workspace/").content.decode()

    assert owner.user.email in html
    assert viewer.user.email in html
    assert "ann@example.com" in html  # open invitations are visible to everyone in it
    assert "Only owners can invite members" in html
    for control in ("Send invitation", "Change role", "/remove/", "/revoke/", "Role for "):
        assert control not in html


@pytest.mark.django_db
def test_an_expired_invitation_is_listed_as_expired(owner):
    invitation, _ = invite(owner)
    expire(invitation)
    html = signed_in(owner.user).get("/settings/workspace/").content.decode()
    assert "Expired" in html


@pytest.mark.django_db
def test_the_workspace_page_costs_the_same_with_many_members_and_invitations(owner, make_member):
    client = signed_in(owner.user)

    def queries():
        client.get("/settings/workspace/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/settings/workspace/").status_code == 200
        return len(captured)

    few = queries()
    for n in range(10):
        make_member(owner.workspace, Role.MEMBER)
        invite(owner, email=f"invitee{n}@example.com")
    assert queries() == few <= 5


@pytest.mark.django_db
def test_inviting_from_the_page_sends_the_link_by_email(owner, django_capture_on_commit_callbacks):
    client = signed_in(owner.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/settings/workspace/invitations/", {"email": "Ann@Example.com", "role": "admin"}
        )

    assert response.status_code == 302
    assert response["Location"] == "/settings/workspace/"
    (message,) = mail.outbox
    assert message.to == ["ann@example.com"]
    token = LINK.search(message.body).group(1)
    assert LINK.search(message.body).group(0).startswith("http://testserver/invitations/")
    invitation = invitation_for_token(token)
    assert (invitation.workspace, invitation.role) == (owner.workspace, Role.ADMIN)
    page = client.get("/settings/workspace/").content.decode()
    assert "Invitation sent to ann@example.com" in page
    assert token not in page


@pytest.mark.django_db
def test_inviting_a_member_again_shows_the_error_on_the_form(owner, make_member):
    make_member(owner.workspace, Role.MEMBER, email="bob@example.com")

    response = signed_in(owner.user).post(
        "/settings/workspace/invitations/", {"email": "bob@example.com", "role": "member"}
    )

    assert response.status_code == 400
    assert "bob@example.com is already a member" in response.content.decode()
    assert response.context["invite_form"].errors["email"]
    assert mail.outbox == []
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_invitations_are_rate_limited_per_owner(owner):
    client = signed_in(owner.user)
    for n in range(30):
        response = client.post(
            "/settings/workspace/invitations/", {"email": f"p{n}@example.com", "role": "member"}
        )
        assert response.status_code == 302
    response = client.post(
        "/settings/workspace/invitations/", {"email": "one-more@example.com", "role": "member"}
    )
    assert response.status_code == 429
    assert Invitation.objects.count() == 30


@pytest.mark.django_db
def test_an_owner_changes_a_role_on_the_page(owner, make_member):
    member = make_member(owner.workspace, Role.MEMBER, email="bob@example.com")
    client = signed_in(owner.user)

    response = client.post(f"/settings/workspace/members/{member.pk}/role/", {"role": "admin"})

    assert response.status_code == 302
    assert role_of(member) == Role.ADMIN
    assert "bob@example.com is now Admin." in client.get("/settings/workspace/").content.decode()


@pytest.mark.django_db
def test_demoting_the_last_owner_on_the_page_is_refused_with_a_message(owner):
    client = signed_in(owner.user)
    response = client.post(f"/settings/workspace/members/{owner.pk}/role/", {"role": "member"})
    assert response.status_code == 302
    assert role_of(owner) == Role.OWNER
    assert "is the last owner" in client.get("/settings/workspace/").content.decode()


@pytest.mark.django_db
def test_removal_has_a_confirmation_page_that_names_the_member_and_the_consequence(
    owner, make_member
):
    Workspace.objects.filter(pk=owner.workspace_id).update(name="Acme")
    member = make_member(owner.workspace, Role.MEMBER, email="ann@example.com")
    client = signed_in(owner.user)

    page = client.get(f"/settings/workspace/members/{member.pk}/remove/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Remove ann@example.com from Acme?" in html
    assert "They lose access at once." in html
    assert role_of(member) == Role.MEMBER  # GET changes nothing

    response = client.post(f"/settings/workspace/members/{member.pk}/remove/")

    assert response.status_code == 302
    assert response["Location"] == "/settings/workspace/"
    assert role_of(member) is None
    assert (
        "Removed ann@example.com from Acme." in client.get("/settings/workspace/").content.decode()
    )
    # They lose access at once: their next request no longer sees the workspace.
    assert signed_in(member.user).get("/").url == "/workspaces/new/"


@pytest.mark.django_db
def test_the_last_owner_page_says_why_and_the_post_is_refused(owner):
    client = signed_in(owner.user)
    html = client.get(f"/settings/workspace/members/{owner.pk}/remove/").content.decode()
    assert "is the last owner" in html
    assert "Remove member" not in html

    client.post(f"/settings/workspace/members/{owner.pk}/remove/")

    assert role_of(owner) == Role.OWNER


@pytest.mark.django_db
def test_an_owner_may_leave_when_another_owner_stays(owner, make_member):
    make_member(owner.workspace, Role.OWNER)
    response = signed_in(owner.user).post(f"/settings/workspace/members/{owner.pk}/remove/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert role_of(owner) is None


@pytest.mark.django_db
def test_revoking_from_the_page(owner):
    invitation, token = invite(owner)
    client = signed_in(owner.user)
    response = client.post(f"/settings/workspace/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    assert invitation_for_token(token) is None
    assert "Its link no longer works" in client.get("/settings/workspace/").content.decode()


def forged_posts(owner, target, invitation):
    return [
        ("/settings/workspace/invitations/", {"email": "eve@example.com", "role": "owner"}),
        (f"/settings/workspace/members/{target.pk}/role/", {"role": "owner"}),
        (f"/settings/workspace/members/{owner.pk}/role/", {"role": "member"}),
        (f"/settings/workspace/members/{owner.pk}/remove/", {}),
        (f"/settings/workspace/members/{target.pk}/remove/", {}),
        (f"/settings/workspace/invitations/{invitation.pk}/revoke/", {}),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ADMIN, Role.MEMBER])
def test_forged_posts_by_admins_and_members_are_403_and_change_nothing(owner, make_member, role):
    actor = make_member(owner.workspace, role)
    target = make_member(owner.workspace, Role.MEMBER)
    invitation, token = invite(owner)
    client = signed_in(actor.user)

    for path, data in forged_posts(owner, target, invitation):
        assert client.post(path, data).status_code == 403, path
    assert client.get(f"/settings/workspace/members/{target.pk}/remove/").status_code == 403

    assert (role_of(owner), role_of(target), role_of(actor)) == (Role.OWNER, Role.MEMBER, role)
    assert invitation_for_token(token) == invitation
    assert Invitation.objects.count() == 1
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_owner_cannot_reach_another_workspaces_members(owner, make_member):
    elsewhere = MembershipFactory(role=Role.OWNER)
    victim = make_member(elsewhere.workspace, Role.MEMBER)
    invitation, token = invite(elsewhere)
    client = signed_in(owner.user)

    for path, data in forged_posts(elsewhere, victim, invitation)[1:]:
        assert client.post(path, data).status_code == 404, path

    assert (role_of(elsewhere), role_of(victim)) == (Role.OWNER, Role.MEMBER)
    assert invitation_for_token(token) == invitation


@pytest.mark.django_db
def test_member_pages_need_a_login(owner):
    for path in [
        "/settings/workspace/invitations/",
        f"/settings/workspace/members/{owner.pk}/remove/",
    ]:
        response = Client().post(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


# --- /invitations/<token>/ ----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_anonymous_visitor_sees_who_invites_them_and_how_to_join(owner):
    Workspace.objects.filter(pk=owner.workspace_id).update(name="Acme")
    _, token = invite(owner, role=Role.ADMIN)

    response = Client().get(f"/invitations/{token}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Join Acme" in html
    assert owner.user.email in html
    assert "ann@example.com" in html
    assert "Admin" in html
    assert f'href="/login/?next=%2Finvitations%2F{token}%2F"' in html
    assert "Create account and join" in html
    assert "no-cache" in response["Cache-Control"]


DEAD = ["unknown", "expired", "accepted", "revoked"]


@pytest.mark.django_db
def test_every_dead_link_gets_one_and_the_same_answer(owner):
    answers = {}
    for fate in DEAD:
        invitation, token = invite(owner, email=f"{fate}@example.com")
        if fate == "unknown":
            token = token[::-1]
        elif fate == "expired":
            expire(invitation)
        elif fate == "accepted":
            invitation_accept(token=token, user=UserFactory(email="accepted@example.com"))
        else:
            invitation_revoke(invitation=invitation, actor=owner.user)
        response = Client().get(f"/invitations/{token}/")
        assert response.status_code == 404
        answers[fate] = response.content
        assert INVALID_INVITATION in response.content.decode()
        assert f"{fate}@example.com" not in response.content.decode()
        assert owner.workspace.name not in response.content.decode()
    assert len(set(answers.values())) == 1


@pytest.mark.django_db
def test_logging_in_from_the_invitation_comes_back_to_it(owner):
    ann = UserFactory(email="ann@example.com")
    _, token = invite(owner)
    client = Client()

    response = client.post(
        "/login/",
        {"username": ann.email, "password": DEFAULT_PASSWORD, "next": f"/invitations/{token}/"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/invitations/{token}/"
    page = client.get(f"/invitations/{token}/").content.decode()
    assert "Accept invitation" in page
    assert not Membership.objects.filter(user=ann, workspace=owner.workspace).exists()


@pytest.mark.django_db
def test_accepting_on_the_page_joins_and_switches_to_the_workspace(owner):
    ann = MembershipFactory(role=Role.OWNER, user__email="ann@example.com")  # has her own
    _, token = invite(owner, role=Role.MEMBER)
    client = signed_in(ann.user)
    assert client.get("/").context["workspace"] == ann.workspace

    response = client.post(f"/invitations/{token}/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    membership = Membership.objects.get(user=ann.user, workspace=owner.workspace)
    assert membership.role == Role.MEMBER
    assert client.session[SESSION_KEY] == owner.workspace_id
    home = client.get("/")
    assert home.context["workspace"] == owner.workspace
    assert f"You joined {owner.workspace.name} as Member." in home.content.decode()
    again = client.post(f"/invitations/{token}/")  # one time only
    assert again.status_code == 404
    assert INVALID_INVITATION in again.content.decode()


@pytest.mark.django_db
def test_the_wrong_account_cannot_accept_and_is_told_why(owner):
    bob = UserFactory(email="bob@example.com")
    _, token = invite(owner)
    client = signed_in(bob)

    page = client.get(f"/invitations/{token}/").content.decode()
    assert "This invitation is for" in page
    assert "Accept invitation" not in page
    assert "Log out and continue" in page

    response = client.post(f"/invitations/{token}/")

    assert response.status_code == 200
    assert "you are logged in as bob@example.com" in response.content.decode()
    assert not Membership.objects.filter(user=bob).exists()
    assert invitation_for_token(token) is not None


@pytest.mark.django_db
def test_log_out_and_continue_returns_to_the_invitation(owner):
    bob = UserFactory(email="bob@example.com")
    _, token = invite(owner)
    client = signed_in(bob)
    response = client.post("/logout/", {"next": f"/invitations/{token}/"})
    assert response.status_code == 302
    assert response["Location"] == f"/invitations/{token}/"
    assert "Log in to accept" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_signing_up_on_the_invitation_page_joins_without_a_new_workspace(owner):
    _, token = invite(owner, role=Role.ADMIN)
    workspaces = Workspace.objects.count()
    client = Client()

    response = client.post(f"/invitations/{token}/", {"password": STRONG})

    assert response.status_code == 302
    assert response["Location"] == "/"
    ann = User.objects.get(email="ann@example.com")
    assert Membership.objects.get(user=ann).workspace == owner.workspace
    assert Workspace.objects.count() == workspaces
    assert client.get("/").context["workspace"] == owner.workspace


@pytest.mark.django_db
def test_signing_up_on_the_page_with_a_weak_password_shows_why(owner):
    _, token = invite(owner)
    response = Client().post(f"/invitations/{token}/", {"password": "123"})
    assert response.status_code == 200
    assert response.context["sign_up_form"].errors["password"]
    assert not User.objects.filter(email="ann@example.com").exists()


@pytest.mark.django_db
def test_signing_up_on_the_page_when_the_account_exists_says_so(owner):
    UserFactory(email="ann@example.com")
    _, token = invite(owner)
    response = Client().post(f"/invitations/{token}/", {"password": STRONG})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert not Membership.objects.filter(user__email="ann@example.com").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("fate", DEAD)
def test_posting_to_a_dead_link_is_the_same_404(owner, fate):
    invitation, token = invite(owner)
    ann = UserFactory(email="ann@example.com")
    if fate == "unknown":
        token = "nope"
    elif fate == "expired":
        expire(invitation)
    elif fate == "accepted":
        invitation_accept(token=token, user=ann)
    else:
        invitation_revoke(invitation=invitation, actor=owner.user)
    memberships = Membership.objects.count()

    for client, data in [(signed_in(ann), {}), (Client(), {"password": STRONG})]:
        response = client.post(f"/invitations/{token}/", data)
        assert response.status_code == 404
        assert INVALID_INVITATION in response.content.decode()
    assert Membership.objects.count() == memberships
    assert User.objects.filter(email="ann@example.com").count() == 1


# --- the links to /workspaces/new/ --------------------------------------------------------------


@pytest.mark.django_db
def test_new_workspace_is_linked_from_the_account_area(owner):
    html = signed_in(owner.user).get("/").content.decode()
    account = html.split('class="account"', 1)[1]
    assert '<a href="/workspaces/new/">New workspace</a>' in account


# --- the admin ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_lists_invitations_without_the_token_and_cannot_edit_them(owner):
    invitation, token = invite(owner)
    staff = Client()
    staff.force_login(User.objects.create_superuser("staff@salync.example", STRONG))

    listing = staff.get("/admin/accounts/invitation/")
    detail = staff.get(f"/admin/accounts/invitation/{invitation.pk}/change/")

    assert listing.status_code == detail.status_code == 200
    for response in (listing, detail):
        html = response.content.decode()
        assert "ann@example.com" in html
        assert token not in html
        assert invitation.token_hash not in html
    assert "Pending" in listing.content.decode()
    assert staff.get("/admin/accounts/invitation/add/").status_code == 403
    staff.post(f"/admin/accounts/invitation/{invitation.pk}/change/", {"email": "x@example.com"})
    staff.post(f"/admin/accounts/invitation/{invitation.pk}/delete/", {"post": "yes"})
    invitation.refresh_from_db()
    assert invitation.email == "ann@example.com"


# --- under real concurrency (PostgreSQL) --------------------------------------------------------


def kinds(results) -> Counter:
    return Counter(type(result).__name__ for result in results)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_owners_stepping_down_at_once_leave_exactly_one_owner():
    workspace = WorkspaceFactory()
    owners = [MembershipFactory(workspace=workspace, role=Role.OWNER) for _ in range(6)]

    def work(index, barrier):
        barrier.wait()
        return membership_set_role(
            membership=owners[index], role=Role.MEMBER, actor=owners[index].user
        )

    results = run_threads(6, work)

    assert kinds(results) == {"Membership": 5, "ValidationError": 1}, results
    (refusal,) = [r for r in results if isinstance(r, ValidationError)]
    assert "last owner" in str(refusal)
    assert workspace.memberships.filter(role=Role.OWNER).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_owners_leaving_at_once_leave_exactly_one_owner():
    workspace = WorkspaceFactory()
    owners = [MembershipFactory(workspace=workspace, role=Role.OWNER) for _ in range(6)]

    def work(index, barrier):
        barrier.wait()
        return membership_remove(membership=owners[index], actor=owners[index].user)

    results = run_threads(6, work)

    assert kinds(results) == {"NoneType": 5, "ValidationError": 1}, results
    assert workspace.memberships.filter(role=Role.OWNER).count() == 1
    assert workspace.memberships.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_owners_removing_each_other_at_once_leave_one():
    """Each sees two owners; whoever locks second finds they are no longer an owner at all."""
    workspace = WorkspaceFactory()
    rounds = 5
    for _ in range(rounds):
        a = MembershipFactory(workspace=workspace, role=Role.OWNER)
        b = MembershipFactory(workspace=workspace, role=Role.OWNER)
        pairs = [(a, b), (b, a)]

        def work(index, barrier, pairs=pairs):
            actor, target = pairs[index]
            barrier.wait()
            if index:
                return membership_remove(membership=target, actor=actor.user)
            return membership_set_role(membership=target, role=Role.MEMBER, actor=actor.user)

        results = run_threads(2, work)

        assert all(isinstance(r, (Membership, type(None), PermissionDenied)) for r in results)
        assert sum(isinstance(r, PermissionDenied) for r in results) == 1, results
        assert workspace.memberships.filter(role=Role.OWNER, pk__in=[a.pk, b.pk]).count() == 1
        Membership.objects.filter(workspace=workspace).delete()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_link_accepted_at_once_by_many_tabs_joins_once():
    owner = MembershipFactory(role=Role.OWNER)
    _, token = invitation_create(
        workspace=owner.workspace, email="ann@example.com", role=Role.ADMIN, invited_by=owner.user
    )
    ann = UserFactory(email="ann@example.com")

    def work(index, barrier):
        barrier.wait()
        return invitation_accept(token=token, user=ann)

    results = run_threads(8, work)

    assert kinds(results) == {"Membership": 1, "ValidationError": 7}, results
    assert all(
        r.messages == [INVALID_INVITATION] for r in results if isinstance(r, ValidationError)
    )
    assert Membership.objects.filter(user=ann, workspace=owner.workspace).count() == 1
    assert Invitation.objects.get().accepted_by == ann


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_accept_and_revoke_at_once_never_both_win():
    owner = MembershipFactory(role=Role.OWNER)
    ann = UserFactory(email="ann@example.com")
    for n in range(5):
        invitation, token = invitation_create(
            workspace=owner.workspace, email=ann.email, role=Role.MEMBER, invited_by=owner.user
        )

        def work(index, barrier, invitation=invitation, token=token):
            barrier.wait()
            if index:
                return invitation_revoke(invitation=invitation, actor=owner.user)
            return invitation_accept(token=token, user=ann)

        results = run_threads(2, work)

        assert kinds(results) in (
            {"Membership": 1, "ValidationError": 1},
            {"Invitation": 1, "ValidationError": 1},
        ), (n, results)
        invitation.refresh_from_db()
        assert (invitation.accepted_at is None) != (invitation.revoked_at is None)
        joined = Membership.objects.filter(user=ann, workspace=owner.workspace).exists()
        assert joined == (invitation.accepted_at is not None)
        Membership.objects.filter(user=ann).delete()
