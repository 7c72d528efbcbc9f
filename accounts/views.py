from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import (
    LoginView,
    LogoutView,
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
)
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BigIntegerField, CharField, DateTimeField, F, Value
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from accounts import services
from accounts.auth import login_lockout_clear, password_reset_email_key
from accounts.decorators import manager_required_for_writes, workspace_required
from accounts.forms import (
    InvitationForm,
    InvitationSignUpForm,
    LoginForm,
    MemberRoleForm,
    WorkspaceNameForm,
    add_service_errors,
)
from accounts.middleware import SESSION_KEY
from accounts.models import Invitation, Membership, Role, normalize_email


@method_decorator(login_not_required, name="dispatch")
class SalyncLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class SalyncLogoutView(LogoutView):
    def post(self, request, *args, **kwargs):
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            # Kept in the messages cookie: logging out has just emptied the session.
            messages.info(request, "You have been logged out.")
        return response


# Resets send mail: a few an hour per client address, and per address asked for, however it
# is spelled and whether or not an account has it (accounts.auth.password_reset_email_key).
RESET_LINK_RATE = "5/h"


@method_decorator(login_not_required, name="dispatch")
@method_decorator(
    ratelimit(group="password_reset:ip", key="ip", rate=RESET_LINK_RATE, method="POST", block=True),
    name="post",
)
@method_decorator(
    ratelimit(
        group="password_reset:email",
        key=password_reset_email_key,
        rate=RESET_LINK_RATE,
        method="POST",
        block=True,
    ),
    name="post",
)
class SalyncPasswordResetView(PasswordResetView):
    """Django's reset: the same page and the same answer for known and unknown addresses."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        return {"timeout_days": settings.PASSWORD_RESET_TIMEOUT // (60 * 60 * 24)}


@method_decorator(login_not_required, name="dispatch")
class SalyncPasswordResetDoneView(PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


@method_decorator(login_not_required, name="dispatch")
class SalyncPasswordResetConfirmView(PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The owner proved the email is theirs and the guessed-at password is gone: unlock.
        login_lockout_clear(email=self.user.email)
        return response


@method_decorator(login_not_required, name="dispatch")
class SalyncPasswordResetCompleteView(PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@require_POST
def switch_workspace(request):
    workspace_id = request.POST.get("workspace", "")
    if not workspace_id.isdigit():
        raise Http404("No such workspace.")
    membership = get_object_or_404(Membership, user=request.user, workspace_id=int(workspace_id))
    request.session[SESSION_KEY] = membership.workspace_id
    messages.info(request, f"Switched to {membership.workspace.name}.")
    return redirect("portal:home")


@manager_required_for_writes
@require_http_methods(["GET", "POST"])
def settings_workspace(request):
    workspace = request.workspace
    form = WorkspaceNameForm(request.POST or None, initial={"name": workspace.name})
    if not request.membership.can_manage:
        form.fields["name"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.workspace_rename(workspace=workspace, name=form.cleaned_data["name"])
        except ValidationError as error:
            add_service_errors(form, error, {})
        else:
            messages.success(request, "Workspace renamed.")
            return redirect("accounts:settings_workspace")
    return _workspace_page(request, form=form)


@workspace_required
@require_safe
def settings_index(request):
    return redirect("accounts:settings_workspace")


# --- Members: invitations, roles, removal (owners manage; everyone else reads) -----------------


def owner_required(view):
    """Only the workspace's owners may open this page or send this form."""

    @wraps(view)
    @workspace_required
    def wrapper(request, *args, **kwargs):
        if request.membership.role != Role.OWNER:
            raise PermissionDenied("Only owners can manage members.")
        return view(request, *args, **kwargs)

    return wrapper


def _people(workspace) -> tuple[list[dict], list[dict]]:
    """The workspace's members and open invitations as plain rows, in one query (a UNION)."""
    columns = ["p_kind", "p_id", "p_email", "p_role", "p_created", "p_expires", "p_by", "p_user"]
    no_time, no_text = Cast(Value(None), DateTimeField()), Cast(Value(None), CharField())
    members = Membership.objects.filter(workspace=workspace).annotate(
        p_kind=Value("member"),
        p_id=F("pk"),
        p_email=F("user__email"),
        p_role=F("role"),
        p_created=F("created_at"),
        p_expires=no_time,
        p_by=no_text,
        p_user=F("user_id"),
    )
    invitations = Invitation.objects.filter(
        workspace=workspace, accepted_at__isnull=True, revoked_at__isnull=True
    ).annotate(
        p_kind=Value("invitation"),
        p_id=F("pk"),
        p_email=F("email"),
        p_role=F("role"),
        p_created=F("created_at"),
        p_expires=F("expires_at"),
        p_by=F("invited_by__email"),
        p_user=Cast(Value(None), BigIntegerField()),
    )
    rows = (
        members.order_by()
        .values_list(*columns)
        .union(invitations.order_by().values_list(*columns), all=True)
    )
    now = timezone.now()
    people, invited = [], []
    for kind, pk, email, role, created_at, expires_at, invited_by, user_id in rows:
        row = {
            "pk": pk,
            "email": email,
            "role": role,
            "role_label": Role(role).label,
            "created_at": created_at,
        }
        if kind == "member":
            people.append({**row, "user_id": user_id})
        else:
            expired = expires_at <= now
            status = "Expired" if expired else "Pending"
            invited.append(
                {
                    **row,
                    "expires_at": expires_at,
                    "invited_by": invited_by,
                    "expired": expired,
                    "status_label": status,
                }
            )
    people.sort(key=lambda row: (row["created_at"], row["pk"]))
    invited.sort(key=lambda row: (row["created_at"], row["pk"]), reverse=True)
    return people, invited


