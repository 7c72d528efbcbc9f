"""Settings → API Keys (SPEC §4): the keys, "Generate new API key" with the key shown once until
"Done — I've saved it", and per key "Rename", "Roll key" and "Revoke". Everyone in the workspace
reads; owners and admins change, through ``apikeys.services``."""

from datetime import timedelta

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods

from accounts.decorators import manager_required, manager_required_for_writes
from accounts.plans import plans_with
from apikeys.forms import ApiKeyCreateForm, ApiKeyRenameForm
from apikeys.models import ApiKey
from apikeys.selectors import api_key_counts, api_keys_page
from apikeys.services import (
    ROLL_GRACE,
    api_key_create,
    api_key_rename,
    api_key_revoke,
    api_key_roll,
    api_key_roll_refusal,
)

FORM_TOKEN_TTL = 60 * 60
SECTION = "api_keys"
INACTIVE = "inactive"  # ?status=inactive: the revoked and expired keys


def _key(request, pk) -> ApiKey:
    return get_object_or_404(ApiKey.objects.filter(workspace=request.workspace), pk=pk)


@sensitive_variables("new_key")
def _list(request, *, form=None, new_key=None, new_key_record=None, replaced=None):
    """The list page; with ``new_key``, the panel that shows it this once (``replaced``: the
    key it was rolled from) instead of the generate form."""
    workspace = request.workspace
    inactive = request.GET.get("status") == INACTIVE
    return render(
        request,
        "apikeys/list.html",
        {
            "keys": api_keys_page(
                workspace, active=not inactive, page_number=request.GET.get("page")
            ),
            "counts": api_key_counts(workspace),
            "inactive": inactive,
            "form": form or ApiKeyCreateForm(),
            "new_key": new_key,
            "new_key_record": new_key_record,
            "replaced": replaced,
            "entitlements": workspace.entitlements,
            "api_plans": plans_with("api"),
            "settings_section": SECTION,
        },
    )


@never_cache
@manager_required_for_writes
@require_http_methods(["GET", "POST"])
@sensitive_variables("new_key")  # innermost: it marks the frame of the function it wraps
def api_keys(request):
    """The working keys (or, filtered, the revoked and expired ones); owners and admins
    generate one, shown in full only in this response."""
    workspace = request.workspace
    form = ApiKeyCreateForm(request.POST or None)
    if request.method == "POST" and workspace.entitlements.api and form.is_valid():
        token = form.cleaned_data["form_token"]
        if not cache.add(f"apikeys:form:{token}", 1, FORM_TOKEN_TTL):
            messages.info(request, "That key was already created; it is not shown again.")
            return redirect("apikeys:list")
        try:
            api_key, new_key = api_key_create(
                workspace=workspace,
                name=form.cleaned_data["name"],
                access=form.cleaned_data["access"],
                lifetime_days=form.lifetime_days(),
                created_by=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _list(request, new_key=new_key, new_key_record=api_key)
    return _list(request, form=form)


@manager_required
@require_http_methods(["GET", "POST"])
def api_key_rename_view(request, pk):
    """Change a key's name; the key itself stays the same."""
    api_key = _key(request, pk)
    form = ApiKeyRenameForm(request.POST or None, initial={"name": api_key.name})
    if request.method == "POST" and form.is_valid():
        old_name = api_key.name
        try:
            api_key_rename(api_key=api_key, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Renamed “{old_name}” to “{api_key.name}”.")
            return redirect("apikeys:list")
    return render(
        request,
        "apikeys/rename.html",
        {"api_key": api_key, "form": form, "settings_section": SECTION},
    )


@never_cache
@manager_required
@require_http_methods(["GET", "POST"])
@sensitive_variables("new_key")
def api_key_roll_view(request, pk):
    """A confirmation page (works without JavaScript), then the new key, shown once, with the
    old one working for 24 more hours."""
    api_key = _key(request, pk)
    if not request.workspace.entitlements.api:
        raise PermissionDenied("The API is not included in this workspace's plan.")
    if request.method == "POST":
        try:
            new_key_record, new_key = api_key_roll(api_key=api_key, rolled_by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("apikeys:list")
        return _list(request, new_key=new_key, new_key_record=new_key_record, replaced=api_key)
    refusal = api_key_roll_refusal(api_key)
    if refusal:
        messages.error(request, refusal)
        return redirect("apikeys:list")
    grace_end = timezone.now() + ROLL_GRACE
    return render(
        request,
        "apikeys/roll.html",
        {
            "api_key": api_key,
            # Rolling never lengthens a key's life: one expiring sooner stops then.
            "old_key_until": min(api_key.expires_at or grace_end, grace_end),
            "grace_hours": ROLL_GRACE // timedelta(hours=1),
            "settings_section": SECTION,
        },
    )


@manager_required
@require_http_methods(["GET", "POST"])
def api_key_revoke_view(request, pk):
    """A confirmation page (works without JavaScript), then the revocation."""
    api_key = _key(request, pk)
    if request.method == "POST":
        api_key_revoke(api_key=api_key, revoked_by=request.user)
        messages.success(request, f"Revoked “{api_key.name}”. Requests with it now fail.")
        return redirect("apikeys:list")
    return render(
        request,
        "apikeys/revoke.html",
        {"api_key": api_key, "settings_section": SECTION},
    )
