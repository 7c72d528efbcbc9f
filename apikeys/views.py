from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods

from accounts.decorators import manager_required, manager_required_for_writes
from accounts.plans import plans_with
from apikeys.forms import ApiKeyCreateForm
from apikeys.models import ApiKey
from apikeys.services import api_key_create, api_key_revoke

FORM_TOKEN_TTL = 60 * 60


def _keys(workspace):
    return ApiKey.objects.filter(workspace=workspace).select_related("created_by", "revoked_by")


@never_cache
@manager_required_for_writes
@require_http_methods(["GET", "POST"])
@sensitive_variables("new_key")  # innermost: it marks the frame of the function it wraps
def api_keys(request):
    """List keys; owners and admins generate one, shown in full only in this response."""
    workspace = request.workspace
    entitlements = workspace.entitlements
    form = ApiKeyCreateForm(request.POST or None)
    api_key = new_key = None
    if request.method == "POST" and entitlements.api and form.is_valid():
        token = form.cleaned_data["form_token"]
        if not cache.add(f"apikeys:form:{token}", 1, FORM_TOKEN_TTL):
            messages.info(request, "That key was already created; it is not shown again.")
            return redirect("apikeys:list")
        try:
            api_key, new_key = api_key_create(
                workspace=workspace,
                name=form.cleaned_data["name"],
                access=form.cleaned_data["access"],
                created_by=request.user,
            )
        except ValidationError as error:
            form.add_error("name", error.message_dict.get("name") or error.messages)
        else:
            form = ApiKeyCreateForm()
    return render(
        request,
        "apikeys/list.html",
        {
            "keys": _keys(workspace),
            "form": form,
            "new_key": new_key,
            "new_key_record": api_key,
            "entitlements": entitlements,
            "api_plans": plans_with("api"),
            "settings_section": "api_keys",
        },
    )


@manager_required
@require_http_methods(["GET", "POST"])
def api_key_revoke_view(request, pk):
    """A confirmation page (works without JavaScript), then the revocation."""
    api_key = get_object_or_404(_keys(request.workspace), pk=pk)
    if request.method == "POST":
        api_key_revoke(api_key=api_key, revoked_by=request.user)
        messages.success(request, f"Revoked “{api_key.name}”. Requests with it now fail.")
        return redirect("apikeys:list")
    return render(
        request,
        "apikeys/revoke.html",
        {"api_key": api_key, "settings_section": "api_keys"},
    )