def _workspace_page(request, *, form, invite_form=None, status=200):
    """Settings → Workspace: the name, the members and the open invitations."""
    is_owner = request.membership.role == Role.OWNER
    if is_owner and invite_form is None:
        invite_form = InvitationForm()
    members, invitations = _people(request.workspace)
    return render(
        request,
        "settings/workspace.html",
        {
            "form": form,
            "invite_form": invite_form if is_owner else None,
            "members": members,
            "invitations": invitations,
            "is_owner": is_owner,
            "roles": Role.choices,
            "settings_section": "workspace",
        },
        status=status,
    )


def _workspace_members(workspace):
    return Membership.objects.filter(workspace=workspace).select_related("user", "workspace")


@owner_required
@require_POST
@ratelimit(group="invitations", key="user", rate="30/h", method="POST", block=True)
def invitation_create_view(request):
    """Invite someone by email: the one-time link goes to that address once this commits."""
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation, token = services.invitation_create(
                workspace=request.workspace,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error, {})
        else:
            link = request.build_absolute_uri(reverse("accounts:invitation", args=[token]))
            services.invitation_send(invitation=invitation, link=link)
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. "
                f"The link works once, for {services.INVITATION_LIFETIME.days} days.",
            )
            return redirect("accounts:settings_workspace")
    name_form = WorkspaceNameForm(initial={"name": request.workspace.name})
    if not request.membership.can_manage:
        name_form.fields["name"].disabled = True
    return _workspace_page(request, form=name_form, invite_form=form, status=400)


@owner_required
@require_POST
def invitation_revoke_view(request, pk):
    """Revoke an open invitation: its link stops working at once."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("workspace"), workspace=request.workspace, pk=pk
    )
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Revoked the invitation for {invitation.email}. Its link no longer works."
        )
    return redirect("accounts:settings_workspace")


@owner_required
@require_POST
def member_role_view(request, pk):
    """Change a member's role; the last owner keeps theirs."""
    membership = get_object_or_404(_workspace_members(request.workspace), pk=pk)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role: Owner, Admin or Member.")
        return redirect("accounts:settings_workspace")
    try:
        membership = services.membership_set_role(
            membership=membership, role=form.cleaned_data["role"], actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{membership.user.email} is now {membership.get_role_display()}."
        )
    return redirect("accounts:settings_workspace")


@owner_required
@require_http_methods(["GET", "POST"])
def member_remove_view(request, pk):
    """A confirmation page (works without JavaScript), then the removal."""
    membership = get_object_or_404(_workspace_members(request.workspace), pk=pk)
    if request.method == "POST":
        try:
            services.membership_remove(membership=membership, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("accounts:settings_workspace")
        if membership.user_id == request.user.pk:
            messages.success(request, f"You left {membership.workspace.name}.")
            return redirect("portal:home")
        messages.success(
            request, f"Removed {membership.user.email} from {membership.workspace.name}."
        )
        return redirect("accounts:settings_workspace")
    last_owner = (
        membership.role == Role.OWNER
        and not request.workspace.memberships.filter(role=Role.OWNER).exclude(pk=pk).exists()
    )
    return render(
        request,
        "accounts/member_remove.html",
        {"member": membership, "last_owner": last_owner, "settings_section": "workspace"},
    )


def _invitation_invalid(request):
    # One answer for unknown, used, revoked and expired links: a token's fate is not told.
    return render(
        request,
        "accounts/invitation_invalid.html",
        {"message": services.INVALID_INVITATION},
        status=404,
    )


def _joined(request, membership):
    request.session[SESSION_KEY] = membership.workspace_id
    messages.success(
        request, f"You joined {membership.workspace.name} as {membership.get_role_display()}."
    )
    return redirect("portal:home")


@login_not_required
@never_cache
@ratelimit(group="invitation_page", key="ip", rate="20/h", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def invitation_view(request, token):
    """The one-time link: who invites you where; log in or sign up, then accept."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return _invitation_invalid(request)
    user = request.user
    sign_up_form = None
    if not user.is_authenticated:
        sign_up_form = InvitationSignUpForm(request.POST or None)
        if request.method == "POST" and sign_up_form.is_valid():
            try:
                membership = services.invitation_sign_up(
                    token=token, password=sign_up_form.cleaned_data["password"]
                )
            except ValidationError as error:
                if error.messages == [services.INVALID_INVITATION]:
                    return _invitation_invalid(request)
                add_service_errors(sign_up_form, error, {"__all__": "password"})
            else:
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
                return _joined(request, membership)
    elif request.method == "POST":
        try:
            membership = services.invitation_accept(token=token, user=user)
        except ValidationError as error:
            if error.messages == [services.INVALID_INVITATION]:
                return _invitation_invalid(request)
            messages.error(request, " ".join(error.messages))
        else:
            return _joined(request, membership)
    login_url = f"{reverse('accounts:login')}?{urlencode({'next': request.path})}"
    return render(
        request,
        "accounts/invitation.html",
        {
            "invitation": invitation,
            "sign_up_form": sign_up_form,
            "email_matches": user.is_authenticated
            and normalize_email(user.email) == invitation.email,
            "login_url": login_url,
        },
    )
