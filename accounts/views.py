from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.decorators import manager_required_for_writes, workspace_required
from accounts.forms import LoginForm, WorkspaceNameForm, add_service_errors
from accounts.middleware import SESSION_KEY
from accounts.models import Membership


@method_decorator(login_not_required, name="dispatch")
class SalyncLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


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
    members = workspace.memberships.select_related("user").order_by("created_at", "pk")
    return render(
        request,
        "settings/workspace.html",
        {"form": form, "members": members, "settings_section": "workspace"},
    )


@workspace_required
def settings_index(request):
    return redirect("accounts:settings_workspace")
