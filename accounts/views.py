from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from accounts import services
from accounts.decorators import manager_required_for_writes, workspace_required
from accounts.forms import LoginForm, NewWorkspaceForm, SignUpForm, WorkspaceNameForm
from accounts.middleware import SESSION_KEY
from accounts.models import Membership
from accounts.plans import PLAN_FEATURES, Plan
from api.ratelimit import usage_today
from apikeys.models import ApiKey


def _add_service_errors(form, error: ValidationError, field_map: dict[str, str]) -> None:
    """Show a service's ValidationError on the form fields it concerns."""
    if not hasattr(error, "error_dict"):
        form.add_error(field_map.get("__all__"), error)
        return
    for field, field_errors in error.error_dict.items():
        target = field_map.get(field, field if field in form.fields else None)
        form.add_error(target, field_errors)


@method_decorator(login_not_required, name="dispatch")
class SalyncLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_not_required
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, workspace = services.account_create(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                workspace_name=form.cleaned_data["workspace_name"],
            )
        except ValidationError as error:
            _add_service_errors(form, error, {"__all__": "password", "name": "workspace_name"})
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_KEY] = workspace.pk
            messages.success(request, f"Welcome to Salync. {workspace.name} is ready.")
            return redirect("core:home")
    return render(request, "accounts/sign_up.html", {"form": form})


@require_POST
def switch_workspace(request):
    workspace_id = request.POST.get("workspace", "")
    if not workspace_id.isdigit():
        raise Http404("No such workspace.")
    membership = get_object_or_404(Membership, user=request.user, workspace_id=int(workspace_id))
    request.session[SESSION_KEY] = membership.workspace_id
    messages.info(request, f"Switched to {membership.workspace.name}.")
    return redirect("core:home")


@require_http_methods(["GET", "POST"])
def workspace_create(request):
    form = NewWorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.workspace_create(
                name=form.cleaned_data["name"], owner=request.user
            )
        except ValidationError as error:
            _add_service_errors(form, error, {})
        else:
            request.session[SESSION_KEY] = workspace.pk
            messages.success(request, f"{workspace.name} is ready.")
            return redirect("core:home")
    return render(request, "accounts/workspace_create.html", {"form": form})


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
            _add_service_errors(form, error, {})
        else:
            messages.success(request, "Workspace renamed.")
            return redirect("accounts:settings_workspace")
    members = workspace.memberships.select_related("user").order_by("created_at", "pk")
    return render(
        request,
        "settings/workspace.html",
        {"form": form, "members": members, "settings_section": "workspace"},
    )


@workspace_required
def settings_plan(request):
    plans = [{"plan": Plan(plan), "features": features} for plan, features in PLAN_FEATURES.items()]
    entitlements = request.workspace.entitlements
    key_usage = []
    if entitlements.api:
        keys = list(ApiKey.objects.filter(workspace=request.workspace, revoked_at__isnull=True))
        used = usage_today(keys)
        key_usage = [
            {
                "key": key,
                "used": used[key.pk],
                "left": max(0, entitlements.daily_limit - used[key.pk]),
            }
            for key in keys
        ]
    return render(
        request,
        "settings/plan.html",
        {
            "entitlements": entitlements,
            "plans": plans,
            "key_usage": key_usage,
            "settings_section": "plan",
        },
    )


@workspace_required
def settings_index(request):
    return redirect("accounts:settings_workspace")
