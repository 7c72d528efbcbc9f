"""Pages that span apps: the Overview, sign-up, a new workspace, Plan & usage, Developers."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.decorators import ratelimit

from accounts.decorators import workspace_required
from accounts.forms import NewWorkspaceForm, SignUpForm, add_service_errors
from accounts.middleware import SESSION_KEY
from accounts.plans import PLAN_FEATURES, Plan
from api.ratelimit import usage_today
from apikeys.selectors import api_keys_active
from core.net import plain_http_allowed
from portal import services


@workspace_required
def home(request):
    """The signed-in landing page; ``LoginRequiredMiddleware`` sends visitors to log in."""
    return render(request, "portal/home.html", {"entitlements": request.workspace.entitlements})


@login_not_required
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, workspace = services.account_sign_up(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                workspace_name=form.cleaned_data["workspace_name"],
            )
        except ValidationError as error:
            add_service_errors(form, error, {"__all__": "password", "name": "workspace_name"})
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_KEY] = workspace.pk
            messages.success(request, f"Welcome to Salync. {workspace.name} is ready.")
            return redirect("portal:home")
    return render(request, "portal/sign_up.html", {"form": form})


@require_http_methods(["GET", "POST"])
def workspace_create(request):
    form = NewWorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.workspace_setup(name=form.cleaned_data["name"], owner=request.user)
        except ValidationError as error:
            add_service_errors(form, error, {})
        else:
            request.session[SESSION_KEY] = workspace.pk
            messages.success(request, f"{workspace.name} is ready.")
            return redirect("portal:home")
    return render(request, "portal/workspace_create.html", {"form": form})


@workspace_required
def settings_plan(request):
    plans = [{"plan": Plan(plan), "features": features} for plan, features in PLAN_FEATURES.items()]
    entitlements = request.workspace.entitlements
    key_usage = []
    if entitlements.api:
        keys = api_keys_active(request.workspace)
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
        "portal/plan.html",
        {
            "entitlements": entitlements,
            "plans": plans,
            "key_usage": key_usage,
            "settings_section": "plan",
        },
    )


def api_base_url(request) -> str:
    """The API's base URL as this request can use it: https, or http where the API takes plain
    HTTP (a development install, from this machine)."""
    scheme = "http" if not request.is_secure() and plain_http_allowed(request) else "https"
    return f"{scheme}://{request.get_host()}{reverse('api:index')}"


@login_not_required
def developers(request):
    """The seed's API reference, made true for this install: real URL, limits and examples."""
    plans = [
        {"plan": Plan(plan), "features": features}
        for plan, features in PLAN_FEATURES.items()
        if features.api
    ]
    workspace = getattr(request, "workspace", None)
    return render(
        request,
        "portal/developers.html",
        {
            "base_url": api_base_url(request),
            "api_plans": plans,
            "entitlements": workspace.entitlements if workspace else None,
            "loopback_http": settings.SALYNC_ALLOW_LOOPBACK_HTTP,
        },
    )


@login_not_required
@require_safe
@cache_control(max_age=60 * 60 * 24, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG icon."""
    return redirect(static("favicon.svg"))
